#!/usr/bin/env bash
# Certificate sign-in through a real TLS front: nginx (Debian package) with
# ssl_verify_client optional_no_ca forwards $ssl_client_escaped_cert to the
# bridge, which re-verifies it. Driven with curl and real client
# certificates from the test PKI, from the IdP stand-in's start to its
# finish: paired -> ticket; each refusal -> its page and no ticket; a
# spoofed header straight to the bridge or through the proxy -> ignored;
# duplicated and malformed headers; go-aheads and results used once, and
# only by the browser whose flow it is.
#   usage: test_nginx_front.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD_DIR=$1
ctl="$BUILD_DIR/bridgectl"
dir=$(mktemp -d /tmp/bridge-nginx.XXXXXX)
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

mkdir -p "$dir/pki"
"$BUILD_DIR/tests/certs/make_test_certs" "$dir/pki" || { echo "make_test_certs failed"; exit 1; }
P=$dir/pki
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cert_url="https://localhost:$port/authn/certificate"
export STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\nenabled = true\nurl = $cert_url\nheader = X-Client-Cert\ntrust_anchors_file = $P/anchors.pem\ncrl_files = $P/crl-jpki.pem, $P/crl-uni.pem\nrevocation = crl"
"$here/../stack/start-stack.sh" "$dir/stack" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/stack/env"

nginx_front_start "$dir/ng" "$port" "$BRIDGE_PORT" || exit 1

C=(--config "$BRIDGE_CONFIG")
"$ctl" cert pair alice "$P/auth.pem" --nickname card "${C[@]}" >/dev/null || bad "pair alice"
"$ctl" cert pair bob "$P/uni.pem" "${C[@]}" >/dev/null || bad "pair bob"
# paired but expired / revoked: what the checks, not the pairing, must refuse
"$ctl" cert pair carol "$P/revoked.pem" "${C[@]}" >/dev/null || bad "pair carol"
sed '/^\[certificate\]/,$d' "$BRIDGE_CONFIG" >"$dir/plain.conf"
"$ctl" cert pair hanako "$P/expired.pem" --config "$dir/plain.conf" >/dev/null || bad "pair hanako (expired)"

# A browser: its own cookie jar; start at the IdP stand-in, stop at the page the bridge shows.
# login JAR CURL_ARGS... -> follows every redirect; $dir/page the last body, prints "STATUS URL"
login() {
	local jar=$1
	shift
	curl -s -L --max-redirs 12 -b "$jar" -c "$jar" --cacert "$dir/ng/server.pem" "$@" \
		-o "$dir/page" -w '%{http_code} %{url_effective}' \
		"$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
}
# to the sign-in page first, then the certificate way
sign_in_with() { # JAR CURL_ARGS...
	local jar=$1
	shift
	rm -f "$jar"
	curl -s -L -b "$jar" -c "$jar" -o "$dir/login.html" "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
	curl -s -L --max-redirs 12 -b "$jar" -c "$jar" --cacert "$dir/ng/server.pem" "$@" \
		-o "$dir/page" -w '%{http_code} %{url_effective}' "$BRIDGE_URL/authn/certificate/start"
}
page_has() { grep -q -- "$1" "$dir/page"; }
signed_in_as() { # the IdP stand-in's result page names the principal
	page_has '&quot;ok&quot;: true' && page_has "&quot;principal&quot;: &quot;$1&quot;"
}
no_ticket_in_flow() { # JAR: /authn/finish has nothing to carry back and sends the browser to the sign-in page
	test "$(curl -s -o /dev/null -w '%{redirect_url}' -b "$1" "$BRIDGE_URL/authn/finish")" = "$BRIDGE_URL/login" ||
		test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$1" "$BRIDGE_URL/authn/finish" | cut -d' ' -f1)" = 303 &&
		curl -s -o /dev/null -w '%{redirect_url}' -b "$1" "$BRIDGE_URL/authn/finish" | grep -q '/login$'
}
refusal() { # NAME WANT_TITLE CURL_ARGS...: 403 on the certificate host with that page, and no ticket
	local name=$1 title=$2 got
	shift 2
	got=$(sign_in_with "$dir/jar" "$@")
	if [ "${got%% *}" = 403 ] && page_has "$title" && ! page_has 'ticket' && no_ticket_in_flow "$dir/jar"; then ok
	else bad "$name: got $got"; grep -o '<h1>.*</h1>' "$dir/page" | head -1; fi
}

# --- the sign-in page offers the way, with the PIN warning
curl -s -L -c "$dir/j0" -b "$dir/j0" -o "$dir/login.html" "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
grep -q 'data-cert="1"' "$dir/login.html" && grep -q 'href="/authn/certificate/start"' "$dir/login.html" &&
	grep -q 'Sign in with My Number Card / certificate' "$dir/login.html" && grep -q 'three wrong PINs lock the card' "$dir/login.html" && ok || bad "the login page offers certificate sign-in"
curl -s -L -c "$dir/j0" -b "$dir/j0" -o "$dir/login-ja.html" "$BRIDGE_URL/login?lang=ja"
grep -q 'マイナンバーカード・証明書でサインイン' "$dir/login-ja.html" && grep -q '3回続けて間違えるとカードがロック' "$dir/login-ja.html" && ok || bad "the Japanese page too"

# --- paired: the JPKI-like card over TLS 1.2, and the university certificate
got=$(sign_in_with "$dir/jar" --tls-max 1.2 --cert "$P/auth.pem" --key "$P/auth.key")
[ "${got%% *}" = 200 ] && signed_in_as alice && page_has '&quot;mfa&quot;: true' && ok || bad "alice's card signs her in (got $got)"
grep -q '"event":"signin_success".*"method":"certificate".*"revocation":"crl"' "$AUDIT_LOG" && ok || bad "the audit line says certificate and crl"
"$ctl" cert list alice "${C[@]}" | jq -e '.[0].last_used != null' >/dev/null && ok || bad "last used is recorded"
got=$(sign_in_with "$dir/jar" --cert "$P/uni.pem" --key "$P/uni.key")
[ "${got%% *}" = 200 ] && signed_in_as bob && ok || bad "bob's university certificate signs him in (got $got)"

# --- refusals: the right page, no ticket
refusal "no certificate" "No certificate was received"
refusal "unpaired (a renewed card), with the card" "may have been renewed\|was renewed" --cert "$P/auth2.pem" --key "$P/auth2.key"
# nginx itself turns an expired client certificate away (400), before the bridge
got=$(sign_in_with "$dir/jar" --cert "$P/expired.pem" --key "$P/expired.key")
[ "${got%% *}" = 400 ] && no_ticket_in_flow "$dir/jar" && ok || bad "nginx refuses the expired certificate (got $got)"
refusal "revoked" "This certificate was revoked" --cert "$P/revoked.pem" --key "$P/revoked.key"
refusal "another CA" "This certificate is not accepted here" --cert "$P/other.pem" --key "$P/other.key"
refusal "the signature certificate" "This is a signature certificate" --cert "$P/sign.pem" --key "$P/sign.key"
refusal "a server certificate" "This certificate is not for signing in" --cert "$P/server-only.pem" --key "$P/server-only.key"
grep -q '"event":"cert_signin_failure".*"reason":"revoked"' "$AUDIT_LOG" && ok || bad "the revoked refusal is audited"
grep -q '"event":"cert_signin_failure".*"reason":"signature_certificate"' "$AUDIT_LOG" && ok || bad "the signature refusal is audited"

# --- spoofed headers
esc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$P/auth.pem")
rfc=":$(openssl x509 -in "$P/auth.pem" -outform DER | base64 -w0):"
refusal "through the proxy, a client's own header and no certificate" "No certificate was received" -H "X-Client-Cert: $esc"
refusal "through the proxy, the header in another case" "No certificate was received" -H "x-client-cert: $esc"
refusal "through the proxy, the header beside someone else's certificate" "This certificate is not accepted here" \
	-H "X-Client-Cert: $esc" --cert "$P/other.pem" --key "$P/other.key"
# straight to the bridge (127.0.0.1, not a trusted proxy): the header is not read
rm -f "$dir/jar"
curl -s -L -b "$dir/jar" -c "$dir/jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$dir/jar" -c "$dir/jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
st=$(curl -s -o "$dir/page" -w '%{http_code}' -H "Host: localhost:$port" -H "X-Client-Cert: $rfc" "$BRIDGE_URL/authn/certificate?go=$go")
[ "$st" = 403 ] && page_has "No certificate was received" && no_ticket_in_flow "$dir/jar" && ok || bad "a header straight to the bridge is ignored ($st)"
# from the trusted proxy, but for the bridge's own host (a front that forgot to drop the header there): not served
go=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$dir/jar" -c "$dir/jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//')
st=$(curl -s --interface 127.0.0.2 -o "$dir/page" -w '%{http_code}' -H "Host: localhost:$BRIDGE_PORT" -H "X-Client-Cert: $rfc" \
	"http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
[ "$st" = 404 ] && no_ticket_in_flow "$dir/jar" && ok || bad "the certificate step is not served on the bridge's own host ($st)"
# from the trusted address itself (as a proxy would send it): RFC 9440, one copy -> accepted; two, or garbage -> refused
direct() { # GO HEADER... -> status, page in $dir/page
	local g=$1
	shift
	local hs=()
	for h in "$@"; do hs+=(-H "$h"); done
	curl -s --interface 127.0.0.2 -o "$dir/page" -w '%{http_code}' -H "Host: localhost:$port" "${hs[@]}" "http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$g"
}
fresh_go() {
	rm -f "$dir/jar"
	curl -s -L -b "$dir/jar" -c "$dir/jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
	curl -s -o /dev/null -w '%{redirect_url}' -b "$dir/jar" -c "$dir/jar" "$BRIDGE_URL/authn/certificate/start" | sed 's/.*go=//'
}
go=$(fresh_go)
st=$(direct "$go" "X-Client-Cert: $rfc" "X-Client-Cert: $rfc")
[ "$st" = 403 ] && page_has "could not be read" && no_ticket_in_flow "$dir/jar" && ok || bad "two copies of the header are refused ($st)"
go=$(fresh_go)
st=$(direct "$go" "X-Client-Cert: :bm90IGEgY2VydGlmaWNhdGU=:")
[ "$st" = 403 ] && page_has "could not be read" && ok || bad "a malformed header is refused ($st)"
go=$(fresh_go)
st=$(direct "$go" "X-Client-Cert: $rfc")
[ "$st" = 303 ] && ok || bad "the RFC 9440 form from the trusted proxy is read ($st)"
# the bridge's own date check, for a front that lets an expired certificate through
go=$(fresh_go)
st=$(direct "$go" "X-Client-Cert: $(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$P/expired.pem")")
[ "$st" = 403 ] && page_has "This certificate has expired" && no_ticket_in_flow "$dir/jar" && ok || bad "the bridge refuses an expired certificate itself ($st)"
go=$(fresh_go)
st=$(direct "$go" "X-Client-Cert: $rfc")
# a go-ahead is used once
st=$(direct "$go" "X-Client-Cert: $rfc")
[ "$st" = 400 ] && ! page_has "ticket" && ok || bad "a go-ahead works once ($st)"

# --- the result goes back only to the browser whose flow it is
go=$(fresh_go)
next=$(curl -s --interface 127.0.0.2 -o /dev/null -w '%{redirect_url}' -H "Host: localhost:$port" -H "X-Client-Cert: $rfc" "http://127.0.0.1:$BRIDGE_PORT/authn/certificate?go=$go")
rm -f "$dir/other-jar"
curl -s -L -b "$dir/other-jar" -c "$dir/other-jar" -o /dev/null "$IDP_URL/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"
st=$(curl -s -o "$dir/page" -w '%{http_code}' -b "$dir/other-jar" "$next")
[ "$st" = 403 ] && no_ticket_in_flow "$dir/other-jar" && ok || bad "another browser cannot use the result ($st)"
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$dir/jar" "$next")
[ "$st" != 303 ] && ok || bad "and the result was spent by that attempt ($st)"

# --- a disabled account is refused even when paired
"$ctl" cert pair dave "$P/auth2.pem" "${C[@]}" >/dev/null || bad "pair dave"
got=$(sign_in_with "$dir/jar" --cert "$P/auth2.pem" --key "$P/auth2.key")
[ "${got%% *}" = 403 ] && ! page_has ticket && ok || bad "dave (disabled) is refused ($got)"

# --- after unpairing, the card no longer signs in
"$ctl" cert unpair alice "$(openssl x509 -in "$P/auth.pem" -outform DER | sha256sum | cut -c1-16)" "${C[@]}" >/dev/null || bad "unpair"
refusal "after unpair" "This certificate is not paired" --cert "$P/auth.pem" --key "$P/auth.key"

grep -q "$(openssl x509 -in "$P/auth.pem" -outform DER | base64 -w0 | cut -c1-60)" "$AUDIT_LOG" && bad "the certificate itself reached the audit log" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
