#!/usr/bin/env bash
# The local demo: builds, then starts slapd (schema and sample users) and
# memcached on loopback, the bridge and the IdP stand-in, prints the URL to
# open and an enrolment link, and stops everything on Ctrl-C.
#   BRIDGE_PORT / IDP_PORT   ports on localhost (default 8440 / 8441)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
bport=${BRIDGE_PORT:-8440}
iport=${IDP_PORT:-8441}
port_free "$bport" || bport=0
port_free "$iport" || iport=0

dir=$(mktemp -d /tmp/fido-bridge-demo.XXXXXX)
stop() {
	trap - EXIT INT TERM
	echo
	echo "Stopping the demo..."
	tests/stack/stop-stack.sh "$dir"
	rm -rf "$dir"
	exit 0
}
trap stop EXIT INT TERM
tests/stack/start-stack.sh "$dir" "$bport" "$iport"
. "$dir/env"
link_alice=$(build/bridgectl enroll alice --config "$BRIDGE_CONFIG" 2>/dev/null)
link_hanako=$(build/bridgectl enroll hanako --config "$BRIDGE_CONFIG" 2>/dev/null)

cat <<MSG

  The passkey bridge is running.

  1. Create a passkey for the sample user alice (a one-time link):
       $link_alice
     (and for hanako, whose page is in Japanese if your browser prefers it:
       $link_hanako )

  2. Then sign in as a student would, starting at the IdP stand-in:
       $IDP_URL/

  My passkeys:      $BRIDGE_URL/passkeys
  Audit log:        $AUDIT_LOG
  Admin tool:       build/bridgectl user show alice --config $BRIDGE_CONFIG

  Use http://localhost (not 127.0.0.1): passkeys are bound to the name "localhost".
  Press Ctrl-C to stop.
MSG
while kill -0 "$BRIDGE_PID" 2>/dev/null; do sleep 1; done
echo "the bridge stopped; see $dir/bridge.log" >&2
