#!/usr/bin/env bash
# The verification benchmark, side by side in one run on one core:
# bridgectl bench (with the bare OpenSSL rate measured in the same loop) and
# the JavaScript peers from npm, over the same shared case files.
#   bench/verify-bench.sh [SECONDS] [ALG...]      (default 3 s; es256 rs256 eddsa)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${BRIDGE_SHARED_DIR:-$root/../shared}
seconds=${1:-3}
shift || true
algs=("$@")
[ ${#algs[@]} -gt 0 ] || algs=(es256 rs256 eddsa)

if [ ! -x build/bridgectl ]; then
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)" --target bridgectl >/dev/null
fi
peers=1
if ! command -v node >/dev/null 2>&1; then
	echo "verify-bench: node not found, peers skipped" >&2
	peers=0
elif [ ! -d bench/peers/node_modules ]; then
	(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error) || { echo "verify-bench: npm ci failed, peers skipped" >&2; peers=0; }
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
cpu=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//; s/[,-].*//')
pin=(taskset -c "${cpu:-0}")
for alg in "${algs[@]}"; do
	dir="$shared/bench/cases/$alg"
	"${pin[@]}" build/bridgectl bench --seconds "$seconds" "$dir" | tee -a "$out"
	if [ $peers -eq 1 ]; then
		"${pin[@]}" node bench/peers/verify-bench.mjs --seconds "$seconds" --peer all "$dir" 2>/dev/null | tee -a "$out"
	fi
done

echo
echo "ops/s on one core (same run)"
awk '
	$4 ~ /^[0-9]+$/ { v[$1 " " $2 " " $3] = $4; if (!seen[$2 " " $3]++) order[n++] = $2 " " $3 }
	END {
		printf "%-8s %-20s %10s %10s %10s %10s %9s %9s %9s\n", "alg", "ceremony", "bridge", "bare", "swa", "fido2lib", "br/bare", "br/swa", "br/f2l"
		for (i = 0; i < n; i++) {
			k = order[i]; split(k, a, " ")
			b = v["bridge " k]; o = v["openssl-bare " k]; s = v["simplewebauthn " k]; f = v["fido2-lib " k]
			printf "%-8s %-20s %10s %10s %10s %10s %9s %9s %9s\n", a[1], a[2], b, (o ? o : "-"), (s ? s : "-"), (f ? f : "-"),
				(o ? sprintf("%.2f", b / o) : "-"), (s ? sprintf("%.1fx", b / s) : "-"), (f ? sprintf("%.1fx", b / f) : "-")
		}
	}' "$out"
