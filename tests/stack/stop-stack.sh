#!/usr/bin/env bash
# stop-stack.sh DIR: stops what start-stack.sh DIR started (bridge last-but-one, then the stores).
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
if [ -f "$dir/env" ]; then
	. "$dir/env"
	for p in "${IDP_PID:-}" "${BRIDGE_PID:-}"; do
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
fi
"$here/../services/stop-memcached.sh" "$dir/mc" >/dev/null 2>&1 || true
"$here/../services/stop-slapd.sh" "$dir/ldap" >/dev/null 2>&1 || true
