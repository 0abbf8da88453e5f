#include "drivers/connect_probe.hpp"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace passgate::drivers {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// One probe: the first of connect, failure and time-out completes it; the others find it done.
struct ProbeRun : std::enable_shared_from_this<ProbeRun> {
  ProbeRun(asio::io_context& io, std::weak_ptr<int> owner, std::string peer, std::function<void(Status)> callback)
      : resolver(io), socket(io), timer(io), alive(std::move(owner)), authority(std::move(peer)),
        done(std::move(callback)) {}

  void finish(Status status) {
    if (finished) return;
    finished = true;
    resolver.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    timer.cancel();
    if (alive.expired()) return;
    done(std::move(status));
  }

  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer timer;
  std::weak_ptr<int> alive;
  std::string authority;
  std::function<void(Status)> done;
  bool finished = false;
};

}  // namespace

Result<std::unique_ptr<ConnectProbe>> ConnectProbe::create(asio::io_context& io, const std::string& base_url) {
  auto url = parse_base_url(base_url);
  if (!url) return url.error();
  return std::unique_ptr<ConnectProbe>(new ConnectProbe(io, std::move(url.value())));
}

ConnectProbe::ConnectProbe(asio::io_context& io, BaseUrl url) : io_(io), url_(std::move(url)) {}

ConnectProbe::~ConnectProbe() = default;

void ConnectProbe::probe(std::chrono::milliseconds limit, std::function<void(Status)> done) {
  const std::string authority = url_.host + ":" + std::to_string(url_.port);
  auto run = std::make_shared<ProbeRun>(io_, alive_, authority, std::move(done));
  run->timer.expires_after(limit);
  run->timer.async_wait([run, limit](const boost::system::error_code& ec) {
    if (ec) return;
    run->finish(make_error("connect_timeout", "cannot connect to " + run->authority + " within " +
                                                  std::to_string(limit.count()) + " ms"));
  });
  run->resolver.async_resolve(url_.host, std::to_string(url_.port),
                              [run](const boost::system::error_code& ec, const tcp::resolver::results_type& found) {
                                if (run->finished) return;
                                if (ec) {
                                  return run->finish(make_error("connect_failed", "cannot resolve " + run->authority +
                                                                                      ": " + ec.message()));
                                }
                                asio::async_connect(run->socket, found,
                                                    [run](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                                      if (ec2) {
                                                        return run->finish(make_error(
                                                            "connect_failed",
                                                            "cannot connect to " + run->authority + ": " + ec2.message()));
                                                      }
                                                      run->finish({});
                                                    });
                              });
}

}  // namespace passgate::drivers
