#!/usr/bin/env bash
# Fuzzes parsers of outside input with libFuzzer, each for ${FUZZ_SECONDS:-60} seconds, or
# until ${FUZZ_RUNS} executions when that is set and comes first.
#   scripts/fuzz.sh [TARGET...]   (default: fuzz_token; the targets are tests/fuzz/fuzz_*.cpp)
#   scripts/fuzz.sh --all         every target (what scripts/test.sh runs, FUZZ_SECONDS=15)
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=3600 scripts/fuzz.sh fuzz_carts_page   (a long run)
# Configures build/fuzz with clang (-DPASSGATE_FUZZ=ON, ASan+UBSan, coverage in the
# libraries), builds the targets, and runs each on a copy of tests/fuzz/corpus/<name>/ (for
# fuzz_claims: the decoded claims of corpus/token/) inside build/fuzz, so the repository is
# never modified. Several targets run side by side, one per core (each fuzzer is one
# process on one core); each one's output goes to build/fuzz/logs/<target>.log and is
# printed when it ends. Exits non-zero if any finds a crash, a sanitizer report, a leak or
# a broken promise, naming them; the reproducer is left in build/fuzz/artifacts/<target>/
# (replay it: build/fuzz/tests/fuzz/<target> <file>).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
known=$(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
if [ "${1:-}" = --all ]; then
  [ $# -eq 1 ] || { echo "usage: scripts/fuzz.sh [TARGET...] | --all" >&2; exit 2; }
  targets=($known)
elif [ $# -eq 0 ]; then
  targets=(fuzz_token)
else
  targets=("$@")
fi
for target in "${targets[@]}"; do
  if ! [[ "$target" =~ ^fuzz_[a-z0-9_]+$ ]] || [ ! -f "$root/tests/fuzz/$target.cpp" ]; then
    echo "fuzz.sh: unknown target '$target'; the targets are: $(paste -sd' ' <<<"$known")" >&2
    exit 2
  fi
done
seconds=${FUZZ_SECONDS:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: FUZZ_SECONDS must be a positive whole number of seconds, got '$seconds'" >&2
  exit 2
fi

runs=${FUZZ_RUNS:--1}
if ! [[ "$runs" =~ ^(-1|[1-9][0-9]*)$ ]]; then
  echo "fuzz.sh: FUZZ_RUNS must be a positive whole number of executions, got '$runs'" >&2
  exit 2
fi

build="$root/build/fuzz"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1 -fsanitize=fuzzer-no-link" \
  -DPASSGATE_SANITIZE=ON \
  -DPASSGATE_FUZZ=ON \
  -DPASSGATE_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# Runs one target on its corpus; its output goes to build/fuzz/logs/<target>.log.
fuzz_one() {
  local target=$1 name=${1#fuzz_}
  local corpus="$build/corpus/$name" artifacts="$build/artifacts/$1"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  if [ "$target" = fuzz_claims ]; then
    # Seeds: the claims of the token corpus, decoded (base64url -> base64, padded).
    local token segment
    for token in "$root/tests/fuzz/corpus/token"/*; do
      segment=$(cut -d. -f2 <"$token" | tr -- '-_' '+/')
      while [ $(( ${#segment} % 4 )) -ne 0 ]; do segment+="="; done
      base64 -d <<<"$segment" >"$corpus/$(basename "$token")" 2>/dev/null || true
    done
  elif [ -d "$root/tests/fuzz/corpus/$name" ]; then
    cp "$root/tests/fuzz/corpus/$name"/* "$corpus"/
  fi
  echo "fuzz.sh: running $target for ${seconds}s on $corpus"
  "$build/tests/fuzz/$target" \
    -max_total_time="$seconds" \
    -runs="$runs" \
    -max_len=2048 \
    -timeout=10 \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    "$corpus"
}

logs="$build/logs"
mkdir -p "$logs"
declare -A running=()  # pid -> target
failed=()
# Waits for one running target to end, prints its log and records a failure.
reap() {
  local pid status=0
  wait -n -p pid "${!running[@]}" || status=$?
  local target=${running[$pid]}
  unset "running[$pid]"
  cat "$logs/$target.log"
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $target FAILED (exit $status): reproducer in $build/artifacts/$target/" >&2
    failed+=("$target")
  fi
}
for target in "${targets[@]}"; do
  while [ ${#running[@]} -ge "$(nproc)" ]; do reap; done
  fuzz_one "$target" >"$logs/$target.log" 2>&1 &
  running[$!]=$target
done
while [ ${#running[@]} -gt 0 ]; do reap; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s) ran ${seconds}s each, none failed"
