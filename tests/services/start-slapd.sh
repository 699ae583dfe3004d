#!/bin/bash
# start-slapd.sh [--bare] DIR
#
# Starts a private, throw-away OpenLDAP server for tests, as the calling
# user (root or not), listening only on 127.0.0.1:<free port> and on a unix
# socket DIR/ldapi.  Never touches the system slapd or /etc/ldap/slapd.d.
#
#   DIR/slapd.d      cn=config built with slapadd -n0
#   DIR/db           mdb database for dc=example,dc=edu
#   DIR/slapd.log    slapd debug output (loglevel "stats")
#   DIR/env          shell assignments, see below
#
# Default mode: schemas core, cosine, inetorgperson, eduperson, fido-bridge, fido-bridge-cert;
# indexes (incl. fidoCredentialId eq, fidoUserHandle eq); the ACL from
# ldap-schema/acl-example.ldif; data from ldap-schema/sample-directory.ldif;
# the memberof overlay (groupOfNames/member -> memberOf on the members, as a
# campus directory has it for policies by group). slapadd runs no overlay:
# groups must be added over LDAP for their members to get memberOf.
#
# --bare: schemas core, cosine, inetorgperson only, an empty database, no
# fido indexes, no ACL beyond the defaults -- used to check that the
# ldap-schema/*.ldif files load into a running server with
# "ldapadd -Y EXTERNAL -H $LDAPI_URI".
#
# In both modes the peer-credential identity of the calling user
# (gidNumber=<gid>+uidNumber=<uid>,cn=peercred,cn=external,cn=auth) has
# manage access to cn=config over ldapi:// with -Y EXTERNAL (use the rootdn,
# LDAP_ADMIN_DN / LDAP_ADMIN_PW, to write data).  With --bare the
# LDAP_BRIDGE_* entry does not exist until sample-directory.ldif is added.
#
# DIR/env contains (single-quoted, "set -a; . DIR/env; set +a" to export):
#   LDAP_URI LDAP_HOST LDAP_PORT LDAPI_URI SLAPD_PID SLAPD_DIR SLAPD_LOG
#   LDAP_BASE LDAP_PEOPLE_BASE LDAP_ADMIN_DN LDAP_ADMIN_PW
#   LDAP_BRIDGE_DN LDAP_BRIDGE_PW LDAP_USER_PW
#
# Stop with tests/services/stop-slapd.sh DIR.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BARE=0
if [ "${1:-}" = "--bare" ]; then
	BARE=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--bare] DIR" >&2; exit 2; }

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
SYS_SCHEMA=${SYS_SCHEMA:-/etc/ldap/schema}
MODULE_PATH=${MODULE_PATH:-/usr/lib/ldap}

BASE='dc=example,dc=edu'
ADMIN_DN="cn=admin,$BASE"
ADMIN_PW='admin-demo-secret'
BRIDGE_DN="cn=fido-bridge,ou=services,$BASE"
BRIDGE_PW='bridge-demo-secret'   # matches the hash in sample-directory.ldif
USER_PW='user-demo-password'     # ditto, for every uid=*,ou=people entry

for f in "$SLAPD" "$SLAPADD"; do
	[ -x "$f" ] || svc_die "$f not found (apt-get install slapd)"
done
command -v ldapsearch >/dev/null || svc_die "ldapsearch not found (apt-get install ldap-utils)"

DIR=$(svc_abs_dir "$1") || svc_die "cannot create $1"
[ ! -e "$DIR/env" ] && [ ! -e "$DIR/slapd.d" ] ||
	svc_die "$DIR already holds a server (stop it and use a fresh directory)"

# Unix socket paths are limited to 107 bytes.
[ ${#DIR} -le 95 ] || svc_die "directory path too long for an ldapi socket: $DIR"

CONF_DIR="$DIR/slapd.d"
DB_DIR="$DIR/db"
LOG="$DIR/slapd.log"
SOCK="$DIR/ldapi"
LDAPI_URI="ldapi://$(svc_urlencode "$SOCK")"
PEERCRED="gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth"
mkdir -p "$CONF_DIR" "$DB_DIR" || svc_die "mkdir failed"
chmod 700 "$DIR"

# --------------------------------------------------------------------------
# cn=config
# --------------------------------------------------------------------------

# Print the olcAccess lines (with their continuation lines) of an LDIF file.
acl_lines() {
	awk '
		/^olcAccess:/ { inacl = 1; print; next }
		inacl && /^ / { print; next }
		{ inacl = 0 }
	' "$1"
}

schema_files=("$SYS_SCHEMA/core.ldif" "$SYS_SCHEMA/cosine.ldif"
	"$SYS_SCHEMA/inetorgperson.ldif")
if [ $BARE -eq 0 ]; then
	schema_files+=("$SVC_SCHEMA_DIR/eduperson.ldif"
		"$SVC_SCHEMA_DIR/fido-bridge.ldif"
		"$SVC_SCHEMA_DIR/fido-bridge-cert.ldif")
fi
for f in "${schema_files[@]}"; do
	[ -r "$f" ] || svc_die "missing schema file $f"
done

ADMIN_PW_HASH=$("$(dirname "$SLAPD")/slappasswd" -h '{SSHA}' -s "$ADMIN_PW" 2>/dev/null) ||
	ADMIN_PW_HASH=$ADMIN_PW

CONFIG_LDIF="$DIR/config.ldif"
{
	cat <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $DIR/slapd.pid
olcArgsFile: $DIR/slapd.args
olcLogLevel: stats

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: $MODULE_PATH
olcModuleLoad: back_mdb
EOF
	[ $BARE -eq 1 ] || echo "olcModuleLoad: memberof"
	cat <<EOF

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

EOF
	for f in "${schema_files[@]}"; do
		cat "$f"
		echo
	done
	cat <<EOF
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 500
olcAccess: {0}to * by dn.exact="$PEERCRED" manage by * break
olcAccess: {1}to dn.base="" by * read
olcAccess: {2}to dn.base="cn=subschema" by * read

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by dn.exact="$PEERCRED" manage by * break

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $BASE
olcRootDN: $ADMIN_DN
olcRootPW: $ADMIN_PW_HASH
olcDbDirectory: $DB_DIR
olcDbMaxSize: 268435456
olcDbNoSync: TRUE
olcDbIndex: objectClass eq
olcDbIndex: uid eq
EOF
	if [ $BARE -eq 0 ]; then
		cat <<EOF
olcDbIndex: eduPersonPrincipalName eq
olcDbIndex: fidoCredentialId eq
olcDbIndex: fidoUserHandle eq
olcDbIndex: fidoCertSha256 eq
olcDbIndex: fidoCertOwner eq
EOF
		acl_lines "$SVC_SCHEMA_DIR/acl-example.ldif"
		cat <<EOF

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
olcMemberOfRefInt: TRUE
EOF
	else
		echo "olcAccess: {0}to * by users read by * none"
	fi
	echo
} >"$CONFIG_LDIF"

"$SLAPADD" -n0 -F "$CONF_DIR" -l "$CONFIG_LDIF" >"$DIR/slapadd-config.log" 2>&1 ||
	{ cat "$DIR/slapadd-config.log" >&2; svc_die "slapadd -n0 failed"; }

if [ $BARE -eq 0 ]; then
	"$SLAPADD" -q -F "$CONF_DIR" -b "$BASE" -l "$SVC_SCHEMA_DIR/sample-directory.ldif" \
		>"$DIR/slapadd-data.log" 2>&1 ||
		{ cat "$DIR/slapadd-data.log" >&2; svc_die "slapadd of sample-directory.ldif failed"; }
fi

# --------------------------------------------------------------------------
# start slapd (retrying with another port if the chosen one got taken)
# --------------------------------------------------------------------------

# As root we simply stay root: everything in DIR belongs to us anyway, and
# no privileged port is used; -u/-g are therefore never needed.
PID=
PORT=
for attempt in 1 2 3 4 5; do
	PORT=$(svc_free_port) || svc_die "no free port found"
	rm -f "$DIR/slapd.pid" "$SOCK"
	"$SLAPD" -d stats -h "ldap://127.0.0.1:$PORT/ $LDAPI_URI" -F "$CONF_DIR" \
		</dev/null >>"$LOG" 2>&1 &
	PID=$!
	up=0
	for ((i = 0; i < 150; i++)); do        # up to ~15 s
		if ! svc_alive "$PID"; then
			break
		fi
		# (timeout: a foreign non-LDAP server on the port must not hang us)
		if svc_pid_listens "$PID" "$PORT" &&
			timeout 5 ldapsearch -x -H "ldap://127.0.0.1:$PORT" -o nettimeout=2 \
				-b '' -s base -LLL namingContexts >/dev/null 2>&1; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [ $up -eq 1 ] && svc_pid_listens "$PID" "$PORT"; then
		break
	fi
	svc_stop_pid "$PID" slapd 30
	PID=
	svc_log "slapd did not come up on port $PORT (attempt $attempt); see $LOG"
done
[ -n "$PID" ] || { tail -n 20 "$LOG" >&2; svc_die "slapd failed to start"; }

{
	echo "# written by tests/services/start-slapd.sh; stop with stop-slapd.sh"
	svc_env_line LDAP_URI "ldap://127.0.0.1:$PORT"
	svc_env_line LDAP_HOST 127.0.0.1
	svc_env_line LDAP_PORT "$PORT"
	svc_env_line LDAPI_URI "$LDAPI_URI"
	svc_env_line SLAPD_PID "$PID"
	svc_env_line SLAPD_DIR "$DIR"
	svc_env_line SLAPD_LOG "$LOG"
	svc_env_line LDAP_BASE "$BASE"
	svc_env_line LDAP_PEOPLE_BASE "ou=people,$BASE"
	svc_env_line LDAP_ADMIN_DN "$ADMIN_DN"
	svc_env_line LDAP_ADMIN_PW "$ADMIN_PW"
	svc_env_line LDAP_BRIDGE_DN "$BRIDGE_DN"
	svc_env_line LDAP_BRIDGE_PW "$BRIDGE_PW"
	svc_env_line LDAP_USER_PW "$USER_PW"
} >"$DIR/env.tmp" && mv "$DIR/env.tmp" "$DIR/env" || svc_die "cannot write $DIR/env"

svc_log "slapd pid $PID on ldap://127.0.0.1:$PORT and $LDAPI_URI (env: $DIR/env)"
exit 0
