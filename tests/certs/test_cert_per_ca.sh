#!/usr/bin/env bash
# Certificate sign-in with a match policy per CA, on the real stack: the
# JPKI-like CAs in [certificate] (pairing, revocation by CRL) and the
# university CA in [certificate_ca university] (its certificate's SAN
# e-mail mapped to mail, revocation none, not multi-factor). The certificate
# comes as the RFC 9440 Client-Cert header from the trusted proxy's address
# (test_nginx_front.sh is the real front's part).
#   usage: test_cert_per_ca.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD_DIR=$1
dir=$(mktemp -d /tmp/bridge-certca.XXXXXX)
trap '"$here/../stack/stop-stack.sh" "$dir/stack" >/dev/null 2>&1; rm -rf "$dir"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
P=$dir/pki
mkdir -p "$P"
"$BUILD_DIR/tests/certs/make_test_certs" "$P" || { echo "make_test_certs failed"; exit 1; }
cat "$P/ca-jpki-auth.pem" "$P/ca-jpki-sign.pem" >"$P/jpki.pem"
export STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\nenabled = true\nurl = https://cert.localhost/authn/certificate\ntrust_anchors_file = $P/jpki.pem\ncrl_files = $P/crl-jpki.pem\nrevocation = crl\nmatch = pairing\n[certificate_ca university]\ntrust_anchors_file = $P/ca-uni.pem\nmatch = mapping\nmap_field = email\nmap_attribute = mail\nrevocation = none\nmfa = false"
"$here/../stack/start-stack.sh" "$dir/stack" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/stack/env"

rfc() { echo ":$(openssl x509 -in "$1" -outform DER | base64 -w0):"; }
# signin CERT.pem [principal]: the browser's whole way; st is the certificate host's status, page the last page
signin() {
	local jar=$dir/jar go next
	rm -f "$jar"
	curl -s -L -b "$jar" -c "$jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
	go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
	next=$(curl -s --interface 127.0.0.2 -o "$dir/page" -w '%{http_code} %{redirect_url}' -H "Host: cert.localhost" \
		-H "Client-Cert: $(rfc "$1")" "http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
	st=${next%% *}
	next=${next#* }
	if [ "$st" = 303 ]; then
		curl -s -L -b "$jar" -c "$jar" -o "$dir/page" "$next"
	fi
}
ticket_for() { grep -q "&quot;principal&quot;: &quot;$1&quot;" "$dir/page" && grep -q '&quot;ok&quot;: true' "$dir/page"; }

# the university CA maps: bob by his certificate's e-mail, the audit line names the CA and its rules
signin "$P/uni.pem"
[ "$st" = 303 ] && ticket_for bob && ok || bad "the university certificate maps to bob ($st)"
grep -q '"event":"cert_signin_verified".*"ca":"university".*"revocation":"none".*"match":"mapping"' "$AUDIT_LOG" && ok ||
	bad "the verified line names the university CA, mapping, revocation none"
grep -q '"event":"signin_success".*"method":"certificate".*"mfa":false.*"revocation":"none".*"ca":"university"' "$AUDIT_LOG" && ok ||
	bad "the university CA's mfa = false reaches the ticket's audit line"
grep -q '&quot;mfa&quot;: false' "$dir/page" && ok || bad "and the ticket says mfa false"

# the JPKI CA pairs: the card is refused until it is paired, then it signs alice in
signin "$P/auth.pem"
[ "$st" = 403 ] && grep -q "This certificate is not paired" "$dir/page" && ok || bad "an unpaired card is refused as unpaired, not mapped ($st)"
line=$(grep '"event":"cert_signin_failure"' "$AUDIT_LOG" | grep '"reason":"unpaired"')
grep -q '"ca":"certificate"' <<<"$line" && grep -q '"match":"pairing"' <<<"$line" && grep -q '"revocation":"crl"' <<<"$line" && ok ||
	bad "unpaired is audited with the JPKI CA's rules"
"$BUILD_DIR/bridgectl" cert pair alice "$P/auth.pem" --config "$BRIDGE_CONFIG" >/dev/null || bad "bridgectl cert pair alice"
signin "$P/auth.pem"
[ "$st" = 303 ] && ticket_for alice && ok || bad "the paired card signs alice in ($st)"
grep -q '"event":"signin_success".*"mfa":true.*"revocation":"crl","ca":"certificate"' "$AUDIT_LOG" && ok ||
	bad "the card's sign-in is multi-factor with revocation by CRL"
grep -q '&quot;mfa&quot;: true' "$dir/page" && ok || bad "and the ticket says mfa true"

# a pairing is never looked at for the mapping CA: pairing bob's university certificate changes nothing
"$BUILD_DIR/bridgectl" cert pair alice "$P/uni.pem" --config "$BRIDGE_CONFIG" >/dev/null 2>&1
signin "$P/uni.pem"
[ "$st" = 303 ] && ticket_for bob && ok || bad "the university certificate still maps to bob, whatever is paired ($st)"

# each CA keeps its own revocation: the revoked JPKI-like card is refused by the CRL
signin "$P/revoked.pem"
[ "$st" = 403 ] && ok || bad "the revoked certificate is refused ($st)"
# a CA in neither place
signin "$P/other.pem"
[ "$st" = 403 ] && grep -q "not accepted here" "$dir/page" && ok || bad "another CA's certificate is untrusted ($st)"
signin "$P/sign.pem"
[ "$st" = 403 ] && grep -q "This is a signature certificate" "$dir/page" && ok || bad "the signature certificate is refused ($st)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
