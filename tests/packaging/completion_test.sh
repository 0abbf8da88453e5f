#!/usr/bin/env bash
# The bash completion of passgatectl (config/bash-completion/passgatectl): sourced in a plain
# bash, as bash-completion would, with COMP_WORDS set as bash sets them for a line ending at
# the cursor. Checks a few lines by hand, then that it offers every command, action and
# option that passgatectl's own --help lists (tests/packaging/cli_help.py reads them).
#   completion_test.sh COMPLETION_FILE PASSGATECTL
set -uo pipefail
completion=$1
passgatectl=$2
here=$(dirname "$0")

# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# What the completion offers for the words given, the last one being the word at the cursor;
# sorted, one line.
offers() {
  COMP_WORDS=(passgatectl "$@")
  COMP_CWORD=$#
  COMP_LINE="passgatectl $*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _passgatectl passgatectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect_exactly WANT WORD...; expect_includes "WANT..." WORD...
expect_exactly() {
  local want=$1; shift
  local got; got=$(offers "$@")
  if [ "$got" = "$want" ]; then pass; else fail "passgatectl $*<TAB> offers \"$got\", expected \"$want\""; fi
}
expect_includes() {
  local want=$1; shift
  local got; got=" $(offers "$@") "
  local word
  for word in $want; do
    if [[ $got == *" $word "* ]]; then pass; else fail "passgatectl $*<TAB> offers \"$got\", which lacks $word"; fi
  done
}

files=$(mktemp -d)
trap 'rm -rf "$files"' EXIT
touch "$files/passgate.toml" "$files/other.txt"

expect_exactly "status status-page" st
expect_exactly "add-user" status-page ""
expect_exactly "$files/passgate.toml" status-page add-user alice --users-file "$files/pa"
expect_exactly "inputs pulse scanners" hw ""
expect_includes "--check --watch --json --config --socket" status --
expect_exactly "in-service out-of-service" lane 2 ""
expect_includes "--reason" lane 2 out-of-service --
expect_exactly "queue" --json q
expect_exactly "queue" -c "$files/passgate.toml" q
expect_includes "--watch" -c "$files/passgate.toml" status --w
expect_includes "--reason" queue write-off 412 --
expect_exactly "charge-cart retry write-off write-off-cart" queue ""
expect_includes "--double-use" queue charge-cart 3 --
expect_exactly "cancel" sessions ""
expect_includes "--reason" sessions cancel 0b6f2c1e --
expect_includes "--passages-checked" sessions cancel 0b6f2c1e --
expect_exactly "$files/passgate.toml" -c "$files/pa"
expect_exactly "$files/passgate.toml" --config = "$files/pa"
expect_exactly "$files/passgate.toml" status --socket "$files/pa"
expect_exactly "$files/passgate.toml" udev-rules --output "$files/pa"
expect_exactly "$files/passgate.toml" check-config "$files/pa"
expect_exactly "" sessions --limit ""
expect_includes "root" check-config "$files/passgate.toml" --as-user ro

# Everything passgatectl's --help lists. A command's arguments before its action (lane N)
# are typed as 1.
tree=$(python3 "$here/cli_help.py" "$passgatectl") || { echo "FAIL: cannot read passgatectl's --help"; exit 1; }
while IFS='|' read -r path subcommands options; do
  read -ra words <<<"$path"
  [ "${words[0]-}" = lane ] && words=(lane 1 "${words[@]:1}")
  [ -n "$subcommands" ] && expect_includes "$subcommands" "${words[@]}" ""
  [ -n "$options" ] && expect_includes "$options" "${words[@]}" -
done <<<"$tree"

echo "bash completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
