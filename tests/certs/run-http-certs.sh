#!/usr/bin/env bash
# The HTTP tests' "certs" group (tests/http/t_certs.c) on a stack with
# certificate sign-in on: makes the test PKI, then tests/http/run.sh with
# [certificate] pointing at it and 127.0.0.2 trusted as the TLS front.
#   usage: run-http-certs.sh BUILD_DIR TEST_BINARY
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
bin=$2
pki=$(mktemp -d /tmp/bridge-httpcerts.XXXXXX)
trap 'rm -rf "$pki"' EXIT
"$build/tests/certs/make_test_certs" "$pki" || { echo "make_test_certs failed"; exit 1; }
export CERT_PKI=$pki
# the card's CAs pair; the university's CA maps (so its certificates are never paired)
cat "$pki/ca-jpki-auth.pem" "$pki/ca-jpki-sign.pem" >"$pki/jpki.pem"
export STACK_EXTRA_CONF="[server]\ntrusted_proxies = 127.0.0.2\n[certificate]\nenabled = true\nurl = https://cert.localhost/authn/certificate\ntrust_anchors_file = $pki/jpki.pem\ncrl_files = $pki/crl-jpki.pem, $pki/crl-uni.pem\n[certificate_ca university]\ntrust_anchors_file = $pki/ca-uni.pem\nmatch = mapping\nmap_field = email\nmap_attribute = mail"
"$here/../http/run.sh" --build "$build" -- "$bin" --group certs
