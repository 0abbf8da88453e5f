// PassageDetector: the order in which the two beams are blocked says whether someone
// passed, and in which direction.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/passage_detector.hpp"

using passgate::hw::Occupancy;
using passgate::hw::PassageDetector;
using passgate::hw::PassageDirection;

namespace {

// Records "in"/"out" for passages and the occupancy names, in the order they happen.
struct Recorder {
  std::vector<std::string> events;
  PassageDetector detector{{
      [this](PassageDirection d) { events.push_back("passage " + std::string(to_string(d))); },
      [this](Occupancy o) { events.push_back(std::string(to_string(o))); },
  }};

  // Steps through occupancies as a person's body does: one beam changes at a time.
  void walk(const std::vector<Occupancy>& path) {
    for (const Occupancy o : path) {
      detector.set_outer(passgate::hw::outer_blocked(o));
      detector.set_inner(passgate::hw::inner_blocked(o));
    }
  }
  [[nodiscard]] std::vector<std::string> passages() const {
    std::vector<std::string> p;
    for (const auto& e : events) {
      if (e.starts_with("passage")) p.push_back(e);
    }
    return p;
  }
};

using O = Occupancy;
using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("entering: outer, both, inner, clear is one passage in") {
  Recorder r;
  r.walk({O::outer, O::both, O::inner, O::none});
  CHECK(r.events == Strings{"outer", "both", "inner", "passage in", "none"});
  CHECK(r.detector.occupancy() == O::none);
}

TEST_CASE("leaving: inner, both, outer, clear is one passage out") {
  Recorder r;
  r.walk({O::inner, O::both, O::outer, O::none});
  CHECK(r.passages() == Strings{"passage out"});
}

TEST_CASE("backing out is no passage") {
  Recorder r;
  r.walk({O::outer, O::both, O::outer, O::none});
  r.walk({O::inner, O::both, O::inner, O::none});
  CHECK(r.passages().empty());
}

TEST_CASE("half passages and a single blocked beam are no passage") {
  Recorder r;
  r.walk({O::outer, O::none});  // a pet at the outer beam
  r.walk({O::inner, O::none});  // a bag swung through the inner beam
  r.walk({O::inner, O::none, O::outer, O::none});
  CHECK(r.passages().empty());
}

TEST_CASE("oscillating inside the lane is still one passage") {
  Recorder r;
  r.walk({O::outer, O::both, O::inner, O::both, O::inner, O::both, O::inner, O::none});
  CHECK(r.passages() == Strings{"passage in"});
}

TEST_CASE("stepping back to the outer beam and going through again is one passage in") {
  Recorder r;
  r.walk({O::outer, O::both, O::outer, O::both, O::inner, O::none});
  CHECK(r.passages() == Strings{"passage in"});
}

TEST_CASE("two people separated by a clear moment are two passages") {
  Recorder r;
  r.walk({O::outer, O::both, O::inner, O::none, O::outer, O::both, O::inner, O::none});
  r.walk({O::inner, O::both, O::outer, O::none});
  CHECK(r.passages() == Strings{"passage in", "passage in", "passage out"});
}

TEST_CASE("a direction is not reversed by where the excursion ends alone") {
  Recorder r;
  // Entered from outer but left the lane on the outer side: never "out". Someone was seen
  // past the outer beam and the inner beam cleared while the outer was held: the person
  // ahead went in and a second one backed out (counted: see the header), one "in".
  r.walk({O::outer, O::both, O::inner, O::both, O::outer, O::none});
  CHECK(r.passages() == Strings{"passage in"});
  // Backing out from the inner side, after someone left there: one "out", never "in".
  r.walk({O::inner, O::both, O::outer, O::both, O::inner, O::none});
  CHECK(r.passages() == Strings{"passage in", "passage out"});
}

// Issue 14: several bodies in one excursion, each close behind the one ahead.

TEST_CASE("a close follower blocking the outer beam while the inner is blocked is a second passage in") {
  Recorder r;
  // The follower reaches the outer beam before the first person clears the inner one; the
  // inner beam then clears while the follower holds the outer one.
  r.walk({O::outer, O::both, O::inner, O::both, O::outer, O::both, O::inner, O::none});
  CHECK(r.events == Strings{"outer", "both", "inner", "both", "outer", "both", "inner", "passage in", "passage in",
                            "none"});
}

TEST_CASE("three bodies in one excursion are three passages in") {
  Recorder r;
  r.walk({O::outer, O::both, O::inner,          // first
          O::both, O::outer, O::both, O::inner,  // second, at the outer beam before the first cleared
          O::both, O::outer, O::both, O::inner,  // third likewise
          O::none});
  CHECK(r.passages() == Strings{"passage in", "passage in", "passage in"});
}

TEST_CASE("two bodies leaving in one excursion are two passages out") {
  Recorder r;
  r.walk({O::inner, O::both, O::outer, O::both, O::inner, O::both, O::outer, O::none});
  CHECK(r.passages() == Strings{"passage out", "passage out"});
}

TEST_CASE("each body may sway or step back on its own walk and still counts once") {
  Recorder r;
  r.walk({O::outer, O::both, O::inner,
          O::both, O::inner,             // the first one sways back into the outer beam
          O::both, O::outer,             // the follower at the outer beam, the first one gone in
          O::both, O::outer,             // the follower steps back
          O::both, O::inner, O::none});  // and goes through
  CHECK(r.passages() == Strings{"passage in", "passage in"});
}

TEST_CASE("a follower who steps up behind and backs out is not counted, the one ahead is") {
  Recorder r;
  SECTION("backs out before the one ahead cleared the inner beam") {
    r.walk({O::outer, O::both, O::inner, O::both, O::inner, O::none});
    CHECK(r.passages() == Strings{"passage in"});
  }
  SECTION("backs out after the one ahead cleared the inner beam") {
    r.walk({O::outer, O::both, O::inner, O::both, O::outer, O::none});
    CHECK(r.passages() == Strings{"passage in"});
  }
  SECTION("leans into the lane (both beams) first") {
    r.walk({O::outer, O::both, O::inner, O::both, O::outer, O::both, O::outer, O::none});
    CHECK(r.passages() == Strings{"passage in"});
  }
  SECTION("and the next excursion counts afresh") {
    r.walk({O::outer, O::both, O::inner,
            O::both, O::outer, O::none,  // the first in; the second backs out: the lane is clear
            O::outer, O::both, O::inner, O::both, O::outer, O::both, O::inner, O::none});  // two more
    CHECK(r.passages() == Strings{"passage in", "passage in", "passage in"});
  }
}

TEST_CASE("occupancy helpers split the beams") {
  CHECK(passgate::hw::outer_blocked(O::both));
  CHECK(passgate::hw::inner_blocked(O::both));
  CHECK(passgate::hw::inner_blocked(O::inner));
  CHECK_FALSE(passgate::hw::outer_blocked(O::inner));
  CHECK_FALSE(passgate::hw::inner_blocked(O::none));
  CHECK(to_string(O::none) == "none");
}
