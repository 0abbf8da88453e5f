// passgate-bench: scan-to-release latency, measured as a rig sees it: from writing the
// rig's `scan` message to reading the gate's `out lane<N>.release_in 1`. Each admitted
// person then walks through (beam levels) so the lane closes before the next scan.
// Run it against a running passgated (scripts/bench-latency.sh sets everything up);
// the gate's debounce should be 0 so the walk-through costs no waiting.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/sim/token_minter.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// A blocking line-oriented client of the gate's rig socket.
class RigSocket {
 public:
  explicit RigSocket(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
    }
  }
  ~RigSocket() { ::close(fd_); }
  RigSocket(const RigSocket&) = delete;
  RigSocket& operator=(const RigSocket&) = delete;

  void send(const nlohmann::json& j) {
    const std::string line = j.dump() + "\n";
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      throw std::runtime_error("write to the gate failed");
    }
  }
  nlohmann::json next() {
    for (;;) {
      if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
        auto j = nlohmann::json::parse(buf_.substr(0, nl));
        buf_.erase(0, nl + 1);
        return j;
      }
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("the gate closed the rig link");
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Reads until `line` is reported at `level`; returns any display text seen meanwhile.
  std::optional<std::string> wait_output(const std::string& line, bool level) {
    std::optional<std::string> shown;
    for (;;) {
      const auto m = next();
      if (m.value("t", "") == "out" && m.value("line", "") == line && m.value("v", -1) == (level ? 1 : 0)) return shown;
      if (m.value("t", "") == "display") {
        shown = m.value("text", "");
        if (*shown != "admit 1" && level) throw std::runtime_error("scan denied: " + *shown);
      }
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

using passgate::bench::percentile;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench: scan-to-release latency against a running passgated"};
  std::string socket, key_file, kid, issuer, audience;
  int count = 1000;
  int lane = 1;
  app.add_option("--socket", socket, "the gate's rig socket")->required();
  app.add_option("--issuer-key", key_file, "issuer private key (PEM)")->required();
  app.add_option("--kid", kid, "its key id")->required();
  app.add_option("--issuer", issuer, "iss claim")->required();
  app.add_option("--audience", audience, "aud claim (store id)")->required();
  app.add_option("--count", count, "scans to time")->capture_default_str();
  app.add_option("--lane", lane, "entry lane number")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    auto key = passgate::sim::IssuerKey::load(key_file, kid);
    if (!key.ok()) throw std::runtime_error(key.error().message);
    std::vector<std::string> tokens;
    const auto now = passgate::unix_seconds(std::chrono::system_clock::now());
    for (int i = 0; i < count; ++i) {
      passgate::sim::TokenSpec spec;
      spec.issuer = issuer;
      spec.audience = audience;
      spec.now = now;
      tokens.push_back(passgate::sim::mint_token(key.value(), spec));
    }
    const std::string l = "lane" + std::to_string(lane);
    RigSocket rig(socket);
    rig.send({{"t", "in"}, {"line", l + ".beam_outer"}, {"v", 0}});
    rig.send({{"t", "in"}, {"line", l + ".beam_inner"}, {"v", 0}});
    rig.send({{"t", "in"}, {"line", "fire_alarm"}, {"v", 0}});
    (void)rig.wait_output(l + ".release_in", false);

    std::vector<double> micros;
    micros.reserve(tokens.size());
    for (const auto& t : tokens) {
      const auto t0 = Clock::now();
      rig.send({{"t", "scan"}, {"scanner", l + ".entry"}, {"data", t}});
      (void)rig.wait_output(l + ".release_in", true);
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      for (auto [line, v] : {std::pair{".beam_outer", 1}, {".beam_inner", 1}, {".beam_outer", 0}, {".beam_inner", 0}}) {
        rig.send({{"t", "in"}, {"line", l + line}, {"v", v}});
      }
      (void)rig.wait_output(l + ".release_in", false);
    }
    double sum = 0;
    for (double m : micros) sum += m;
    std::cout << "scan-to-release over " << micros.size() << " scans (microseconds): p50 " << percentile(micros, 50)
              << ", p90 " << percentile(micros, 90) << ", p99 " << percentile(micros, 99) << ", max "
              << *std::max_element(micros.begin(), micros.end()) << ", mean " << sum / static_cast<double>(micros.size())
              << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench: " << e.what() << '\n';
    return 1;
  }
}
