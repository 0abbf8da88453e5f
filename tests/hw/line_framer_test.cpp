// LineFramer on its own: where reads end for each serial suffix, tolerance of CR/LF mixes, the
// length limit at its exact edge, and a partial read dropped on reset.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/line_framer.hpp"
#include "hw/serial_line.hpp"

using passgate::hw::LineFramer;
using passgate::hw::serial_terminator;
using Reads = std::vector<std::string>;

namespace {

struct Fed {
  Reads reads;
  int overlong = 0;
};

Fed feed(LineFramer& framer, const std::vector<std::string_view>& chunks) {
  Fed fed;
  for (const auto chunk : chunks) {
    framer.feed(chunk, [&](std::string read) { fed.reads.push_back(std::move(read)); }, [&] { ++fed.overlong; });
  }
  return fed;
}

}  // namespace

TEST_CASE("with CR configured, CR ends a read and an LF after it is dropped") {
  LineFramer framer('\r', 64);
  const auto fed = feed(framer, {"a\rb\r\nc\r", "\n\r\r", "d\n", "e\r"});
  CHECK(fed.reads == Reads{"a", "b", "c", "d\ne"});  // an LF inside a read stays (the gate refuses it)
  CHECK(fed.overlong == 0);
}

TEST_CASE("with LF or CRLF configured, LF ends a read and a CR before it is dropped") {
  for (const auto* suffix : {"\n", "\r\n"}) {
    CAPTURE(suffix);
    LineFramer framer(serial_terminator(suffix), 64);
    CHECK(feed(framer, {"a\r\nb\n", "c\r", "\n", "\n\n"}).reads == Reads{"a", "b", "c"});
  }
}

TEST_CASE("a read of exactly max_length is kept, one byte more is discarded up to the next suffix") {
  LineFramer framer(serial_terminator("\r\n"), 4);
  auto fed = feed(framer, {"abcd\r\n"});
  CHECK(fed.reads == Reads{"abcd"});
  fed = feed(framer, {"abcde", "fgh", "\r\n", "ok\r\n"});
  CHECK(fed.reads == Reads{"ok"});
  CHECK(fed.overlong == 1);
}

TEST_CASE("with the wrong suffix configured every read runs over the limit, once per read") {
  LineFramer framer('\r', 4);
  // The scanner ends reads with LF only: the framer never sees a CR.
  const auto fed = feed(framer, {"abcd\nefgh\nijkl\n"});
  CHECK(fed.reads.empty());
  CHECK(fed.overlong == 1);
}

TEST_CASE("reset drops a partial read") {
  LineFramer framer('\r', 64);
  CHECK(feed(framer, {"par"}).reads.empty());
  framer.reset();
  CHECK(feed(framer, {"whole\r"}).reads == Reads{"whole"});
}

TEST_CASE("JSON lines are split at newlines across reads, blank lines and CR dropped") {
  LineFramer framer('\n', 8);
  auto fed = feed(framer, {"ab", "c\nd\r\n\nef"});
  CHECK(fed.reads == Reads{"abc", "d"});
  fed = feed(framer, {"\n"});
  CHECK(fed.reads == Reads{"ef"});
  CHECK(fed.overlong == 0);
}

TEST_CASE("a JSON line over the limit is reported once and dropped up to its newline") {
  LineFramer framer('\n', 8);
  auto fed = feed(framer, {"12345678\n", "123456", "789", "0123456789", "xyz\nok\n"});
  CHECK(fed.reads == Reads{"12345678", "ok"});
  CHECK(fed.overlong == 1);
  fed = feed(framer, {"123456789\n"});
  CHECK(fed.overlong == 1);
  CHECK(fed.reads.empty());
}
