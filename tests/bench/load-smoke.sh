#!/usr/bin/env bash
# A short run of the full-login benchmark (bench/load/run.sh --quick): the
# generator, the bridge from this build, the Node peer and the stores start,
# complete logins succeed on both servers, the LDAP write rule holds, and the
# generator's own checks fail when they must (a wrong IdP secret, a wrong
# ticket prefix). Figures are not asserted: speed is for the benchmark.
set -euo pipefail
build=$(cd "${1:?usage: load-smoke.sh BUILD_DIR}" && pwd -P)
root=$(cd "$(dirname "$0")/../.." && pwd -P)
work=$(mktemp -d /tmp/load-smoke.XXXXXX)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

BENCH_SCHED_NICE=off "$root/bench/load/run.sh" --from-build "$build" --work "$work/run" --require-peer \
	--quick --users 200 --vus 10 --procs "1 2" --open "" --self-check >"$work/out.txt" 2>&1 ||
	{ tail -40 "$work/out.txt"; echo "FAIL: run.sh exited with an error"; exit 1; }

results="$work/run/results.txt"
fail=0
check() { # check LABEL AWK-CONDITION MESSAGE
	if ! awk -v want="$1" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
		f["label"] == want { found = 1; if ('"$2"') ok = 1 }
		END { exit !(found && ok) }' "$results"; then
		echo "FAIL: $1: $3"
		grep "label=$1 " "$results" || echo "  (no RESULT line for $1)"
		fail=1
	else
		echo "ok: $1: $3"
	fi
}
for label in bridge-1p-10vu peer-1p-10vu bridge-2p-10vu peer-2p-10vu; do
	check "$label" 'f["ok"] > 0 && f["errors"] == 0' "logins completed, no errors"
done
check first-use 'f["ok"] == 200 && f["errors"] == 0 && f["ldap_modify"] > 0.99 && f["ldap_modify"] < 1.01' \
	"each user's first sign-in writes last-used once"
check repeat 'f["ok"] == 200 && f["errors"] == 0 && f["ldap_modify"] == 0' "a repeat within the interval writes nothing"
check bridge-1p-10vu 'f["ldap_search"] > 0 && f["mc_ops"] > 0' "operations per login are counted"
check selfcheck-wrong-secret 'f["ok"] == 0 && f["errors"] > 0' "a start signed with another secret never completes"
check selfcheck-wrong-prefix 'f["ok"] == 0 && f["errors"] > 0' "a ticket not found by the IdP side is an error"
grep -q "error start_" "$work/run/phase-selfcheck-wrong-secret.txt" ||
	{ echo "FAIL: the wrong-secret phase does not name the failing step"; fail=1; }
[ $fail -eq 0 ] || { tail -60 "$work/out.txt"; exit 1; }
echo "load smoke: all checks passed"
