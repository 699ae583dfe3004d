#!/usr/bin/env bash
# Run every libFuzzer target for a while on a scratch copy of its seed corpus.
#
#   tests/fuzz/run-fuzzers.sh SECONDS BUILD_DIR [TARGET...]
#
# BUILD_DIR was configured with -DBRIDGE_FUZZ=ON (clang). Each fuzz_<t> runs
# for SECONDS (-max_total_time) with its dictionary (dict/<t>.dict) when there
# is one. The committed corpus is never modified. Logs go to
# BUILD_DIR/fuzz-logs/<t>.log, crashing / leaking / slow inputs to
# BUILD_DIR/fuzz-artifacts/<t>/. One summary line per target; the exit status
# is non-zero when any target crashed, leaked, timed out or did not run.
#
# Environment: FUZZ_KEEP_CORPUS=DIR keeps the grown corpora in DIR/<t>/;
# FUZZ_EXTRA_ARGS adds libFuzzer flags (e.g. "-jobs=2 -workers=2").
set -u
export LC_ALL=C

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS BUILD_DIR [TARGET...]" >&2
	exit 2
fi
secs=$1
build=$(cd "$2" && pwd) || exit 2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=(authdata attestation_object cose_key clientdata base64url credential_json assertion config mds names data_url)
	targets+=(http_edges)
	targets+=(ticket_record)
	targets+=(client_cert_header)
	targets+=(mc_answer)
fi

# Inputs a little above the largest recorded ceremony (an android-safetynet
# attestationObject is ~8.6 KB, its JSON ~11.7 KB); parsers of small things get less.
max_len_for() {
	case $1 in
	attestation_object|credential_json|base64url|client_cert_header) echo 16384 ;;
	*) echo 8192 ;;
	esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzzers.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/fuzz-logs"
failed=0

stat_of() { # NAME LOG: a stat:: line of -print_final_stats
	sed -n "s/^stat::$1: *//p" "$2" | tail -n1
}

for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/fuzz_$t
	log=$build/fuzz-logs/$t.log
	art=$build/fuzz-artifacts/$t
	if [ ! -x "$bin" ]; then
		printf 'fuzz_%-20s FAIL  not built (configure with -DBRIDGE_FUZZ=ON and clang)\n' "$t"
		failed=1
		continue
	fi
	rm -rf "$art"
	mkdir -p "$art" "$scratch/$t"
	seeds=0
	if [ -d "$here/corpus/$t" ]; then
		cp -R -p "$here/corpus/$t"/. "$scratch/$t"/
		seeds=$(find "$scratch/$t" -type f | wc -l)
	fi
	args=(-max_total_time="$secs" -max_len="$(max_len_for "$t")" -timeout=10
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/")
	[ -f "$here/dict/$t.dict" ] && args+=(-dict="$here/dict/$t.dict")
	# shellcheck disable=SC2086 # FUZZ_EXTRA_ARGS is a list of flags
	"$bin" "${args[@]}" ${FUZZ_EXTRA_ARGS:-} "$scratch/$t" >"$log" 2>&1
	rc=$?

	runs=$(stat_of number_of_executed_units "$log")
	eps=$(stat_of average_exec_per_sec "$log")
	rss=$(stat_of peak_rss_mb "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
	grown=$(find "$scratch/$t" -type f | wc -l)
	found=""
	for kind in crash leak timeout oom slow-unit; do
		n=$(find "$art" -type f -name "$kind-*" | wc -l)
		[ "$n" -eq 0 ] || found="$found $kind=$n"
	done
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		status=FAIL
		failed=1
	else
		status=OK
	fi
	printf 'fuzz_%-20s %-4s  runs=%s exec/s=%s %s corpus=%s->%s rss=%sMB%s\n' \
		"$t" "$status" "${runs:-?}" "${eps:-?}" "${cov:-cov: ?}" "$seeds" "$grown" "${rss:-?}" \
		"${found:+  artifacts:$found}"
	if [ "$status" = FAIL ]; then
		grep -E -m3 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant failed' "$log" | sed 's/^/    /'
		find "$art" -type f | sort | head -n3 | sed 's/^/    artifact: /'
		echo "    log: $log"
	fi
	if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
		mkdir -p "$FUZZ_KEEP_CORPUS/$t"
		cp -R -p "$scratch/$t"/. "$FUZZ_KEEP_CORPUS/$t"/
	fi
done
exit "$failed"
