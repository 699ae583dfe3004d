#!/usr/bin/env bash
# tests/browser/run.sh [node --test options / test files]
#
# The browser tests: Debian's Chromium driven by playwright-core with the DevTools
# protocol's virtual WebAuthn authenticator, against a real local stack (slapd, two
# memcached, fido-bridged, fido-demo-idp) started by tests/stack/start-stack.sh.
#
# Installs what is missing (apt-get install chromium, npm ci here), expects the
# build in $BUILD_DIR (default build/; built with cmake when the binaries are
# missing), starts two stacks (user_verification preferred, and required for the
# UV scenario, with password enrolment on), runs every *.test.js with node's test
# runner, stops the stacks and removes its temp dirs on every path. Screenshots go
# to tests/out/browser/.
# Exit status: non-zero when a test fails; node's "# pass N" / "# fail N" lines end
# the output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$root/build}
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export BROWSER_OUT_DIR=${BROWSER_OUT_DIR:-$root/tests/out/browser}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		echo "run.sh: need root (or sudo) for: $*" >&2; return 1; fi
}

# --- what the tests need -------------------------------------------------------
if [ ! -x "$CHROMIUM_PATH" ]; then
	echo "run.sh: installing chromium" >&2
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get install -y --no-install-recommends chromium ||
		{ as_root apt-get update && as_root apt-get install -y --no-install-recommends chromium; }
fi
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ja 2>/dev/null | head -n 1)" ]; then
	echo "run.sh: no Japanese font (apt-get install fonts-noto-cjk): the tests still run, the ja screenshots show boxes" >&2
fi
[ $# -gt 0 ] || set -- $(cd "$here" && echo *.test.js)
# which stacks the run needs: certificate.test.js its own (with the nginx front),
# the other files the two passkey stacks; only options given: node finds every file
want_cert=
want_passkey=
named=
for a in "$@"; do
	case $a in
	*certificate.test.js) named=1 want_cert=1 ;;
	*.test.js) named=1 want_passkey=1 ;;
	esac
done
[ -n "$named" ] || want_cert=1 want_passkey=1
if [ -n "$want_cert" ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
	echo "run.sh: installing nginx (certificate.test.js)" >&2
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get install -y --no-install-recommends nginx ||
		{ as_root apt-get update && as_root apt-get install -y --no-install-recommends nginx; }
fi
for tool in node npm ldapadd ldapsearch curl setsid openssl; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
# npm ci when node_modules is missing or does not hold the locked versions
if ! (cd "$here" && node -e '
	const want = require("./package.json").dependencies;
	for (const [name, version] of Object.entries(want)) {
		if (require("./node_modules/" + name + "/package.json").version !== version) process.exit(1);
	}' 2>/dev/null); then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$BUILD_DIR/fido-bridged" ] || [ ! -x "$BUILD_DIR/bridgectl" ] || [ ! -x "$BUILD_DIR/fido-demo-idp" ] ||
	[ ! -x "$BUILD_DIR/tests/certs/make_test_certs" ]; then
	[ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S "$root" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
	cmake --build "$BUILD_DIR" --target fido-bridged bridgectl fido-demo-idp make_test_certs -j "$(nproc)"
fi

# --- the stacks ----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/fb-browser.XXXXXX")
stacks=()
node_pid=
. "$root/tests/certs/nginx-front.sh"
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
		# the test runner, its test processes and (through Playwright) their browsers
		kill -TERM -- "-$node_pid" 2>/dev/null || kill -TERM "$node_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$node_pid" 2>/dev/null || true
	fi
	nginx_front_stop
	for s in "${stacks[@]}"; do
		"$root/tests/stack/stop-stack.sh" "$s" >/dev/null 2>&1 || true
	done
	if [ $rc -ne 0 ] && [ -n "${KEEP_LOGS:-}" ]; then
		echo "run.sh: logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # start NAME [VAR=value...]: the stack in $work/NAME
	local dir="$work/$1"
	shift
	stacks+=("$dir")
	if ! env "$@" "$root/tests/stack/start-stack.sh" "$dir" >"$work/start-$(basename "$dir").log" 2>&1; then
		cat "$work/start-$(basename "$dir").log" >&2
		echo "run.sh: the stack did not start" >&2
		return 1
	fi
}
if [ -n "$want_passkey" ]; then
	start main STACK_UV=preferred
	# the second stack also names the virtual authenticators' AAGUID, with icons (My passkeys draws them)
	start uv STACK_UV=required \
		STACK_EXTRA_CONF="[enrolment]\\nallow_password = true\\n[webauthn]\\naaguid_names_file = $root/tests/stack/aaguid-names-virtual.json"
	export STACK_ENV="$work/main/env" STACK_UV_ENV="$work/uv/env"
fi
if [ -n "$want_cert" ]; then
	# certificate sign-in: the test PKI, the bridge with [certificate] on, and the
	# certificate host (https://localhost:PORT) served by nginx with ssl_verify_client
	mkdir -p "$work/pki"
	"$BUILD_DIR/tests/certs/make_test_certs" "$work/pki" >/dev/null
	cert_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
	start cert STACK_UV=preferred STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\nenabled = true\nurl = https://localhost:$cert_port/authn/certificate\nheader = X-Client-Cert\ntrust_anchors_file = $work/pki/anchors.pem\ncrl_files = $work/pki/crl-jpki.pem, $work/pki/crl-uni.pem\nrevocation = crl"
	nginx_front_start "$work/front" "$cert_port" "$(. "$work/cert/env" && echo "$BRIDGE_PORT")"
	export STACK_CERT_ENV="$work/cert/env" CERT_PKI_DIR="$work/pki" CERT_HOST="https://localhost:$cert_port"
	[ -n "$want_passkey" ] || export STACK_ENV="$STACK_CERT_ENV"
fi

mkdir -p "$BROWSER_OUT_DIR" "$work/tmp"
rm -f "$BROWSER_OUT_DIR"/*.png "$BROWSER_OUT_DIR"/axe-*.json
cd "$here"
# in its own process group (so that an interrupt can end all of it), temp files
# (Chromium profiles) under $work; `wait` keeps the traps responsive
TMPDIR="$work/tmp" setsid --wait node --test --test-concurrency=1 \
	--test-reporter=tap --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$work/node.tap" "$@" &
node_pid=$!
set +e
wait "$node_pid"
rc=$?
set -e
node_pid=
if [ $rc -ne 0 ]; then
	for s in "${stacks[@]}"; do
		echo "--- $(basename "$s"): bridge.log and audit.log (tails)" >&2
		tail -n 20 "$s/bridge.log" >&2 2>/dev/null || true
		tail -n 20 "$s/audit.log" >&2 2>/dev/null || true
	done
	# node's summary once more, last
	grep -E '^# (tests|pass|fail) ' "$work/node.tap" 2>/dev/null || true
fi
exit $rc
