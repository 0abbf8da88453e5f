// A reply body from the tracking engine reaches the log only as a short, escaped excerpt
// with its length, however large it is (a 409 with a 1 MB body once made a 1 MB log line
// per scan).
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>

#include "tests/admission/admission_fixture.hpp"
#include "tests/support/captured_log.hpp"

using Catch::Matchers::Contains;
using passgate::db::OutboxMessage;
using passgate::test::AdmissionFixture;
using passgate::test::CapturedLog;

namespace {

// 1,000,027 bytes, with a line break and an escape sequence early on.
const std::string kHugeBody = "{\"error\":\"conflict\",\n\x1b[2J" + std::string(1'000'000, 'x') + "\"}";

// The longest line logged.
std::size_t longest_line(const std::string& text) {
  std::istringstream lines(text);
  std::size_t longest = 0;
  for (std::string line; std::getline(lines, line);) longest = std::max(longest, line.size());
  return longest;
}

}  // namespace

TEST_CASE("a session answer's body is logged as an excerpt with its length") {
  const int status = GENERATE(409, 418);
  AdmissionFixture f;
  CapturedLog log;
  std::optional<passgate::controller::AdmissionResult> result;
  f.admission->request(1, 4, f.token(), [&](passgate::controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();  // the group commit, then the open request
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(status, kHugeBody);
  f.vt.run_ready();
  REQUIRE(result);
  const std::string text = log.text();
  CHECK(longest_line(text) < 600);
  CHECK_THAT(text, Contains("(1000027 bytes)") && Contains("\\\\x0a\\\\x1b[2J"));
}

TEST_CASE("an outbox answer's body is logged as an excerpt with its length") {
  const int status = GENERATE(409, 418);
  AdmissionFixture f;
  CapturedLog log;
  REQUIRE(f.outbox->enqueue(OutboxMessage{"passage", "/v1/passages", "{}", ""}, 0).ok());
  f.sender->kick();
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(status, kHugeBody);
  f.vt.run_ready();
  const std::string text = log.text();
  CHECK(longest_line(text) < 600);
  CHECK_THAT(text, Contains("(1000027 bytes)"));
}
