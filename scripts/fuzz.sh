#!/usr/bin/env bash
# Fuzzes a parser of outside input with libFuzzer for ${FUZZ_SECONDS:-60} seconds, or until
# ${FUZZ_RUNS} executions when that is set and comes first.
#   scripts/fuzz.sh [TARGET]   (default: fuzz_token; the targets are tests/fuzz/fuzz_*.cpp)
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=3600 scripts/fuzz.sh fuzz_carts_page   (a long run)
# Configures build/fuzz with clang (-DPASSGATE_FUZZ=ON, ASan+UBSan, coverage in the
# libraries), builds the target, and runs it on a copy of tests/fuzz/corpus/<name>/ (for
# fuzz_claims: the decoded claims of corpus/token/) inside build/fuzz, so the repository is
# never modified. Exits non-zero if it finds a crash, a sanitizer report, a leak or a
# broken promise; the reproducer is left in build/fuzz/artifacts/<target>/ (replay it:
# build/fuzz/tests/fuzz/<target> <file>).
set -euo pipefail

target=${1:-fuzz_token}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! [[ "$target" =~ ^fuzz_[a-z0-9_]+$ ]] || [ ! -f "$root/tests/fuzz/$target.cpp" ]; then
  known=$(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//' | paste -sd' ')
  echo "fuzz.sh: unknown target '$target'; the targets are: $known" >&2
  exit 2
fi
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
name=${target#fuzz_}

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1 -fsanitize=fuzzer-no-link" \
  -DPASSGATE_SANITIZE=ON \
  -DPASSGATE_FUZZ=ON \
  -DPASSGATE_TESTS=ON >/dev/null
cmake --build "$build" --target "$target"

corpus="$build/corpus/$name"
artifacts="$build/artifacts/$target"
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
if [ "$target" = fuzz_claims ]; then
  # Seeds: the claims of the token corpus, decoded (base64url -> base64, padded).
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
