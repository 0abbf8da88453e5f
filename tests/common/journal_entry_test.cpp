#include "common/journal_entry.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/log_value.hpp"

using passgate::journal_entry;

TEST_CASE("a journal entry carries the message, its priority, the identifier and each key as a field") {
  const std::string message = "event=scan_refused lane=2 reason=" + passgate::log_value("too long");
  const auto entry = journal_entry(spdlog::level::warn, message, "passgated");
  CHECK(entry == std::vector<std::string>{"MESSAGE=" + message, "PRIORITY=4", "SYSLOG_IDENTIFIER=passgated",
                                          "EVENT=scan_refused", "LANE=2", "REASON=too long"});
}

TEST_CASE("levels map to syslog priorities") {
  const auto priority = [](spdlog::level::level_enum level) { return journal_entry(level, "event=x", "p").at(1); };
  CHECK(priority(spdlog::level::trace) == "PRIORITY=7");
  CHECK(priority(spdlog::level::debug) == "PRIORITY=7");
  CHECK(priority(spdlog::level::info) == "PRIORITY=6");
  CHECK(priority(spdlog::level::warn) == "PRIORITY=4");
  CHECK(priority(spdlog::level::err) == "PRIORITY=3");
  CHECK(priority(spdlog::level::critical) == "PRIORITY=2");
}

TEST_CASE("keys that would set a field journald owns stay only in the message") {
  const auto entry = journal_entry(spdlog::level::info, "event=x message=m priority=1 code_line=3 errno=5", "p");
  CHECK(entry == std::vector<std::string>{"MESSAGE=event=x message=m priority=1 code_line=3 errno=5", "PRIORITY=6",
                                          "SYSLOG_IDENTIFIER=p", "EVENT=x"});
}

TEST_CASE("the journal stream is recognized by the device and inode of the descriptor") {
  int pipe_fds[2];
  int other_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  REQUIRE(::pipe(other_fds) == 0);
  struct stat st {};
  REQUIRE(::fstat(pipe_fds[1], &st) == 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  CHECK(passgate::is_journal_stream(mine.c_str(), pipe_fds[1]));
  CHECK_FALSE(passgate::is_journal_stream(nullptr, pipe_fds[1]));
  CHECK_FALSE(passgate::is_journal_stream("", pipe_fds[1]));
  CHECK_FALSE(passgate::is_journal_stream((mine + "1").c_str(), pipe_fds[1]));
  CHECK_FALSE(passgate::is_journal_stream(mine.c_str(), other_fds[1]));  // stderr redirected elsewhere
  for (const int fd : {pipe_fds[0], pipe_fds[1], other_fds[0], other_fds[1]}) ::close(fd);
}
