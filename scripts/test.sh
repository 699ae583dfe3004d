#!/usr/bin/env bash
# Runs every test:
#   1. Release build (gcc -O3, what a packager builds): the unit suites; -O3 is where
#      gcc's flow warnings (maybe-uninitialized, format-truncation) show up;
#   2. gcc -fanalyzer over the bridge's sources (scripts/analyze.sh);
#   3. AddressSanitizer + UBSan build (clang): unit, vectors, corpus replays and the
#      integration and HTTP suites (leaks are errors);
#   4. each libFuzzer target for FUZZ_SECONDS (default 15; 0 skips);
#   5. RelWithDebInfo build (gcc): every ctest suite (unit, vectors, fuzz-replay,
#      integration with real slapd/memcached, HTTP flows, valgrind leak check,
#      browser end-to-end in Chromium, Shibboleth shim and testbed checks);
#   6. the Debian package (as root or with sudo): scripts/package-test.sh.
# Every build here treats warnings as errors (BRIDGE_WERROR is off by default, for
# packagers whose newer compilers may warn about code that is fine).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "== Release build (gcc -O3, -Werror) and the unit suites"
# -O3 -DNDEBUG is CMake's Release default; said here so the level does not depend on it
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O3 -DNDEBUG" \
	-DBRIDGE_WERROR=ON >/dev/null
cmake --build build-release -j"$jobs"
(cd build-release && ctest --output-on-failure -j"$jobs" -L unit)

echo "== static analysis (gcc -fanalyzer)"
scripts/analyze.sh build-analyzer

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
		-DBRIDGE_WERROR=ON -DBRIDGE_FUZZ=ON -DBRIDGE_SANITIZE=address,undefined >/dev/null
	cmake --build build-fuzz -j"$jobs"
	tests/fuzz/run-fuzzers.sh "$fuzz_seconds" build-fuzz
fi

echo "== RelWithDebInfo build (gcc, -Werror) and every suite"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRIDGE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

# 6. the Debian package: built, lintian, installed on this machine, a login against
#    the installed programs, purged (scripts/package-test.sh; about 30 s)
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
	echo "== Debian package: build, lintian, dpkg -i, smoke login, purge"
	scripts/package-test.sh build
else
	echo "== Debian package: skipped (needs root or sudo to install it)"
fi
