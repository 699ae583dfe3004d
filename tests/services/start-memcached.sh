#!/bin/bash
# start-memcached.sh DIR [N]
#
# Starts N (default 1) private memcached instances for tests, as the calling
# user, each on its own free TCP port on 127.0.0.1 (UDP off, 16 MB):
#   memcached -l 127.0.0.1 -p PORT -U 0 -m 16 [-u $(id -un) when root]
# Never touches the system memcached.
#
# Writes DIR/env (single-quoted shell assignments):
#   MEMCACHED_SERVERS  comma list host:port,host:port (libmemcached syntax;
#                      memccat/memccp read the same variable name)
#   MEMCACHED_PORTS    space-separated ports, same order
#   MEMCACHED_PIDS     space-separated pids, same order
#   MEMCACHED_COUNT    N
#   MEMCACHED_DIR      DIR
# Logs go to DIR/memcached.<i>.log.  Use a different DIR than the one given
# to start-slapd.sh (both write DIR/env).  Stop with stop-memcached.sh DIR.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 DIR [N]" >&2; exit 2; }
N=${2:-1}
case $N in '' | *[!0-9]* | 0) svc_die "N must be a positive integer" ;; esac

MEMCACHED=${MEMCACHED:-$(command -v memcached || echo /usr/bin/memcached)}
[ -x "$MEMCACHED" ] || svc_die "memcached not found (apt-get install memcached)"

DIR=$(svc_abs_dir "$1") || svc_die "cannot create $1"
[ ! -e "$DIR/env" ] || svc_die "$DIR/env exists: servers already started there?"

user_opt=()
[ "$(id -u)" -eq 0 ] && user_opt=(-u "$(id -un)")

# memcached_ready PORT -> success once "version" gets an answer
memcached_ready() {
	local reply=
	{
		exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
		printf 'version\r\n' >&3
		read -r -t 2 reply <&3
		exec 3>&-
	} 2>/dev/null
	case $reply in VERSION*) return 0 ;; esac
	return 1
}

pids=()
ports=()
servers=
cleanup_partial() {
	local p
	for p in "${pids[@]}"; do svc_stop_pid "$p" memcached 30; done
}

for ((n = 1; n <= N; n++)); do
	pid=
	for attempt in 1 2 3 4 5; do
		port=$(svc_free_port) || { cleanup_partial; svc_die "no free port"; }
		log="$DIR/memcached.$n.log"
		"$MEMCACHED" -l 127.0.0.1 -p "$port" -U 0 -m 16 "${user_opt[@]}" \
			</dev/null >>"$log" 2>&1 &
		pid=$!
		up=0
		for ((i = 0; i < 100; i++)); do        # up to ~10 s
			svc_alive "$pid" || break
			if svc_pid_listens "$pid" "$port" && memcached_ready "$port"; then
				up=1
				break
			fi
			sleep 0.05
		done
		if [ $up -eq 1 ] && svc_pid_listens "$pid" "$port"; then
			break
		fi
		svc_stop_pid "$pid" memcached 30
		pid=
		svc_log "memcached did not come up on port $port (attempt $attempt); see $log"
	done
	if [ -z "$pid" ]; then
		cleanup_partial
		svc_die "memcached instance $n failed to start"
	fi
	pids+=("$pid")
	ports+=("$port")
	servers+=${servers:+,}127.0.0.1:$port
done

{
	echo "# written by tests/services/start-memcached.sh; stop with stop-memcached.sh"
	svc_env_line MEMCACHED_SERVERS "$servers"
	svc_env_line MEMCACHED_PORTS "${ports[*]}"
	svc_env_line MEMCACHED_PIDS "${pids[*]}"
	svc_env_line MEMCACHED_COUNT "$N"
	svc_env_line MEMCACHED_DIR "$DIR"
} >"$DIR/env.tmp" && mv "$DIR/env.tmp" "$DIR/env" ||
	{ cleanup_partial; svc_die "cannot write $DIR/env"; }

svc_log "memcached x$N on $servers (env: $DIR/env)"
exit 0
