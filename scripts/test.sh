#!/usr/bin/env bash
# Runs every test:
#   1. release build (gcc, -Werror): every ctest suite (unit, vectors, fuzz-replay,
#      integration with real slapd/memcached, HTTP flows, valgrind leak check,
#      browser end-to-end in Chromium, Shibboleth shim and testbed checks);
#   2. AddressSanitizer + UBSan build (clang): unit, vectors, corpus replays and the
#      integration and HTTP suites (leaks are errors);
#   3. each libFuzzer target for FUZZ_SECONDS (default 15; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "== AddressSanitizer + UBSan build (clang)"
cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	-DBRIDGE_WERROR=ON -DBRIDGE_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j"$jobs" -L 'unit|vectors|fuzz-replay|integration' -LE 'valgrind|browser|shibboleth|bench')

fuzz_seconds=${FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" -gt 0 ]; then
	echo "== fuzzers (${fuzz_seconds}s each)"
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DBRIDGE_FUZZ=ON -DBRIDGE_SANITIZE=address,undefined >/dev/null
	cmake --build build-fuzz -j"$jobs"
	tests/fuzz/run-fuzzers.sh "$fuzz_seconds" build-fuzz
fi

echo "== release build (gcc, -Werror) and every suite"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRIDGE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
cd build && ctest --output-on-failure -j"$jobs"
