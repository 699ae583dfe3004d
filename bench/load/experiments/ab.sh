#!/bin/bash
# Interleaved A/B of bridge binaries: each spec label=binary[:threads] runs one
# closed-loop phase (1 process, 100 virtual users, 10,000 users, 2 memcached,
# replicas 1, perf stat on), the specs in turn, ROUNDS times; one line per run with
# the load average at its start, the RESULT row and the system-call row.
# usage: BUILD=/path/to/cmake-build ab.sh TAG "a=/path/bin b=/path/bin:8" [ROUNDS]
tag=$1; shift; specs=$1; shift; rounds=${1:-2}
cd "$(dirname "$0")/../../.."
for r in $(seq $rounds); do
  for s in $specs; do
    label=${s%%=*}; rest=${s#*=}; bin=${rest%%:*}; th=16; [ "$rest" != "$bin" ] && th=${rest#*:}
    w=${TMPDIR:-/tmp}/ab-$tag-$label-$r
    rm -rf $w
    la=$(cut -d' ' -f1 /proc/loadavg)
    BENCH_PERF_STAT=1 timeout 600 bench/load/run.sh --from-build "${BUILD:-build}" --bridge-bin $bin --bridge-threads $th --work $w --users 10000 --vus 100 --procs "1" --open "" --no-peer --no-first-use --no-curve --no-verify-bench --last-used-age 0 --duration 10 --warmup 3 --memcached 2 --replicas 1 > $w.log 2>&1
    row=$(grep -E "^\| bridge \|" $w.log | head -1)
    sc=$(grep -E "^\| bridge-1p-100vu \| [0-9]" $w.log | tail -1)
    echo "$label r$r th$th load=$la | $row $sc"
  done
done
