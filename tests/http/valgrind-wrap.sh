#!/usr/bin/env bash
# valgrind-wrap.sh STATUS_FILE LOG_FILE PROGRAM [ARGS...]
#
# Runs PROGRAM under valgrind (definite leaks count as errors, exit 99 on
# any error) and writes valgrind's exit status to STATUS_FILE when it ends.
# SIGTERM and SIGINT are passed on to it, so the wrapper's pid can stand in
# for the server's (start-stack.sh records it as BRIDGE_PID).
status_file=$1
log=$2
shift 2
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	--num-callers=30 --log-file="$log" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
while :; do
	wait "$child"
	rc=$?
	# a trapped signal interrupts wait (status > 128): wait again while it runs
	if [ $rc -gt 128 ] && kill -0 "$child" 2>/dev/null; then
		continue
	fi
	break
done
echo "$rc" >"$status_file"
exit "$rc"
