#!/usr/bin/env bash
# bridgectl's directory commands, password enrolment and /.well-known/webauthn
# against a real stack (slapd, memcached, the bridge), with both optional
# features switched on. usage: test_admin_and_options.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD_DIR=$1
dir=$(mktemp -d /tmp/bridge-admin.XXXXXX)
trap '"$here/../stack/stop-stack.sh" "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
export STACK_EXTRA_CONF='[enrolment]\nallow_password = true\npassword_attempts = 3\n[webauthn]\nrelated_origins = https://login.example.org'
"$here/../stack/start-stack.sh" "$dir" >/dev/null || { echo "stack did not start"; exit 1; }
. "$dir/env"
ctl="$BUILD_DIR/bridgectl"
pass=0
fail=0
check() { # check NAME COMMAND...: the command must succeed
	if "${@:2}" >/dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}
post() { # post PATH JSON [COOKIEJAR] -> "STATUS BODY"
	curl -s -o "$dir/body" -w '%{http_code}' -b "${3:-$dir/jar}" -c "${3:-$dir/jar}" \
		-H "Origin: $BRIDGE_URL" -H 'Content-Type: application/json' -d "$2" "$BRIDGE_URL$1"
}

# --- bridgectl
check "user show alice" sh -c "'$ctl' user show alice --config '$BRIDGE_CONFIG' | jq -e '.username == \"alice\" and .disabled == false and (.attributes.eduPersonPrincipalName | length) == 1'"
check "user show unknown fails" sh -c "! '$ctl' user show nobody-here --config '$BRIDGE_CONFIG'"
check "credential list is an empty array" sh -c "'$ctl' credential list alice --config '$BRIDGE_CONFIG' | jq -e 'type == \"array\" and length == 0'"
check "enroll prints a link" sh -c "'$ctl' enroll carol --ttl 1h --config '$BRIDGE_CONFIG' | grep -E '^$BRIDGE_URL/enroll\\?u=carol&c=[A-Z2-9]{12}\$'"
check "enroll refuses a disabled account" sh -c "! '$ctl' enroll dave --config '$BRIDGE_CONFIG'"
check "the code is stored hashed, not as issued" sh -c "'$ctl' user show carol --config '$BRIDGE_CONFIG' | jq -e '.pending_enrolment_codes == 1'"
check "directory check passes on the full schema" "$ctl" directory check --config "$BRIDGE_CONFIG"
sed 's/^user_base = ou=people,/user_base = ou=nobody-here,/' "$BRIDGE_CONFIG" >"$dir/bad-base.conf"
check "the config with a wrong user_base differs" sh -c "! cmp -s '$BRIDGE_CONFIG' '$dir/bad-base.conf'"
check "directory check fails for a user_base that does not exist" sh -c "! '$ctl' directory check --config '$dir/bad-base.conf' >'$dir/bad-base.out'"
check "and says so" grep -q '^ERROR: user_base ou=nobody-here,.*: no such entry' "$dir/bad-base.out"
check "credential delete of an unknown id fails" sh -c "! '$ctl' credential delete alice AAAA --config '$BRIDGE_CONFIG'"
check "credential delete refuses a non-base64url id" sh -c "! '$ctl' credential delete alice 'a=b' --config '$BRIDGE_CONFIG'"
# a credential written over LDAP, then deleted with bridgectl
cat >"$dir/cred.ldif" <<LDIF
dn: fidoCredentialId=dGVzdC1jcmVk,uid=bob,$LDAP_PEOPLE_BASE
objectClass: fidoCredential
fidoCredentialId: dGVzdC1jcmVk
fidoPublicKey:: pQECAyYgASFYIGJy52k4nMXOrB8NC5XNoo+IX4aFBt8+qSFjTzsUhmV1IlggDvFYYTjR0I49wV+Cccvx+i9/sJ5jTrlGniXkG74UlmE=
fidoSignCount: 0
fidoCreated: 20260101000000Z
LDIF
check "ldapadd a credential for bob" ldapadd -x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" -f "$dir/cred.ldif"
check "credential list shows it" sh -c "'$ctl' credential list bob --config '$BRIDGE_CONFIG' | jq -e 'length == 1 and .[0].id == \"dGVzdC1jcmVk\"'"
check "credential delete removes it" "$ctl" credential delete bob dGVzdC1jcmVk --config "$BRIDGE_CONFIG"
check "and it is gone" sh -c "'$ctl' credential list bob --config '$BRIDGE_CONFIG' | jq -e 'length == 0'"
check "the audit log recorded the delete" grep -q '"event":"credential_deleted".*"by":"bridgectl"' "$AUDIT_LOG"

# --- /.well-known/webauthn: only for the RP id's host
check "well-known on the RP id host" sh -c "curl -fsS -H 'Host: localhost' '$BRIDGE_URL/.well-known/webauthn' | jq -e '.origins == [\"https://login.example.org\"]'"
check "well-known not on another host" sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: 127.0.0.1' '$BRIDGE_URL/.well-known/webauthn')\" = 404"

# --- password enrolment (first passkey only, limited per account)
check "the enrol page offers the password form" sh -c "curl -fsS -c '$dir/jar' '$BRIDGE_URL/enroll' | grep -q 'data-page=\"enroll-password\"'"
st=$(post /api/enrol/password '{"username":"hanako","password":"wrong"}')
check "wrong password is refused" sh -c "test '$st' = 403 && jq -e '.error == \"failed\"' '$dir/body'"
st=$(post /api/enrol/password '{"username":"nobody-here","password":"wrong"}')
check "unknown user gets the same answer" sh -c "test '$st' = 403 && jq -e '.error == \"failed\"' '$dir/body'"
st=$(post /api/enrol/password '{"username":"hanako","password":"user-demo-password"}')
check "right password opens an enrolment" sh -c "test '$st' = 200 && jq -e '.next == \"/enroll\"' '$dir/body'"
check "the enrolment page follows" sh -c "curl -fsS -b '$dir/jar' '$BRIDGE_URL/enroll' | grep -q 'data-page=\"enroll\"'"
st=$(post /api/register/options '{}')
check "registration options for hanako" sh -c "test '$st' = 200 && jq -e '.publicKey.user.name == \"hanako\"' '$dir/body'"
st=$(post /api/enrol/password '{"username":"hanako","password":"x"}' "$dir/jar2")
check "the third check this hour is still answered" sh -c "test '$st' = 403"
st=$(post /api/enrol/password '{"username":"HANAKO","password":"user-demo-password"}' "$dir/jar2")
check "the fourth (respelt) is refused, right password or not" sh -c "test '$st' = 429"
st=$(post /api/enrol/password '{"username":"dave","password":"user-demo-password"}' "$dir/jar3")
check "a disabled account cannot enrol" sh -c "test '$st' = 403"
check "no password reaches the audit log" sh -c "! grep -q 'user-demo-password' '$AUDIT_LOG'"
check "refusals are audited" grep -q '"event":"enrolment_password_refused".*"reason":"bad_password"' "$AUDIT_LOG"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
