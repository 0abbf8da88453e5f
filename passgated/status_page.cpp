#include "passgated/status_page.hpp"

#include <algorithm>

#include <boost/asio/ssl/context.hpp>
#include <spdlog/spdlog.h>

#include "common/time_format.hpp"
#include "common/url.hpp"
#include "common/log_value.hpp"
#include "controller/lanes/gate.hpp"
#include "passgated/gate_files.hpp"
#include "passgated/status_assets.hpp"

namespace passgate::daemon {

using json = nlohmann::json;
using drivers::HttpAnswer;

namespace {

// What every answer of the page carries: nothing cached, nothing framed or fetched from elsewhere.
void secure(HttpAnswer& answer) {
  answer.headers.emplace_back("Cache-Control", "no-store");
  answer.headers.emplace_back("X-Content-Type-Options", "nosniff");
  answer.headers.emplace_back("X-Frame-Options", "DENY");
  answer.headers.emplace_back("Referrer-Policy", "no-referrer");
  answer.headers.emplace_back("Content-Security-Policy",
                              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                              "img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
}

HttpAnswer json_answer(const json& body) {
  HttpAnswer answer = drivers::plain_answer(200, body.dump() + "\n");
  answer.content_type = "application/json";
  return answer;
}

}  // namespace

StatusPage::StatusPage(const controller::StatusPageConfig& config, std::unique_ptr<boost::asio::ssl::context> tls,
                       std::optional<crypto::UsersFile> users, controller::Gate& gate, SnapshotSources sources,
                       const Clock& clock, TimerService& timers)
    : config_(config), tls_(std::move(tls)), login_(std::move(users), clock, timers), gate_(gate),
      sources_(std::move(sources)), clock_(clock), timers_(timers), started_at_(clock.wall_now()),
      started_steady_(clock.steady_now()) {
  gate_.add_observer(*this);
}

StatusPage::~StatusPage() {
  listener_.reset();
  gate_.remove_observer(*this);
}

Result<std::unique_ptr<StatusPage>> StatusPage::open(boost::asio::io_context& io,
                                                     const controller::StatusPageConfig& config,
                                                     std::unique_ptr<boost::asio::ssl::context> tls,
                                                     std::optional<crypto::UsersFile> users, controller::Gate& gate,
                                                     SnapshotSources sources, const Clock& clock,
                                                     TimerService& timers) {
  const bool no_users = users && users->size() == 0;
  auto page = std::unique_ptr<StatusPage>(
      new StatusPage(config, std::move(tls), std::move(users), gate, std::move(sources), clock, timers));
  drivers::HttpListenerOptions options;
  options.name = "status_page";
  options.address = config.address;
  options.port = config.port;
  options.limits.max_connections = kMaxViewers + 16;
  // Off loopback only (like /metrics, which has none): on loopback every client is the box itself.
  if (!is_loopback_host(config.address)) options.limits.accept_rate = kAcceptRate;
  options.tls = page->tls_.get();
  options.clock = &clock;
  auto listener = drivers::HttpListener::open(io, std::move(options), [raw = page.get()](
                                                                          const drivers::HttpRequest& request) {
    return raw->answer(request);
  });
  if (!listener.ok()) return listener.error();
  page->listener_ = std::move(*listener);
  spdlog::info("event=status_page_ready url={}://{}:{}/ login={}", page->tls_ ? "https" : "http",
               config.address.find(':') != std::string::npos ? "[" + config.address + "]" : config.address,
               page->port(), page->login_.required() ? "required" : "none");
  if (no_users) {
    spdlog::warn("event=status_page_no_users file={} detail={}", log_value(config.users_file.string()),
                 log_value("the users file has no user: nobody can log in to the status page until one is added "
                           "(passgatectl status-page add-user USER, then passgatectl reload)"));
  }
  return page;
}

HttpAnswer StatusPage::answer(const drivers::HttpRequest& request) {
  HttpAnswer answer;
  const LoginCheck login = login_.check(request.authorization, request.peer_address);
  switch (login.outcome) {
    case LoginOutcome::allowed:
      // Its address may connect past a flood from now on (the accept rate's reserved budget):
      // only after a password check, so a remembered header replayed from other addresses
      // trusts none of them.
      if (login.checked) listener_->trust(request.peer_address, login.user);
      break;
    case LoginOutcome::refused:
      answer = drivers::plain_answer(401, "login required: the gate's status page needs a user of its users file\n");
      // The page and its files ask the browser for a login. The live view and the snapshot do
      // not: a browser holds a background request at a login prompt it may never show (headless
      // Chromium does), and the page says plainly that a login is needed instead.
      if (request.path != "/events" && request.path != "/status.json") {
        answer.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Passgate status\", charset=\"UTF-8\"");
      }
      secure(answer);
      return answer;
    case LoginOutcome::limited:
    case LoginOutcome::busy:
      // app.js tells the two apart by the start of the body.
      answer = drivers::plain_answer(
          429, login.outcome == LoginOutcome::limited
                   ? "too many failed logins from here: try again in a minute\n"
                   : "too many logins being checked at once: try again in " +
                         std::to_string(login.retry_after.count()) + " s\n");
      answer.headers.emplace_back("Retry-After", std::to_string(login.retry_after.count()));
      secure(answer);
      return answer;
  }
  const auto asset = status_asset(request.path);
  const bool known = asset || request.path == "/status.json" || request.path == "/events";
  if (!known) {
    answer = drivers::plain_answer(404, "not found; the page is at /\n");
  } else if (request.method != "GET") {
    answer = drivers::plain_answer(405, "only GET: the status page is read-only (operators use passgatectl)\n");
    answer.headers.emplace_back("Allow", "GET");
  } else if (asset) {
    answer = drivers::plain_answer(200, std::string(asset->body));
    answer.content_type = std::string(asset->content_type);
  } else if (request.path == "/status.json") {
    answer = json_answer(current(true));
  } else {
    answer = events(login.user);
  }
  secure(answer);
  return answer;
}

Result<bool> StatusPage::reload_users() {
  if (!login_.required()) return false;
  auto users = drivers::read_status_page_users(config_);
  if (!users) {
    spdlog::error("event=status_page_users_not_reloaded detail={} kept=previous_users",
                  log_value(users.error().message));
    return users.error();
  }
  const std::size_t count = users->size();
  const UsersChange change = login_.replace_users(std::move(*users));
  const std::size_t closed = viewers_.close_users(change.gone);
  listener_->untrust(change.gone);
  spdlog::info("event=status_page_users_reloaded users={} changed={} users_gone={} viewers_closed={}", count,
               change.changed, change.gone.size(), closed);
  return change.changed;
}

HttpAnswer StatusPage::events(const std::string& user) {
  auto slot = viewers_.reserve(user);
  if (!slot) {
    spdlog::info("event=status_page_viewer_refused viewers={}", viewers_.taken());
    return drivers::plain_answer(503, "too many viewers of the status page; close one and reload\n");
  }
  HttpAnswer answer;
  answer.content_type = "text/event-stream";
  // The slot is held until the stream is added, or its connection closes before it opens.
  answer.on_stream = [this, slot = std::move(slot)](std::shared_ptr<drivers::EventStream> stream) {
    add_viewer(std::move(stream), *slot);
  };
  return answer;
}

void StatusPage::add_viewer(std::shared_ptr<drivers::EventStream> stream, const StatusViewers::Slot& slot) {
  // A user removed while the head was written gets nothing: closed (slot revoked by the reload).
  if (!viewers_.add(stream, slot)) return;
  if (!stream->send("retry: " + std::to_string(kRetry.count()) + "\n" + event_of(current(true)))) return;
  if (!tick_) tick_ = timers_.start(kTick, [this] { tick(); });
}

std::string StatusPage::event_of(const json& snapshot) { return "data: " + snapshot.dump() + "\n\n"; }

json StatusPage::current(bool refresh) {
  const WallTime now = clock_.wall_now();
  const SteadyTime steady_now = clock_.steady_now();
  // At most once a kTick, however many ask (the tick, new viewers, /status.json).
  if (!database_part_ || (refresh && steady_now - database_read_at_ >= kTick)) {
    const Uptime uptime{started_at_, std::chrono::duration_cast<std::chrono::seconds>(steady_now - started_steady_)};
    database_part_ = database_part(sources_, uptime, now, steady_now);
    database_read_at_ = steady_now;
  }
  return snapshot(*database_part_, sources_, scans_);
}

void StatusPage::push(bool refresh) {
  if (viewers_.prune() == 0) {
    first_change_.reset();
    return;
  }
  json now = current(refresh);
  std::string key = now.dump();
  if (key == last_sent_) {
    first_change_.reset();
    return;
  }
  last_sent_ = std::move(key);
  const WallTime at = clock_.wall_now();
  now["at_ms"] = unix_millis(at);
  now["changed_at_ms"] = unix_millis(first_change_.value_or(at));
  first_change_.reset();
  viewers_.send(event_of(now));
}

void StatusPage::tick() {
  tick_.reset();
  push(true);
  if (viewers_.open() > 0) tick_ = timers_.start(kTick, [this] { tick(); });
}

void StatusPage::changed() {
  if (viewers_.open() == 0) return;
  if (!first_change_) first_change_ = clock_.wall_now();
  if (coalesce_) return;
  coalesce_ = timers_.start(kCoalesce, [this] {
    coalesce_.reset();
    push(false);
  });
}

void StatusPage::on_input_changed(const std::string&) { changed(); }
void StatusPage::on_scan_read(const std::string&, const std::string&) {}
void StatusPage::on_scanner_connection(const std::string&, bool, const std::string&) { changed(); }
void StatusPage::on_scan_answered(int lane, const controller::AdmissionResult& answer) {
  scans_.add(lane, answer, clock_.wall_now());
  changed();
}
void StatusPage::on_beams(int, bool, bool) { changed(); }
void StatusPage::on_passage(int, controller::Direction, controller::PassageKind) { changed(); }
void StatusPage::on_fire_alarm(bool) { changed(); }

}  // namespace passgate::daemon
