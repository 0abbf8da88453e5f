#!/usr/bin/env bash
# Installs what the arm64 cross build needs on Debian 12 (x86-64 host): the aarch64 cross
# compiler, qemu-user-static (runs the aarch64 tests and daemon) and the arm64 (:arm64,
# multiarch) -dev packages of every library Passgate links. Header-only packages of
# architecture "all" (nlohmann-json, CLI11) and Catch2's CMake files serve both
# architectures and come from scripts/bootstrap.sh.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  crossbuild-essential-arm64 qemu-user-static
  libboost-dev:arm64
  libssl-dev:arm64
  libsqlite3-dev:arm64 libsqlitecpp-dev:arm64
  libspdlog-dev:arm64 libfmt-dev:arm64 libtomlplusplus-dev:arm64
  libgpiod-dev:arm64 libusb-1.0-0-dev:arm64 libsystemd-dev:arm64
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

added_arch=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "bootstrap-arm64: adding the arm64 architecture"
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
  added_arch=1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ] && [ $added_arch -eq 0 ]; then
  exit 0
fi

echo "bootstrap-arm64: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-remove: an :arm64 package that would replace an installed native one is refused
# instead of silently removing the native build's packages.
"${sudo_cmd[@]}" apt-get install -y -qq --no-remove "${missing[@]}"
