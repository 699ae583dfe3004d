#!/usr/bin/env bash
# run.sh [--valgrind] --build BUILD_DIR -- TEST_BINARY [ARGS...]
#
# Runs HTTP-level tests against a whole stack of their own: starts
# tests/stack/start-stack.sh in a fresh temporary directory (private slapd,
# two memcached, fido-bridged, fido-demo-idp on loopback), exports its env
# (plus BRIDGECTL), runs the test binary, and stops the stack on every path
# (success, failure, interrupt). The exit status is the test's, or non-zero
# when the stack or the leak check fails.
#
#   --build DIR   where fido-bridged, fido-demo-idp and bridgectl are
#   --valgrind    run fido-bridged under valgrind (definite leaks are errors);
#                 after the tests, stop it with SIGTERM (the graceful path of
#                 bridge/server/main.c), wait for it, and require a clean
#                 valgrind report
#
# Environment: STACK_LIMIT_ADDRESS (default 100000 here, so the whole suite
# is not throttled), STACK_LIMIT_ACCOUNT (default 30), STACK_UV;
# KEEP_STACK_DIR=1 keeps the temporary directory (logs) afterwards.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stack="$root/tests/stack"

valgrind=0
build=
while [ $# -gt 0 ]; do
	case $1 in
	--valgrind) valgrind=1; shift ;;
	--build) build=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--valgrind] --build DIR -- TEST [ARGS...]" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] && [ $# -ge 1 ] || { echo "usage: $0 [--valgrind] --build DIR -- TEST [ARGS...]" >&2; exit 2; }
build=$(cd "$build" && pwd)
for f in fido-bridged fido-demo-idp bridgectl; do
	[ -x "$build/$f" ] || { echo "run.sh: $build/$f is missing (build it first)" >&2; exit 2; }
done

# short: the slapd socket path must stay under ~100 bytes
dir=$(mktemp -d /tmp/fbhttp.XXXXXX) || exit 2
status=0

log_tail() {
	local f
	for f in bridge.log idp.log slapd-start.log mc-start.log; do
		[ -s "$dir/$f" ] || continue
		echo "----- $f (last 30 lines) -----"
		tail -n 30 "$dir/$f"
	done
}

cleanup() {
	trap - EXIT INT TERM
	# stops what start-stack.sh started, by the pids it recorded (also after a failed start)
	"$stack/stop-stack.sh" "$dir" >/dev/null 2>&1
	if [ "${KEEP_STACK_DIR:-0}" = 1 ] || { [ $status -ne 0 ] && [ "${KEEP_STACK_DIR:-}" = failed ]; }; then
		echo "run.sh: stack directory kept: $dir"
	else
		rm -rf "$dir"
	fi
}
trap 'status=130; exit 130' INT TERM
trap cleanup EXIT

export BUILD_DIR="$build"
export STACK_LIMIT_ADDRESS=${STACK_LIMIT_ADDRESS:-100000}
export STACK_LIMIT_ACCOUNT=${STACK_LIMIT_ACCOUNT:-30}
if [ $valgrind -eq 1 ]; then
	command -v valgrind >/dev/null || { echo "run.sh: valgrind not found" >&2; status=2; exit 2; }
	# the wrapper keeps valgrind's exit status (the bridge is not our child)
	export STACK_WRAPPER="$here/valgrind-wrap.sh $dir/valgrind.status $dir/valgrind.log"
fi

t0=$(date +%s)
"$stack/start-stack.sh" "$dir" >"$dir/start-stack.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -f "$dir/env" ]; then
	echo "run.sh: start-stack.sh failed (exit $rc)" >&2
	cat "$dir/start-stack.out" >&2
	log_tail >&2
	status=1
	exit 1
fi
set -a
. "$dir/env"
set +a
export BRIDGECTL="$build/bridgectl"
export LDAPNOINIT=1
echo "# stack up in $(( $(date +%s) - t0 )) s: bridge $BRIDGE_URL, stand-in $IDP_URL, dir $dir"

"$@"
status=$?

if [ $valgrind -eq 1 ]; then
	# the graceful stop: SIGTERM, requests finish, everything is freed
	kill -TERM "$BRIDGE_PID" 2>/dev/null
	for _ in $(seq 1 1800); do
		kill -0 "$BRIDGE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BRIDGE_PID" 2>/dev/null; then
		echo "not ok - valgrind: fido-bridged did not exit within 180 s of SIGTERM"
		status=1
	else
		vlog="$dir/valgrind.log"
		vstatus=$(cat "$dir/valgrind.status" 2>/dev/null || echo missing)
		echo "# valgrind exit status: $vstatus; summary:"
		grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|no leaks are possible|Process terminating' "$vlog" | sed 's/^/#   /'
		ok=1
		[ "$vstatus" = 0 ] || { echo "# valgrind exited with $vstatus (99: errors or definite leaks)"; ok=0; }
		grep -q 'Process terminating' "$vlog" && ok=0
		grep -qE 'ERROR SUMMARY: 0 errors' "$vlog" || ok=0
		grep -qE 'definitely lost: 0 bytes|no leaks are possible' "$vlog" || ok=0
		grep -q 'finishing requests in flight' "$dir/bridge.log" || { echo "# bridge.log: no graceful-stop line"; ok=0; }
		grep -q '"event":"server_stopped"' "$AUDIT_LOG" || { echo "# audit log: no server_stopped event"; ok=0; }
		if [ $ok -eq 1 ]; then
			echo "ok - valgrind: no errors, no definite leaks, graceful stop"
		else
			echo "not ok - valgrind: see the report below"
			sed -n '/ERROR SUMMARY/q;p' "$vlog" | grep -vE '^==[0-9]+== *$' | head -n 200
			status=1
		fi
	fi
fi

[ $status -ne 0 ] && log_tail
echo "# run.sh: $(( $(date +%s) - t0 )) s in all, exit $status"
exit $status
