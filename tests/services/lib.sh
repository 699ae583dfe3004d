# lib.sh -- helpers shared by the tests/services scripts (bash, sourced).
#
# Nothing here touches system services: everything runs as the calling user,
# inside a caller-supplied directory, on 127.0.0.1.

# Ignore ~/.ldaprc and /etc/ldap/ldap.conf for every OpenLDAP client we run.
export LDAPNOINIT=1

SVC_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SVC_REPO_DIR=$(cd "$SVC_LIB_DIR/../.." && pwd -P)
# shellcheck disable=SC2034  # used by the scripts that source this file
SVC_SCHEMA_DIR="$SVC_REPO_DIR/ldap-schema"

svc_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
svc_die() { svc_log "ERROR: $*"; exit 1; }

# svc_quote VALUE -> VALUE as a single-quoted shell word
svc_quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# svc_env_line NAME VALUE -> NAME='VALUE'
svc_env_line() {
	printf '%s=%s\n' "$1" "$(svc_quote "$2")"
}

# svc_abs_dir DIR -> absolute physical path of DIR (created if missing)
svc_abs_dir() {
	mkdir -p -- "$1" || return 1
	(cd -- "$1" && pwd -P)
}

# svc_urlencode STRING -> percent-encoded STRING (for ldapi:// URLs)
svc_urlencode() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# svc_port_busy PORT -> success if something accepts connections on it
svc_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# svc_free_port -> prints a TCP port on 127.0.0.1 that is currently free.
# The kernel picks it (bind to port 0), so concurrent callers get different
# ports; a port can still be taken between this call and the server's bind,
# which is why the start scripts retry with a fresh port when the server
# fails to come up.
svc_free_port() {
	local p
	if command -v python3 >/dev/null 2>&1; then
		p=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') && [ -n "$p" ] && { printf '%s\n' "$p"; return 0; }
	fi
	# Fallback: probe random high ports with bash's /dev/tcp.
	local tries
	for ((tries = 0; tries < 200; tries++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! svc_port_busy "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# svc_alive PID -> success if PID exists and is not a zombie (an orphaned
# server may stay a zombie for a while when PID 1 is slow to reap it).
svc_alive() {
	local pid=$1 st
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	if [ -r "/proc/$pid/stat" ]; then
		st=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
		case $st in Z* | X*) return 1 ;; esac
	fi
	return 0
}

# svc_pid_listens PID PORT -> success if process PID itself owns the socket
# listening on 127.0.0.1:PORT (so a foreign server that grabbed the port
# first is not mistaken for ours).  Without Linux /proc it just checks that
# PID is alive.
svc_pid_listens() {
	local pid=$1 port=$2 hexport inode
	svc_alive "$pid" || return 1
	[ -r /proc/net/tcp ] && [ -d "/proc/$pid/fd" ] || return 0
	hexport=$(printf '%04X' "$port")
	# sl local_address rem_address st ... inode (field 10); 0A = LISTEN
	local inodes fd
	inodes=$(awk -v a="0100007F:$hexport" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	[ -n "$inodes" ] || return 1
	for fd in "/proc/$pid/fd/"*; do
		for inode in $inodes; do
			[ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] && return 0
		done
	done
	return 1
}

# svc_pid_is PID WORD -> success if PID is alive and its command line
# contains WORD (guards against killing an unrelated, recycled pid).
svc_pid_is() {
	local pid=$1 word=$2 cmd
	svc_alive "$pid" || return 1
	[ -r "/proc/$pid/cmdline" ] || return 0
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	case $cmd in *"$word"*) return 0 ;; esac
	return 1
}

# svc_stop_pid PID WORD [TIMEOUT_TENTHS] -> SIGTERM, wait, then SIGKILL.
svc_stop_pid() {
	local pid=$1 word=$2 max=${3:-100} i
	svc_pid_is "$pid" "$word" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < max; i++)); do
		svc_alive "$pid" || return 0
		sleep 0.1
	done
	svc_log "pid $pid ($word) did not stop after SIGTERM; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null
	sleep 0.1
	return 0
}
