#!/bin/bash
# selftest.sh -- checks ldap-schema/* and the tests/services helpers against
# real, private slapd and memcached processes (never the system services).
#
#   tests/services/selftest.sh          # exit status 0 = everything passed
#   KEEP=1 tests/services/selftest.sh   # keep the temporary dir for debugging
#
# Works as root (how CI runs it) and as an ordinary user.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
. "$HERE/lib.sh"
SCHEMA=$SVC_SCHEMA_DIR

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fido-svc.XXXXXX") || exit 1
PASS=0
FAIL=0

cleanup() {
	"$HERE/stop-slapd.sh" "$WORK/ldap" || FAIL=$((FAIL + 1))
	"$HERE/stop-slapd.sh" "$WORK/bare" || FAIL=$((FAIL + 1))
	"$HERE/stop-slapd.sh" "$WORK/offline" || FAIL=$((FAIL + 1))
	"$HERE/stop-memcached.sh" "$WORK/mc" || FAIL=$((FAIL + 1))
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $WORK"
	else
		rm -rf "$WORK"
	fi
	echo "# passed: $PASS, failed: $FAIL"
	[ $FAIL -eq 0 ] && echo "# selftest OK" || echo "# selftest FAILED"
	[ $FAIL -eq 0 ] && exit 0
	exit 1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...   (passes when COMMAND succeeds)
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
fatal() { not_ok "$*"; exit 1; }
# has_line FILE LINE   (exact whole-line match)
has_line() { grep -qxF -- "$2" "$1"; }
# rc_is EXPECTED COMMAND...
rc_is() {
	local want=$1 got
	shift
	"$@" >"$WORK/rc.out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] && return 0
	echo "#   expected exit $want, got $got from: $*" >&2
	sed 's/^/#   | /' "$WORK/rc.out" >&2
	return 1
}

echo "# work dir $WORK, running as $(id -un)"

# ---------------------------------------------------------------------------
# 0. the slapd.conf (.schema) and cn=config (.ldif) forms say the same thing
# ---------------------------------------------------------------------------
mkdir -p "$WORK/slaptest/out"
cat >"$WORK/slaptest/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $SCHEMA/eduperson.schema
include $SCHEMA/fido-bridge.schema
include $SCHEMA/fido-bridge-cert.schema
EOF
check "slaptest accepts eduperson.schema and fido-bridge.schema" \
	rc_is 0 /usr/sbin/slaptest -f "$WORK/slaptest/slapd.conf" -F "$WORK/slaptest/out"

# ---------------------------------------------------------------------------
# 1. main server: full config via slapadd -n0, sample data via slapadd
# ---------------------------------------------------------------------------
"$HERE/start-slapd.sh" "$WORK/ldap" || fatal "start-slapd.sh"
ok "start-slapd.sh"
for v in LDAP_URI LDAP_PORT LDAPI_URI SLAPD_PID LDAP_BASE LDAP_ADMIN_DN \
	LDAP_ADMIN_PW LDAP_BRIDGE_DN LDAP_BRIDGE_PW; do
	grep -q "^$v='..*'\$" "$WORK/ldap/env" || not_ok "env lacks $v"
done
. "$WORK/ldap/env"
check "slapd pid $SLAPD_PID alive" svc_pid_is "$SLAPD_PID" slapd

# schema_defs FILE -> the attribute type / object class definitions of a
# cn=config schema entry, unfolded, whitespace-normalised, one per line
schema_defs() {
	awk '
		/^ / { cur = cur substr($0, 2); next }
		{ if (cur != "") print cur; cur = $0 }
		END { if (cur != "") print cur }
	' "$1" | grep -E '^olc(AttributeTypes|ObjectClasses):' |
		sed -E 's/^([A-Za-z]+): (\{[0-9]+\})?/\1: /; s/[[:space:]]+/ /g'
}
for s in eduperson fido-bridge fido-bridge-cert; do
	case $s in eduperson) n=3 ;; fido-bridge) n=4 ;; *) n=5 ;; esac
	schema_defs "$WORK/slaptest/out/cn=config/cn=schema/cn={$n}$s.ldif" >"$WORK/defs.$s.schema"
	schema_defs "$SLAPD_DIR/slapd.d/cn=config/cn=schema/cn={$n}$s.ldif" >"$WORK/defs.$s.ldif"
	check "$s: .schema and .ldif define identical schema" \
		eval "[ -s '$WORK/defs.$s.ldif' ] && diff '$WORK/defs.$s.schema' '$WORK/defs.$s.ldif'"
done
check "fido-bridge defines 14 attribute types and 2 classes" eval \
	'[ "$(grep -c ^olcAttributeTypes "$WORK/defs.fido-bridge.ldif")" = 14 ] &&
	 [ "$(grep -c ^olcObjectClasses "$WORK/defs.fido-bridge.ldif")" = 2 ]'
check "fido-bridge-cert defines 7 attribute types and 1 class" eval \
	'[ "$(grep -c ^olcAttributeTypes "$WORK/defs.fido-bridge-cert.ldif")" = 7 ] &&
	 [ "$(grep -c ^olcObjectClasses "$WORK/defs.fido-bridge-cert.ldif")" = 1 ]'

PEOPLE="ou=people,$LDAP_BASE"
ALICE="uid=alice,$PEOPLE"
BOB="uid=bob,$PEOPLE"
CAROL="uid=carol,$PEOPLE"
AS_BRIDGE=(-x -H "$LDAP_URI" -D "$LDAP_BRIDGE_DN" -w "$LDAP_BRIDGE_PW")
AS_ADMIN=(-x -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW")
AS_ALICE=(-x -H "$LDAP_URI" -D "$ALICE" -w "$LDAP_USER_PW")
AS_BOB=(-x -H "$LDAP_URI" -D "$BOB" -w "$LDAP_USER_PW")
AS_CAROL=(-x -H "$LDAP_URI" -D "$CAROL" -w "$LDAP_USER_PW")
AS_CONFIG=(-Q -Y EXTERNAL -H "$LDAPI_URI")
# search AUTH-ARRAY-NAME OUTFILE ldapsearch-args...
search() {
	local -n auth=$1
	local out=$2
	shift 2
	ldapsearch -LLL -o ldif-wrap=no "${auth[@]}" "$@" >"$out" 2>"$out.err"
}

# --- user lookup by uid (bridge identity)
search AS_BRIDGE "$WORK/s1" -b "$LDAP_BASE" '(uid=alice)' dn eduPersonPrincipalName
check "bridge finds uid=alice" has_line "$WORK/s1" "dn: $ALICE"
check "alice has eduPersonPrincipalName" has_line "$WORK/s1" "eduPersonPrincipalName: alice@example.edu"

search AS_BRIDGE "$WORK/s2" -b "$LDAP_BASE" '(uid=hanako)' displayName
check "hanako displayName is UTF-8 山田 花子" \
	has_line "$WORK/s2" "displayName:: $(printf '山田 花子' | base64)"

search AS_BRIDGE "$WORK/s3" -b "$PEOPLE" '(employeeType=disabled)' dn
check "exactly one disabled account (dave)" \
	test "$(grep -c '^dn:' "$WORK/s3")" = 1 -a "$(grep '^dn:' "$WORK/s3")" = "dn: uid=dave,$PEOPLE"

search AS_BRIDGE "$WORK/s4" -b "$PEOPLE" '(uid=*)' dn
check "five people in the sample directory" test "$(grep -c '^dn: uid=' "$WORK/s4")" = 5

check "anonymous bind with wrong password fails" \
	rc_is 49 ldapwhoami -x -H "$LDAP_URI" -D "$ALICE" -w wrong
check "user bind with demo password works" \
	rc_is 0 ldapwhoami "${AS_ALICE[@]}"
check "anonymous users see nothing below the suffix" \
	rc_is 32 ldapsearch -LLL -x -H "$LDAP_URI" -b "$LDAP_BASE" '(uid=alice)' dn

# --- enrolment codes: bridge-only
search AS_BRIDGE "$WORK/e1" -b "$BOB" -s base fidoEnrolmentCode
check "bridge reads bob's one (expired) enrolment code" \
	test "$(grep -c '^fidoEnrolmentCode: v1\$[A-Za-z0-9_-]*\$[A-Za-z0-9_-]\{43\}\$[0-9]\{14\}Z$' "$WORK/e1")" = 1
check "the sample directory publishes no valid code" \
	eval '! grep -q "fidoEnrolmentCode: .*\$20[3-9][0-9]" "$WORK/e1"'
# EXPIRED42Q must verify against the stored v1 value (format in README.md).
code_ok() {
	local line salt hash calc
	line=$(grep '20200101000000Z$' "$WORK/e1") || return 1
	IFS='$' read -r _ salt hash _ <<<"${line#fidoEnrolmentCode: }"
	b64u_pad() { local s=${1//-/+}; s=${s//_//}; while [ $(( ${#s} % 4 )) -ne 0 ]; do s+='='; done; printf '%s' "$s"; }
	calc=$({ printf '%s' "$(b64u_pad "$salt")" | base64 -d; printf 'EXPIRED42Q'; } |
		openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
	[ -n "$calc" ] && [ "$calc" = "$hash" ]
}
if command -v openssl >/dev/null 2>&1; then
	check "enrolment code EXPIRED42Q matches its stored hash" code_ok
fi
search AS_BOB "$WORK/e2" -b "$BOB" -s base fidoEnrolmentCode objectClass
check "bob reads his own entry" has_line "$WORK/e2" "dn: $BOB"
check "bob cannot read his own enrolment code hashes" \
	eval '! grep -q "^fidoEnrolmentCode" "$WORK/e2"'

# --- bridge turns alice into a fidoUser and registers a credential
HANDLE_HEX='8f3a01ff00c4d2e97b6a5c4d3e2f1a0b'
HANDLE_B64=$(printf '%s' "$HANDLE_HEX" | sed 's/../\\x&/g' | xargs -0 printf '%b' | base64)
HANDLE_FILTER=$(printf '%s' "$HANDLE_HEX" | sed 's/../\\&/g')
CRED_ID='Kp3-x_Q9zR7wYb2LmN4vT8aE1cU6dH0j'     # mixed case on purpose
CRED_ID_LC=$(printf '%s' "$CRED_ID" | tr '[:upper:]' '[:lower:]')
CRED_DN="fidoCredentialId=$CRED_ID,$ALICE"
# COSE EC2 key header bytes followed by random bytes: never printable ASCII
PK_B64=$({ printf '\xa5\x01\x02\x03\x26\x20\x01\x21\x58\x20'; head -c 66 /dev/urandom; } | base64 -w0)

check "bridge adds objectClass fidoUser + fidoUserHandle to alice" rc_is 0 ldapmodify "${AS_BRIDGE[@]}" <<EOF
dn: $ALICE
changetype: modify
add: objectClass
objectClass: fidoUser
-
add: fidoUserHandle
fidoUserHandle:: $HANDLE_B64
EOF

check "bridge adds a fidoCredential child entry (binary fidoPublicKey)" rc_is 0 ldapadd "${AS_BRIDGE[@]}" <<EOF
dn: $CRED_DN
objectClass: fidoCredential
fidoCredentialId: $CRED_ID
fidoPublicKey:: $PK_B64
fidoSignCount: 0
fidoCreated: 20240501093000Z
fidoAAGUID: ee882879-721c-4913-9775-3dfcce97072a
fidoTransports: usb
fidoTransports: nfc
fidoAttestationFormat: packed
fidoBackupEligible: FALSE
fidoBackupState: FALSE
fidoUserVerified: TRUE
fidoNickname:: $(printf 'Schlüssel 鍵' | base64)
EOF

search AS_BRIDGE "$WORK/c1" -b "$PEOPLE" "(fidoCredentialId=$CRED_ID)" fidoPublicKey fidoSignCount
check "search by fidoCredentialId (equality) finds the credential" has_line "$WORK/c1" "dn: $CRED_DN"
check "fidoPublicKey round-trips byte for byte" has_line "$WORK/c1" "fidoPublicKey:: $PK_B64"
check "fidoSignCount stored" has_line "$WORK/c1" "fidoSignCount: 0"
search AS_BRIDGE "$WORK/c2" -b "$PEOPLE" "(fidoCredentialId=$CRED_ID_LC)" dn
check "fidoCredentialId equality is case-sensitive (lower-cased id finds nothing)" \
	eval '[ -s "$WORK/c1" ] && ! grep -q "^dn:" "$WORK/c2" && ! [ -s "$WORK/c2.err" ]'
search AS_BRIDGE "$WORK/c3" -b "$PEOPLE" "(fidoUserHandle=$HANDLE_FILTER)" dn fidoUserHandle
check "search by fidoUserHandle (escaped octets) finds alice" has_line "$WORK/c3" "dn: $ALICE"
check "fidoUserHandle round-trips" has_line "$WORK/c3" "fidoUserHandle:: $HANDLE_B64"
check "bridge updates fidoSignCount and fidoLastUsed" rc_is 0 ldapmodify "${AS_BRIDGE[@]}" <<EOF
dn: $CRED_DN
changetype: modify
replace: fidoSignCount
fidoSignCount: 7
-
replace: fidoLastUsed
fidoLastUsed: 20240502101500Z
EOF
search AS_BRIDGE "$WORK/c5" -b "$PEOPLE" '(&(fidoSignCount>=5)(fidoLastUsed>=20240502000000Z))' dn
check "ordering search on fidoSignCount / fidoLastUsed finds it" has_line "$WORK/c5" "dn: $CRED_DN"

check "schema: fidoCredential without fidoSignCount is rejected" rc_is 65 ldapadd "${AS_BRIDGE[@]}" <<EOF
dn: fidoCredentialId=bad,$ALICE
objectClass: fidoCredential
fidoCredentialId: bad
fidoPublicKey:: AAAA
fidoCreated: 20240501093000Z
EOF
check "schema: fidoCredentialId is single-valued" rc_is 19 ldapmodify "${AS_BRIDGE[@]}" <<EOF
dn: $CRED_DN
changetype: modify
add: fidoCredentialId
fidoCredentialId: second
EOF

# --- index use: with an "unchecked" limit of 2 candidates for carol,
#     an unindexed equality search over the people subtree is refused
#     (adminLimitExceeded) while the indexed ones are answered.
check "add a test-only olcLimits for carol via ldapi EXTERNAL" rc_is 0 ldapmodify "${AS_CONFIG[@]}" <<EOF
dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcLimits
olcLimits: dn.exact="$CAROL" size.unchecked=2
EOF
check "fidoCredentialId equality search is indexed" \
	rc_is 0 ldapsearch -LLL "${AS_CAROL[@]}" -b "$PEOPLE" "(fidoCredentialId=$CRED_ID)" dn
check "fidoUserHandle equality search is indexed" \
	rc_is 0 ldapsearch -LLL "${AS_CAROL[@]}" -b "$PEOPLE" "(fidoUserHandle=$HANDLE_FILTER)" dn
check "control: unindexed fidoAAGUID equality search hits the limit" \
	rc_is 11 ldapsearch -LLL "${AS_CAROL[@]}" -b "$PEOPLE" '(fidoAAGUID=ee882879-721c-4913-9775-3dfcce97072a)' dn
ldapmodify "${AS_CONFIG[@]}" >/dev/null 2>&1 <<EOF
dn: olcDatabase={1}mdb,cn=config
changetype: modify
delete: olcLimits
EOF

# --- ACL
search AS_ALICE "$WORK/a1" -b "$ALICE" '(objectClass=fidoCredential)' fidoCredentialId fidoPublicKey
check "alice reads her own credential" has_line "$WORK/a1" "dn: $CRED_DN"
check "alice reads her own public key" has_line "$WORK/a1" "fidoPublicKey:: $PK_B64"
search AS_BOB "$WORK/a2" -b "$PEOPLE" '(objectClass=fidoCredential)' dn
search AS_BOB "$WORK/a3" -b "$PEOPLE" "(fidoCredentialId=$CRED_ID)" dn
check "bob cannot see alice's credential" \
	eval '! grep -q "^dn:" "$WORK/a2" "$WORK/a3"'
check "bob cannot read alice's credential entry by DN" \
	rc_is 32 ldapsearch -LLL "${AS_BOB[@]}" -b "$CRED_DN" -s base dn
search AS_BOB "$WORK/a4" -b "$ALICE" -s base cn fidoUserHandle
check "bob still reads alice's ordinary attributes" has_line "$WORK/a4" "cn: Alice Anderson"
check "bob cannot read alice's fidoUserHandle" eval '! grep -q "^fidoUserHandle" "$WORK/a4"'
check "alice cannot add a credential herself" rc_is 50 ldapadd "${AS_ALICE[@]}" <<EOF
dn: fidoCredentialId=selfmade,$ALICE
objectClass: fidoCredential
fidoCredentialId: selfmade
fidoPublicKey:: AAAA
fidoSignCount: 0
fidoCreated: 20240501093000Z
EOF
check "alice cannot change her own fidoSignCount" rc_is 50 ldapmodify "${AS_ALICE[@]}" <<EOF
dn: $CRED_DN
changetype: modify
replace: fidoSignCount
fidoSignCount: 0
EOF
check "alice cannot replace her own fidoUserHandle" rc_is 50 ldapmodify "${AS_ALICE[@]}" <<EOF
dn: $ALICE
changetype: modify
replace: fidoUserHandle
fidoUserHandle:: AAE=
EOF
check "alice cannot delete her own credential" rc_is 50 ldapdelete "${AS_ALICE[@]}" "$CRED_DN"
check "bob cannot delete alice's credential" rc_is 50 ldapdelete "${AS_BOB[@]}" "$CRED_DN"
check "bridge may not remove other objectClass values" rc_is 50 ldapmodify "${AS_BRIDGE[@]}" <<EOF
dn: $ALICE
changetype: modify
delete: objectClass
objectClass: eduPerson
EOF
check "bridge may not create non-credential children" rc_is 50 ldapadd "${AS_BRIDGE[@]}" <<EOF
dn: cn=junk,$ALICE
objectClass: applicationProcess
cn: junk
EOF
check "bridge deletes the credential" rc_is 0 ldapdelete "${AS_BRIDGE[@]}" "$CRED_DN"
search AS_ADMIN "$WORK/a5" -b "$PEOPLE" '(objectClass=fidoCredential)' dn
check "credential is gone" eval '[ -e "$WORK/a5" ] && ! grep -q "^dn:" "$WORK/a5"'

# ---------------------------------------------------------------------------
# 2. throw-away server with only core/cosine/inetorgperson: load our files
#    the way an administrator would, with ldapadd/ldapmodify over ldapi
# ---------------------------------------------------------------------------
"$HERE/start-slapd.sh" --bare "$WORK/bare" || fatal "start-slapd.sh --bare"
ok "start-slapd.sh --bare"
BARE_LDAPI=$(. "$WORK/bare/env" && printf '%s' "$LDAPI_URI")
BARE_URI=$(. "$WORK/bare/env" && printf '%s' "$LDAP_URI")
BARE_CONFIG=(-Q -Y EXTERNAL -H "$BARE_LDAPI")
search BARE_CONFIG "$WORK/b0" -b cn=schema,cn=config -s one cn
check "bare server starts without fido-bridge schema" \
	eval 'grep -q "^cn: {2}inetorgperson" "$WORK/b0" && ! grep -q "fido-bridge" "$WORK/b0"'
check "ldapadd -Y EXTERNAL eduperson.ldif" \
	rc_is 0 ldapadd "${BARE_CONFIG[@]}" -f "$SCHEMA/eduperson.ldif"
check "ldapadd -Y EXTERNAL fido-bridge.ldif" \
	rc_is 0 ldapadd "${BARE_CONFIG[@]}" -f "$SCHEMA/fido-bridge.ldif"
check "ldapadd -Y EXTERNAL fido-bridge-cert.ldif" \
	rc_is 0 ldapadd "${BARE_CONFIG[@]}" -f "$SCHEMA/fido-bridge-cert.ldif"
check "ldapmodify -Y EXTERNAL: add the equality indexes (README example)" \
	rc_is 0 ldapmodify "${BARE_CONFIG[@]}" <<EOF
dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcDbIndex
olcDbIndex: fidoCredentialId eq
olcDbIndex: fidoUserHandle eq
EOF
check "ldapmodify -Y EXTERNAL acl-example.ldif" \
	rc_is 0 ldapmodify "${BARE_CONFIG[@]}" -f "$SCHEMA/acl-example.ldif"
search BARE_CONFIG "$WORK/b1" -b cn=schema,cn=config -s one cn
check "cn=schema now lists fido-bridge" has_line "$WORK/b1" "cn: {4}fido-bridge"
search BARE_CONFIG "$WORK/b2" -b 'olcDatabase={1}mdb,cn=config' -s base olcDbIndex olcAccess
check "olcDbIndex has fidoCredentialId eq" has_line "$WORK/b2" "olcDbIndex: fidoCredentialId eq"
check "olcAccess has 8 rules" test "$(grep -c '^olcAccess:' "$WORK/b2")" = 8
check "ldapadd sample-directory.ldif as rootdn" \
	rc_is 0 ldapadd -x -H "$BARE_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" -f "$SCHEMA/sample-directory.ldif"
AS_BRIDGE_BARE=(-x -H "$BARE_URI" -D "$LDAP_BRIDGE_DN" -w "$LDAP_BRIDGE_PW")
search AS_BRIDGE_BARE "$WORK/b3" -b "$LDAP_BASE" '(&(objectClass=fidoUser)(uid=bob))' dn
check "bridge binds and finds fidoUser bob on the ldapadd-built server" has_line "$WORK/b3" "dn: $BOB"

# --- offline path: slapadd -n0 of the two files into an existing cn=config
if "$HERE/start-slapd.sh" --bare "$WORK/offline" 2>/dev/null &&
	"$HERE/stop-slapd.sh" "$WORK/offline"; then
	check "slapadd -n0 eduperson.ldif into a stopped server's cn=config" \
		rc_is 0 /usr/sbin/slapadd -n0 -F "$WORK/offline/slapd.d" -l "$SCHEMA/eduperson.ldif"
	check "slapadd -n0 fido-bridge.ldif into a stopped server's cn=config" \
		rc_is 0 /usr/sbin/slapadd -n0 -F "$WORK/offline/slapd.d" -l "$SCHEMA/fido-bridge.ldif"
	check "slaptest -u accepts the result" \
		rc_is 0 /usr/sbin/slaptest -u -F "$WORK/offline/slapd.d"
	check "the result holds cn={4}fido-bridge" \
		test -e "$WORK/offline/slapd.d/cn=config/cn=schema/cn={4}fido-bridge.ldif"
else
	not_ok "could not prepare the offline cn=config"
fi

# ---------------------------------------------------------------------------
# 3. memcached
# ---------------------------------------------------------------------------
"$HERE/start-memcached.sh" "$WORK/mc" 2 || fatal "start-memcached.sh"
ok "start-memcached.sh"
. "$WORK/mc/env"
check "MEMCACHED_SERVERS lists two loopback servers" \
	eval '[[ $MEMCACHED_SERVERS =~ ^127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+$ ]]'
read -r -a MC_PORTS <<<"$MEMCACHED_PORTS"
mc_roundtrip() {
	local port=$1 key="selftest-$$-$1" val="ticket-$RANDOM-$1" reply='' got=''
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'set %s 0 60 %d\r\n%s\r\n' "$key" "${#val}" "$val" >&3
	read -r -t 2 reply <&3
	[ "${reply%$'\r'}" = STORED ] || { exec 3>&-; echo "#   set: $reply" >&2; return 1; }
	printf 'get %s\r\n' "$key" >&3
	read -r -t 2 reply <&3                    # VALUE key 0 len
	read -r -t 2 got <&3
	exec 3>&-
	[ "${reply%$'\r'}" = "VALUE $key 0 ${#val}" ] && [ "${got%$'\r'}" = "$val" ]
}
for p in "${MC_PORTS[@]}"; do
	check "memcached on port $p: set/get over /dev/tcp" mc_roundtrip "$p"
done
if command -v memccp >/dev/null && command -v memccat >/dev/null; then
	mkdir -p "$WORK/mcfile"
	printf 'libmemcached-%s' "$$" >"$WORK/mcfile/selftestkey"
	check "memccp to \$MEMCACHED_SERVERS" rc_is 0 memccp --servers="$MEMCACHED_SERVERS" "$WORK/mcfile/selftestkey"
	check "memccat returns the value" \
		test "$(memccat --servers="$MEMCACHED_SERVERS" selftestkey 2>/dev/null)" = "libmemcached-$$"
fi

# ---------------------------------------------------------------------------
# 4. stop scripts really stop the servers
# ---------------------------------------------------------------------------
MAIN_PID=$SLAPD_PID
BARE_PID=$(. "$WORK/bare/env" && printf '%s' "$SLAPD_PID")
check "stop-slapd.sh (main)" rc_is 0 "$HERE/stop-slapd.sh" "$WORK/ldap"
check "stop-slapd.sh (bare)" rc_is 0 "$HERE/stop-slapd.sh" "$WORK/bare"
check "stop-memcached.sh" rc_is 0 "$HERE/stop-memcached.sh" "$WORK/mc"
check "no slapd left running" eval '! svc_alive "$MAIN_PID" && ! svc_alive "$BARE_PID"'
none_alive() { local p; for p in "$@"; do ! svc_alive "$p" || return 1; done; }
check "no memcached left running" none_alive $MEMCACHED_PIDS
check "LDAP port closed" eval '! svc_port_busy "$LDAP_PORT"'
