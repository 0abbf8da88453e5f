#!/usr/bin/env bash
# Installs what is missing, builds Passgate and runs every test: once in an optimized build,
# once under AddressSanitizer + UndefinedBehaviorSanitizer, then the fuzzers of the parsers
# that read outside input (entry tokens, USB scanner reports) for a bounded time each
# (FUZZ_SECONDS, default 20). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  echo "== build $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== test $dir"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 300
}

# The first suite builds with optimization (-O1: optimizer-dependent warnings show up, at
# about three quarters of -O2's compile time, which keeps CI on two cores under 30 minutes).
# The shipping -O2 build (build/release) is what demo.sh and the benchmarks use.
run_suite build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DPASSGATE_SANITIZE=ON
for target in fuzz_token fuzz_hid_descriptor fuzz_hid_pos_report fuzz_boot_keyboard; do
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} scripts/fuzz.sh "$target"
done
echo "== all tests passed"
