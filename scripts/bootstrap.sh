#!/usr/bin/env bash
# Installs every Debian package Passgate needs to build, test, package and run its demo.
# Idempotent: when everything is present it only checks and returns. One line per step on
# stderr; apt's and dpkg's own output goes to a log it names, whose last lines it prints if
# the install fails (then it exits non-zero). Works as root (a fresh Debian 12) or with sudo.
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
  scdoc               # the man pages (docs/man/*.scd, cmake/ManPages.cmake)
  lintian             # scripts/package-check.sh: Debian's checks of the .deb
  etcd-server etcd-client  # tests/coordination: a real three-member etcd cluster (store-wide claims)
  libcrypt-dev        # the status page's users file: crypt_ra (yescrypt/sha512-crypt hashes)
  chromium chromium-driver python3-selenium  # tests/status_page: the page in headless Chromium (WebDriver)
)

say() { echo "bootstrap: $*" >&2; }

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  say "all ${#packages[@]} Debian packages present"
  exit 0
fi

log=$(mktemp /tmp/passgate-bootstrap.XXXXXX.log)
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

# Runs one step with its output in the log; on failure shows the log's tail and stops.
step() {
  local what=$1
  shift
  say "$what (log: $log)"
  echo "== $what: $*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    say "FAILED: $what; the last lines of $log:"
    tail -n 30 "$log" | sed 's/^/  /' >&2
    exit 1
  fi
}

packages_word=packages
[ ${#missing[@]} -eq 1 ] && packages_word=package
step "updating apt's package lists" "${sudo_cmd[@]}" apt-get update
step "installing ${#missing[@]} Debian $packages_word: ${missing[*]}" \
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
say "installed ${#missing[@]} Debian $packages_word; all ${#packages[@]} present"
