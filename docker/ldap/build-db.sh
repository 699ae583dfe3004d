#!/bin/sh
# build-db.sh -- builds the testbed directory offline with slapadd (no running slapd):
# cn=config (schemas core, cosine, inetorgperson, eduperson, fido-bridge, fido-bridge-cert;
# an mdb database for dc=example,dc=edu with the bridge's indexes and the access rules of
# ldap-schema/acl-example.ldif), then the data of ldap-schema/sample-directory.ldif and
# testbed.ldif (the IdP's service account).
#
# Paths can be moved for a dry run outside the image (tests/shibboleth/run.sh does):
#   CONF_DIR (/etc/ldap/slapd.d)  DB_DIR (/var/lib/ldap)  RUN_DIR (/run/slapd)
#   SCHEMA_DIR (/opt/ldap-schema)  HERE (this script's directory)
#   SYS_SCHEMA (/etc/ldap/schema)  MODULE_PATH (/usr/lib/ldap)  OWNER (openldap:openldap, "" = keep)
# Demo passwords only (published in ldap-schema/README.md and docker/README.md).
set -eu

HERE=${HERE:-$(cd "$(dirname "$0")" && pwd)}
CONF_DIR=${CONF_DIR:-/etc/ldap/slapd.d}
DB_DIR=${DB_DIR:-/var/lib/ldap}
RUN_DIR=${RUN_DIR:-/run/slapd}
SCHEMA_DIR=${SCHEMA_DIR:-/opt/ldap-schema}
SYS_SCHEMA=${SYS_SCHEMA:-/etc/ldap/schema}
MODULE_PATH=${MODULE_PATH:-/usr/lib/ldap}
OWNER=${OWNER-openldap:openldap}
BASE='dc=example,dc=edu'
ADMIN_PW='admin-demo-secret'
IDP_PW='idp-demo-secret'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$CONF_DIR" "$DB_DIR" "$RUN_DIR"
rm -rf "${CONF_DIR:?}"/* "${DB_DIR:?}"/*

# olcAccess lines (with their continuation lines) of the example ACL
acl=$(awk '
	/^olcAccess:/ { inacl = 1; print; next }
	inacl && /^ / { print; next }
	{ inacl = 0 }
' "$SCHEMA_DIR/acl-example.ldif")
[ -n "$acl" ] || { echo "build-db: no olcAccess in acl-example.ldif" >&2; exit 1; }

{
	cat <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $RUN_DIR/slapd.pid
olcArgsFile: $RUN_DIR/slapd.args
olcLogLevel: stats

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: $MODULE_PATH
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

LDIF
	for f in "$SYS_SCHEMA/core.ldif" "$SYS_SCHEMA/cosine.ldif" "$SYS_SCHEMA/inetorgperson.ldif" \
		"$SCHEMA_DIR/eduperson.ldif" "$SCHEMA_DIR/fido-bridge.ldif" "$SCHEMA_DIR/fido-bridge-cert.ldif"; do
		cat "$f"
		echo
	done
	cat <<LDIF
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 500
olcAccess: {0}to dn.base="" by * read
olcAccess: {1}to dn.base="cn=subschema" by * read

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by dn.exact=gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth manage by * break

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $BASE
olcRootDN: cn=admin,$BASE
olcRootPW: $(slappasswd -h '{SSHA}' -s "$ADMIN_PW")
olcDbDirectory: $DB_DIR
olcDbMaxSize: 268435456
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: fidoCredentialId eq
olcDbIndex: fidoUserHandle eq
olcDbIndex: fidoCertSha256 eq
olcDbIndex: fidoCertOwner eq
$acl
LDIF
} >"$tmp/config.ldif"

sed "s|@IDP_PASSWORD_HASH@|$(slappasswd -h '{SSHA}' -s "$IDP_PW")|" "$HERE/testbed.ldif" >"$tmp/testbed.ldif"

slapadd -q -n0 -F "$CONF_DIR" -l "$tmp/config.ldif"
slapadd -q -n1 -F "$CONF_DIR" -l "$SCHEMA_DIR/sample-directory.ldif"
slapadd -q -n1 -F "$CONF_DIR" -l "$tmp/testbed.ldif"
if [ -n "$OWNER" ]; then
	chown -R "$OWNER" "$CONF_DIR" "$DB_DIR" "$RUN_DIR"
fi
echo "build-db: $BASE ready in $DB_DIR (config $CONF_DIR)"
