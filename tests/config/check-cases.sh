#!/usr/bin/env bash
# bridgectl config check on one bad configuration per case: each problem is
# reported at its own line with its own reason, and every problem is reported.
# usage: check-cases.sh BRIDGECTL TEMPLATES_DIR
set -u
# "base | expect ..." counts in this shell, not in a subshell
shopt -s lastpipe
ctl=$1
tpl=$2
d=$(mktemp -d /tmp/bridge-config-check.XXXXXX)
trap 'chmod -R u+rwx "$d" 2>/dev/null; rm -rf "$d"' EXIT
pass=0
fail=0

# A configuration that passes; the line numbers below are those of this text.
base() {
	cat <<CONF
[server]
listen_port = 8443
public_url = https://login.example.edu
templates_dir = $tpl
audit_log = $d/log/audit.log
state_key_file = $d/state.key
[webauthn]
rp_id = example.edu
origins = https://login.example.edu
[idp]
secret_file = $d/idp.secret
return_urls = https://idp.example.edu/idp/Authn/External
[ldap]
uri = ldap://127.0.0.1
bind_dn = cn=bridge,dc=example,dc=edu
bind_password_file = $d/ldap.password
user_base = ou=people,dc=example,dc=edu
[memcached]
servers = 127.0.0.1:11211
CONF
}

secrets() {
	mkdir -p "$d/log"
	rm -f "$d/idp.secret" "$d/state.key" "$d/ldap.password"
	(umask 077
	printf '%s\n' "an IdP secret of more than thirty-two bytes" >"$d/idp.secret"
	printf '%s\n' "a state key of at least thirty-two bytes for sealing" >"$d/state.key"
	printf '%s\n' "pw" >"$d/ldap.password")
}

# expect NAME WANT_STATUS PATTERN... < config: each PATTERN (a fixed string,
# FILE stands for the config's path) must be a line of the output
expect() {
	local name=$1 want=$2 out status p ok=1
	shift 2
	cat >"$d/bridge.conf"
	out=$("$ctl" config check --config "$d/bridge.conf" 2>&1)
	status=$?
	[ "$status" = "$want" ] || { ok=0; echo "FAIL $name: status $status, want $want"; }
	for p in "$@"; do
		p=${p//FILE/$d/bridge.conf}
		grep -qxF -- "$p" <<<"$out" || { ok=0; echo "FAIL $name: no line \"$p\""; }
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "--- output:"; echo "$out"; fi
	secrets
}

secrets
base | expect "a good configuration" 0 "FILE: OK"

base | sed "4s|.*|templates_dir = $d/no-templates|" |
	expect "templates_dir that does not exist" 1 "FILE:4: [server] templates_dir: $d/no-templates: No such file or directory" "FILE: 1 problem"
base | sed '4d' |
	expect "templates_dir unset" 1 "FILE: [server] templates_dir: required (the packaged pages are in /usr/share/fido-bridge/templates)"
base | sed "4s|.*|templates_dir = $d/state.key|" |
	expect "templates_dir that is a file" 1 "FILE:4: [server] templates_dir: $d/state.key: Not a directory"

base | sed "5s|.*|audit_log = $d/state.key/audit.log|" |
	expect "audit log under a file" 1 "FILE:5: [server] audit_log: $d/state.key/audit.log: Not a directory"
base | sed "5s|.*|audit_log = $d/log|" |
	expect "audit log that is a directory" 1 "FILE:5: [server] audit_log: $d/log: Is a directory"
base | sed "5s|.*|audit_log = $d/missing/audit.log|" |
	expect "audit log in a missing directory" 1 "FILE:5: [server] audit_log: cannot create $d/missing/audit.log in $d/missing: No such file or directory"
if [ "$(id -u)" != 0 ]; then
	# root may write anywhere: these two only mean something for another user
	chmod 0500 "$d/log"
	base | expect "audit log in a directory it may not write" 1 "FILE:5: [server] audit_log: cannot create $d/log/audit.log in $d/log: Permission denied"
	chmod 0700 "$d/log"; : >"$d/log/audit.log"; chmod 0400 "$d/log/audit.log"
	base | expect "audit log it may not append to" 1 "FILE:5: [server] audit_log: cannot append to $d/log/audit.log: Permission denied"
	rm -f "$d/log/audit.log"
fi

base | sed '2s/.*/listen_port = 0/' |
	expect "port 0" 1 "FILE:2: [server] listen_port: must be between 1 and 65535"
base | sed '2s/.*/listen_port = 65536/' |
	expect "port 65536" 1 "FILE:2: [server] listen_port: must be between 1 and 65535"

secrets; printf 'short\n' >"$d/idp.secret"
base | expect "a short IdP secret" 1 "FILE:11: [idp] secret_file: $d/idp.secret holds 5 bytes, fewer than 32 (make one with: openssl rand -base64 48)"
chmod 0644 "$d/state.key"
base | expect "a state key others may read" 1 "FILE:6: [server] state_key_file: $d/state.key is readable by others (mode 0644): chmod 0600, or 0640 with the service's group"
chmod 0620 "$d/state.key"
base | expect "a state key the group may write" 1 "FILE:6: [server] state_key_file: $d/state.key is writable by others (mode 0620): chmod 0600, or 0640 with the service's group"
chmod 0640 "$d/state.key"
base | expect "0640 (root:fido-bridge, as packaged) is accepted" 0 "FILE: OK"
chmod 0604 "$d/ldap.password"
base | expect "an LDAP password others may read" 1 "FILE:16: [ldap] bind_password_file: $d/ldap.password is readable by others (mode 0604): chmod 0600, or 0640 with the service's group"
rm -f "$d/idp.secret"
base | expect "a missing secret, with errno" 1 "FILE:11: [idp] secret_file: cannot read $d/idp.secret: No such file or directory"

{ base; printf '[webauthn]\nrp_id = example.org\n'; } |
	expect "a key given twice" 1 "FILE:21: [webauthn] rp_id: set again (first at line 8); give each key once"
base | sed '9s/$/ # the only origin/' |
	expect "an inline # comment" 1 "FILE:9: [webauthn] origins: the value holds an inline comment (\"# the only origin\"), which libinih keeps: put comments on a line of their own"
base | sed '9a\    https://sso.example.edu' |
	expect "an indented line" 1 "FILE:10: an indented line continues [webauthn] origins above (libinih's multi-line value): remove the indent"
base | sed '8s/^/  /' |
	expect "an indented key right after its section header is a key (inih reads it so)" 0 "FILE: OK"
base | sed '9s/^/\t/' |
	expect "an indented key under another key continues that key" 1 "FILE:9: an indented line continues [webauthn] rp_id above (libinih's multi-line value): remove the indent"
base | sed '3a\this is not ini' |
	expect "a line that is not ini" 1 "FILE:4: not \"key = value\", \"[section]\" or a comment"
base | sed '1s/.*/[server/' |
	expect "an unclosed section" 1 "FILE:1: a section header needs its closing ]"
base | sed "4s|.*|templates_dir = $tpl/$(printf 'x%.0s' $(seq 1 200))|" |
	expect "an over-long line" 1 "FILE:4: line longer than 199 characters (libinih's limit)"
base | sed '9s|.*|origins = https://login.example.org|' |
	expect "a cross-key rule at the line of its key" 1 "FILE:9: [webauthn] origins: \"https://login.example.org\" is outside rp_id example.edu (list it in related_origins)"

# the bug of old: the first error's line with the last error's message, and one error only
base | sed -e '2s/.*/listen_port = 80x/' -e '9s/$/ # main/' -e '14a\ldap_url = ldap://x' -e '19s/.*/srevers = 127.0.0.1:11211/' |
	expect "every problem at its own line" 1 \
	"FILE:2: [server] listen_port: not an integer" \
	"FILE:9: [webauthn] origins: the value holds an inline comment (\"# main\"), which libinih keeps: put comments on a line of their own" \
	"FILE:15: [ldap] ldap_url: unknown key" \
	"FILE:20: [memcached] srevers: unknown key" \
	"FILE: 4 problems"
# certificate sign-in with its CAs in [certificate_ca NAME] sections (config/cert_ca.c)
echo "not parsed by the check, only read" >"$d/ca.pem"
certs() {
	base
	cat <<CONF
[certificate]
enabled = true
url = https://cert.login.example.edu/authn/certificate
revocation = none
[certificate_ca uni]
trust_anchors_file = $d/ca.pem
match = mapping
map_attribute = mail
CONF
}
certs | expect "a CA of its own section, no [certificate] anchors" 0 "FILE: OK"
certs | sed '26s/.*/match = hash/' |
	expect "a CA's match" 1 "FILE:26: [certificate_ca uni] match: \"hash\" is not pairing or mapping" "FILE: 1 problem"
certs | sed '24s/.*/[certificate_ca Uni!]/' |
	expect "a CA's name" 1 "FILE:25: [certificate_ca Uni!]: a CA name is 1..32 of a-z, 0-9, - and _"
certs | sed '27s/.*/map_attrib = mail/' |
	expect "a CA's unknown key" 1 "FILE:27: [certificate_ca uni] map_attrib: unknown key"
certs | sed '25d' |
	expect "a CA without its file" 1 "FILE: [certificate_ca uni] trust_anchors_file: required (the CA certificates, PEM)"
certs | sed "25s|.*|trust_anchors_file = $d/none.pem|" |
	expect "a CA whose file is missing" 1 "FILE: [certificate_ca uni] trust_anchors_file: cannot read $d/none.pem: No such file or directory"
certs | sed '23s/.*/revocation = crl/' |
	expect "a CA that inherits revocation = crl without CRLs" 1 "FILE: [certificate_ca uni] revocation = crl needs [certificate] crl_files (or say proxy or none)"
certs | sed '24,27d' |
	expect "certificate sign-in with no CA at all" 1 "FILE:21: [certificate] enabled: needs the CAs whose certificates count: [certificate] trust_anchors_file or a [certificate_ca NAME] section"
# rules and files together: all of them, each at its line
chmod 0644 "$d/idp.secret"
base | sed -e "4s|.*|templates_dir = $d/nope|" -e '9s|.*|origins = http://login.example.edu|' |
	expect "rules and files, all reported" 1 \
	"FILE:9: [webauthn] origins: \"http://login.example.edu\" is not https://host[:port] (http only on localhost)" \
	"FILE:4: [server] templates_dir: $d/nope: No such file or directory" \
	"FILE:11: [idp] secret_file: $d/idp.secret is readable by others (mode 0644): chmod 0600, or 0640 with the service's group" \
	"FILE: 3 problems"

out=$("$ctl" config check --config "$d/none.conf" 2>&1)
if [ $? = 1 ] && grep -qxF "$d/none.conf: cannot open: No such file or directory" <<<"$out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL cannot open: $out"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
