#!/bin/bash
# slapd.sh -- the benchmark's private slapd (loopback only, as the calling user).
#
#   slapd.sh init  DIR              cn=config + the sample directory, not started
#   slapd.sh add   DIR FILE.ldif... slapadd -q (offline: slapd must be stopped)
#   slapd.sh start DIR              start on 127.0.0.1:<free port> + DIR/ldapi
#   slapd.sh stop  DIR              stop it (tests/services/stop-slapd.sh)
#
# The same schemas, indexes (fidoCredentialId eq, fidoUserHandle eq, uid eq, ...)
# and ACL (ldap-schema/acl-example.ldif) as tests/services/start-slapd.sh, plus:
#   - cn=Monitor (back-monitor, readable by anyone on this private server), so
#     the load generator can count LDAP operations per login;
#   - log level from $SLAPD_LOGLEVEL (default "none": a stats line per operation
#     costs slapd CPU at thousands of operations per second; use "stats" to see
#     them in DIR/slapd.log);
#   - a 4 GiB map for 100,000+ users.
# DIR/env has the variables of start-slapd.sh (LDAP_URI, SLAPD_PID, ...), so
# tests/services/stop-slapd.sh stops it. Bulk data goes in with "add" between
# "stop" and "start" (slapadd offline is much faster than ldapadd).
set -u
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)/tests/services/lib.sh"

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
SYS_SCHEMA=${SYS_SCHEMA:-/etc/ldap/schema}
MODULE_PATH=${MODULE_PATH:-/usr/lib/ldap}
LOGLEVEL=${SLAPD_LOGLEVEL:-none}

BASE='dc=example,dc=edu'
ADMIN_DN="cn=admin,$BASE"
ADMIN_PW='admin-demo-secret'
BRIDGE_DN="cn=fido-bridge,ou=services,$BASE"
BRIDGE_PW='bridge-demo-secret'   # the hash in sample-directory.ldif
USER_PW='user-demo-password'

usage() { echo "usage: $0 init|add|start|stop DIR [FILE.ldif...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
DIR=$(svc_abs_dir "$2") || svc_die "cannot create $2"
shift 2
[ ${#DIR} -le 95 ] || svc_die "directory path too long for an ldapi socket: $DIR"
CONF_DIR="$DIR/slapd.d"
DB_DIR="$DIR/db"
LOG="$DIR/slapd.log"
SOCK="$DIR/ldapi"
LDAPI_URI="ldapi://$(svc_urlencode "$SOCK")"

acl_lines() {
	awk '/^olcAccess:/ { inacl = 1; print; next } inacl && /^ / { print; next } { inacl = 0 }' "$1"
}

do_init() {
	local peercred f hash
	[ ! -e "$CONF_DIR" ] || svc_die "$DIR already initialised"
	mkdir -p "$CONF_DIR" "$DB_DIR" || svc_die "mkdir failed"
	chmod 700 "$DIR"
	peercred="gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth"
	hash=$("$(dirname "$SLAPD")/slappasswd" -h '{SSHA}' -s "$ADMIN_PW" 2>/dev/null) || hash=$ADMIN_PW
	{
		cat <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $DIR/slapd.pid
olcArgsFile: $DIR/slapd.args
olcLogLevel: $LOGLEVEL

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: $MODULE_PATH
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

EOF
		for f in "$SYS_SCHEMA/core.ldif" "$SYS_SCHEMA/cosine.ldif" "$SYS_SCHEMA/inetorgperson.ldif" \
			"$SVC_SCHEMA_DIR/eduperson.ldif" "$SVC_SCHEMA_DIR/fido-bridge.ldif"; do
			[ -r "$f" ] || svc_die "missing schema file $f"
			cat "$f"
			echo
		done
		cat <<EOF
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 500
olcAccess: {0}to * by dn.exact="$peercred" manage by * break
olcAccess: {1}to dn.base="" by * read
olcAccess: {2}to dn.base="cn=subschema" by * read

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by dn.exact="$peercred" manage by * break

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $BASE
olcRootDN: $ADMIN_DN
olcRootPW: $hash
olcDbDirectory: $DB_DIR
olcDbMaxSize: 4294967296
olcDbNoSync: TRUE
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: eduPersonPrincipalName eq
olcDbIndex: fidoCredentialId eq
olcDbIndex: fidoUserHandle eq
EOF
		acl_lines "$SVC_SCHEMA_DIR/acl-example.ldif"
		cat <<EOF

dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: {0}to * by * read

EOF
	} >"$DIR/config.ldif"
	"$SLAPADD" -n0 -F "$CONF_DIR" -l "$DIR/config.ldif" >"$DIR/slapadd-config.log" 2>&1 ||
		{ cat "$DIR/slapadd-config.log" >&2; svc_die "slapadd -n0 failed"; }
	"$SLAPADD" -q -F "$CONF_DIR" -b "$BASE" -l "$SVC_SCHEMA_DIR/sample-directory.ldif" \
		>"$DIR/slapadd-data.log" 2>&1 || { cat "$DIR/slapadd-data.log" >&2; svc_die "slapadd of the sample directory failed"; }
}

do_add() {
	local f
	[ ! -e "$DIR/env" ] || svc_die "slapd is running in $DIR: stop it before slapadd"
	for f in "$@"; do
		"$SLAPADD" -q -F "$CONF_DIR" -b "$BASE" -l "$f" >>"$DIR/slapadd-data.log" 2>&1 ||
			{ tail -n 20 "$DIR/slapadd-data.log" >&2; svc_die "slapadd of $f failed"; }
	done
}

do_start() {
	local pid port attempt up i
	[ -d "$CONF_DIR" ] || svc_die "$DIR: run init first"
	[ ! -e "$DIR/env" ] || svc_die "$DIR: slapd already started"
	for attempt in 1 2 3 4 5; do
		port=$(svc_free_port) || svc_die "no free port found"
		rm -f "$DIR/slapd.pid" "$SOCK"
		# -d 0: stay in the foreground without debug output (the log level is in cn=config)
		"$SLAPD" -d 0 -h "ldap://127.0.0.1:$port/ $LDAPI_URI" -F "$CONF_DIR" </dev/null >>"$LOG" 2>&1 &
		pid=$!
		up=0
		for ((i = 0; i < 300; i++)); do
			svc_alive "$pid" || break
			if svc_pid_listens "$pid" "$port" &&
				timeout 5 ldapsearch -x -H "ldap://127.0.0.1:$port" -o nettimeout=2 -b '' -s base -LLL namingContexts >/dev/null 2>&1; then
				up=1
				break
			fi
			sleep 0.1
		done
		[ $up -eq 1 ] && break
		svc_stop_pid "$pid" slapd 30
		pid=
		svc_log "slapd did not come up on port $port (attempt $attempt); see $LOG"
	done
	[ -n "$pid" ] || { tail -n 20 "$LOG" >&2; svc_die "slapd failed to start"; }
	{
		echo "# written by bench/load/slapd.sh; stop with bench/load/slapd.sh stop"
		svc_env_line LDAP_URI "ldap://127.0.0.1:$port"
		svc_env_line LDAP_HOST 127.0.0.1
		svc_env_line LDAP_PORT "$port"
		svc_env_line LDAPI_URI "$LDAPI_URI"
		svc_env_line SLAPD_PID "$pid"
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
	svc_log "slapd pid $pid on ldap://127.0.0.1:$port (env: $DIR/env)"
}

case $cmd in
init) do_init ;;
add) do_add "$@" ;;
start) do_start ;;
stop) "$SVC_LIB_DIR/stop-slapd.sh" "$DIR" ;;
*) usage ;;
esac
