#!/usr/bin/env bash
# Passgate's benchmarks in one command: installs what is missing (scripts/bootstrap.sh), builds
# the shipping binaries optimized (build/release, RelWithDebInfo, by scripts/build-release.sh as scripts/test.sh does) with
# the simulators and the benchmark programs, then measures every figure next to its floor in
# one run on this machine (tools/bench/run.py), prints a table and writes the figures as JSON.
#   tools/bench/run.sh [--json FILE] [--build-dir DIR] [--keep] [--only taps|store]
#   --json FILE      where the figures go (default build/bench/results.json)
#   --build-dir DIR  build directory (default build/release)
#   --keep           keep the daemons' logs and databases (DIR/bench/run-*; always kept on failure)
#   --only taps      only section i (tap-to-release and its floor, about 10 minutes), its rows only
#   --only store     only section j (scan-to-release with the store-wide claim on a local etcd
#                    cluster, and its floor, a few minutes), its rows only
#   QUICK=1          fewer samples, a 5 s idle and 10 store days, for development; the default is the full run
# The full run takes over an hour on 2 cores (a quarter of it generating the year of data of
# section g); it is not a test and scripts/test.sh does not run it.
set -euo pipefail

build=build/release
json=build/bench/results.json
keep=0
only=()
while [ $# -gt 0 ]; do
  case $1 in
    --json) json=$(realpath -m "$2"); shift 2 ;;
    --build-dir) build=$(realpath -m "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    --only) only=(--only "$2"); shift 2 ;;
    *) echo "usage: tools/bench/run.sh [--json FILE] [--build-dir DIR] [--keep] [--only taps|store]   (QUICK=1 for a short run)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../.."

scripts/bootstrap.sh
scripts/build-release.sh "$build" passgated passgate-sim passgate-bench-scan passgate-bench-tap passgate-bench-exit \
  passgate-bench-admission passgate-bench-queue passgate-bench-lanes passgate-bench-year-db passgatectl

options=()
if [ "${QUICK:-0}" = 1 ]; then options+=(--quick); fi
if [ "$keep" = 1 ]; then options+=(--keep); fi
python3 -B tools/bench/run.py --build "$build" --json "$json" "${options[@]}" "${only[@]}"
echo "== benchmarks done in ${SECONDS} s (build included)"
