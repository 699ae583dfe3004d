#!/usr/bin/env bash
# bridgectl cert pair|list|unpair and ssh authorized-keys|export against a
# real slapd, then a real sshd (Debian openssh-server, its own config and host
# key, on a free loopback port) whose AuthorizedKeysCommand is bridgectl:
# `ssh -i` with the paired certificate's key gets in, and not after unpair.
#   usage: test_bridgectl_ssh.sh BUILD_DIR   (run through with-services.sh --slapd)
# The sshd part needs root (sshd checks that the command and every directory
# above it belong to root); without root it is reported as skipped.
set -u
build=$1
ctl="$build/bridgectl"
dir=$(mktemp -d /tmp/bridge-certs.XXXXXX)
sshd_pid=
sshd_dir=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	[ -n "$sshd_dir" ] && rm -rf "$sshd_dir"
	rm -rf "$dir"
}
trap cleanup EXIT
pass=0
fail=0
check() { # check NAME COMMAND...: the command must succeed
	if "${@:2}" >"$dir/out" 2>"$dir/err"; then pass=$((pass + 1)); mv "$dir/out" "$dir/last"; else echo "FAIL $1"; sed 's/^/  | /' "$dir/err" | head -5; fail=$((fail + 1)); fi
}
refused() { # refused NAME PATTERN COMMAND...: the command must fail with PATTERN on stderr
	if "${@:3}" >"$dir/out" 2>"$dir/err"; then echo "FAIL $1 (it succeeded)"; fail=$((fail + 1));
	elif grep -q -- "$2" "$dir/err"; then pass=$((pass + 1));
	else echo "FAIL $1: stderr lacks $2"; sed 's/^/  | /' "$dir/err" | head -5; fail=$((fail + 1)); fi
}

"$build/tests/certs/make_test_certs" "$dir" || { echo "make_test_certs failed"; exit 1; }
printf '%s\n' "$LDAP_BRIDGE_PW" >"$dir/ldap.password"
conf() { # conf FILE [ANCHORS]
	cat >"$1" <<CONF
[server]
audit_log = $dir/audit.log
[ldap]
uri = $LDAP_URI
bind_dn = $LDAP_BRIDGE_DN
bind_password_file = $dir/ldap.password
user_base = $LDAP_PEOPLE_BASE
timeout_ms = 2000
[certificate]
trust_anchors_file = ${2:-}
refused_policies = ${3:-}
CONF
}
conf "$dir/bridge.conf" "$dir/anchors.pem" 1.3.6.1.4.1.55555.1.2
conf "$dir/no-anchors.conf"
C=(--config "$dir/bridge.conf")
hash_of() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
auth_id=$(hash_of "$dir/auth.pem")
uni_id=$(hash_of "$dir/uni.pem")

# --- pairing, and what is refused
check "pair alice's card" "$ctl" cert pair alice "$dir/auth.pem" --nickname "My Number Card" "${C[@]}"
check "it says which" grep -q "paired $auth_id with alice" "$dir/last"
refused "the same card for bob" "already paired" "$ctl" cert pair bob "$dir/auth.pem" "${C[@]}"
refused "the same card again for alice" "already paired" "$ctl" cert pair alice "$dir/auth.pem" "${C[@]}"
refused "the signature certificate" "signature_certificate" "$ctl" cert pair alice "$dir/sign.pem" "${C[@]}"
refused "a refused certificate policy" "signature_certificate" "$ctl" cert pair alice "$dir/auth2.pem" "${C[@]}"
refused "a server certificate" "usage" "$ctl" cert pair alice "$dir/server-only.pem" "${C[@]}"
refused "another CA's certificate" "untrusted" "$ctl" cert pair alice "$dir/other.pem" "${C[@]}"
refused "an expired certificate" "expired" "$ctl" cert pair alice "$dir/expired.pem" "${C[@]}"
refused "a key file is no certificate" "not one PEM or DER certificate" "$ctl" cert pair alice "$dir/auth.key" "${C[@]}"
refused "a user nobody knows" "no such user" "$ctl" cert pair nobody-here "$dir/uni.pem" "${C[@]}"
refused "a nickname with a line break" "refused" "$ctl" cert pair bob "$dir/uni.pem" --nickname "$(printf 'a\nb')" "${C[@]}"
openssl x509 -in "$dir/uni.pem" -outform DER -out "$dir/uni.der"
check "bob's university certificate, as DER" "$ctl" cert pair bob "$dir/uni.der" "${C[@]}"
check "cert list alice" sh -c "'$ctl' cert list alice --config '$dir/bridge.conf' | jq -e 'length == 1 and .[0].id == \"$auth_id\" and .[0].serial == \"1001\" and .[0].nickname == \"My Number Card\" and (.[0].issuer | contains(\"OU=JPKI for user authentication\")) and .[0].last_used == null'"
check "cert list bob (no nickname)" sh -c "'$ctl' cert list bob --config '$dir/bridge.conf' | jq -e 'length == 1 and .[0].id == \"$uni_id\" and .[0].nickname == null'"
check "the audit log has the pairing" grep -q '"event":"cert_paired".*"username":"alice".*"cert_sha256":"'"$auth_id"'"' "$dir/audit.log"
# without pinned anchors bridgectl cannot judge the CA or the dates: pairing an expired one works, sshd never sees it
check "carol: an expired certificate, paired without anchors" "$ctl" cert pair carol "$dir/expired.pem" --config "$dir/no-anchors.conf"

check "directory check sees the certificate schema" sh -c "'$ctl' directory check --config '$dir/bridge.conf' | grep -q 'ok: object class fidoCertPairing'"

# --- ssh export and authorized-keys
ssh-keygen -i -m PKCS8 -f <(openssl x509 -in "$dir/auth.pem" -pubkey -noout) >"$dir/keygen.pub" 2>/dev/null
check "ssh export agrees with ssh-keygen" sh -c "'$ctl' ssh export '$dir/auth.pem' | cut -d' ' -f1,2 | cmp - '$dir/keygen.pub'"
check "ssh export names the pairing, not the person" sh -c "'$ctl' ssh export '$dir/auth.pem' | grep -qE '^ssh-rsa [A-Za-z0-9+/=]+ fido-bridge-cert:${auth_id:0:16}\$'"
refused "ssh export of a non-certificate" "not one PEM" "$ctl" ssh export "$dir/auth.key"
check "authorized-keys alice: her card's key" sh -c "'$ctl' ssh authorized-keys alice --config '$dir/bridge.conf' >'$dir/ak' && test \$(wc -l <'$dir/ak') = 1 && cut -d' ' -f1,2 '$dir/ak' | cmp - '$dir/keygen.pub'"
check "authorized-keys carol: the expired one left out" sh -c "test -z \"\$('$ctl' ssh authorized-keys carol --config '$dir/bridge.conf')\""
check "cert list carol still shows it" sh -c "'$ctl' cert list carol --config '$dir/bridge.conf' | jq -e 'length == 1'"
check "authorized-keys of an unknown user: nothing, status 0" sh -c "test -z \"\$('$ctl' ssh authorized-keys nobody-here --config '$dir/bridge.conf')\""
check "authorized-keys of a filter: nothing" sh -c "test -z \"\$('$ctl' ssh authorized-keys '*' --config '$dir/bridge.conf')\""
check "dave (disabled): paired" "$ctl" cert pair dave "$dir/revoked.pem" "${C[@]}"
check "authorized-keys dave: nothing for a disabled account" sh -c "test -z \"\$('$ctl' ssh authorized-keys dave --config '$dir/bridge.conf')\""
# a pairing planted under bob that names alice as owner gives alice no key
cat >"$dir/plant.ldif" <<LDIF
dn: fidoCertSha256=$(hash_of "$dir/server-only.pem"),uid=bob,$LDAP_PEOPLE_BASE
objectClass: fidoCertPairing
fidoCertSha256: $(hash_of "$dir/server-only.pem")
fidoCertSpkiSha256: $(hash_of "$dir/server-only.pem")
fidoCertIssuer: CN=planted
fidoCertSerial: 01
fidoCertNotAfter: 20991231000000Z
fidoCertificate:< file://$dir/server-only.der
fidoCertOwner: alice
fidoCreated: 20260101000000Z
LDIF
openssl x509 -in "$dir/server-only.pem" -outform DER -out "$dir/server-only.der"
check "ldapadd a pairing under bob naming alice" ldapadd -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" -f "$dir/plant.ldif"
check "authorized-keys alice: still only her own" sh -c "test \$('$ctl' ssh authorized-keys alice --config '$dir/bridge.conf' | wc -l) = 1"
check "cert list alice: only her own" sh -c "'$ctl' cert list alice --config '$dir/bridge.conf' | jq -e 'length == 1'"
refused "ssh authorized-keys with the directory down" "" "$ctl" ssh authorized-keys alice --config /dev/null

# --- unpair
refused "unpair with a short id" "lowercase hex" "$ctl" cert unpair alice "${auth_id:0:4}" "${C[@]}"
refused "unpair bob's id from alice" "no such pairing" "$ctl" cert unpair alice "$uni_id" "${C[@]}"

# --- a real sshd asking bridgectl for the keys
run_sshd=1
if [ "$(id -u)" != 0 ]; then
	echo "SKIP sshd part: needs root (sshd's ownership checks on AuthorizedKeysCommand)"
	run_sshd=0
elif [ ! -x /usr/sbin/sshd ]; then
	echo "SKIP sshd part: no /usr/sbin/sshd (openssh-server)"
	run_sshd=0
fi
if [ $run_sshd = 1 ]; then
	login=$(id -un)
	# sshd refuses a command under a world-writable directory such as /tmp
	sshd_dir=$(mktemp -d /run/fido-bridge-sshd.XXXXXX) || sshd_dir=$(mktemp -d "$build/sshd.XXXXXX")
	chmod 755 "$sshd_dir"
	mkdir -p /run/sshd   # sshd's privilege-separation directory
	ssh-keygen -q -t ed25519 -N '' -f "$sshd_dir/host_key"
	cp "$dir/bridge.conf" "$sshd_dir/bridge.conf"
	cat >"$sshd_dir/keys-command" <<CMD
#!/bin/sh
exec '$ctl' ssh authorized-keys "\$1" --config '$sshd_dir/bridge.conf'
CMD
	chmod 755 "$sshd_dir/keys-command"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$sshd_dir/sshd_config" <<SSHD
ListenAddress 127.0.0.1:$port
HostKey $sshd_dir/host_key
PidFile $sshd_dir/sshd.pid
AuthorizedKeysFile none
AuthorizedKeysCommand $sshd_dir/keys-command %u
AuthorizedKeysCommandUser root
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes yes
LogLevel VERBOSE
SSHD
	# the local account sshd logs in as, in the directory
	ldapadd -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" >/dev/null <<LDIF
dn: uid=$login,$LDAP_PEOPLE_BASE
objectClass: inetOrgPerson
uid: $login
cn: $login
sn: $login
LDIF
	/usr/sbin/sshd -D -e -f "$sshd_dir/sshd_config" 2>"$dir/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	SSH=(ssh -F none -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
		-o IdentitiesOnly=yes -o PreferredAuthentications=publickey -o ConnectTimeout=5 -o LogLevel=ERROR)
	check "pair the renewed card's certificate with $login" "$ctl" cert pair "$login" "$dir/auth2.pem" --config "$dir/no-anchors.conf"
	cp "$dir/auth2.key" "$dir/login.key"
	chmod 600 "$dir/login.key"
	check "ssh -i with the paired key gets in" sh -c "$(printf '%q ' "${SSH[@]}") -i '$dir/login.key' '$login@127.0.0.1' echo in-by-certificate | grep -qx in-by-certificate"
	cp "$dir/uni.key" "$dir/other.key"; chmod 600 "$dir/other.key"
	refused "ssh -i with bob's (unpaired for $login) key" "Permission denied" "${SSH[@]}" -i "$dir/other.key" "$login@127.0.0.1" true
	check "cert unpair by an id prefix" "$ctl" cert unpair "$login" "$(hash_of "$dir/auth2.pem" | cut -c1-12)" --config "$dir/bridge.conf"
	refused "ssh -i after unpair is refused" "Permission denied" "${SSH[@]}" -i "$dir/login.key" "$login@127.0.0.1" true
	check "sshd accepted the key for the user" grep -q "Accepted publickey for $login" "$dir/sshd.log"
fi

check "unpair alice's card" "$ctl" cert unpair alice "$auth_id" "${C[@]}"
check "authorized-keys alice: none left" sh -c "test -z \"\$('$ctl' ssh authorized-keys alice --config '$dir/bridge.conf')\""
check "the audit log has the unpairing" grep -q '"event":"cert_unpaired".*"username":"alice"' "$dir/audit.log"
check "no private key material in the audit log" sh -c "! grep -q 'PRIVATE' '$dir/audit.log'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
