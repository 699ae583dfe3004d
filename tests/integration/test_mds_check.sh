#!/usr/bin/env bash
# bridgectl mds check and the metadata's names in bridgectl user show, against
# the private slapd with-services.sh started: credentials of a model whose
# status reports say REVOKED are listed, others are not.
# usage (through with-services.sh --slapd): test_mds_check.sh BRIDGECTL MAKE_MDS_BLOBS
set -euo pipefail
ctl=$1
make=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$make" "$t"
printf '%s' "$LDAP_BRIDGE_PW" >"$t/bind.pw"
cat >"$t/bridge.conf" <<CONF
[ldap]
uri = $LDAP_URI
bind_dn = $LDAP_BRIDGE_DN
bind_password_file = $t/bind.pw
user_base = $LDAP_PEOPLE_BASE
[attestation]
mds_file = $t/mds.json
mds_root_file = $t/root.pem
mds_crl_files = $t/crl.pem
CONF
"$ctl" mds import "$t/blob-5.jwt" --config "$t/bridge.conf" >/dev/null 2>&1 || fail "import"

# nothing registered yet with either model
"$ctl" mds check --config "$t/bridge.conf" >"$t/out" 2>"$t/err" || fail "check on a clean directory: $(cat "$t/err")"
[ ! -s "$t/out" ] || fail "clean directory reported: $(cat "$t/out")"

cred() { # USER ID-B64URL AAGUID
	cat <<LDIF
dn: fidoCredentialId=$2,uid=$1,$LDAP_PEOPLE_BASE
objectClass: fidoCredential
fidoCredentialId: $2
fidoPublicKey:: pQECAyYgASFYIGJy52k4nMXOrB8NC5XNoo+IX4aFBt8+qSFjTzsUhmV1IlggDvFYYTjR0I49wV+Cccvx+i9/sJ5jTrlGniXkG74UlmE=
fidoSignCount: 0
fidoCreated: 20260101000000Z
fidoAAGUID: $3
fidoNickname: key of $1

LDIF
}
{
	cred bob cmV2b2tlZC1ib2I fa2b99dc-9e39-4257-8f92-4a30d23c4118
	cred carol Z29vZC1jYXJvbA ee882879-721c-4913-9775-3dfcce97072a
} >"$t/creds.ldif"
ldapadd -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" -f "$t/creds.ldif" >/dev/null || fail "ldapadd"

set +e
"$ctl" mds check --config "$t/bridge.conf" >"$t/out" 2>"$t/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "mds check exit $rc (want 1): $(cat "$t/err")"
[ "$(wc -l <"$t/out")" -eq 1 ] || fail "want one line: $(cat "$t/out")"
jq -e '.reason == "mds_status_REVOKED" and .credential_id == "cmV2b2tlZC1ib2I" and .model == "Leaky Key"
	and (.dn | test("uid=bob,")) and .aaguid == "fa2b99dc-9e39-4257-8f92-4a30d23c4118"' "$t/out" >/dev/null ||
	fail "report: $(cat "$t/out")"
echo "ok: mds check lists bob's credential of the revoked model only"

# names from the metadata in user show (no names file configured)
"$ctl" user show carol --config "$t/bridge.conf" | jq -e '.credentials[0].authenticator == "Example Key 5"' >/dev/null ||
	fail "user show carol: no model name"
"$ctl" user show bob --config "$t/bridge.conf" | jq -e '.credentials[0].authenticator == "Leaky Key"' >/dev/null ||
	fail "user show bob: no model name"
echo "ok: user show names the models"
