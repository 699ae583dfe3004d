#!/bin/sh
# make-certs.sh DIR -- the testbed's TLS material, made once (kept if DIR/server.crt exists):
#   DIR/ca.crt                      a testbed CA, valid 5 years, that may only certify
#                                   names under example.test (X.509 name constraints), so
#                                   trusting it in a browser cannot vouch for real sites;
#                                   its private key is thrown away once the certificate
#                                   below is signed
#   DIR/server.crt, DIR/server.key  the front's certificate for idp.example.test,
#                                   sp.example.test, login.example.test and
#                                   cert.login.example.test (397 days, within the
#                                   browsers' limit)
#   DIR/client-ca.crt               a second CA, for client certificates only (certificate
#                                   sign-in): the front asks for certificates of it on
#                                   cert.login.example.test and the bridge pins it
#                                   ([certificate] trust_anchors_file); its key is thrown
#                                   away too
#   DIR/clients/NAME.crt, NAME.p12  a client certificate (RSA 2048, digitalSignature +
#                                   clientAuth, like a card's user-authentication one) for
#                                   alice and bob, the .p12 with the key for importing into
#                                   a browser (password "testbed", published)
# Import ca.crt into the browser (docker/README.md); WebAuthn refuses pages with
# certificate errors.
set -eu

dir=${1:?usage: make-certs.sh DIR}
names="idp.example.test sp.example.test login.example.test cert.login.example.test"
clients="alice bob"
mkdir -p "$dir"
if [ -s "$dir/server.crt" ] && [ -s "$dir/server.key" ] && [ -s "$dir/ca.crt" ] && [ -s "$dir/client-ca.crt" ]; then
	echo "make-certs: using the certificates in $dir"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077

san=
for n in $names; do san="${san:+$san,}DNS:$n"; done

cat >"$tmp/ca.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca_ext
[dn]
O = FIDO login bridge testbed
CN = FIDO login bridge testbed CA (example.test only)
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, permitted;DNS:example.test
CNF

cat >"$tmp/server.cnf" <<CNF
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1825 \
	-keyout "$tmp/ca.key" -out "$tmp/ca.crt" -config "$tmp/ca.cnf" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/server.key" -out "$tmp/server.csr" -subj "/O=FIDO login bridge testbed/CN=idp.example.test" 2>/dev/null
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
	-days 397 -sha256 -extfile "$tmp/server.cnf" -extensions ext -out "$tmp/server.crt" 2>/dev/null
openssl verify -CAfile "$tmp/ca.crt" "$tmp/server.crt" >/dev/null

# the client CA and the demo users' certificates
cat >"$tmp/client-ca.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca_ext
[dn]
O = FIDO login bridge testbed
CN = FIDO login bridge testbed client CA
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
cat >"$tmp/client.cnf" <<CNF
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1825 \
	-keyout "$tmp/client-ca.key" -out "$tmp/client-ca.crt" -config "$tmp/client-ca.cnf" 2>/dev/null
mkdir -p "$tmp/clients"
for c in $clients; do
	openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/clients/$c.key" -out "$tmp/$c.csr" \
		-subj "/O=FIDO login bridge testbed/CN=$c (testbed client certificate)" 2>/dev/null
	openssl x509 -req -in "$tmp/$c.csr" -CA "$tmp/client-ca.crt" -CAkey "$tmp/client-ca.key" -CAcreateserial \
		-days 397 -sha256 -extfile "$tmp/client.cnf" -extensions ext -out "$tmp/clients/$c.crt" 2>/dev/null
	openssl verify -CAfile "$tmp/client-ca.crt" -purpose sslclient "$tmp/clients/$c.crt" >/dev/null
	openssl pkcs12 -export -in "$tmp/clients/$c.crt" -inkey "$tmp/clients/$c.key" -name "$c (testbed)" \
		-passout pass:testbed -out "$tmp/clients/$c.p12"
done

install -m 0644 "$tmp/ca.crt" "$dir/ca.crt"
install -m 0644 "$tmp/server.crt" "$dir/server.crt"
install -m 0600 "$tmp/server.key" "$dir/server.key"
install -m 0644 "$tmp/client-ca.crt" "$dir/client-ca.crt"
install -d -m 0755 "$dir/clients"
for c in $clients; do
	install -m 0644 "$tmp/clients/$c.crt" "$dir/clients/$c.crt"
	install -m 0600 "$tmp/clients/$c.p12" "$dir/clients/$c.p12"
done
echo "make-certs: new testbed CA and certificate for $names in $dir"
echo "make-certs: new client CA and client certificates for $clients in $dir/clients"
echo "make-certs: CA fingerprint $(openssl x509 -in "$dir/ca.crt" -noout -fingerprint -sha256 | cut -d= -f2)"
