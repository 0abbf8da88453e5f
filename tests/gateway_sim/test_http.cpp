#include "tests/gateway_sim/test_http.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>

namespace passgate::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct Exchange {
  explicit Exchange(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  http::request<http::string_body> request;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  std::function<void(TestHttpReply)> done;

  void fail(const char* step, const error_code& ec) {
    TestHttpReply reply;
    reply.error = std::string(step) + ": " + ec.message();
    done(std::move(reply));
  }
};

std::string to_std(beast::string_view text) { return std::string(text.data(), text.size()); }

}  // namespace

std::optional<std::string> TestHttpReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
  }
  return std::nullopt;
}

void send_test_request(asio::io_context& io, std::uint16_t port, TestHttpRequest request,
                       std::function<void(TestHttpReply)> done) {
  auto x = std::make_shared<Exchange>(io);
  x->done = std::move(done);
  x->request.method_string(request.method);
  x->request.target(request.target);
  x->request.version(11);
  x->request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  x->request.keep_alive(false);
  for (const auto& [name, value] : request.headers) x->request.set(name, value);
  if (!request.body.empty() && x->request.find(http::field::content_type) == x->request.end()) {
    x->request.set(http::field::content_type, "application/x-www-form-urlencoded");
  }
  x->request.body() = std::move(request.body);
  x->request.prepare_payload();

  x->socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), [x](const error_code& ec) {
    if (ec) return x->fail("connect", ec);
    http::async_write(x->socket, x->request, [x](const error_code& write_ec, std::size_t) {
      if (write_ec) return x->fail("write", write_ec);
      http::async_read(x->socket, x->buffer, x->response, [x](const error_code& read_ec, std::size_t) {
        if (read_ec) return x->fail("read", read_ec);
        TestHttpReply reply;
        reply.status = static_cast<int>(x->response.result_int());
        for (const auto& field : x->response)
          reply.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
        reply.body = x->response.body();
        x->done(std::move(reply));
      });
    });
  });
}

}  // namespace passgate::test
