#!/usr/bin/env bash
# Cross-builds Passgate for aarch64 (arm64) against Debian's multiarch packages
# (cmake/toolchains/aarch64-linux-gnu.cmake; scripts/bootstrap-arm64.sh installs them).
#   scripts/cross-build-arm64.sh         passgated and passgatectl, -O2 (RelWithDebInfo), into
#                                        build/arm64; prints their sizes stripped (stripped
#                                        copies in build/arm64/stripped/)
#   scripts/cross-build-arm64.sh --test  the pure-logic tests only (PASSGATE_TESTS_PURE_ONLY:
#                                        no simulators, sockets or umockdev), lean (-O1, no
#                                        debug info), into build/arm64-test, and runs them with
#                                        ctest under qemu-aarch64-static
# PASSGATE_ARM64_BUILD_DIR replaces build/arm64 (the tests then go to <dir>-test).
# Exits non-zero on any build or test failure.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=build
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  *) echo "usage: scripts/cross-build-arm64.sh [--test]" >&2; exit 2 ;;
esac

scripts/bootstrap.sh
scripts/bootstrap-arm64.sh

toolchain=cmake/toolchains/aarch64-linux-gnu.cmake
build=${PASSGATE_ARM64_BUILD_DIR:-build/arm64}
jobs=$(nproc)

if [ "$mode" = test ]; then
  build="$build-test"
  # Debug keeps the assertions; -O1 -g0 compiles about as fast as -O0 on two cores and
  # runs several times faster under emulation; a unity build (see cmake/PassgateOptions.cmake)
  # compiles in a fraction of the time.
  echo "== build $build (aarch64, pure-logic tests)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g0" -DPASSGATE_PCH=OFF -DCMAKE_UNITY_BUILD=ON \
    -DPASSGATE_TESTS_PURE_ONLY=ON >/dev/null
  cmake --build "$build" -j"$jobs" --target passgate_pure_tests
  echo "== test $build (under qemu-aarch64-static)"
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 300
  exit 0
fi

echo "== build $build (aarch64, passgated, passgatectl)"
cmake -S . -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPASSGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target passgated passgatectl

mkdir -p "$build/stripped"
for program in passgated/passgated tools/passgatectl; do
  name=$(basename "$program")
  aarch64-linux-gnu-strip -o "$build/stripped/$name" "$build/$program"
  machine=$(aarch64-linux-gnu-readelf -h "$build/stripped/$name" | sed -n 's/^ *Machine: *//p')
  bytes=$(stat -c %s "$build/stripped/$name")
  printf '%-12s %s bytes (%s) stripped, %s\n' "$name" "$bytes" "$(numfmt --to=iec-i --suffix=B "$bytes")" "$machine"
done
