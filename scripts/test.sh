#!/usr/bin/env bash
# Installs what is missing, builds the shipping binaries optimized with gcc (-O2, warnings as
# errors: optimizer-dependent warnings show up) and checks the Debian package made of them
# (scripts/package-check.sh), builds everything with the second compiler, clang, under
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test there (everything again
# with gcc, tests too, with --gcc-all),
# then runs every fuzzer (one per parser
# of outside input, tests/fuzz/fuzz_*.cpp) for a bounded time each (FUZZ_SECONDS, default 5;
# one per core side by side, scripts/fuzz.sh --all),
# and finally cross-builds the pure-logic tests for arm64 and runs
# them under qemu-aarch64-static (scripts/cross-build-arm64.sh --test; PASSGATE_ARM64=0 skips
# it on a machine without network to Debian's arm64 packages). Exits non-zero on any failure. On CI's two cores the whole run
# stays under 40 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

gcc_all=0
case ${1:-} in
  --gcc-all) gcc_all=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--gcc-all]" >&2; exit 2 ;;
esac

scripts/bootstrap.sh

jobs=$(nproc)
arm64=${PASSGATE_ARM64:-1}

# The shipping build (build/release, also what demo.sh and the benchmarks use).
scripts/build-release.sh build/release passgated passgatectl
echo "== package check ($SECONDS s so far)"
scripts/package-check.sh
# Every test, under the sanitizers (the simulators the tests drive are test tools and are
# built without them, see tools/CMakeLists.txt), compiled by clang as a unity build
# (cmake/PassgateOptions.cmake): clang compiles it in about 1,400 s of CPU where gcc took about
# 2,300, and the shipping binaries above are gcc's, so both compilers' warnings stop CI. The
# fuzzers' build below compiles the libraries file by file, so a missing #include still fails CI.
echo "== build build/asan (clang++) ($SECONDS s so far)"
if [ -f build/asan/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' build/asan/CMakeCache.txt; then
  rm -rf build/asan  # configured by an older test.sh with gcc
fi
cmake -S . -B build/asan -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DPASSGATE_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build/asan -j"$jobs"
# While the tests run (nothing compiles), the arm64 cross toolchain and libraries are
# installed beside them: apt is mostly waiting on the network. Not during a build: an
# install rewrites shared headers, and clang refuses a precompiled header older than them.
arm64_log=build/bootstrap-arm64.log
if [ "$arm64" != 0 ]; then
  scripts/bootstrap-arm64.sh </dev/null >"$arm64_log" 2>&1 &
  arm64_bootstrap=$!
fi
echo "== test build/asan ($SECONDS s so far)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs" --timeout 300
if [ "$arm64" != 0 ]; then
  if ! wait "$arm64_bootstrap"; then
    echo "scripts/bootstrap-arm64.sh failed; its output ($arm64_log):" >&2
    cat "$arm64_log" >&2
    exit 1
  fi
  grep '^bootstrap-arm64:' "$arm64_log" || true
fi
if [ "$gcc_all" = 1 ]; then
  # Everything, tests too, with gcc as well (left out of CI to keep it under 40 minutes: gcc
  # builds the shipping binaries above and the arm64 tests below).
  echo "== build build/gcc (g++) ($SECONDS s so far)"
  cmake -S . -B build/gcc -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build build/gcc -j"$jobs"
fi
echo "== fuzz every parser ($SECONDS s so far)"
FUZZ_SECONDS=${FUZZ_SECONDS:-5} scripts/fuzz.sh --all
if [ "$arm64" != 0 ]; then
  echo "== arm64 ($SECONDS s so far)"
  scripts/cross-build-arm64.sh --test
fi
echo "== all tests passed in $SECONDS s"
