#include "common/asio_time.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace passgate {
namespace {

// Owns the Asio timer; the handler holds a shared_ptr so the timer outlives cancellation.
class AsioTimer final : public Timer {
 public:
  AsioTimer(boost::asio::io_context& io, Millis delay, std::function<void()> fn)
      : state_(std::make_shared<State>(io)) {
    state_->timer.expires_after(delay);
    state_->fn = std::move(fn);
    state_->timer.async_wait([s = state_](const boost::system::error_code& ec) {
      if (ec || s->cancelled) return;
      auto call = std::move(s->fn);
      call();
    });
  }
  ~AsioTimer() override {
    state_->cancelled = true;
    state_->fn = nullptr;
    state_->timer.cancel();
  }

 private:
  struct State {
    explicit State(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::function<void()> fn;
    bool cancelled = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<Timer> AsioTime::start(Millis delay, std::function<void()> fn) {
  return std::make_unique<AsioTimer>(io_, delay, std::move(fn));
}

void AsioTime::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

}  // namespace passgate
