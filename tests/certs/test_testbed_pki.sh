#!/usr/bin/env bash
# The docker-compose testbed's client certificates (docker/front/make-certs.sh) are
# ones the bridge accepts: on the real stack behind the nginx front of
# nginx-front.sh, with the testbed's [certificate] choices (its client CA pinned,
# revocation none, pairing), alice's paired certificate signs her in over TLS 1.2
# and bob's unpaired one gets the "not paired" page. Docker is not needed.
#   usage: test_testbed_pki.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export BUILD_DIR=$1
dir=$(mktemp -d /tmp/bridge-testbed-pki.XXXXXX)
. "$here/nginx-front.sh"
cleanup() {
	nginx_front_stop
	"$here/../stack/stop-stack.sh" "$dir/stack" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

sh "$repo/docker/front/make-certs.sh" "$dir/tls" >/dev/null || { echo "make-certs.sh failed"; exit 1; }
for c in alice bob; do
	openssl pkcs12 -in "$dir/tls/clients/$c.p12" -passin pass:testbed -nocerts -nodes -out "$dir/$c.key" 2>/dev/null ||
		bad "the $c.p12 opens with the published password"
done
# the testbed's [certificate] section, with the anchors' path moved here and this test's host
conf=$(sed -n '/^\[certificate\]/,/^\[/{/^\[certificate\]/d;/^\[/d;/^#/d;/^$/d;p}' "$repo/docker/bridge/bridge.conf" |
	sed -e "s|/etc/testbed-tls/|$dir/tls/|" -e '/^url = /d' | awk '{printf "%s\\n", $0}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\n${conf}url = https://localhost:$port/authn/certificate"
"$here/../stack/start-stack.sh" "$dir/stack" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/stack/env"
grep -q "^trust_anchors_file = $dir/tls/client-ca.crt" "$BRIDGE_CONFIG" && grep -q '^revocation = none' "$BRIDGE_CONFIG" &&
	ok || bad "the testbed's [certificate] settings reached the bridge"
nginx_front_start "$dir/ng" "$port" "$BRIDGE_PORT" || exit 1

"$BUILD_DIR/bridgectl" cert pair alice "$dir/tls/clients/alice.crt" --config "$BRIDGE_CONFIG" >/dev/null || bad "bridgectl cert pair alice"
sign_in_with() { # USER: to the sign-in page from the IdP stand-in, then the certificate way with USER's certificate
	rm -f "$dir/jar"
	curl -s -L -b "$dir/jar" -c "$dir/jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
	curl -s -L --max-redirs 12 -b "$dir/jar" -c "$dir/jar" --cacert "$dir/ng/server.pem" --tls-max 1.2 \
		--cert "$dir/tls/clients/$1.crt" --key "$dir/$1.key" \
		-o "$dir/page" -w '%{http_code}' "$BRIDGE_URL/authn/certificate/start"
}
st=$(sign_in_with alice)
[ "$st" = 200 ] && grep -q '&quot;ok&quot;: true' "$dir/page" && grep -q '&quot;principal&quot;: &quot;alice&quot;' "$dir/page" &&
	ok || bad "alice's testbed certificate signs her in ($st)"
grep -q '"event":"signin_success".*"method":"certificate".*"revocation":"none"' "$AUDIT_LOG" && ok || bad "the audit line says revocation none"
st=$(sign_in_with bob)
[ "$st" = 403 ] && grep -q 'This certificate is not paired' "$dir/page" && ok || bad "bob's unpaired certificate is refused ($st)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
