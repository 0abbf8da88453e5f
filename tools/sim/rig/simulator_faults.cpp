#include "tools/sim/rig/simulator_faults.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace passgate::sim {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

constexpr std::chrono::seconds kTimeout{2};

// Which simulator a fault request goes to, for its error code and messages.
struct Simulator {
  const char* name;  // "tracking" or "gateway"
};

// One request/response exchange; keeps itself alive through its handlers. `done` gets the
// answer's HTTP status, or an error if there was none.
class ControlRequest : public std::enable_shared_from_this<ControlRequest> {
 public:
  ControlRequest(asio::io_context& io, Simulator simulator, std::uint16_t port, std::string target, std::string body,
                 std::function<void(Result<unsigned>, const std::string& where, const std::string& body)> done)
      : simulator_(simulator),
        stream_(io),
        endpoint_(asio::ip::address_v4::loopback(), port),
        target_(std::move(target)),
        done_(std::move(done)) {
    request_.method(http::verb::post);
    request_.target(target_);
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    request_.set(http::field::content_type, "application/json");
    request_.keep_alive(false);
    request_.body() = std::move(body);
    request_.prepare_payload();
  }

  void run() {
    stream_.expires_after(kTimeout);
    stream_.async_connect(endpoint_, [self = shared_from_this()](const beast::error_code& ec) {
      if (ec) return self->fail("cannot connect", ec);
      http::async_write(self->stream_, self->request_, [self](const beast::error_code& wec, std::size_t) {
        if (wec) return self->fail("sending the request failed", wec);
        http::async_read(self->stream_, self->buffer_, self->response_,
                         [self](const beast::error_code& rec, std::size_t) { self->received(rec); });
      });
    });
  }

 private:
  void received(const beast::error_code& ec) {
    if (ec) return fail("reading the answer failed", ec);
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    done_(response_.result_int(), where(), response_.body());
  }

  void fail(const std::string& what, const beast::error_code& ec) {
    done_(make_error(code(), what + " to " + where() + ": " + ec.message() + " (is `passgate-sim " + simulator_.name +
                                 "` running with its control port there?)"),
          where(), {});
  }

  std::string code() const { return std::string(simulator_.name) + "_control"; }

  std::string where() const {
    return std::string("the ") + simulator_.name + " simulator's control endpoint http://127.0.0.1:" +
           std::to_string(endpoint_.port()) + target_;
  }

  Simulator simulator_;
  beast::tcp_stream stream_;
  asio::ip::tcp::endpoint endpoint_;
  std::string target_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::function<void(Result<unsigned>, const std::string&, const std::string&)> done_;
};

void post_fault(asio::io_context& io, Simulator simulator, std::uint16_t port, const std::string& target,
                const nlohmann::json& body, std::function<void(Status)> done) {
  std::make_shared<ControlRequest>(
      io, simulator, port, target, body.dump(),
      [simulator, done = std::move(done)](Result<unsigned> status, const std::string& where, const std::string& text) {
        if (!status) return done(status.error());
        if (*status < 200 || *status > 299) {
          return done(make_error(std::string(simulator.name) + "_control",
                                 where + " answered " + std::to_string(*status) + ": " + text));
        }
        done(Status{});
      })
      ->run();
}

}  // namespace

void TrackingControl::set_fault(TrackingFault fault, Millis delay, std::function<void(Status)> done) {
  post_fault(io_, {"tracking"}, port_, "/control/fault",
             {{"mode", std::string(to_string(fault))}, {"delay_ms", delay.count()}}, std::move(done));
}

void GatewayControl::set_fault(const GatewayFault& fault, std::function<void(Status)> done) {
  nlohmann::json body = {{"mode", to_string(fault.mode)}, {"delay_ms", fault.delay.count()}};
  if (fault.retry_after) body["retry_after_s"] = fault.retry_after->count();
  if (fault.count) body["count"] = *fault.count;
  post_fault(io_, {"gateway"}, port_, "/control/fault", body, std::move(done));
}

void GatewayControl::tap(const std::string& reader, const std::string& card, std::function<void(Result<int>)> done) {
  std::make_shared<ControlRequest>(
      io_, Simulator{"gateway"}, port_, "/control/readers/" + reader + "/tap", nlohmann::json{{"card", card}}.dump(),
      [done = std::move(done)](Result<unsigned> status, const std::string&, const std::string&) {
        if (!status) return done(status.error());
        done(static_cast<int>(*status));
      })
      ->run();
}

void GatewayControl::set_reader_fault(const std::string& reader, const std::string& fault,
                                      std::function<void(Status)> done) {
  post_fault(io_, {"gateway"}, port_, "/control/readers/" + reader, {{"fault", fault}}, std::move(done));
}

}  // namespace passgate::sim
