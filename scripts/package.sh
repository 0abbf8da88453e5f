#!/usr/bin/env bash
# Builds the Debian package: the shipping build (build/release, RelWithDebInfo, by
# scripts/build-release.sh; only passgated, passgatectl, their man pages and the package's
# documentation tree), then cpack. Leaves
# build/release/passgate_<version>_<arch>.deb (binaries stripped) and prints its path last.
# cmake/Packaging.cmake says what goes in it; docs/install.md how store IT installs it.
#   PASSGATE_BUILD_DIR  the build directory instead of build/release
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh

build=${PASSGATE_BUILD_DIR:-build/release}
scripts/build-release.sh "$build" passgated passgatectl man package-doc

echo "== cpack $build" >&2
rm -f "$build"/passgate_*.deb
(cd "$build" && cpack -G DEB >&2)
debs=("$build"/passgate_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  echo "package.sh: expected one passgate_*.deb in $build after cpack, found: ${debs[*]}" >&2
  exit 1
fi
echo "${debs[0]}"
