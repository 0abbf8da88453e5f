#!/usr/bin/env bash
# Installs what is missing, builds Passgate and runs every test: once in a normal build,
# once under AddressSanitizer + UndefinedBehaviorSanitizer, then the token fuzzer for a
# bounded time (FUZZ_SECONDS, default 60). Exits non-zero on any failure.
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

run_suite build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DPASSGATE_SANITIZE=ON
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
echo "== all tests passed"
