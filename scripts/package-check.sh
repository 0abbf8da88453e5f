#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh) and checks it:
#   - control data: name, version, architecture, dependencies (dpkg-shlibdeps ran), the
#     maintainer scripts and the conffiles;
#   - contents: exactly the expected files, all root:root, modes, binaries stripped and runnable;
#     the documentation as Debian wants it (compressed with gzip -9n when over 4 KiB, the
#     changelog always, the copyright file never) and the man pages rendering cleanly;
#   - lintian, Debian's package checker: every tag it reports (error, warning, info, pedantic,
#     experimental) fails the check unless the package's overrides file
#     (cmake/debian/lintian-overrides) overrides it with its reason, or it is one of the
#     informational tags the check accepts (listed below, each with why);
#   - the unit passes `systemd-analyze verify` against the package's tree (the host's systemd
#     units beside it), and keeps its hardening;
#   - the udev rules (the packaged one and what `passgatectl udev-rules` writes for the gpiod
#     example config) parse as udev rules giving the device to the passgate group.
# This quick form takes seconds beyond the build. With --clean-install it also makes a
# minimal Debian 12 tree (debootstrap, network to deb.debian.org), installs the package there
# with apt (dpkg plus the declared dependencies), checks the user, groups and directories,
# configures the gate as docs/install.md says and runs passgated and passgatectl there, then
# purges the package again. That takes minutes and needs root.
#   scripts/package-check.sh [--clean-install] [--deb FILE]   (FILE: check it instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."

clean_install=0
deb=""
while [ $# -gt 0 ]; do
  case $1 in
    --clean-install) clean_install=1 ;;
    --deb) deb=${2:?--deb needs a file}; shift ;;
    *) echo "usage: scripts/package-check.sh [--clean-install] [--deb FILE]" >&2; exit 2 ;;
  esac
  shift
done

started=$SECONDS
fail() { echo "package-check: FAIL: $*" >&2; exit 1; }
ok() { echo "package-check: ok: $*"; }

[ -n "$deb" ] || deb=$(scripts/package.sh | tail -n 1)
[ -f "$deb" ] || fail "no package $deb"
deb=$(realpath "$deb")
echo "== check $deb"

work=$(mktemp -d /tmp/passgate-package-check.XXXXXX)
lint_dir=""  # a copy of the package lintian may read when it runs as nobody
mounted=()
cleanup() {
  local m
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  rm -rf "$work" ${lint_dir:+"$lint_dir"}
}
trap cleanup EXIT

# --- control data
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = passgate ] || fail "Package is $(field Package)"
name=$(basename "$deb")
[ "$name" = "passgate_$(field Version)_$(field Architecture).deb" ] ||
  fail "$name does not match Version $(field Version) / Architecture $(field Architecture)"
project_version=$(sed -n 's/^project(passgate VERSION \([^ ]*\) .*/\1/p' CMakeLists.txt)
[ "$(field Version)" = "$project_version" ] || fail "Version $(field Version), project() says $project_version"
depends=$(field Depends)
for dep in adduser procps libc6 libstdc++6 libgpiod2 libusb-1.0-0 libsqlite3-0 libssl3 libsystemd0; do
  [[ ", $depends," == *", $dep"[\ ,]* ]] || fail "Depends lacks $dep: $depends"
done
for f in Maintainer Section Description; do [ -n "$(field $f)" ] || fail "no $f field"; done
ok "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -tv)
for script in postinst prerm postrm; do
  grep -Eq "^-rwxr-xr-x root/root .* \./$script\$" <<<"$control_files" || fail "no executable $script: $control_files"
done
# Only the GPIO example: the package ships no rig simulator for the other one.
expected_conffiles=/etc/passgate/passgate.gpiod.example.toml
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
[ "$conffiles" = "$expected_conffiles" ] || fail "conffiles are: $conffiles"
ok "maintainer scripts postinst, prerm, postrm; conffiles: $(tr '\n' ' ' <<<"$conffiles")"

# --- contents
contents=$(dpkg-deb --contents "$deb")
not_root=$(awk '$2 != "root/root"' <<<"$contents")
[ -z "$not_root" ] || fail "entries not owned by root:root:
$not_root"
files=$(awk '$1 ~ /^-/ {print $1, $6}' <<<"$contents" | sort -k2)
# A document as Debian policy (12.3) installs it: gzip'd when over 4 KiB.
doc_name() { if [ "$(stat -c %s "$1")" -gt 4096 ]; then echo "$(basename "$1").gz"; else basename "$1"; fi; }
expected=$( {
  echo "-rwxr-xr-x ./usr/bin/passgated"
  echo "-rwxr-xr-x ./usr/bin/passgatectl"
  echo "-rw-r--r-- ./usr/share/man/man8/passgated.8.gz"
  echo "-rw-r--r-- ./usr/share/man/man8/passgatectl.8.gz"
  echo "-rw-r--r-- ./usr/share/man/man5/passgate.toml.5.gz"
  for doc in README.md docs/*.md; do echo "-rw-r--r-- ./usr/share/doc/passgate/$(doc_name "$doc")"; done
  echo "-rw-r--r-- ./usr/share/doc/passgate/changelog.gz"
  echo "-rw-r--r-- ./usr/share/doc/passgate/copyright"
  echo "-rw-r--r-- ./usr/share/bash-completion/completions/passgatectl"
  echo "-rw-r--r-- ./usr/share/lintian/overrides/passgate"
  echo "-rw-r--r-- ./lib/systemd/system/passgated.service"
  echo "-rw-r--r-- ./lib/udev/rules.d/60-passgate-gpio.rules"
  echo "-rw-r--r-- ./etc/passgate/passgate.gpiod.example.toml"
} | sort -k2)
[ "$files" = "$expected" ] || fail "files differ from the expected list:
$(diff <(echo "$expected") <(echo "$files") || true)"
ok "contents: $(wc -l <<<"$files") files, all root:root, modes as expected"

root=$work/root
dpkg-deb -x "$deb" "$root"
for bin in passgated passgatectl; do
  ! readelf -S --wide "$root/usr/bin/$bin" | grep -Eq '\.(symtab|debug_info)' || fail "$bin is not stripped"
  "$root/usr/bin/$bin" --help >/dev/null || fail "$bin --help failed"
done
ok "binaries stripped ($(du -k "$root/usr/bin/passgated" | cut -f1) KiB passgated) and run"

# --- documentation: each file what its source is, compressed reproducibly (gzip -9n: no name,
# no time stamp), the changelog's newest entry this version, the man pages free of warnings.
doc=$root/usr/share/doc/passgate
for source in README.md docs/*.md; do
  installed=$doc/$(doc_name "$source")
  if [[ $installed == *.gz ]]; then
    gzip -dc "$installed" | cmp -s - "$source" || fail "$installed is not $source, gzip'd"
  else
    cmp -s "$installed" "$source" || fail "$installed is not $source"
  fi
done
gzip -dc "$doc/changelog.gz" | cmp -s - cmake/debian/changelog || fail "changelog.gz is not cmake/debian/changelog"
cmp -s "$doc/copyright" cmake/debian/copyright || fail "copyright is not cmake/debian/copyright"
changelog_version=$(gzip -dc "$doc/changelog.gz" | dpkg-parsechangelog -l - -S Version)
[ "$changelog_version" = "$(field Version)" ] || fail "the changelog's newest entry is $changelog_version, not $(field Version)"
for gz in $(find "$root" -name '*.gz'); do
  # gzip's header: bytes 3 (flags) and 4-7 (time stamp); -n leaves no name and time 0.
  header=$(od -An -tx1 -j3 -N5 "$gz" | tr -d ' \n')
  [ "$header" = 0000000000 ] || fail "${gz#"$root"} carries a file name or time stamp (gzip -9n makes neither): $header"
done
for page in "$root"/usr/share/man/man*/*.gz; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) ||
    fail "man cannot render ${page#"$root"}: $warnings"
  [ -z "$warnings" ] || fail "man warns on ${page#"$root"}: $warnings"
done
ok "documentation: $(ls "$doc" | wc -l) files (gzip -9n over 4 KiB), changelog $changelog_version; man pages $(cd "$root/usr/share/man" && echo man*/*.gz) render without warnings"

# --- lintian: Debian's own checks. Every tag fails the check unless the package overrides it
# with its reason (cmake/debian/lintian-overrides; an override nothing matches is itself a
# tag, unused-override), except these informational tags, reported but accepted:
#   spelling-error-in-binary: lintian reads the programs with strings(1), so it finds
#     fragments of literals the compiler builds from immediate operands ("befor" of "before"),
#     random bytes ("wtH"), and texts of libraries compiled in (SQLiteCpp's "reseted"); which
#     ones changes with every build. Our own texts' spelling fails in the man pages' tags.
accepted_tags="spelling-error-in-binary"
lint_dir=$(mktemp -d /tmp/passgate-lintian.XXXXXX)
chmod 755 "$lint_dir"
cp "$deb" "$lint_dir/"
lintian_cmd=(lintian --display-info --pedantic --display-experimental --show-overrides --tag-display-limit 0
             --fail-on error,warning "$lint_dir/$name")
if [ "$(id -u)" -eq 0 ]; then
  # lintian unpacks what it checks: not as root.
  lintian_cmd=(runuser -u nobody -- env HOME="$lint_dir" "${lintian_cmd[@]}")
fi
lintian_status=0
"${lintian_cmd[@]}" >"$work/lintian.txt" 2>&1 || lintian_status=$?
sed 's/^/  lintian: /' "$work/lintian.txt"
case $lintian_status in
  0) ;;
  2) fail "lintian reports errors or warnings (above): fix them, or override one in cmake/debian/lintian-overrides with its reason" ;;
  *) fail "lintian did not run (exit $lintian_status)" ;;
esac
unaccepted=$(awk '/^[IPX]: / && $3 != "" {print $3}' "$work/lintian.txt" | grep -vxF -f <(tr ' ' '\n' <<<"$accepted_tags") | sort -u || true)
[ -z "$unaccepted" ] ||
  fail "lintian reports $(tr '\n' ' ' <<<"$unaccepted")(above): fix them, or override one in cmake/debian/lintian-overrides with its reason"
ok "lintian $(lintian --version | awk '{print $2}'): no error, warning, info, pedantic or experimental tag but those accepted" \
   "($(grep -c '^I: ' "$work/lintian.txt" || true) info: $accepted_tags); $(grep -c '^O: ' "$work/lintian.txt" || true) overridden"

# --- the unit: against the package's tree, with the host's systemd units and /bin/kill beside it
unit=$root/lib/systemd/system/passgated.service
for setting in Type=notify WatchdogSec= Restart=always User=passgate NoNewPrivileges=yes ProtectSystem=strict \
               PrivateTmp=yes CapabilityBoundingSet= DevicePolicy=closed ConditionPathExists=/etc/passgate/passgate.toml; do
  grep -q "^$setting" "$unit" || fail "the unit lacks $setting"
done
# Its Documentation= is in the package: the man pages and the files it names.
for doc_uri in $(sed -n 's/^Documentation=//p' "$unit"); do
  case $doc_uri in
    man:*) page=${doc_uri#man:}; section=${page#*(}; section=${section%)}; page=${page%(*}
           [ -f "$root/usr/share/man/man$section/$page.$section.gz" ] ||
             fail "the unit's Documentation=$doc_uri is not in the package" ;;
    file://*) [ -f "$root${doc_uri#file://}" ] || fail "the unit's Documentation=$doc_uri is not in the package" ;;
    *) fail "the unit's Documentation=$doc_uri is neither man: nor file://" ;;
  esac
done
cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
mkdir -p "$root/bin" && cp /bin/kill "$root/bin/kill"
# --man=no: verify would look the Documentation= man pages up on this machine; the loop above
# found them in the package.
verify=$(systemd-analyze verify --man=no --root="$root" "$unit" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warns: $verify"
exposure=$(systemd-analyze security --offline=true --root="$root" "$unit" 2>&1 | grep -E '^→ Overall exposure' || true)
ok "systemd-analyze verify passes${exposure:+; security ${exposure#→ }}"

# --- udev rules: the packaged one, and what passgatectl writes for the gpiod example config
# (its /etc, /var and /run paths moved under $work, the files it names created).
cfg=$work/cfg
mkdir -p "$cfg/etc/passgate" "$cfg/var/lib/passgate"
# The operators' group the package creates at install: this machine's own group instead.
sed -e "s#\"/etc/#\"$cfg/etc/#g; s#\"/var/#\"$cfg/var/#g; s#\"/run/#\"$cfg/run/#g" \
  -e "s#^group = \"passgate-operators\"#group = \"$(id -gn)\"#" \
  config/passgate.gpiod.example.toml >"$cfg/etc/passgate/passgate.toml"
touch "$cfg"/etc/passgate/{issuer-keys.jwks.json,tracking-ca.pem,gate.crt,gate.key}
(umask 077; echo rk_test_check >"$cfg/etc/passgate/gateway-api.key"; head -c 32 /dev/urandom >"$cfg/etc/passgate/payment-seal.key")
"$root/usr/bin/passgatectl" udev-rules --config "$cfg/etc/passgate/passgate.toml" >"$work/61-passgate-scanners.rules" ||
  fail "passgatectl udev-rules failed on the gpiod example"
python3 - "$root/lib/udev/rules.d/60-passgate-gpio.rules" "$work/61-passgate-scanners.rules" <<'EOF' || fail "udev rules"
# Syntax of udev rules (udev(7)): comma-separated KEY[{attr}] OP "value"; match keys take ==
# or !=, assignment keys =, +=, -=, :=. Every rule must give the device to passgate, 0660.
import re, sys
MATCH = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER",
         "DRIVERS", "ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT"}
ASSIGN = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL", "ENV", "TAG", "RUN",
          "LABEL", "GOTO", "IMPORT", "OPTIONS"}
TOKEN = re.compile(r'\s*([A-Z]+)(\{[^{}"]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"\\]*)"\s*(,|$)')
bad = 0
for path in sys.argv[1:]:
    rules = 0
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        pos, tokens = 0, []
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m:
                break
            tokens.append(m.groups()[:4])
            pos = m.end()
        where = f"{path}:{number}"
        if pos != len(text) or not tokens:
            print(f"{where}: not a udev rule at column {pos + 1}: {text}"); bad += 1; continue
        for key, attr, op, value in tokens:
            known = MATCH if op in ("==", "!=") else ASSIGN
            if key not in known:
                print(f"{where}: {key} cannot take {op}"); bad += 1
            if key in ("ATTR", "ATTRS", "ENV", "SYSCTL", "CONST") and not attr:
                print(f"{where}: {key} needs {{name}}"); bad += 1
        assigned = {(k, v) for k, _, op, v in tokens if op == "="}
        if not any(op == "==" for _, _, op, _ in tokens) or not {("GROUP", "passgate"), ("MODE", "0660")} <= assigned:
            print(f"{where}: expected matches and GROUP=\"passgate\", MODE=\"0660\": {text}"); bad += 1
        rules += 1
    if rules == 0:
        print(f"{path}: no rules"); bad += 1
sys.exit(1 if bad else 0)
EOF
grep -q 'ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b61"' "$work/61-passgate-scanners.rules" ||
  fail "no rule for the example's scanner 0c2e:0b61: $(cat "$work/61-passgate-scanners.rules")"
ok "udev rules parse: 60-passgate-gpio.rules, and passgatectl udev-rules for the gpiod example"

if [ "$clean_install" = 0 ]; then
  echo "== package check passed ($((SECONDS - started)) s)"
  exit 0
fi

# --- a clean Debian 12: install with apt (dpkg plus the declared dependencies)
[ "$(id -u)" -eq 0 ] || fail "--clean-install needs root (debootstrap, chroot)"
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
target=$work/debian12
echo "== debootstrap a minimal Debian 12 into $target"
debootstrap --variant=minbase bookworm "$target" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
  fail "debootstrap: $(tail -n 20 "$work/debootstrap.log")"
mount -t proc proc "$target/proc" && mounted+=("$target/proc")
in_target() { chroot "$target" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$deb" "$target/tmp/"
echo "== apt-get install /tmp/$name (in the Debian 12 tree)"
in_target apt-get install -y -q "/tmp/$name" >"$work/install.log" 2>&1 || fail "apt-get install: $(tail -n 30 "$work/install.log")"
grep -E '^(Setting up|passgate:)' "$work/install.log" | sed 's/^/  /'
[ "$(in_target dpkg-query -W -f='${Status}' passgate)" = "install ok installed" ] || fail "passgate is not installed"
in_target passgated --help >/dev/null || fail "passgated --help"
in_target passgatectl --help >/dev/null || fail "passgatectl --help"

IFS=: read -r _ _ uid _ _ home shell < <(in_target getent passwd passgate) || fail "no user passgate"
[ "$uid" -lt 1000 ] && [ "$home" = /var/lib/passgate ] && [ "$shell" = /usr/sbin/nologin ] ||
  fail "user passgate: uid $uid, home $home, shell $shell"
in_target getent group passgate >/dev/null || fail "no group passgate"
in_target getent group passgate-operators >/dev/null || fail "no group passgate-operators"
in_target getent group passgate-viewers >/dev/null || fail "no group passgate-viewers"
[ "$(in_target stat -c '%U:%G %a' /var/lib/passgate)" = "passgate:passgate 750" ] ||
  fail "/var/lib/passgate is $(in_target stat -c '%U:%G %a' /var/lib/passgate)"
[ -L "$target/etc/systemd/system/multi-user.target.wants/passgated.service" ] || fail "passgated.service is not enabled"
ok "installed: user passgate (uid $uid, $home, $shell), groups passgate, passgate-operators and passgate-viewers, /var/lib/passgate, unit enabled"
if in_target sh -c "command -v systemd-analyze" >/dev/null; then
  verify=$(in_target systemd-analyze verify --man=no /lib/systemd/system/passgated.service 2>&1) || fail "verify in Debian 12: $verify"
  [ -z "$verify" ] || fail "systemd-analyze verify in Debian 12 warns: $verify"
  ok "systemd-analyze verify passes on the installed unit"
fi

# Configured as docs/install.md says, with real keys and certificates made here (openssl): an
# issuer key set with one public P-256 key, a CA and the gate's own certificate and key.
keys=$work/keys
mkdir -p "$keys"
openssl ecparam -name prime256v1 -genkey -noout -out "$keys/issuer.pem" 2>/dev/null
openssl ec -in "$keys/issuer.pem" -pubout -outform DER 2>/dev/null | tail -c 64 | python3 -c '
import base64, json, sys
point = sys.stdin.buffer.read()  # X and Y, 32 bytes each
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
print(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "clean-install",
                            "x": b64(point[:32]), "y": b64(point[32:])}]}))' >"$keys/issuer-keys.jwks.json"
for cert in tracking-ca gate; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$cert" \
    -keyout "$keys/$cert.key" -out "$keys/$cert.crt" 2>/dev/null || fail "openssl: no certificate $cert"
done
install -m 0644 "$keys/issuer-keys.jwks.json" "$keys/gate.crt" "$target/etc/passgate/"
install -m 0644 "$keys/tracking-ca.crt" "$target/etc/passgate/tracking-ca.pem"
install -m 0640 "$keys/gate.key" "$target/etc/passgate/gate.key"
in_target sh -ec '
  cp /etc/passgate/passgate.gpiod.example.toml /etc/passgate/passgate.toml
  chgrp passgate /etc/passgate/gate.key
  (umask 077; echo rk_test_clean_install > /etc/passgate/gateway-api.key; head -c 32 /dev/urandom > /etc/passgate/payment-seal.key)
  chown passgate:passgate /etc/passgate/gateway-api.key /etc/passgate/payment-seal.key'
in_target setpriv --reuid=passgate --regid=passgate --init-groups passgatectl check-config /etc/passgate/passgate.toml ||
  fail "passgatectl check-config as user passgate"
in_target passgatectl udev-rules | grep -q 'GROUP="passgate", MODE="0660"' || fail "passgatectl udev-rules"
ok "configured as install.md says: check-config passes as user passgate; udev-rules writes the scanner's rule"

echo "== apt-get purge passgate"
in_target apt-get purge -y -q passgate >"$work/purge.log" 2>&1 || fail "apt-get purge: $(tail -n 30 "$work/purge.log")"
grep '^passgate:' "$work/purge.log" | sed 's/^/  /' || true
for gone in /usr/bin/passgated /lib/systemd/system/passgated.service /etc/passgate/passgate.gpiod.example.toml \
            /etc/systemd/system/multi-user.target.wants/passgated.service /var/lib/passgate; do
  [ ! -e "$target$gone" ] && [ ! -L "$target$gone" ] || fail "$gone is still there after purge"
done
[ -f "$target/etc/passgate/passgate.toml" ] || fail "purge removed the operator's config"
ok "purged: files, enablement and the empty database directory gone; the operator's config kept"
echo "== package check with a clean install passed ($((SECONDS - started)) s)"
