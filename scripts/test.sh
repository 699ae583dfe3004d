#!/usr/bin/env bash
# Runs every test: release build with -Werror, the AddressSanitizer+UBSan
# build, the corpus replays and a short run of each fuzzer.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 15; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

"$root/scripts/install-deps.sh"

echo "== release build (gcc, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRIDGE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

echo "== AddressSanitizer + UBSan build (clang)"
cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	-DBRIDGE_WERROR=ON -DBRIDGE_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")

fuzz_seconds=${FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" -gt 0 ] && [ -x tests/fuzz/run-fuzzers.sh ]; then
	echo "== fuzzers (${fuzz_seconds}s each)"
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DBRIDGE_FUZZ=ON -DBRIDGE_SANITIZE=address,undefined >/dev/null
	cmake --build build-fuzz -j"$jobs"
	tests/fuzz/run-fuzzers.sh "$fuzz_seconds" build-fuzz
fi

echo "== release tests"
cd build && ctest --output-on-failure -j"$jobs"
