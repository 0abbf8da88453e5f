// For client tests: a scripted HTTP server on loopback (an HttpListener whose handler records
// every request and plays the next scripted answer; an unscripted request gets a 500 and is
// counted), with the base URL clients point at. The gateway's and the payment terminal's
// fixtures build on it.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "tools/sim/tracking/http_listener.hpp"

namespace passgate::test {

inline sim::HttpAnswer answer_with_headers(int status, std::string body,
                                           std::vector<std::pair<std::string, std::string>> headers) {
  sim::HttpAnswer answer = sim::make_answer(status, std::move(body));
  answer.headers = std::move(headers);
  return answer;
}

class ScriptedHttpServer {
 public:
  explicit ScriptedHttpServer(const drivers::TlsServerFiles* tls = nullptr) {
    auto made = sim::HttpListener::create(io, 0, tls, [this](const sim::HttpCall& call) { return on_call(call); });
    if (!made) FAIL(made.error().message);
    server = std::move(made.value());
  }
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  // Queues the answer to the next request.
  void will_answer(sim::HttpAnswer answer) { script_.push_back(std::move(answer)); }
  void will_answer(int status, std::string body) { will_answer(sim::make_answer(status, std::move(body))); }

  [[nodiscard]] bool script_used_up() const { return script_.empty() && unscripted_ == 0; }

  [[nodiscard]] std::string base_url(const std::string& scheme = "http", const std::string& host = "127.0.0.1") const {
    return scheme + "://" + host + ":" + std::to_string(server->port());
  }

  boost::asio::io_context io;  // first member: destroyed last
  std::vector<sim::HttpCall> calls;

 private:
  sim::HttpAnswer on_call(const sim::HttpCall& call) {
    calls.push_back(call);
    if (script_.empty()) {
      ++unscripted_;
      return sim::make_answer(500, R"({"error":{"type":"api_error","message":"unscripted request"}})");
    }
    sim::HttpAnswer answer = std::move(script_.front());
    script_.pop_front();
    return answer;
  }

  std::deque<sim::HttpAnswer> script_;
  int unscripted_ = 0;

 public:
  std::unique_ptr<sim::HttpListener> server;  // last: destroyed first, before what its handler uses
};

}  // namespace passgate::test
