#!/bin/bash
# stop-slapd.sh DIR -- stops the slapd started by start-slapd.sh DIR.
# Leaves DIR in place (logs stay readable); the caller removes it.
# Exits 0 if the server is (now) stopped, also when it was not running.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
[ -d "$DIR" ] || exit 0

pid=
if [ -r "$DIR/env" ]; then
	pid=$(. "$DIR/env" && printf '%s' "${SLAPD_PID:-}")
fi
if [ -z "$pid" ] && [ -r "$DIR/slapd.pid" ]; then
	pid=$(cat "$DIR/slapd.pid")
fi
[ -n "$pid" ] || exit 0

# Only ever signal the slapd that serves this directory.
if svc_pid_is "$pid" "$(cd "$DIR" && pwd -P)/slapd.d "; then
	svc_stop_pid "$pid" slapd 100
fi
if svc_alive "$pid" && svc_pid_is "$pid" slapd; then
	svc_die "slapd pid $pid is still running"
fi
rm -f "$DIR/ldapi"
mv -f "$DIR/env" "$DIR/env.stopped" 2>/dev/null
exit 0
