#!/usr/bin/env bash
# Certificate sign-in with [certificate] match = mapping (the SAN e-mail to
# the directory's mail) and revocation = none, on the real stack, the
# certificate sent as the RFC 9440 Client-Cert header from the trusted
# proxy's address (the front itself is test_nginx_front.sh's part).
#   usage: test_cert_mapping.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD_DIR=$1
dir=$(mktemp -d /tmp/bridge-certmap.XXXXXX)
trap '"$here/../stack/stop-stack.sh" "$dir/stack" >/dev/null 2>&1; rm -rf "$dir"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
P=$dir/pki
mkdir -p "$P"
"$BUILD_DIR/tests/certs/make_test_certs" "$P" || { echo "make_test_certs failed"; exit 1; }
export STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\nenabled = true\nurl = https://cert.localhost/authn/certificate\ntrust_anchors_file = $P/anchors.pem\nrevocation = none\nmatch = mapping\nmap_field = email\nmap_attribute = mail"
"$here/../stack/start-stack.sh" "$dir/stack" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/stack/env"

rfc() { echo ":$(openssl x509 -in "$1" -outform DER | base64 -w0):"; }
# try CERT.pem: a browser's whole way, the certificate host's step sent from the proxy address
try() {
	local jar=$dir/jar go next
	rm -f "$jar"
	curl -s -L -b "$jar" -c "$jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
	go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
	st=$(curl -s --interface 127.0.0.2 -o "$dir/page" -w '%{http_code}' -H "Host: cert.localhost" -H "Client-Cert: $(rfc "$1")" \
		"http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
	if [ "$st" = 303 ]; then
		next=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{redirect_url}' -H "Host: cert.localhost" -H "Client-Cert: $(rfc "$1")" \
			"http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
		: # the go-ahead was spent by the first call: the second must not give another result
		[ -z "$next" ] || bad "a go-ahead gave two results"
	fi
}
rm -f "$dir/jar"
curl -s -L -b "$dir/jar" -c "$dir/jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$dir/jar" -c "$dir/jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
next=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{redirect_url}' -H "Host: cert.localhost" -H "Client-Cert: $(rfc "$P/uni.pem")" \
	"http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
case $next in "$BRIDGE_URL/authn/certificate/done?r="*) ok ;; *) bad "the university certificate maps (got '$next')" ;; esac
st=$(curl -s -L -b "$dir/jar" -c "$dir/jar" -o "$dir/page" -w '%{http_code}' "$next")
[ "$st" = 200 ] && grep -q '&quot;principal&quot;: &quot;bob&quot;' "$dir/page" && grep -q '&quot;ok&quot;: true' "$dir/page" && ok ||
	bad "bob is signed in by his certificate's e-mail ($st)"
grep -q '"event":"signin_success".*"method":"certificate".*"revocation":"none"' "$AUDIT_LOG" && ok || bad "the audit line says revocation none"
grep -q '"event":"cert_signin_verified".*"match":"mapping"' "$AUDIT_LOG" && ok || bad "the audit line says mapping"

try "$P/auth.pem"   # the card names nobody: no e-mail to map
[ "$st" = 403 ] && grep -q "No account for this certificate" "$dir/page" && ok || bad "a certificate without the field is refused ($st)"
grep -q '"event":"cert_signin_failure".*"reason":"unmapped"' "$AUDIT_LOG" && ok || bad "unmapped is audited"
try "$P/sign.pem"
[ "$st" = 403 ] && grep -q "This is a signature certificate" "$dir/page" && ok || bad "the signature certificate is still refused ($st)"

# a second factor for alice, answered with bob's certificate: refused, and the IdP hears AccountMismatch
rm -f "$dir/jar"
curl -s -L -b "$dir/jar" -c "$dir/jar" -o /dev/null "$IDP_URL/start?principal=alice&entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$dir/jar" -c "$dir/jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
next=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{redirect_url}' -H "Host: cert.localhost" -H "Client-Cert: $(rfc "$P/uni.pem")" \
	"http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
st=$(curl -s -b "$dir/jar" -c "$dir/jar" -o "$dir/page" -w '%{http_code}' "$next")
[ "$st" = 403 ] && ! grep -q ticket "$dir/page" && ok || bad "another account's certificate for a second factor is refused ($st)"
st=$(curl -s -L -b "$dir/jar" -c "$dir/jar" -o "$dir/page" -w '%{http_code}' "$BRIDGE_URL/authn/finish")
grep -q 'AccountMismatch' "$dir/page" && ! grep -q '&quot;ok&quot;: true' "$dir/page" && ok || bad "and the IdP hears AccountMismatch ($st)"

# two entries with the same mail: never one of them
ldapadd -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" >/dev/null <<LDIF || bad "ldapadd a second bob@example.edu"
dn: uid=bob2,$LDAP_PEOPLE_BASE
objectClass: inetOrgPerson
uid: bob2
cn: Bob Two
sn: Two
mail: bob@example.edu
LDIF
try "$P/uni.pem"
[ "$st" != 303 ] && ! grep -q 'ticket' "$dir/page" && ok || bad "an ambiguous mapping signs nobody in ($st)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
