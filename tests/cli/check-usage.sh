#!/usr/bin/env bash
# --version and --help of both programs: help is printed, not taken for a file
# name; the usage names FIDO_BRIDGE_CONFIG.
# usage: check-usage.sh BRIDGECTL FIDO_BRIDGED VERSION
set -u
shopt -s lastpipe
ctl=$1
srv=$2
version=$3
d=$(mktemp -d /tmp/bridge-usage.XXXXXX)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
pass=0
fail=0
# run WANT_STATUS CMD...: keeps stdout in $d/out and stderr in $d/err
run() {
	local want=$1 st
	shift
	"$@" >"$d/out" 2>"$d/err"
	st=$?
	[ "$st" = "$want" ] || { echo "  status $st, want $want: $*"; return 1; }
}
t() { # t NAME COMMAND...: the command (a shell string) must succeed
	if bash -c "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
export ctl srv d version
export -f run

# a file named --help (and one named --halp) in the working directory, which must stay unread
printf 'not json' >"$d/--help"
printf 'not json' >"$d/--halp"

t "bridgectl --version" 'run 0 "$ctl" --version && [ "$(cat "$d/out")" = "bridgectl (fido-bridge) $version" ]'
t "fido-bridged --version" 'run 0 env FIDO_BRIDGE_CONFIG=/nonexistent "$srv" --version && [ "$(cat "$d/out")" = "fido-bridged (fido-bridge) $version" ]'
t "fido-bridged --help reads no config" 'run 0 env FIDO_BRIDGE_CONFIG=/nonexistent "$srv" --help && grep -q "^usage: fido-bridged" "$d/out" && grep -q FIDO_BRIDGE_CONFIG "$d/out" && [ ! -s "$d/err" ]'
t "fido-bridged with a wrong option" 'run 2 "$srv" --bogus && grep -q "^usage: fido-bridged" "$d/err"'
t "bridgectl --help names FIDO_BRIDGE_CONFIG" 'run 0 "$ctl" --help && grep -q "FIDO_BRIDGE_CONFIG" "$d/out" && grep -q -- "--version" "$d/out"'
t "verify --help prints usage, opens no file" 'run 0 "$ctl" verify --help && grep -q "^usage: bridgectl verify" "$d/out" && [ ! -s "$d/err" ]'
t "verify CASE --help too" 'run 0 "$ctl" verify x.json --help && grep -q "^usage: bridgectl verify" "$d/out"'
t "verify -h" 'run 0 "$ctl" verify -h && grep -q "^usage: bridgectl verify" "$d/out"'
t "verify --halp is an unknown option, not a file" 'run 2 "$ctl" verify --halp && grep -q "unknown option --halp" "$d/err" && ! grep -q "cannot read case" "$d/err"'
t "verify -- --help reads the file named --help" 'run 1 "$ctl" verify -- --help && grep -q "verify: --help: cannot read case" "$d/err"'
t "verify with no case" 'run 2 "$ctl" verify && grep -q "^usage: bridgectl verify" "$d/err"'
t "bench --help prints usage, opens no directory" 'run 0 "$ctl" bench --help && grep -q "^usage: bridgectl bench" "$d/out" && [ ! -s "$d/err" ]'
t "bench --seconds 1 --help" 'run 0 "$ctl" bench --seconds 1 --help && grep -q "^usage: bridgectl bench" "$d/out"'
t "bench --halp is an unknown option" 'run 2 "$ctl" bench --halp && grep -q "unknown option --halp" "$d/err" && ! grep -q "cannot open" "$d/err"'
for cmd in "enroll" "enrolment" "user" "credential" "directory" "config"; do
	t "$cmd --help names FIDO_BRIDGE_CONFIG, reads no config" \
		"run 0 env FIDO_BRIDGE_CONFIG=/nonexistent \"\$ctl\" $cmd --help && grep -q '^usage: bridgectl $cmd' \"\$d/out\" && grep -q FIDO_BRIDGE_CONFIG \"\$d/out\" && [ ! -s \"\$d/err\" ]"
done
t "a wrong command" 'run 2 "$ctl" frobnicate && grep -q "unknown command" "$d/err"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
