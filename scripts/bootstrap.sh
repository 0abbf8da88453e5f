#!/usr/bin/env bash
# Installs every Debian package Passgate needs to build, test and run its demo.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev
  libboost-dev libboost-system-dev
  libssl-dev openssl
  libsqlite3-dev sqlite3 libsqlitecpp-dev
  nlohmann-json3-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev
  catch2
  libgpiod-dev libusb-1.0-0-dev libumockdev-dev umockdev
  libsystemd-dev
  uuid-runtime python3
  libfaketime         # tests/scenario: passgated under a stepped wall clock (LD_PRELOAD)
  dpkg-dev systemd    # scripts/package*.sh: dpkg-shlibdeps (the .deb's dependencies), systemd-analyze
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
