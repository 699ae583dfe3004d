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
# --- enrolment links: the cap, the expiry's forms, the audit line, list/revoke, bulk
pending() { "$ctl" user show "$1" --config "$BRIDGE_CONFIG" | jq '.pending_enrolment_codes'; }
n_carol=$(pending carol)
check "enroll refuses a --ttl over max_link_ttl (30d by default)" sh -c "'$ctl' enroll carol --ttl 31d --config '$BRIDGE_CONFIG' >'$dir/out' 2>'$dir/err'; test \$? = 2 && grep -q 'longer than \[enrolment\] max_link_ttl (2592000s)' '$dir/err' && test ! -s '$dir/out'"
check "and stores nothing" test "$(pending carol)" = "$n_carol"
check "enroll prints the expiry in local time and ISO 8601" sh -c "TZ=Asia/Tokyo '$ctl' enroll carol --ttl 2h --config '$BRIDGE_CONFIG' 2>'$dir/err' >/dev/null && grep -Eq 'valid until [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+09:00 JST \([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\)' '$dir/err'"
check "the local and UTC forms are the same instant" sh -c "l=\$(sed -E 's/.*until ([^ ]+) .*/\\1/' '$dir/err'); u=\$(sed -E 's/.*\\(([^)]+)\\).*/\\1/' '$dir/err'); test \"\$(date -d \"\$l\" +%s)\" = \"\$(date -d \"\$u\" +%s)\" && test \$((\$(date -d \"\$u\" +%s) - \$(date +%s))) -gt 7100"
check "the audit line names the administrator (SUDO_USER)" sh -c "SUDO_USER=helpdesk-anna '$ctl' enroll carol --ttl 1h --config '$BRIDGE_CONFIG' >/dev/null 2>&1 && grep '\"event\":\"enrolment_link_issued\"' '$AUDIT_LOG' | tail -1 | jq -e '.username == \"carol\" and .admin == \"helpdesk-anna\" and .by == \"bridgectl\"'"
n_carol=$(pending carol)
sed "s|^audit_log = .*|audit_log = $dir/no-such-dir/audit.log|" "$BRIDGE_CONFIG" >"$dir/no-audit.conf"
check "enroll fails when the audit log cannot be opened" sh -c "! '$ctl' enroll carol --config '$dir/no-audit.conf' >'$dir/out' 2>'$dir/err' && grep -q 'cannot open the audit log .*No such file or directory; no link issued' '$dir/err' && test ! -s '$dir/out'"
sed "s|^audit_log = .*|audit_log = /dev/full|" "$BRIDGE_CONFIG" >"$dir/full-audit.conf"
check "enroll fails when the audit line cannot be written" sh -c "! '$ctl' enroll carol --config '$dir/full-audit.conf' >'$dir/out' 2>'$dir/err' && grep -q 'cannot write the audit log /dev/full: No space left on device; no link issued' '$dir/err' && test ! -s '$dir/out'"
check "and neither leaves a code in the directory" test "$(pending carol)" = "$n_carol"
check "enrolment list shows carol's pending links, none expired" sh -c "'$ctl' enrolment list carol --config '$BRIDGE_CONFIG' | jq -e 'length == $n_carol and all(.expired == false) and all(.expires | test(\"Z\$\"))'"
check "enrolment list shows bob's link as expired" sh -c "'$ctl' enrolment list bob --config '$BRIDGE_CONFIG' | jq -e 'length == 1 and .[0].expired == true and .[0].expires == \"2020-01-01T00:00:00Z\"'"
link=$("$ctl" enroll carol --ttl 1h --config "$BRIDGE_CONFIG" 2>/dev/null)
check "enrolment revoke removes every pending link" sh -c "'$ctl' enrolment revoke carol --config '$BRIDGE_CONFIG' | grep -qx 'revoked $((n_carol + 1)) enrolment links of carol'"
check "none are left" test "$(pending carol)" = 0
check "revoking is audited with the administrator" sh -c "grep '\"event\":\"enrolment_links_revoked\"' '$AUDIT_LOG' | tail -1 | jq -e '.username == \"carol\" and .count == $((n_carol + 1)) and (.admin | length) > 0'"
check "a revoked link no longer opens" sh -c "! curl -fsS '$link' | grep -q 'data-page=\"enroll\"'"
printf 'carol\n# a comment\n\n  bob  \nnobody-here\ndave\n' >"$dir/users.txt"
"$ctl" enroll --from "$dir/users.txt" --ttl 1d --config "$BRIDGE_CONFIG" >"$dir/bulk.csv" 2>"$dir/bulk.err"
bulk_status=$?
check "bulk enroll fails when a user has no link" test "$bulk_status" = 1
check "its CSV holds a header and one row per user issued" sh -c "test \"\$(head -1 '$dir/bulk.csv')\" = 'user,link,expires' && test \$(wc -l <'$dir/bulk.csv') = 3"
check "each row: user, that user's link, the expiry in UTC" sh -c "grep -Eqx 'carol,$BRIDGE_URL/enroll\\?u=carol&c=[A-Z2-9]{12},[0-9-]{10}T[0-9:]{8}Z' '$dir/bulk.csv' && grep -Eqx 'bob,$BRIDGE_URL/enroll\\?u=bob&c=[A-Z2-9]{12},[0-9-]{10}T[0-9:]{8}Z' '$dir/bulk.csv'"
check "the failures are named with their lines" sh -c "grep -q 'users.txt:5: no link for nobody-here' '$dir/bulk.err' && grep -q 'users.txt:6: no link for dave' '$dir/bulk.err' && grep -q '2 links issued, 2 failed' '$dir/bulk.err'"
check "the bulk links open the enrolment page" sh -c "curl -fsS \"\$(grep '^carol,' '$dir/bulk.csv' | cut -d, -f2)\" | grep -q 'data-page=\"enroll\"'"
check "bulk enroll reads standard input for -" sh -c "printf 'alice\\n' | '$ctl' enroll --from - --ttl 1h --config '$BRIDGE_CONFIG' 2>/dev/null | grep -Eq '^alice,$BRIDGE_URL/enroll'"
"$ctl" enrolment revoke alice --config "$BRIDGE_CONFIG" >/dev/null 2>&1
# an expired code is refused as expired, a wrong one as bad_code
curl -s -o /dev/null "$BRIDGE_URL/enroll?u=bob&c=EXPIRED42Q"
check "an expired code is audited as expired" sh -c "grep '\"event\":\"enrolment_link_refused\"' '$AUDIT_LOG' | tail -1 | jq -e '.reason == \"expired\" and .username == \"bob\"'"
curl -s -o /dev/null "$BRIDGE_URL/enroll?u=bob&c=WRONGCODE22"
check "a wrong code is audited as bad_code" sh -c "grep '\"event\":\"enrolment_link_refused\"' '$AUDIT_LOG' | tail -1 | jq -e '.reason == \"bad_code\"'"
"$ctl" enrolment revoke bob --config "$BRIDGE_CONFIG" >/dev/null 2>&1

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
