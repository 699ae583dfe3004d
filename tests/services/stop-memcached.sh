#!/bin/bash
# stop-memcached.sh DIR -- stops the memcached instances started by
# start-memcached.sh DIR.  Leaves DIR (logs) in place.
# Exits 0 if they are (now) stopped, also when they were not running.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
[ -r "$DIR/env" ] || exit 0

pids=$(. "$DIR/env" && printf '%s' "${MEMCACHED_PIDS:-}")
ports=$(. "$DIR/env" && printf '%s' "${MEMCACHED_PORTS:-}")
read -r -a pid_a <<<"$pids"
read -r -a port_a <<<"$ports"

rc=0
for i in "${!pid_a[@]}"; do
	pid=${pid_a[$i]}
	# Only signal the memcached that we started on that very port.
	if svc_pid_is "$pid" "-p ${port_a[$i]:-} "; then
		svc_stop_pid "$pid" memcached 50
		if svc_alive "$pid"; then
			svc_log "memcached pid $pid still running"
			rc=1
		fi
	fi
done
[ $rc -eq 0 ] && mv -f "$DIR/env" "$DIR/env.stopped"
exit $rc
