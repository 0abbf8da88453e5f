#include "tests/scenario/faked_clock.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

namespace passgate::scenario {

namespace {

// The library the package installs (tests/CMakeLists.txt finds it).
constexpr const char* kLibfaketime = PASSGATE_LIBFAKETIME;

std::string with_inherited(const char* name, const std::string& value, const char* separator) {
  const char* inherited = std::getenv(name);
  if (inherited == nullptr || *inherited == '\0') return std::string(name) + "=" + value;
  return std::string(name) + "=" + value + separator + inherited;
}

}  // namespace

FakedClock::FakedClock(std::filesystem::path file, std::chrono::seconds offset) : file_(std::move(file)) {
  step_to(offset);
}

void FakedClock::step_to(std::chrono::seconds offset) {
  // Written aside and renamed over: a reading never sees a half-written file (libfaketime
  // would take an empty one as no offset).
  const std::filesystem::path next = file_.string() + ".next";
  {
    std::ofstream out(next, std::ios::trunc);
    out << (offset.count() < 0 ? "" : "+") << offset.count() << "\n";
    out.close();
    REQUIRE(out.good());
  }
  std::error_code error;
  std::filesystem::rename(next, file_, error);
  INFO("cannot replace " << file_ << ": " << error.message());
  REQUIRE_FALSE(error);
  offset_ = offset;
}

std::vector<std::string> FakedClock::environment() const {
  std::vector<std::string> env{
      with_inherited("LD_PRELOAD", kLibfaketime, ":"),
      "FAKETIME_TIMESTAMP_FILE=" + file_.string(),
      "FAKETIME_NO_CACHE=1",
      "FAKETIME_DONT_FAKE_MONOTONIC=1",
  };
  // Two ASan settings, ignored by programs built without ASan:
  // - verify_asan_link_order=0: gcc's ASan fails a program whose first library is not its
  //   runtime, and the preload comes first here;
  // - allocator_release_to_os_interval_ms=-1: clang links ASan's runtime into the program,
  //   ahead of the preload, so its allocator's clock readings (taken holding a size class's
  //   lock, when it first maps memory for it) went to libfaketime, even before libfaketime's
  //   own constructor had run. libfaketime then set itself up from inside malloc, allocated
  //   again and could deadlock on that lock ("libfaketime: Unexpected recursive calls to
  //   clock_gettime()", passgated never ready: seen once in CI). Without releasing memory to
  //   the system the allocator reads no clock at all.
  const char* asan = std::getenv("ASAN_OPTIONS");
  env.push_back(std::string("ASAN_OPTIONS=") + (asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
                "verify_asan_link_order=0:allocator_release_to_os_interval_ms=-1");
  return env;
}

}  // namespace passgate::scenario
