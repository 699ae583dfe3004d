#!/usr/bin/env bash
# bench/load/run.sh -- the full-login load benchmark: the bridge and a Node.js
# FIDO server (bench/peers/server, @simplewebauthn/server) on the same machine,
# in the same run, against the same slapd and memcached, driven by the same
# load generator (bench/load/loadgen.c). Everything runs as the calling user on
# 127.0.0.1 and stops by itself; the default run takes about 7 minutes.
#
#   bench/load/run.sh [options]
#
#   --duration S       measured seconds per phase (default 15)
#   --warmup S         unmeasured seconds before each phase (default 5)
#   --users N          enrolled users for the matrix (default 1000)
#   --vus "A B C"      closed-loop virtual users (default "10 100 500")
#   --procs "1 2"      server processes behind the generator's round-robin (default "1 2")
#   --open "R1 R2"     open-loop offered logins/s, at most 100 in flight, 2 processes (default "500 1000")
#   --curve "N1 N2.."  enrolled-user counts for the cost curve (default "1000 10000")
#   --curve-full       the curve up to 100,000 users: "1000 10000 30000 100000" (adds ~4 minutes)
#   --curve-peer       run the peer on the curve too
#   --soak S           add a soak: bridge, 1 process, 100 virtual users, S seconds (600 = the 10-minute soak)
#   --only-soak        with --soak: skip everything else
#   --bridge-threads N [server] threads of each bridge process (default 16)
#   --bridge-bin PATH  run this fido-bridged instead of the one built from the tree (A/B experiments)
#   --memcached N      memcached instances (default 1); the bridge and the peer place values over
#                      them, the load generator takes tickets from all of them as the shim does
#   --replicas R       [memcached] replicas of the bridge and the peer (default 0)
#   --last-used-age S  the enrolled users' fidoLastUsed is S seconds old (default 7200: older than
#                      the 1 h interval, so each user's first sign-in writes it once)
#   --no-peer | --no-verify-bench | --no-curve | --no-first-use
#   --from-build DIR   use fido-bridged and bridgectl from this CMake build directory instead
#                      of building the tree (the ctest smoke run uses its own build)
#   --require-peer     fail instead of skipping the peer when its npm packages cannot be installed
#   --self-check       two extra short phases the generator must count as failures (a start
#                      signed with the wrong secret; tickets looked up under the wrong prefix):
#                      their RESULT lines show ok=0 (the ctest smoke run asserts it)
#   --quick            a smoke run: 4 s phases, 1 s warm-up, no curve, no verify bench
#   --work DIR         work directory (default bench/load/out/run-<time>); kept afterwards
#
# Environment:
#   BENCH_SCHED_NICE   the benchmark runs in its own session (setsid); its
#                      autogroup gets this nice value (default -10) so that other
#                      jobs on a shared machine do not take the cores it measures.
#                      Only this run's processes are affected. "off" leaves it alone.
#   BENCH_LDAP_POOL    the peer's LDAP connections (default 4)
#   BENCH_PERF_STAT=1  also count system calls and context switches per login of every
#                      watched process during the measured window (perf stat, tracepoint
#                      raw_syscalls:sys_enter); exact where CPU figures are noisy
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)

# --- our own session, and (optionally) its scheduling weight -------------------
if [ -z "${BENCH_IN_SESSION:-}" ] && command -v setsid >/dev/null 2>&1; then
	export BENCH_IN_SESSION=1
	exec setsid --wait "$0" "$@"
fi
sched_nice=${BENCH_SCHED_NICE:--10}
if [ "$sched_nice" != off ] && [ -w /proc/self/autogroup ]; then
	echo "$sched_nice" >/proc/self/autogroup 2>/dev/null || true
fi

duration=15
warmup=5
nusers=1000
vus="10 100 500"
procs="1 2"
open_rates="500 1000"
curve="1000 10000"
curve_peer=0
soak=0
only_soak=0
bthreads=16
bridge_bin=
last_used_age=7200
n_mc=1
replicas=0
do_peer=1
from_build=""
require_peer=0
self_check=0
do_verify=1
do_curve=1
do_first=1
work=
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--users) nusers=$2; shift ;;
	--vus) vus=$2; shift ;;
	--procs) procs=$2; shift ;;
	--open) open_rates=$2; shift ;;
	--curve) curve=$2; shift ;;
	--curve-full) curve="1000 10000 30000 100000" ;;
	--curve-peer) curve_peer=1 ;;
	--soak) soak=$2; shift ;;
	--only-soak) only_soak=1 ;;
	--bridge-threads) bthreads=$2; shift ;;
	--bridge-bin) bridge_bin=$2; shift ;;
	--from-build) from_build=$2; shift ;;
	--require-peer) require_peer=1 ;;
	--self-check) self_check=1 ;;
	--last-used-age) last_used_age=$2; shift ;;
	--memcached) n_mc=$2; shift ;;
	--replicas) replicas=$2; shift ;;
	--no-peer) do_peer=0 ;;
	--no-verify-bench) do_verify=0 ;;
	--no-curve) do_curve=0 ;;
	--no-first-use) do_first=0 ;;
	--quick) duration=4; warmup=1; do_curve=0; do_verify=0 ;;
	--work) work=$2; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (--help)" >&2; exit 2 ;;
	esac
	shift
done
if [ $only_soak -eq 1 ]; then
	[ "$soak" -gt 0 ] || { echo "run.sh: --only-soak needs --soak S" >&2; exit 2; }
	do_first=0; do_verify=0; do_curve=0; vus=""; open_rates=""
fi
case $duration$warmup$soak in *[!0-9.]*) echo "run.sh: durations are numbers of seconds" >&2; exit 2 ;; esac

out="$here/out"
bin="$out/bin"
build="$out/build"
[ -n "$work" ] || work="$out/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
results="$work/results.txt"
: >"$results"
log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- build -------------------------------------------------------------------------
if [ -n "$from_build" ]; then
	build=$(cd "$from_build" && pwd -P)
	: >"$work/build.log"
	log "using the bridge built in $build; building the load generator"
else
	log "building the bridge (RelWithDebInfo, $build) and the load generator"
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRIDGE_WERROR=OFF >"$work/build.log" 2>&1 ||
		{ tail -20 "$work/build.log" >&2; exit 1; }
	cmake --build "$build" -j"$(nproc)" --target fido-bridged bridgectl >>"$work/build.log" 2>&1 ||
		{ tail -20 "$work/build.log" >&2; exit 1; }
fi
[ -z "$from_build" ] || { out=$work; bin=$work/bin; }
make -s -C "$here" OUT="$out" >>"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }
bridged=${bridge_bin:-$build/fido-bridged}
[ -x "$bridged" ] || { echo "run.sh: $bridged is not executable" >&2; exit 2; }
if [ $do_peer -eq 1 ] && [ ! -d "$root/bench/peers/server/node_modules" ]; then
	log "installing the peer's npm dependencies"
	(cd "$root/bench/peers/server" && npm ci --no-audit --no-fund --loglevel=error) >>"$work/build.log" 2>&1 ||
		{ [ $require_peer -eq 0 ] || { tail -20 "$work/build.log" >&2; exit 1; }; log "npm ci failed: the peer is skipped"; do_peer=0; }
fi

# --- processes we start, and their cleanup ----------------------------------------
server_pids=()
stop_servers() {
	local p i
	for p in "${server_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${server_pids[@]}"; do
		for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	server_pids=()
}
cleanup() {
	stop_servers
	"$root/tests/services/stop-memcached.sh" "$work/mc" >/dev/null 2>&1 || true
	"$here/slapd.sh" stop "$work/ldap" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || shuf -i 20000-60000 -n 1; }

# --- the stores ----------------------------------------------------------------------
keys="$work/keys.txt"
: >"$keys"
enrolled=0
# add_users N AGE: enrol users up to N in all (slapd must be stopped); AGE = seconds since last use
add_users() {
	local upto=$1 age=$2 n=$(($1 - enrolled))
	[ $n -gt 0 ] || return 0
	log "enrolling users $((enrolled + 1))..$upto (ES256 keys, LDIF, slapadd)"
	"$bin/mkusers" --first $((enrolled + 1)) --count $n --ldif "$work/users-$upto.ldif" --keys "$keys" --last-used-age "$age"
	"$here/slapd.sh" add "$work/ldap" "$work/users-$upto.ldif"
	rm -f "$work/users-$upto.ldif"
	enrolled=$upto
}
"$here/slapd.sh" init "$work/ldap" >/dev/null
add_users "$nusers" "$last_used_age"   # default 2 h ago: the first sign-in of each user writes last-used once
"$here/slapd.sh" start "$work/ldap" 2>/dev/null
"$root/tests/services/start-memcached.sh" "$work/mc" "$n_mc" 2>/dev/null
set -a
. "$work/ldap/env"
. "$work/mc/env"
set +a
# one --watch for the first memcached (the CPU and RSS figures are per process)
mc_watch=(--watch "memcached=${MEMCACHED_PIDS%% *}")

umask 077
head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$work/idp.secret"
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$work/state.key"
printf '%s\n' "$LDAP_BRIDGE_PW" >"$work/ldap.password"
umask 022
ports=("$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)")
origin="http://localhost:${ports[0]}"
return_url="https://idp.example.edu/idp/Authn/fido/finish"
# bridge_conf I PORT: the configuration of server process I (the same for the peer)
bridge_conf() {
	cat >"$work/bridge-$1.conf" <<CONF
# written by bench/load/run.sh: loopback benchmark only
[server]
listen_address = 127.0.0.1
listen_port = $2
public_url = $origin
threads = $bthreads
templates_dir = $root/templates
audit_log = $work/audit-$1.log
state_key_file = $work/state.key
# two processes on one host: no management listener (its default port would clash)
admin_listen = off

[webauthn]
rp_id = localhost
rp_name = Load benchmark
origins = $origin
user_verification = preferred

[idp]
secret_file = $work/idp.secret
return_urls = $return_url

[ldap]
uri = $LDAP_URI
bind_dn = $LDAP_BRIDGE_DN
bind_password_file = $work/ldap.password
user_base = $LDAP_PEOPLE_BASE
timeout_ms = 3000
last_used_interval = 1h

[memcached]
servers = $MEMCACHED_SERVERS
prefix = fidobridge:
replicas = $replicas

[limits]
per_address = 100000
per_account = 10000
CONF
	"$build/bridgectl" config check --config "$work/bridge-$1.conf" >/dev/null
}
bridge_conf 1 "${ports[0]}"
bridge_conf 2 "${ports[1]}"

wait_http() {
	local port=$1 pid=$2 i
	for ((i = 0; i < 100; i++)); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# start_servers KIND N: KIND bridge|peer, N processes; sets targets and watches
targets=
watches=()
specs=()
start_servers() {
	local kind=$1 n=$2 i port pid
	targets=
	watches=()
	specs=()
	for ((i = 1; i <= n; i++)); do
		if [ "$kind" = bridge ]; then
			port=${ports[$((i - 1))]}
			"$bridged" --config "$work/bridge-$i.conf" >>"$work/bridge-$i.log" 2>&1 &
		else
			port=${ports[$((i + 1))]}
			node "$root/bench/peers/server/server.mjs" --config "$work/bridge-$i.conf" --port "$port" \
				--audit "$work/peer-audit-$i.log" --ldap-pool "${BENCH_LDAP_POOL:-4}" >>"$work/peer-$i.log" 2>&1 &
		fi
		pid=$!
		server_pids+=("$pid")
		wait_http "$port" "$pid" || { log "$kind $i did not come up (see $work/$kind-$i.log)"; exit 1; }
		targets+=${targets:+,}http://127.0.0.1:$port
		watches+=(--watch "$kind$i=$pid")
		specs+=("$kind$i=$pid")
	done
}

# phase LABEL KIND N [loadgen options...]: fresh servers, one measured run, servers stopped
phase() {
	local label=$1 kind=$2 n=$3 pw=2 pd=10 a prev='' sp extra='' perf_pids=()
	shift 3
	for a in "$@"; do
		case $prev in --warmup) pw=$a ;; --duration) pd=$a ;; esac
		prev=$a
	done
	start_servers "$kind" "$n"
	log "phase $label"
	if [ -n "${BENCH_PERF_STAT:-}" ] && command -v perf >/dev/null 2>&1; then
		for sp in "${specs[@]}" "slapd=$SLAPD_PID" "memcached=${MEMCACHED_PIDS%% *}"; do
			(sleep "$pw"; exec perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "${sp#*=}" \
				-o "$work/perf-$label-${sp%%=*}.csv" -- sleep "$pd") >/dev/null 2>&1 &
			perf_pids+=($!)
		done
	fi
	"$bin/loadgen" --label "$label" --target "$targets" --origin "$origin" --rp-id localhost \
		--return "$return_url" --secret-file "$work/idp.secret" --memcached "$MEMCACHED_SERVERS" \
		--users "$keys" --threads 1 "${watches[@]}" --watch "slapd=$SLAPD_PID" "${mc_watch[@]}" \
		--ldap-monitor "$LDAP_URI" "$@" >"$work/phase-$label.txt" 2>&1 || true
	for a in "${perf_pids[@]}"; do wait "$a" 2>/dev/null || true; done
	if [ ${#perf_pids[@]} -gt 0 ]; then
		# per login: counts over the window / logins in the window
		local ok
		ok=$(sed -n 's/^RESULT .* ok=\([0-9]*\) .*/\1/p' "$work/phase-$label.txt")
		for sp in "${specs[@]}" slapd= memcached=; do
			[ -s "$work/perf-$label-${sp%%=*}.csv" ] || continue
			extra+=$(awk -F, -v n="${sp%%=*}" -v ok="${ok:-0}" '
				$3 == "raw_syscalls:sys_enter" { s += $1 } $3 == "context-switches" { c += $1 }
				END { if (ok > 0) printf " sys_%s=%.2f cs_%s=%.2f", n, s / ok, n, c / ok }' "$work/perf-$label-${sp%%=*}.csv")
		done
		echo "   per login:$extra" >>"$work/phase-$label.txt"
	fi
	cat "$work/phase-$label.txt" >&2
	grep '^RESULT ' "$work/phase-$label.txt" | sed "s/^RESULT /RESULT kind=$kind procs=$n /; s/\$/$extra/" >>"$results" || true
	stop_servers
}

{
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
	echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "node $(node --version 2>/dev/null || echo -), $(/usr/sbin/slapd -VVV 2>&1 | awk 'NR==1 {print $3, $4}'), memcached $(memcached -V | awk '{print $2}'), $(openssl version 2>/dev/null | awk '{print $1, $2}')"
	echo "scheduling: $(cat /proc/self/autogroup 2>/dev/null || echo 'no autogroup')"
	echo "bridge: $bridged, threads = $bthreads per process; loadgen: 1 thread; all on the same $(nproc) cores"
	echo "memcached: $n_mc instance(s), replicas = $replicas"
} >"$work/machine.txt"
cat "$work/machine.txt" >&2

# --- 1. first use and repeat: LDAP writes per login ---------------------------------
if [ $do_first -eq 1 ]; then
	phase first-use bridge 1 --concurrency 50 --users-order seq --max-logins "$nusers" --warmup 0 --duration 120
	phase repeat bridge 1 --concurrency 50 --users-order seq --max-logins "$nusers" --warmup 0 --duration 120
fi

# --- the generator's own checks: these must fail every login -------------------------
if [ $self_check -eq 1 ]; then
	head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$work/wrong.secret"
	phase selfcheck-wrong-secret bridge 1 --concurrency 2 --warmup 0 --duration 2 --secret-file "$work/wrong.secret"
	phase selfcheck-wrong-prefix bridge 1 --concurrency 2 --warmup 0 --duration 2 --prefix "notours:"
fi

# --- 2. the matrix: closed loop, bridge and peer interleaved --------------------------
for v in $vus; do
	for n in $procs; do
		phase "bridge-${n}p-${v}vu" bridge "$n" --concurrency "$v" --warmup "$warmup" --duration "$duration"
		[ $do_peer -eq 1 ] && phase "peer-${n}p-${v}vu" peer "$n" --concurrency "$v" --warmup "$warmup" --duration "$duration"
	done
done

# --- 3. open loop: latency at a given arrival rate, at most 100 in flight --------------
for r in $open_rates; do
	phase "bridge-2p-open$r" bridge 2 --mode open --rate "$r" --concurrency 100 --warmup "$warmup" --duration "$duration"
	[ $do_peer -eq 1 ] && phase "peer-2p-open$r" peer 2 --mode open --rate "$r" --concurrency 100 --warmup "$warmup" --duration "$duration"
done

# --- 4. the verification core next to raw OpenSSL -------------------------------------
if [ $do_verify -eq 1 ]; then
	shared=${BRIDGE_SHARED_DIR:-$root/../shared}
	if [ -d "$shared/bench/cases/es256" ]; then
		log "verification core: bench/verify-bench.sh 3 es256"
		(cd "$root" && BRIDGE_SHARED_DIR="$shared" bench/verify-bench.sh 3 es256) >"$work/verify-bench.txt" 2>&1 || true
	else
		log "no bench cases in $shared: bench/verify-bench.sh skipped"
	fi
fi

# --- 5. the cost curve: logins/s and p99 as the directory grows ----------------------
if [ $do_curve -eq 1 ]; then
	for u in $curve; do
		if [ "$u" -gt "$enrolled" ]; then
			"$here/slapd.sh" stop "$work/ldap" >/dev/null
			add_users "$u" 0   # used just now: the curve measures the steady state
			"$here/slapd.sh" start "$work/ldap" 2>/dev/null
			set -a; . "$work/ldap/env"; set +a
			sed -i "s|^uri = .*|uri = $LDAP_URI|" "$work"/bridge-*.conf
		fi
		phase "curve-bridge-${u}u" bridge 2 --concurrency 100 --warmup "$warmup" --duration "$duration"
		[ $do_peer -eq 1 ] && [ $curve_peer -eq 1 ] && phase "curve-peer-${u}u" peer 2 --concurrency 100 --warmup "$warmup" --duration "$duration"
	done
	# the two lookup keys must stay indexed
	ldapsearch -Q -LLL -Y EXTERNAL -H "$LDAPI_URI" -b 'olcDatabase={1}mdb,cn=config' -s base olcDbIndex 2>/dev/null |
		grep olcDbIndex >"$work/indexes.txt" || true
fi

# --- 6. soak ------------------------------------------------------------------------------
if [ "$soak" -gt 0 ]; then
	phase "soak-${soak}s" bridge 1 --concurrency 100 --warmup 30 --duration "$soak" --sample 1 --series 30
fi

# --- the table --------------------------------------------------------------------------
log "results: $results (per-phase output in $work/phase-*.txt)"
{
	echo
	cat "$work/machine.txt"
	echo
	awk -f "$here/report.awk" "$results"
	if [ -s "$work/verify-bench.txt" ]; then
		echo
		echo "Verification core (one core, same run; bench/verify-bench.sh 3 es256):"
		sed -n '/^ops\/s on one core/,$p' "$work/verify-bench.txt"
	fi
	if [ -s "$work/indexes.txt" ]; then
		echo
		echo "slapd equality indexes: $(sed 's/olcDbIndex: //' "$work/indexes.txt" | tr '\n' ';')"
	fi
	if [ "$soak" -gt 0 ]; then
		echo
		echo "Soak RSS samples (MB, every 30 s):"
		grep '^SERIES' "$work/phase-soak-${soak}s.txt" | sed 's/^SERIES //' || true
	fi
} | tee "$work/table.txt"
