// SIGHUP and SIGTERM sent to passgated while it starts, before its signal handlers exist:
// neither kills it. The real passgated is held in its start-up, deterministically, by an
// issuer key set that is a FIFO: it blocks reading the keys (after its config, log and
// instance lock, before its database, backend and signal handlers) until the test writes
// them. A SIGHUP sent then is a reload once the gate runs; a SIGTERM sent then stops it
// cleanly (exit 0) once it runs: neither kills it, neither is lost.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "tests/passgatectl/ctl_fixture.hpp"

using passgate::test::ChildProcess;
using passgate::test::CtlFixture;
using passgate::test::kGateLimit;

namespace {

namespace fs = std::filesystem;

// The fixture's key set file, replaced by a FIFO: passgated's start-up blocks reading it
// until release() writes the keys (a regular file with them takes the FIFO's place first,
// for the reloads that follow).
class StalledKeySet {
 public:
  explicit StalledKeySet(fs::path file) : file_(std::move(file)) {
    std::ostringstream text;
    text << std::ifstream(file_, std::ios::binary).rdbuf();
    keys_ = text.str();
    REQUIRE_FALSE(keys_.empty());
    fs::remove(file_);
    REQUIRE(::mkfifo(file_.c_str(), 0600) == 0);
  }
  ~StalledKeySet() {
    if (writer_ >= 0) ::close(writer_);
  }
  StalledKeySet(const StalledKeySet&) = delete;
  StalledKeySet& operator=(const StalledKeySet&) = delete;

  // Waits until a reader (passgated) has opened the FIFO: from then on it is blocked reading
  // the keys. False if none came within kGateLimit.
  [[nodiscard]] bool wait_for_reader() {
    auto opened = std::async(std::launch::async, [path = file_] { return ::open(path.c_str(), O_WRONLY | O_CLOEXEC); });
    if (opened.wait_for(kGateLimit) != std::future_status::ready) {
      // No reader came: be the reader ourselves so that the writer's open returns.
      const int unblock = ::open(file_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      const int writer = opened.get();
      if (writer >= 0) ::close(writer);
      if (unblock >= 0) ::close(unblock);
      return false;
    }
    writer_ = opened.get();
    return writer_ >= 0;
  }

  // Puts the keys in a regular file in the FIFO's place, then writes them to the reader.
  void release() {
    const fs::path temp = file_.string() + ".tmp";
    std::ofstream(temp, std::ios::binary | std::ios::trunc) << keys_;
    fs::rename(temp, file_);
    REQUIRE(::write(writer_, keys_.data(), keys_.size()) == static_cast<ssize_t>(keys_.size()));
    ::close(writer_);
    writer_ = -1;
  }

 private:
  fs::path file_;
  std::string keys_;
  int writer_ = -1;
};

// How passgated ended so far: "running", "exit 0", "exit 1", "signal 1"...
std::string ending(ChildProcess& gated) {
  const auto status = gated.wait_exit(std::chrono::milliseconds(0));
  if (!status) return "running";
  return *status > 128 ? "killed by signal " + std::to_string(*status - 128) : "exit " + std::to_string(*status);
}

}  // namespace

TEST_CASE("a SIGHUP sent while passgated starts does not kill it: it reloads once it runs") {
  CtlFixture gate;
  StalledKeySet keys(gate.dir() / "keys.jwks.json");
  ChildProcess gated(PASSGATED, {"--config", gate.config_file()});
  REQUIRE(keys.wait_for_reader());
  gated.signal(SIGHUP);  // as a log rotation would
  keys.release();
  const bool reloaded = gated.wait_for_output("event=config_reloaded ", kGateLimit);
  INFO("passgated: " << ending(gated) << ", said:\n" << gated.output());
  REQUIRE(reloaded);
  const std::string log = gated.output();
  CHECK(log.find("event=ready ") < log.find("event=reload_requested signal=SIGHUP"));
  gated.signal(SIGTERM);
  CHECK(gated.wait_exit(kGateLimit) == 0);
}

TEST_CASE("a SIGTERM sent while passgated starts stops it cleanly once it runs") {
  CtlFixture gate;
  StalledKeySet keys(gate.dir() / "keys.jwks.json");
  ChildProcess gated(PASSGATED, {"--config", gate.config_file()});
  REQUIRE(keys.wait_for_reader());
  gated.signal(SIGTERM);
  keys.release();
  const auto status = gated.wait_exit(kGateLimit);
  INFO("passgated: " << ending(gated) << ", said:\n" << gated.output());
  REQUIRE(status.has_value());
  CHECK(*status == 0);  // daemon::kExitStopped, not killed by the signal (128 + 15)
  CHECK(gated.output().find("event=shutdown_requested signal=15") != std::string::npos);
  CHECK(gated.output().find("event=stopped exit_status=0") != std::string::npos);
}
