#!/usr/bin/env bash
# SIGHUP makes fido-bridged reopen its audit log: after a rename (what
# logrotate does) and SIGHUP, new lines go to the new file and none to the
# renamed one; a SIGHUP whose reopen fails keeps the old file and the bridge.
# usage: test_audit_reopen.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD_DIR=$1
dir=$(mktemp -d /tmp/bridge-hup.XXXXXX)
trap '"$here/../stack/stop-stack.sh" "$dir" >/dev/null 2>&1; chmod -R u+rwx "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
"$here/../stack/start-stack.sh" "$dir" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/env"
pass=0
fail=0
check() { if "${@:2}" >/dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
# a request the bridge audits: a start without a valid signature
reject() { curl -s -o /dev/null "$BRIDGE_URL/authn/start?rid=$1&ts=1&sig=AAAA&return=x"; }
# wait_for FILE PATTERN: up to 5 s for a line
wait_for() { for _ in $(seq 1 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

reject before
check "a line before the rotation" wait_for "$AUDIT_LOG" '"event":"handoff_rejected"'
mv "$AUDIT_LOG" "$AUDIT_LOG.1"
n_old=$(wc -l <"$AUDIT_LOG.1")
reject between
# wait_lines FILE N: up to 5 s for the file to hold more than N lines
wait_lines() { for _ in $(seq 1 50); do [ "$(wc -l <"$1")" -gt "$2" ] && return 0; sleep 0.1; done; return 1; }
check "until SIGHUP, lines go on in the renamed file" wait_lines "$AUDIT_LOG.1" "$n_old"
check "and no new file is made" test ! -e "$AUDIT_LOG"
n_old=$(wc -l <"$AUDIT_LOG.1")
kill -HUP "$BRIDGE_PID"
check "SIGHUP creates the file again, and says so in it" wait_for "$AUDIT_LOG" '"event":"audit_log_reopened"'
reject after
check "a request's line goes to the new file" wait_for "$AUDIT_LOG" '"event":"handoff_rejected"'
check "and none to the renamed one" test "$(wc -l <"$AUDIT_LOG.1")" = "$n_old"
check "the bridge still answers" curl -fsS "$BRIDGE_URL/healthz"

# a reopen that fails keeps the old file: the log's directory is moved away
# (a permission would not stop root), so its path names nothing
mv "$dir" "$dir.away"
kill -HUP "$BRIDGE_PID"
check "a failed reopen says why on stderr" wait_for "$dir.away/bridge.log" 'SIGHUP: cannot reopen .*No such file or directory'
check "and keeps the bridge running" kill -0 "$BRIDGE_PID"
n=$(wc -l <"$dir.away/audit.log")
reject failed
check "and the lines go on in the old file" wait_lines "$dir.away/audit.log" "$n"
mv "$dir.away" "$dir"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
