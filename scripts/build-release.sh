#!/usr/bin/env bash
# Configures DIR as the shipping build (RelWithDebInfo: -O2 with debug info, warnings as
# errors, so optimizer-dependent warnings show up) and builds TARGET... in it. One place for
# the flags, so that test.sh, demo.sh, package.sh and the benchmarks share one build directory
# instead of reconfiguring it each other's way.
#   scripts/build-release.sh DIR TARGET...   (e.g. build/release passgated passgatectl)
# A unity build (see cmake/PassgateOptions.cmake): on two cores passgated and passgatectl
# compile in about 4 minutes instead of 10. The file-by-file builds (scripts/fuzz.sh's and a
# developer's build/dev) still show a missing #include. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
exec >&2
if [ $# -lt 2 ]; then
  echo "usage: scripts/build-release.sh DIR TARGET..." >&2
  exit 2
fi
build=$1
shift
echo "== build $build (RelWithDebInfo, unity: $*)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "$@"
