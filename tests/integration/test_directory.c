/*
 * The directory module against a real slapd (with-services.sh --slapd),
 * bound as the bridge service account so that the example ACL is in play.
 * Covers every operation of directory.h: lookups (and filter injection),
 * user handles, credentials (add/find/rename/delete, atomic add), record_use,
 * enrolment codes (one use under concurrency), disabled accounts, the schema
 * check on the full server and on a --bare one, slapd restarted mid-test, and
 * the reason a failure leaves for the audit line (br_store_error_get).
 * An admin connection of its own checks what really landed in the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "../../bridge/core/transport.h"
#include "../../bridge/store/directory.h"
#include "../../bridge/store/store_error.h"
#include "../stores/contract.h"
#include "check.h"

#ifndef BR_TEST_SERVICES_DIR
#error "BR_TEST_SERVICES_DIR must name tests/services"
#endif

static const char *ldap_uri, *ldapi_uri, *people, *base, *bridge_dn, *bridge_pw, *admin_dn, *admin_pw;
static const char *slapd_dir, *slapd_log, *ldap_host, *ldap_port;
static pid_t slapd_pid;

static const char *const attrs[] = { "mail", "displayName", "cn", "eduPersonPrincipalName",
	"eduPersonAffiliation" };

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s not set: run me through tests/integration/with-services.sh --slapd\n", name);
		exit(1);
	}
	return v;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static br_directory_options
bridge_options(void)
{
	br_directory_options o;

	memset(&o, 0, sizeof(o));
	o.uri = ldap_uri;
	o.bind_dn = bridge_dn;
	o.bind_password = bridge_pw;
	o.user_base = people;
	o.username_attribute = "uid";
	o.attributes = attrs;
	o.n_attributes = sizeof(attrs) / sizeof(attrs[0]);
	o.disabled_attribute = "employeeType";
	o.disabled_value = "disabled";
	o.timeout_ms = 2000;
	o.last_used_interval_s = 3600;
	return o;
}

static br_directory *
open_with(const br_directory_options *o)
{
	char err[256] = "";
	br_directory *d = br_directory_open(o, err, sizeof(err));

	if (d == NULL)
		fprintf(stderr, "open: %s\n", err);
	CHECK(d != NULL);
	return d;
}

static br_directory *
open_bridge(void)
{
	br_directory_options o = bridge_options();

	return open_with(&o);
}

/* ---- raw access as the rootdn, to see what really is in the directory ---- */

static LDAP *
admin_open(void)
{
	LDAP *ld = NULL;
	int v3 = LDAP_VERSION3;
	struct berval cred = { strlen(admin_pw), (char *)admin_pw };

	CHECK(ldap_initialize(&ld, ldap_uri) == LDAP_SUCCESS);
	CHECK(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) == LDAP_OPT_SUCCESS);
	CHECK(ldap_sasl_bind_s(ld, admin_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL) == LDAP_SUCCESS);
	return ld;
}

/* Entries matching filter (-1 when the base does not exist). */
static int
admin_count(const char *b, int scope, const char *filter)
{
	LDAP *ld = admin_open();
	LDAPMessage *res = NULL;
	char *none[] = { (char *)LDAP_NO_ATTRS, NULL };
	int rc = ldap_search_ext_s(ld, b, scope, filter, none, 0, NULL, NULL, NULL, 0, &res), n;

	CHECK(rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT);
	n = rc == LDAP_SUCCESS ? ldap_count_entries(ld, res) : -1;
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return n;
}

/* The first value of attr on dn as a string (malloc'd), NULL if none. */
static char *
admin_get(const char *dn, const char *attr)
{
	LDAP *ld = admin_open();
	LDAPMessage *res = NULL, *e;
	char *want[] = { (char *)attr, NULL }, *r = NULL;
	struct berval **v;

	CHECK(ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", want, 0, NULL, NULL, NULL, 0, &res) ==
	    LDAP_SUCCESS);
	CHECK((e = ldap_first_entry(ld, res)) != NULL);
	if ((v = ldap_get_values_len(ld, e, attr)) != NULL && v[0] != NULL) {
		CHECK((r = malloc(v[0]->bv_len + 1)) != NULL);
		memcpy(r, v[0]->bv_val, v[0]->bv_len);
		r[v[0]->bv_len] = '\0';
	}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

static void
admin_replace(const char *dn, const char *attr, const char *value)
{
	LDAP *ld = admin_open();
	char *vals[] = { (char *)value, NULL };
	LDAPMod m = { LDAP_MOD_REPLACE, (char *)attr, { vals } }, *mods[] = { &m, NULL };

	CHECK(ldap_modify_ext_s(ld, dn, mods, NULL, NULL) == LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* Add an entry: (name, strlen(name), value, length) quadruples, then NULL; see S(). */
static void
admin_add(const char *dn, ...)
{
	LDAP *ld = admin_open();
	LDAPMod m[16], *mods[17];
	struct berval bv[16], *bvp[16][2];
	const char *name;
	size_t n = 0;
	va_list ap;

	va_start(ap, dn);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *v;
		size_t len;

		(void)va_arg(ap, size_t);
		v = va_arg(ap, const char *);
		len = va_arg(ap, size_t);

		CHECK(n < 16);
		bv[n].bv_val = (char *)v;
		bv[n].bv_len = len;
		bvp[n][0] = &bv[n];
		bvp[n][1] = NULL;
		m[n].mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
		m[n].mod_type = (char *)name;
		m[n].mod_bvalues = bvp[n];
		mods[n] = &m[n];
		n++;
	}
	va_end(ap);
	mods[n] = NULL;
	if ((n = (size_t)ldap_add_ext_s(ld, dn, mods, NULL, NULL)) != LDAP_SUCCESS)
		fprintf(stderr, "add %s: %s\n", dn, ldap_err2string((int)n));
	CHECK(n == LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
admin_delete(const char *dn)
{
	LDAP *ld = admin_open();

	CHECK(ldap_delete_ext_s(ld, dn, NULL, NULL) == LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

#define S(str) (str), strlen(str)

static char *
dn_of(const char *uid)
{
	static char buf[8][256];
	static int i;
	char *b = buf[i++ % 8];

	snprintf(b, sizeof(buf[0]), "uid=%s,%s", uid, people);
	return b;
}

/*
 * After a failed call: the reason starts with "op: " and holds none of what
 * the call was given (up to two strings to look for; NULL for none).
 */
static void
reason_is(const char *op, const char *given, const char *given2)
{
	const char *t = br_store_error_get();
	size_t n = strlen(op);

	if (strncmp(t, op, n) != 0 || strncmp(t + n, ": ", 2) != 0)
		fprintf(stderr, "store error \"%s\", expected \"%s: ...\"\n", t, op);
	CHECK(strncmp(t, op, n) == 0 && strncmp(t + n, ": ", 2) == 0 && t[n + 2] != '\0');
	CHECK(given == NULL || strstr(t, given) == NULL);
	CHECK(given2 == NULL || strstr(t, given2) == NULL);
	br_store_error_clear();
}

/* ---- helpers on br_user ---- */

static const char *
attr_value(const br_user *u, const char *name, size_t i)
{
	return json_string_value(json_array_get(json_object_get(u->attributes, name), i));
}

static br_user *
must_find(br_directory *d, const char *name)
{
	br_user *u = NULL;
	br_dir_rc r = br_dir_find_user(d, name, &u);

	if (r != BR_DIR_OK)
		fprintf(stderr, "find_user(%s): %s\n", name, br_dir_rc_name(r));
	CHECK(r == BR_DIR_OK && u != NULL);
	return u;
}

/* ------------------------------------------------------------------------ */

static void
options_refused(void)
{
	br_directory_options o;
	const char *bad_attrs[] = { "mail", "cn)(x" };
	char err[256];

	o = bridge_options();
	o.uri = "http://example.edu";
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL && strstr(err, "uri") != NULL);
	o = bridge_options();
	o.username_attribute = "uid)(objectClass=*";
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL);
	o = bridge_options();
	o.attributes = bad_attrs;
	o.n_attributes = 2;
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL && strstr(err, "cn)(x") != NULL);
	o = bridge_options();
	o.user_base = "not a dn";
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL);
	o = bridge_options();
	o.bind_password = "";
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL);
	/* and the error never carries the password */
	o = bridge_options();
	o.uri = "ldaps://127.0.0.1:1";
	o.starttls = 1;
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL && strstr(err, bridge_pw) == NULL);
	o = bridge_options();
	o.sasl_external = 1;
	CHECK(br_directory_open(&o, err, sizeof(err)) == NULL);
	br_directory_close(NULL);
}

static void
rc_names(void)
{
	CHECK(strcmp(br_dir_rc_name(BR_DIR_OK), "ok") == 0);
	CHECK(strcmp(br_dir_rc_name(BR_DIR_NOT_FOUND), "not found") == 0);
	CHECK(strcmp(br_dir_rc_name(BR_DIR_EXISTS), "exists") == 0);
	CHECK(strcmp(br_dir_rc_name(BR_DIR_INVALID), "invalid") == 0);
	CHECK(strcmp(br_dir_rc_name(BR_DIR_ERROR), "error") == 0);
}

static void
find_users(br_directory *d)
{
	br_user *u = NULL;
	json_t *aff;

	u = must_find(d, "alice");
	CHECK(strcmp(u->dn, dn_of("alice")) == 0);
	CHECK(strcmp(u->username, "alice") == 0);
	CHECK(u->disabled == 0);
	CHECK(u->user_handle.len == 0 && u->n_creds == 0 && u->n_enrolment_codes == 0);
	CHECK(strcmp(attr_value(u, "mail", 0), "alice@example.edu") == 0);
	CHECK(strcmp(attr_value(u, "eduPersonPrincipalName", 0), "alice@example.edu") == 0);
	aff = json_object_get(u->attributes, "eduPersonAffiliation");
	CHECK(json_array_size(aff) == 3);
	/* only the configured ones */
	CHECK(json_object_get(u->attributes, "sn") == NULL && json_object_get(u->attributes, "uid") == NULL);
	br_user_free(&u);
	CHECK(u == NULL);

	/* uid matches case-insensitively; username is the stored value */
	u = must_find(d, "ALICE");
	CHECK(strcmp(u->username, "alice") == 0);
	br_user_free(&u);

	/* UTF-8 round trip: 山田 花子 */
	u = must_find(d, "hanako");
	CHECK(strcmp(attr_value(u, "displayName", 0), "\xe5\xb1\xb1\xe7\x94\xb0 \xe8\x8a\xb1\xe5\xad\x90") == 0);
	CHECK(json_array_size(json_object_get(u->attributes, "cn")) == 2);
	CHECK(json_object_get(u->attributes, "mail") != NULL);
	br_user_free(&u);

	u = must_find(d, "dave");
	CHECK(u->disabled == 1);
	br_user_free(&u);

	u = must_find(d, "bob");
	/* the sample's one code, long expired: read all the same (expiry is the service's rule) */
	CHECK(u->n_enrolment_codes == 1);
	CHECK(strncmp(u->enrolment_codes[0], "v1$", 3) == 0 && strstr(u->enrolment_codes[0], "$20200101000000Z") != NULL);
	CHECK(u->disabled == 0);
	br_user_free(&u);

	u = (br_user *)1;
	CHECK(br_dir_find_user(d, "nobody", &u) == BR_DIR_NOT_FOUND && u == NULL);
	br_user_free(NULL);

	/* two entries answer to one name: neither is picked */
	admin_add("ou=extra,ou=people,dc=example,dc=edu", S("objectClass"), S("organizationalUnit"), S("ou"),
	    S("extra"), (char *)NULL);
	admin_add("uid=carol,ou=extra,ou=people,dc=example,dc=edu", S("objectClass"), S("inetOrgPerson"),
	    S("uid"), S("carol"), S("cn"), S("Carol Clone"), S("sn"), S("Clone"), (char *)NULL);
	u = (br_user *)1;
	CHECK(br_dir_find_user(d, "carol", &u) == BR_DIR_ERROR && u == NULL);
	reason_is("ldap search", "carol", "people");
	admin_delete("uid=carol,ou=extra,ou=people,dc=example,dc=edu");
	admin_delete("ou=extra,ou=people,dc=example,dc=edu");
	u = must_find(d, "carol");
	CHECK(strcmp(u->dn, dn_of("carol")) == 0);
	br_user_free(&u);
}

static void
injection(br_directory *d)
{
	/* each would match somebody (or break the filter) if it reached the filter unescaped */
	static const char *const not_found[] = {
		"*", "a*", "*e", ")(uid=*", "alice)(uid=*", "*)(|(uid=*", "alice)(|(uid=*)",
		"\\2a", "\\2A", "al\\69ce", "alice\\", "(uid=alice)", "(|(uid=alice)(uid=bob))", "alice*",
		"*)(objectClass=*", "\\", "(", ")",
	};
	static const char *const invalid[] = {
		"", "alice\n", "ali\rce", "alice\x01", "\x7f", "alice\xc2\x85", "\xff", "ali\xc3",
	};
	char big[10001], max[BR_USERNAME_MAX + 2];
	br_user *u;
	size_t i;

	/* the wildcard payloads are live: there are several users to match */
	CHECK(admin_count(people, LDAP_SCOPE_SUBTREE, "(uid=*)") >= 5);
	CHECK(admin_count(people, LDAP_SCOPE_SUBTREE, "(uid=a*)") == 1);
	for (i = 0; i < sizeof(not_found) / sizeof(not_found[0]); i++) {
		br_dir_rc r;

		u = NULL;
		r = br_dir_find_user(d, not_found[i], &u);
		if (r != BR_DIR_NOT_FOUND)
			fprintf(stderr, "injection \"%s\": %s\n", not_found[i], br_dir_rc_name(r));
		CHECK(r == BR_DIR_NOT_FOUND && u == NULL);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		u = NULL;
		CHECK(br_dir_find_user(d, invalid[i], &u) == BR_DIR_INVALID && u == NULL);
	}
	CHECK(br_dir_find_user(d, NULL, &u) == BR_DIR_INVALID && u == NULL);
	memset(big, '*', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(br_dir_find_user(d, big, &u) == BR_DIR_INVALID && u == NULL);
	memset(big, 'a', sizeof(big) - 1);
	CHECK(br_dir_find_user(d, big, &u) == BR_DIR_INVALID && u == NULL);
	/* the longest accepted name is looked up; one more byte is refused */
	memset(max, 'a', sizeof(max));
	max[BR_USERNAME_MAX] = '\0';
	CHECK(br_dir_find_user(d, max, &u) == BR_DIR_NOT_FOUND);
	max[BR_USERNAME_MAX] = 'a';
	max[BR_USERNAME_MAX + 1] = '\0';
	CHECK(br_dir_find_user(d, max, &u) == BR_DIR_INVALID);
}

/* bytes a filter would misread if not escaped: NUL, '*', '(', '\\', ')' */
static const unsigned char handle_alice[] = { 0x00, 0x2a, 0x28, 0x5c, 0x29, 0xff, 0x01, 0x80,
	0x2a, 0x00, 0x5c, 0x32, 0x61, 0x28, 0x29, 0x7e };
static const unsigned char handle_bob[] = { 0x2a };
static const unsigned char handle_hanako[64] = { 0x5c, 0x30, 0x30 };

/* The handle as find_user reads it back: the same bytes. */
static void
handle_is(br_directory *d, const char *name, const unsigned char *h, size_t len)
{
	br_user *u = must_find(d, name);

	CHECK(u->user_handle.len == len && memcmp(u->user_handle.ptr, h, len) == 0);
	br_user_free(&u);
}

/*
 * Setting handles. That a handle finds its user, exactly and escaped in the
 * filter, is proved by the sign-in lookup (signin_lookup), which searches
 * for it next to the credential.
 */
static void
user_handles(br_directory *d)
{
	br_user *u = NULL;
	br_directory *d2;
	br_directory_options o = bridge_options();
	const char *with_handle[] = { "mail", "fidoUserHandle" };
	unsigned char big[BR_USER_HANDLE_MAX + 1];

	/* alice has no fidoUser class: it is added along with the handle */
	CHECK(admin_count(dn_of("alice"), LDAP_SCOPE_BASE, "(objectClass=fidoUser)") == 0);
	u = must_find(d, "alice");
	CHECK(u->user_handle.len == 0);
	CHECK(br_dir_set_user_handle(d, u, handle_alice, sizeof(handle_alice)) == BR_DIR_OK);
	CHECK(u->user_handle.len == sizeof(handle_alice) &&
	    memcmp(u->user_handle.ptr, handle_alice, sizeof(handle_alice)) == 0);
	CHECK(admin_count(dn_of("alice"), LDAP_SCOPE_BASE, "(objectClass=fidoUser)") == 1);
	/* a second handle, or the same again: EXISTS, the first stays */
	CHECK(br_dir_set_user_handle(d, u, handle_bob, sizeof(handle_bob)) == BR_DIR_EXISTS);
	CHECK(br_dir_set_user_handle(d, u, handle_alice, sizeof(handle_alice)) == BR_DIR_EXISTS);
	br_user_free(&u);
	/* NUL, '*', '(', '\\' and ')' stored as they are */
	handle_is(d, "alice", handle_alice, sizeof(handle_alice));
	CHECK(admin_count(people, LDAP_SCOPE_SUBTREE,
	    "(fidoUserHandle=\\00\\2a\\28\\5c\\29\\ff\\01\\80\\2a\\00\\5c\\32\\61\\28\\29\\7e)") == 1);

	/* bob already is a fidoUser (codes): handle "*", which unescaped would match every handle */
	u = must_find(d, "bob");
	CHECK(br_dir_set_user_handle(d, u, handle_bob, sizeof(handle_bob)) == BR_DIR_OK);
	br_user_free(&u);
	u = must_find(d, "bob");
	CHECK(u->n_enrolment_codes == 1);
	br_user_free(&u);
	handle_is(d, "bob", handle_bob, sizeof(handle_bob));
	/* the longest handle */
	u = must_find(d, "hanako");
	CHECK(br_dir_set_user_handle(d, u, handle_hanako, sizeof(handle_hanako)) == BR_DIR_OK);
	br_user_free(&u);
	handle_is(d, "hanako", handle_hanako, sizeof(handle_hanako));

	memset(big, 1, sizeof(big));
	u = must_find(d, "carol");
	CHECK(br_dir_set_user_handle(d, u, big, sizeof(big)) == BR_DIR_INVALID);
	CHECK(br_dir_set_user_handle(d, u, big, 0) == BR_DIR_INVALID);
	br_user_free(&u);

	/* an attribute holding bytes that are not UTF-8 is left out of attributes */
	o.attributes = with_handle;
	o.n_attributes = 2;
	d2 = open_with(&o);
	u = must_find(d2, "alice");
	CHECK(json_object_get(u->attributes, "mail") != NULL);
	CHECK(json_object_get(u->attributes, "fidoUserHandle") == NULL);
	br_user_free(&u);
	u = must_find(d2, "bob");  /* "*" is text */
	CHECK(strcmp(attr_value(u, "fidoUserHandle", 0), "*") == 0);
	br_user_free(&u);
	br_directory_close(&d2);
	CHECK(d2 == NULL);
}

/* ---- credentials ---- */

/* a COSE key with NUL bytes inside and at the end */
static unsigned char cose_a[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20, 0x00, 0x00,
	0x11, 0x00, 0x2a, 0x28, 0x29, 0x5c, 0xff, 0xfe, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x22, 0x58, 0x20, 0x00, 0x00 };
static unsigned char cose_b[] = { 0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20, 0x00 };
static unsigned char id_a[] = { 0x00, 0x01, 0xfb, 0xff, 0x3e, 0x3f, 0x2a, 0x28, 0x29, 0x5c, 0x00, 0x10,
	0x20, 0x30, 0x40, 0x50 };
static unsigned char id_b[] = { 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42 };
static unsigned char id_c[] = { 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63 };
static unsigned char id_x[] = { 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78 };

#define T_CREATED_A 1700000000  /* 2023-11-14T22:13:20Z */
#define T_CREATED_B 1600000000  /* 2020-09-13T12:26:40Z: older, listed first */

static br_credential_record
record(unsigned char *id, size_t idlen, unsigned char *pk, size_t pklen, int64_t created)
{
	br_credential_record c;

	memset(&c, 0, sizeof(c));
	c.id.ptr = id;
	c.id.len = idlen;
	c.public_key.ptr = pk;
	c.public_key.len = pklen;
	c.created = created;
	return c;
}

static int
children(const char *uid)
{
	return admin_count(dn_of(uid), LDAP_SCOPE_ONELEVEL, "(objectClass=*)");
}

static void
credentials(br_directory *d)
{
	br_user *alice = must_find(d, "alice"), *bob = must_find(d, "bob"), *u = NULL, fake;
	br_credential_record a = record(id_a, sizeof(id_a), cose_a, sizeof(cose_a), T_CREATED_A);
	br_credential_record b = record(id_b, sizeof(id_b), cose_b, sizeof(cose_b), T_CREATED_B), x;
	const br_credential_record *got;
	char *s;

	a.sign_count = 5;
	strcpy(a.aaguid, "ee882879-721c-4913-9775-3dfcce97072a");
	a.transports = BR_TRANSPORT_USB | BR_TRANSPORT_NFC;
	strcpy(a.fmt, "packed");
	a.backup_eligible = 1;
	a.backup_state = 0;
	a.user_verified = 1;
	a.nickname = (char *)"YubiKey \xe9\x8d\xb5";  /* 鍵 */
	CHECK(children("alice") == 0);
	u = (br_user *)1;
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);
	CHECK(br_dir_add_credential(d, alice, &a) == BR_DIR_OK);
	CHECK(children("alice") == 1);

	u = must_find(d, "alice");
	CHECK(u->n_creds == 1);
	got = &u->creds[0];
	CHECK(strncmp(got->dn, "fidoCredentialId=", 17) == 0 && strstr(got->dn, dn_of("alice")) != NULL);
	CHECK(got->id.len == sizeof(id_a) && memcmp(got->id.ptr, id_a, sizeof(id_a)) == 0);
	CHECK(got->public_key.len == sizeof(cose_a) && memcmp(got->public_key.ptr, cose_a, sizeof(cose_a)) == 0);
	CHECK(got->sign_count == 5);
	CHECK(strcmp(got->aaguid, "ee882879-721c-4913-9775-3dfcce97072a") == 0);
	CHECK(got->transports == (BR_TRANSPORT_USB | BR_TRANSPORT_NFC));
	CHECK(strcmp(got->fmt, "packed") == 0);
	CHECK(got->backup_eligible == 1 && got->backup_state == 0 && got->user_verified == 1);
	CHECK(got->created == T_CREATED_A && got->last_used == 0);
	CHECK(got->nickname != NULL && strcmp(got->nickname, a.nickname) == 0);
	/* as the server stores them */
	s = admin_get(got->dn, "fidoCreated");
	CHECK(s != NULL && strcmp(s, "20231114221320Z") == 0);
	free(s);
	s = admin_get(got->dn, "fidoCredentialId");
	CHECK(s != NULL && strcmp(s, "AAH7_z4_KigpXAAQIDBAUA") == 0);
	free(s);
	s = admin_get(got->dn, "fidoUserVerified");
	CHECK(s != NULL && strcmp(s, "TRUE") == 0);
	free(s);
	br_user_free(&u);

	/* an older credential with only the mandatory attributes comes first */
	CHECK(br_dir_add_credential(d, alice, &b) == BR_DIR_OK);
	u = must_find(d, "alice");
	CHECK(u->n_creds == 2);
	CHECK(u->creds[0].created == T_CREATED_B && u->creds[1].created == T_CREATED_A);
	CHECK(u->creds[0].transports == 0 && u->creds[0].nickname == NULL && u->creds[0].aaguid[0] == '\0' &&
	    u->creds[0].fmt[0] == '\0' && u->creds[0].user_verified == 0);
	br_user_free(&u);
	/* each id finds its owner with that credential alone */
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_OK);
	CHECK(strcmp(u->username, "alice") == 0 && u->n_creds == 1 && u->creds[0].created == T_CREATED_A);
	br_user_free(&u);
	CHECK(br_dir_find_for_signin(d, id_b, sizeof(id_b), NULL, 0, &u) == BR_DIR_OK);
	CHECK(strcmp(u->username, "alice") == 0 && u->n_creds == 1 && u->creds[0].created == T_CREATED_B);
	br_user_free(&u);

	/* the same id planted under bob too (bypassing the module): lookups refuse to choose */
	{
		char dn[256];

		snprintf(dn, sizeof(dn), "fidoCredentialId=AAH7_z4_KigpXAAQIDBAUA,%s", dn_of("bob"));
		admin_add(dn, S("objectClass"), S("fidoCredential"), S("fidoCredentialId"),
		    S("AAH7_z4_KigpXAAQIDBAUA"), S("fidoPublicKey"), (const char *)cose_b, sizeof(cose_b), S("fidoSignCount"),
		    S("0"), S("fidoCreated"), S("20240101000000Z"), (char *)NULL);
		u = (br_user *)1;
		CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_ERROR && u == NULL);
		reason_is("ldap search", "AAH7", "people");
		u = (br_user *)1;
		CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), handle_alice, sizeof(handle_alice), &u) ==
		    BR_DIR_ERROR && u == NULL);
		admin_delete(dn);
		CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_OK);
		CHECK(strcmp(u->username, "alice") == 0);
		br_user_free(&u);
	}

	/* the same id again, for alice or for bob: EXISTS, nothing added */
	CHECK(br_dir_add_credential(d, alice, &a) == BR_DIR_EXISTS);
	CHECK(br_dir_add_credential(d, bob, &a) == BR_DIR_EXISTS);
	CHECK(children("alice") == 2 && children("bob") == 0);

	/* ids that are prefixes or neighbours of known ones */
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a) - 1, NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);
	CHECK(br_dir_find_for_signin(d, id_a + 1, sizeof(id_a) - 1, NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);
	CHECK(br_dir_find_for_signin(d, id_c, sizeof(id_c), NULL, 0, &u) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_find_for_signin(d, id_c, 0, NULL, 0, &u) == BR_DIR_INVALID);

	/* the server refuses the add (the ACL, under an entry that is not a person's): no entry at all */
	x = record(id_x, sizeof(id_x), cose_b, sizeof(cose_b), T_CREATED_A);
	x.nickname = (char *)"never stored";
	memset(&fake, 0, sizeof(fake));
	fake.dn = (char *)"ou=services,dc=example,dc=edu";
	CHECK(br_dir_add_credential(d, &fake, &x) == BR_DIR_ERROR);
	reason_is("ldap add", "services", "eHh4");
	CHECK(admin_count(base, LDAP_SCOPE_SUBTREE, "(fidoCredentialId=eHh4eHh4eHh4)") == 0);
	/* under a user that does not exist */
	fake.dn = dn_of("ghost");
	CHECK(br_dir_add_credential(d, &fake, &x) == BR_DIR_NOT_FOUND);
	CHECK(admin_count(base, LDAP_SCOPE_SUBTREE, "(fidoCredentialId=eHh4eHh4eHh4)") == 0);

	/* input refused before anything is sent */
	x = record(id_x, sizeof(id_x), cose_b, sizeof(cose_b), T_CREATED_A);
	x.public_key.len = 0;
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	x = record(id_x, 0, cose_b, sizeof(cose_b), T_CREATED_A);
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	x = record(id_x, sizeof(id_x), cose_b, sizeof(cose_b), T_CREATED_A);
	x.nickname = (char *)"bad \xc3\x28 utf-8";
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	x.nickname = NULL;
	strcpy(x.aaguid, "not-a-uuid");
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	x.aaguid[0] = '\0';
	x.nickname = (char *)"Key\xc2\x85One";  /* NEL, a C1 control */
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	x.nickname = NULL;
	x.transports = 1u << BR_TRANSPORT_COUNT;  /* a bit no transport has */
	CHECK(br_dir_add_credential(d, alice, &x) == BR_DIR_INVALID);
	CHECK(children("alice") == 2);
	br_user_free(&alice);
	br_user_free(&bob);
}

struct add_race {
	br_directory *d;
	const br_user *u;
	const br_credential_record *c;
	pthread_barrier_t *start;
	br_dir_rc r;
};

static void *
adder(void *arg)
{
	struct add_race *a = arg;

	pthread_barrier_wait(a->start);
	a->r = br_dir_add_credential(a->d, a->u, a->c);
	return NULL;
}

/* Two threads register the same new credential for one user: one OK, one EXISTS. */
static void
add_race(br_directory *d, int rounds)
{
	br_user *alice = must_find(d, "alice");
	int i, bad = 0;

	for (i = 0; i < rounds; i++) {
		unsigned char id[12] = "race-id-";
		br_credential_record c;
		pthread_barrier_t start;
		struct add_race a, b;
		pthread_t ta, tb;

		id[8] = (unsigned char)i;
		c = record(id, sizeof(id), cose_b, sizeof(cose_b), T_CREATED_A);
		CHECK(pthread_barrier_init(&start, NULL, 2) == 0);
		a = (struct add_race){ d, alice, &c, &start, BR_DIR_ERROR };
		b = a;
		CHECK(pthread_create(&ta, NULL, adder, &a) == 0);
		CHECK(pthread_create(&tb, NULL, adder, &b) == 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&start);
		if (!((a.r == BR_DIR_OK && b.r == BR_DIR_EXISTS) || (a.r == BR_DIR_EXISTS && b.r == BR_DIR_OK))) {
			fprintf(stderr, "add race %d: %s / %s\n", i, br_dir_rc_name(a.r), br_dir_rc_name(b.r));
			bad++;
		}
		CHECK(children("alice") == 3);
		CHECK(br_dir_delete_credential(d, alice, id, sizeof(id)) == BR_DIR_OK);
	}
	CHECK(bad == 0);
	br_user_free(&alice);
}

static void
rename_and_delete(br_directory *d)
{
	br_user *alice = must_find(d, "alice"), *bob = must_find(d, "bob"), *u = NULL;
	br_credential_record c = record(id_c, sizeof(id_c), cose_b, sizeof(cose_b), T_CREATED_A + 5);
	char name64[64 * 3 + 1], name65[65 + 1];
	size_t i;

	/* bob gets a credential of his own */
	CHECK(br_dir_add_credential(d, bob, &c) == BR_DIR_OK);
	CHECK(children("bob") == 1);

	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), "Work key") == BR_DIR_OK);
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_OK);
	CHECK(strcmp(u->creds[0].nickname, "Work key") == 0);
	br_user_free(&u);
	/* 64 characters of three bytes each are fine; 65 are not */
	for (i = 0; i < 64; i++)
		memcpy(name64 + 3 * i, "\xe3\x81\x82", 3);  /* あ */
	name64[192] = '\0';
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), name64) == BR_DIR_OK);
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_OK);
	CHECK(strcmp(u->creds[0].nickname, name64) == 0);
	br_user_free(&u);
	memset(name65, 'n', 65);
	name65[65] = '\0';
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), name65) == BR_DIR_INVALID);
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), "tab\there") == BR_DIR_INVALID);
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), "bad \xed\xa0\x80 surrogate") == BR_DIR_INVALID);
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), "\xc0\xaf overlong") == BR_DIR_INVALID);
	/* another user's credential, through alice: not found, unchanged */
	CHECK(br_dir_rename_credential(d, alice, id_c, sizeof(id_c), "mine now") == BR_DIR_NOT_FOUND);
	CHECK(br_dir_find_for_signin(d, id_c, sizeof(id_c), NULL, 0, &u) == BR_DIR_OK);
	CHECK(strcmp(u->username, "bob") == 0 && u->creds[0].nickname == NULL);
	br_user_free(&u);
	/* no nickname: the attribute goes */
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), NULL) == BR_DIR_OK);
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_OK);
	CHECK(u->creds[0].nickname == NULL);
	br_user_free(&u);
	CHECK(br_dir_rename_credential(d, alice, id_a, sizeof(id_a), "Work key") == BR_DIR_OK);

	/* delete: not another user's */
	CHECK(br_dir_delete_credential(d, alice, id_c, sizeof(id_c)) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_delete_credential(d, bob, id_a, sizeof(id_a)) == BR_DIR_NOT_FOUND);
	CHECK(children("alice") == 2 && children("bob") == 1);
	CHECK(br_dir_delete_credential(d, bob, id_c, sizeof(id_c)) == BR_DIR_OK);
	CHECK(children("bob") == 0);
	CHECK(br_dir_delete_credential(d, bob, id_c, sizeof(id_c)) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_find_for_signin(d, id_c, sizeof(id_c), NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);
	CHECK(br_dir_delete_credential(d, alice, id_b, sizeof(id_b)) == BR_DIR_OK);
	CHECK(children("alice") == 1);
	CHECK(br_dir_delete_credential(d, alice, id_b, 0) == BR_DIR_INVALID);
	/* the id is free again once deleted */
	CHECK(br_dir_add_credential(d, alice, &c) == BR_DIR_OK);
	CHECK(br_dir_delete_credential(d, alice, id_c, sizeof(id_c)) == BR_DIR_OK);
	br_user_free(&alice);
	br_user_free(&bob);
}

/* ---- the sign-in lookup ---- */

/* slapd's stats log (SLAPD_LOG) grows by one "SRCH base=" line per search, written before it is run. */
static long
log_size(void)
{
	struct stat st;

	CHECK(stat(slapd_log, &st) == 0);
	return (long)st.st_size;
}

/* Searches slapd received since mark; the first one's log line into first (when not NULL). */
static int
searches_since(long mark, char *first, size_t cap)
{
	FILE *f = fopen(slapd_log, "r");
	char line[8192];
	int n = 0;

	CHECK(f != NULL);
	CHECK(fseek(f, mark, SEEK_SET) == 0);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " SRCH base=") != NULL && n++ == 0 && first != NULL)
			snprintf(first, cap, "%s", line);
	fclose(f);
	return n;
}

static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int
same_blob(const br_blob *a, const br_blob *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

static void
same_cred(const br_credential_record *a, const br_credential_record *b)
{
	CHECK(same_str(a->dn, b->dn) && same_blob(&a->id, &b->id) && same_blob(&a->public_key, &b->public_key));
	CHECK(a->sign_count == b->sign_count && strcmp(a->aaguid, b->aaguid) == 0 && strcmp(a->fmt, b->fmt) == 0);
	CHECK(a->transports == b->transports && same_str(a->nickname, b->nickname));
	CHECK(a->backup_eligible == b->backup_eligible && a->backup_state == b->backup_state &&
	    a->user_verified == b->user_verified);
	CHECK(a->created == b->created && a->last_used == b->last_used);
}

/* Everything but the credential list. */
static void
same_user(const br_user *a, const br_user *b)
{
	size_t i;

	CHECK(same_str(a->dn, b->dn) && same_str(a->username, b->username));
	CHECK(same_blob(&a->user_handle, &b->user_handle) && a->disabled == b->disabled);
	CHECK(json_equal(a->attributes, b->attributes));
	CHECK(a->n_enrolment_codes == b->n_enrolment_codes);
	for (i = 0; i < a->n_enrolment_codes; i++)
		CHECK(strcmp(a->enrolment_codes[i], b->enrolment_codes[i]) == 0);
}

/* The index of credential id among u's, which must have it. */
static size_t
cred_index(const br_user *u, const unsigned char *id, size_t len)
{
	size_t i;

	for (i = 0; i < u->n_creds; i++)
		if (u->creds[i].id.len == len && memcmp(u->creds[i].id.ptr, id, len) == 0)
			return i;
	CHECK(!"credential in its owner's list");
	return 0;
}

/*
 * br_dir_find_for_signin must find owner with the one credential, equal
 * field for field to the user and that credential as br_dir_find_user reads
 * them. The number of searches slapd saw goes back.
 */
static int
signin_ok(br_directory *d, const unsigned char *id, size_t len, const unsigned char *h, size_t hlen,
    const char *owner)
{
	br_user *s = NULL, *u = NULL;
	long mark = log_size();
	br_dir_rc r = br_dir_find_for_signin(d, id, len, h, hlen, &s);
	int n = searches_since(mark, NULL, 0);

	if (r != BR_DIR_OK)
		fprintf(stderr, "find_for_signin (owner %s): %s\n", owner, br_dir_rc_name(r));
	CHECK(r == BR_DIR_OK && s != NULL);
	CHECK(strcmp(s->username, owner) == 0);
	u = must_find(d, owner);
	same_user(s, u);
	CHECK(s->n_creds == 1 && s->creds != NULL);
	same_cred(&s->creds[0], &u->creds[cred_index(u, id, len)]);
	br_user_free(&s);
	br_user_free(&u);
	return n;
}

/* A failing lookup: its code, nothing out; the number of searches goes back. */
static int
signin_fails(br_directory *d, const unsigned char *id, size_t len, const unsigned char *h, size_t hlen,
    br_dir_rc want)
{
	br_user *s = (br_user *)1;
	long mark = log_size();
	br_dir_rc r = br_dir_find_for_signin(d, id, len, h, hlen, &s);

	if (r != want)
		fprintf(stderr, "find_for_signin: %s, expected %s\n", br_dir_rc_name(r), br_dir_rc_name(want));
	CHECK(r == want && s == NULL);
	return searches_since(mark, NULL, 0);
}

static unsigned char id_s[] = { 0x53, 0x00, 0x2a, 0x28, 0x29, 0x5c, 0x00, 0x53, 0xfe, 0x01 };
static unsigned char id_d[] = { 0x64, 0x61, 0x76, 0x65, 0x2d, 0x6b, 0x65, 0x79 };
static unsigned char id_h[] = { 0x68, 0x61, 0x6e, 0x61, 0x6b, 0x6f, 0x00, 0x2a };
/* raw bytes a filter would misread; the id goes in base64url, the handle escaped */
static unsigned char id_inj[] = { 0x2a, 0x28, 0x5c, 0x00, 0x29, 0x2a };
static const unsigned char handle_dave[] = { 0x00, 0x00, 0x29, 0x28, 0x7c };
static const unsigned char handle_twin[] = { 0x74, 0x77, 0x69, 0x6e };

/* A credential entry named id64 under the user dn, added as the rootdn (bypassing the module). */
static void
plant_cred(const char *user_dn, const char *id64, char *dn, size_t cap)
{
	snprintf(dn, cap, "fidoCredentialId=%s,%s", id64, user_dn);
	admin_add(dn, S("objectClass"), S("fidoCredential"), S("fidoCredentialId"), S(id64), S("fidoPublicKey"),
	    (const char *)cose_b, sizeof(cose_b), S("fidoSignCount"), S("0"), S("fidoCreated"), S("20240101000000Z"),
	    (char *)NULL);
}

/* Several users with one handle, and one id under several users. */
static void
signin_crowds(br_directory *d)
{
	char twin_dn[6][256], cred_dn[4][256], uid[16];
	br_user twin;
	int i;

	memset(&twin, 0, sizeof(twin));
	admin_add("ou=extra,ou=people,dc=example,dc=edu", S("objectClass"), S("organizationalUnit"), S("ou"),
	    S("extra"), (char *)NULL);
	for (i = 0; i < 6; i++) {
		snprintf(uid, sizeof(uid), "twin%d", i);
		snprintf(twin_dn[i], sizeof(twin_dn[i]), "uid=%s,ou=extra,%s", uid, people);
		admin_add(twin_dn[i], S("objectClass"), S("inetOrgPerson"), S("uid"), S(uid), S("cn"), S(uid), S("sn"),
		    S(uid), (char *)NULL);
		/* twin0 answers to alice's handle, the others share one */
		twin.dn = twin_dn[i];
		CHECK(br_dir_set_user_handle(d, &twin, i == 0 ? handle_alice : handle_twin,
			  i == 0 ? sizeof(handle_alice) : sizeof(handle_twin)) == BR_DIR_OK);
		br_blob_reset(&twin.user_handle);
	}
	/* two users with alice's handle: only the credential's parent is taken, still in one search */
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), "alice") == 1);
	plant_cred(twin_dn[0], "dHdpbi1rZXk", cred_dn[0], sizeof(cred_dn[0]));
	CHECK(signin_ok(d, (const unsigned char *)"twin-key", 8, handle_alice, sizeof(handle_alice), "twin0") == 1);
	admin_delete(cred_dn[0]);

	/* more entries than one search takes: asked again for the credential alone */
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_twin, sizeof(handle_twin), "alice") == 3);
	CHECK(signin_fails(d, id_c, sizeof(id_c), handle_twin, sizeof(handle_twin), BR_DIR_NOT_FOUND) == 2);

	/* id_s under bob as well: ERROR whatever the handle, never one of the two */
	plant_cred(dn_of("bob"), "UwAqKClcAFP-AQ", cred_dn[1], sizeof(cred_dn[1]));
	CHECK(signin_fails(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), BR_DIR_ERROR) == 1);
	CHECK(signin_fails(d, id_s, sizeof(id_s), handle_bob, sizeof(handle_bob), BR_DIR_ERROR) == 1);
	CHECK(signin_fails(d, id_s, sizeof(id_s), NULL, 0, BR_DIR_ERROR) == 1);
	CHECK(signin_fails(d, id_s, sizeof(id_s), handle_twin, sizeof(handle_twin), BR_DIR_ERROR) == 2);
	/* four copies: over the size limit of either search */
	plant_cred(dn_of("hanako"), "UwAqKClcAFP-AQ", cred_dn[2], sizeof(cred_dn[2]));
	plant_cred(twin_dn[0], "UwAqKClcAFP-AQ", cred_dn[3], sizeof(cred_dn[3]));
	CHECK(signin_fails(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), BR_DIR_ERROR) == 2);
	CHECK(signin_fails(d, id_s, sizeof(id_s), NULL, 0, BR_DIR_ERROR) == 1);
	for (i = 1; i < 4; i++)
		admin_delete(cred_dn[i]);
	for (i = 0; i < 6; i++)
		admin_delete(twin_dn[i]);
	admin_delete("ou=extra,ou=people,dc=example,dc=edu");
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), "alice") == 1);
}

static void
signin_lookup(br_directory *d)
{
	br_user *alice = must_find(d, "alice"), *bob = must_find(d, "bob"), *dave = must_find(d, "dave");
	br_user *hanako = must_find(d, "hanako"), *u;
	br_credential_record s = record(id_s, sizeof(id_s), cose_a, sizeof(cose_a), T_CREATED_A + 60);
	br_credential_record c = record(id_d, sizeof(id_d), cose_b, sizeof(cose_b), T_CREATED_B);
	br_credential_record h = record(id_h, sizeof(id_h), cose_b, sizeof(cose_b), T_CREATED_B);
	br_credential_record inj = record(id_inj, sizeof(id_inj), cose_b, sizeof(cose_b), T_CREATED_B);
	unsigned char long_handle[BR_USER_HANDLE_MAX + 1], long_id[1024];
	static const unsigned char *const odd_ids[] = { (const unsigned char *)"*", (const unsigned char *)"(",
		(const unsigned char *)"\\", (const unsigned char *)"\0", (const unsigned char *)"*)(objectClass=*",
		(const unsigned char *)"\\2a" };
	static const size_t odd_id_lens[] = { 1, 1, 1, 1, 16, 3 };
	/* handles no user has, each unsafe in a filter if it got there unescaped */
	static const char *const odd_handles[] = { "\\2a", "(", ")", "\\", "*)(objectClass=*", "\0*\0" };
	static const size_t odd_handle_lens[] = { 3, 1, 1, 1, 16, 3 };
	char line[8192];
	size_t i;
	long mark;

	/* alice: id_a and a second credential with every attribute */
	s.sign_count = 77;
	strcpy(s.aaguid, "ee882879-721c-4913-9775-3dfcce97072a");
	s.transports = BR_TRANSPORT_HYBRID | BR_TRANSPORT_INTERNAL;
	strcpy(s.fmt, "none");
	s.backup_eligible = s.backup_state = 1;
	s.last_used = T_CREATED_A + 3600;
	s.nickname = (char *)"Phone \xe9\x8d\xb5";
	CHECK(br_dir_add_credential(d, alice, &s) == BR_DIR_OK);
	CHECK(br_dir_add_credential(d, bob, &inj) == BR_DIR_OK);
	CHECK(br_dir_add_credential(d, hanako, &h) == BR_DIR_OK);
	/* a handle nobody has yet does not find dave's entry in the first search; once his, it does */
	CHECK(br_dir_add_credential(d, dave, &c) == BR_DIR_OK);
	CHECK(signin_ok(d, id_d, sizeof(id_d), handle_dave, sizeof(handle_dave), "dave") == 2);
	CHECK(br_dir_set_user_handle(d, dave, handle_dave, sizeof(handle_dave)) == BR_DIR_OK);
	u = must_find(d, "alice");
	CHECK(u->n_creds == 2);
	br_user_free(&u);

	/* the right handle: one search, only the credential asked for */
	mark = log_size();
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), "alice") == 1);
	CHECK(searches_since(mark, line, sizeof(line)) == 1 + 2);  /* and br_dir_find_user's 2 */
	CHECK(strstr(line, "filter=\"(|(&(objectClass=fidoCredential)(fidoCredentialId=UwAqKClcAFP-AQ))"
			   "(&(objectClass=fidoUser)(fidoUserHandle=") != NULL);
	CHECK(signin_ok(d, id_a, sizeof(id_a), handle_alice, sizeof(handle_alice), "alice") == 1);
	/* NUL, '*', '(' and '\\' in the handle and the id: found exactly, in one search */
	CHECK(signin_ok(d, id_inj, sizeof(id_inj), handle_bob, sizeof(handle_bob), "bob") == 1);
	/* the longest handle; its first three bytes spell an escaped NUL, and match nobody */
	CHECK(signin_ok(d, id_h, sizeof(id_h), handle_hanako, sizeof(handle_hanako), "hanako") == 1);
	CHECK(signin_ok(d, id_h, sizeof(id_h), handle_hanako, 3, "hanako") == 2);
	CHECK(signin_ok(d, id_h, sizeof(id_h), handle_hanako, sizeof(handle_hanako) - 1, "hanako") == 2);
	/* a disabled user is found, flagged */
	CHECK(signin_ok(d, id_d, sizeof(id_d), handle_dave, sizeof(handle_dave), "dave") == 1);
	CHECK(br_dir_find_for_signin(d, id_d, sizeof(id_d), handle_dave, sizeof(handle_dave), &u) == BR_DIR_OK);
	CHECK(u->disabled == 1 && u->n_creds == 1);
	br_user_free(&u);

	/* another user's handle, or one nobody has: still the real owner, through a base search */
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_bob, sizeof(handle_bob), "alice") == 2);
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_hanako, sizeof(handle_hanako), "alice") == 2);
	CHECK(signin_ok(d, id_inj, sizeof(id_inj), handle_alice, sizeof(handle_alice), "bob") == 2);
	CHECK(signin_ok(d, id_d, sizeof(id_d), handle_bob, sizeof(handle_bob), "dave") == 2);
	for (i = 0; i < sizeof(odd_handles) / sizeof(odd_handles[0]); i++) {
		mark = log_size();
		CHECK(signin_ok(d, id_s, sizeof(id_s), (const unsigned char *)odd_handles[i], odd_handle_lens[i], "alice") == 2);
		CHECK(searches_since(mark, line, sizeof(line)) == 2 + 2);
		CHECK(strstr(line, "(fidoUserHandle=*") == NULL && strstr(line, "objectClass=*") == NULL);
	}
	/* prefixes of a real handle are other handles */
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, 1, "alice") == 2);
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice) - 1, "alice") == 2);

	/* no handle: the credential, then its parent */
	CHECK(signin_ok(d, id_s, sizeof(id_s), NULL, 0, "alice") == 2);
	CHECK(signin_ok(d, id_s, sizeof(id_s), handle_alice, 0, "alice") == 2);
	CHECK(signin_ok(d, id_d, sizeof(id_d), NULL, 0, "dave") == 2);
	/* a handle no user can have counts as none */
	memset(long_handle, 0x2a, sizeof(long_handle));
	CHECK(signin_ok(d, id_s, sizeof(id_s), long_handle, sizeof(long_handle), "alice") == 2);

	/* unknown credentials: NOT_FOUND after one search, with any handle or none */
	CHECK(signin_fails(d, id_c, sizeof(id_c), handle_alice, sizeof(handle_alice), BR_DIR_NOT_FOUND) == 1);
	CHECK(signin_fails(d, id_c, sizeof(id_c), NULL, 0, BR_DIR_NOT_FOUND) == 1);
	CHECK(signin_fails(d, id_s, sizeof(id_s) - 1, handle_alice, sizeof(handle_alice), BR_DIR_NOT_FOUND) == 1);
	for (i = 0; i < sizeof(odd_ids) / sizeof(odd_ids[0]); i++) {
		CHECK(signin_fails(d, odd_ids[i], odd_id_lens[i], handle_bob, sizeof(handle_bob), BR_DIR_NOT_FOUND) == 1);
		CHECK(signin_fails(d, odd_ids[i], odd_id_lens[i], NULL, 0, BR_DIR_NOT_FOUND) == 1);
	}

	/* refused before anything is sent */
	CHECK(br_dir_find_for_signin(d, id_s, sizeof(id_s), NULL, 0, NULL) == BR_DIR_INVALID);
	CHECK(signin_fails(NULL, id_s, sizeof(id_s), NULL, 0, BR_DIR_INVALID) == 0);
	CHECK(signin_fails(d, NULL, 5, handle_alice, sizeof(handle_alice), BR_DIR_INVALID) == 0);
	CHECK(signin_fails(d, id_s, 0, handle_alice, sizeof(handle_alice), BR_DIR_INVALID) == 0);
	memset(long_id, 0x41, sizeof(long_id));
	CHECK(signin_fails(d, long_id, sizeof(long_id), handle_alice, sizeof(handle_alice), BR_DIR_INVALID) == 0);
	CHECK(signin_fails(d, long_id, sizeof(long_id) - 1, handle_alice, sizeof(handle_alice), BR_DIR_NOT_FOUND) == 1);
	CHECK(signin_fails(d, long_id, sizeof(long_id) - 1, NULL, 0, BR_DIR_NOT_FOUND) == 1);

	signin_crowds(d);

	CHECK(br_dir_delete_credential(d, alice, id_s, sizeof(id_s)) == BR_DIR_OK);
	CHECK(br_dir_delete_credential(d, bob, id_inj, sizeof(id_inj)) == BR_DIR_OK);
	CHECK(br_dir_delete_credential(d, dave, id_d, sizeof(id_d)) == BR_DIR_OK);
	CHECK(br_dir_delete_credential(d, hanako, id_h, sizeof(id_h)) == BR_DIR_OK);
	CHECK(signin_fails(d, id_s, sizeof(id_s), handle_alice, sizeof(handle_alice), BR_DIR_NOT_FOUND) == 1);
	br_user_free(&alice);
	br_user_free(&bob);
	br_user_free(&dave);
	br_user_free(&hanako);
}

/* The credential id_a as stored now. */
static br_user *
load_a(br_directory *d, br_credential_record **c)
{
	br_user *u = must_find(d, "alice");

	*c = &u->creds[cred_index(u, id_a, sizeof(id_a))];
	return u;
}

#define T0 INT64_C(1700000000)

static void
record_use(br_directory *d)
{
	br_credential_record *c, gone;
	br_user *u = load_a(d, &c);
	char *s;
	int wrote = -1;

	CHECK(c->sign_count == 5 && c->last_used == 0);
	/* never used: last-used is written even with the same count */
	CHECK(br_dir_record_use(d, c, 5, T0, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == T0 && c->sign_count == 5);
	s = admin_get(c->dn, "fidoLastUsed");
	CHECK(s != NULL && strcmp(s, "20231114221320Z") == 0);
	free(s);

	/* same count within the interval: no write at all */
	wrote = -1;
	CHECK(br_dir_record_use(d, c, 5, T0 + 10, &wrote) == BR_DIR_OK && wrote == 0);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == T0 && c->sign_count == 5);

	/* a new count within the interval: the count only */
	CHECK(br_dir_record_use(d, c, 9, T0 + 20, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->sign_count == 9 && c->last_used == T0);

	/* the interval is over: last-used (and the count, in the same modify) */
	CHECK(br_dir_record_use(d, c, 9, T0 + 3599, &wrote) == BR_DIR_OK && wrote == 0);
	CHECK(br_dir_record_use(d, c, 10, T0 + 3600, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->sign_count == 10 && c->last_used == T0 + 3600);

	/* GeneralizedTime written by somebody else: offsets and fractions */
	admin_replace(c->dn, "fidoLastUsed", "20231114231320+0100");
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == T0);
	admin_replace(c->dn, "fidoLastUsed", "20231114221320.75Z");
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == T0);
	admin_replace(c->dn, "fidoLastUsed", "20000229120000Z");  /* leap day */
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == INT64_C(951825600));

	/* a credential deleted meanwhile */
	gone = *c;
	gone.dn = (char *)"fidoCredentialId=Z29uZQ,uid=alice,ou=people,dc=example,dc=edu";
	gone.last_used = 0;
	CHECK(br_dir_record_use(d, &gone, 1, T0, &wrote) == BR_DIR_NOT_FOUND && wrote == 0);
	CHECK(br_dir_record_use(d, c, 1, -5, &wrote) == BR_DIR_INVALID);
	br_user_free(&u);
}

/* with a real clock: interval 1 s */
static void
record_use_clock(void)
{
	br_directory_options o = bridge_options();
	br_directory *d;
	br_credential_record *c;
	br_user *u;
	int wrote;
	int64_t t;

	o.last_used_interval_s = 1;
	d = open_with(&o);
	u = load_a(d, &c);
	t = (int64_t)time(NULL);
	CHECK(br_dir_record_use(d, c, c->sign_count, t, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used == t);
	CHECK(br_dir_record_use(d, c, c->sign_count, (int64_t)time(NULL), &wrote) == BR_DIR_OK);
	CHECK(wrote == ((int64_t)time(NULL) - t >= 1));
	sleep_ms(1100);
	CHECK(br_dir_record_use(d, c, c->sign_count, (int64_t)time(NULL), &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->last_used > t);
	br_user_free(&u);
	br_directory_close(&d);
}

/* ---- enrolment codes ---- */

#define CODE_A "v1$c2FsdA$aGFzaA$20991231235959Z"

static int
has_code(const br_user *u, const char *code)
{
	size_t i;

	for (i = 0; i < u->n_enrolment_codes; i++)
		if (strcmp(u->enrolment_codes[i], code) == 0)
			return 1;
	return 0;
}

struct race {
	br_directory *d;
	const br_user *u;
	const char *code;
	pthread_barrier_t *start;
	br_dir_rc r;
};

static void *
remover(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->start);
	r->r = br_dir_remove_enrolment_code(r->d, r->u, r->code);
	return NULL;
}

static void
enrolment_codes(br_directory *d, int rounds)
{
	br_user *carol = must_find(d, "carol"), *bob = must_find(d, "bob"), *u;
	const char *demo = bob->enrolment_codes[0];
	int i, one = 0, both = 0, none = 0, errors = 0;

	/* carol is no fidoUser yet: the class comes with the first code */
	CHECK(admin_count(dn_of("carol"), LDAP_SCOPE_BASE, "(objectClass=fidoUser)") == 0);
	CHECK(br_dir_remove_enrolment_code(d, carol, CODE_A) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_add_enrolment_code(d, carol, CODE_A) == BR_DIR_OK);
	CHECK(admin_count(dn_of("carol"), LDAP_SCOPE_BASE, "(objectClass=fidoUser)") == 1);
	CHECK(br_dir_add_enrolment_code(d, carol, CODE_A) == BR_DIR_EXISTS);
	u = must_find(d, "carol");
	CHECK(u->n_enrolment_codes == 1 && has_code(u, CODE_A));
	br_user_free(&u);
	CHECK(br_dir_remove_enrolment_code(d, carol, CODE_A) == BR_DIR_OK);
	CHECK(br_dir_remove_enrolment_code(d, carol, CODE_A) == BR_DIR_NOT_FOUND);
	u = must_find(d, "carol");
	CHECK(u->n_enrolment_codes == 0);
	br_user_free(&u);

	/* one of bob's two (the sample's expired one and CODE_A): the other stays */
	CHECK(br_dir_add_enrolment_code(d, bob, CODE_A) == BR_DIR_OK);
	CHECK(br_dir_remove_enrolment_code(d, bob, demo) == BR_DIR_OK);
	CHECK(br_dir_remove_enrolment_code(d, bob, demo) == BR_DIR_NOT_FOUND);
	u = must_find(d, "bob");
	CHECK(u->n_enrolment_codes == 1 && !has_code(u, demo) && has_code(u, CODE_A));
	br_user_free(&u);
	CHECK(br_dir_remove_enrolment_code(d, bob, CODE_A) == BR_DIR_OK);
	/* a near miss of a value is not that value */
	CHECK(br_dir_remove_enrolment_code(d, bob, "v1$*") == BR_DIR_NOT_FOUND);

	CHECK(br_dir_add_enrolment_code(d, carol, "") == BR_DIR_INVALID);
	CHECK(br_dir_add_enrolment_code(d, carol, "v1$a b") == BR_DIR_INVALID);
	CHECK(br_dir_add_enrolment_code(d, carol, "v1$\xc3\xa9") == BR_DIR_INVALID);
	CHECK(br_dir_remove_enrolment_code(d, carol, "v1$a\n") == BR_DIR_INVALID);

	/* two threads, their own connections, one code: exactly one wins */
	for (i = 0; i < rounds; i++) {
		pthread_barrier_t start;
		char code[64];
		struct race a, b;
		pthread_t ta, tb;

		snprintf(code, sizeof(code), "v1$race$%d$20991231235959Z", i);
		CHECK(br_dir_add_enrolment_code(d, carol, code) == BR_DIR_OK);
		CHECK(pthread_barrier_init(&start, NULL, 2) == 0);
		a = (struct race){ d, carol, code, &start, BR_DIR_ERROR };
		b = a;
		CHECK(pthread_create(&ta, NULL, remover, &a) == 0);
		CHECK(pthread_create(&tb, NULL, remover, &b) == 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&start);
		errors += (a.r != BR_DIR_OK && a.r != BR_DIR_NOT_FOUND) + (b.r != BR_DIR_OK && b.r != BR_DIR_NOT_FOUND);
		both += a.r == BR_DIR_OK && b.r == BR_DIR_OK;
		none += a.r != BR_DIR_OK && b.r != BR_DIR_OK;
		one += (a.r == BR_DIR_OK) != (b.r == BR_DIR_OK);
	}
	if (both || none || errors)
		fprintf(stderr, "code race: both won %d, none %d, errors %d of %d\n", both, none, errors, rounds);
	CHECK(one == rounds && both == 0 && none == 0 && errors == 0);
	u = must_find(d, "carol");
	CHECK(u->n_enrolment_codes == 0);
	br_user_free(&u);
	br_user_free(&carol);
	br_user_free(&bob);
}

static void
disabled_accounts(void)
{
	br_directory_options o = bridge_options();
	br_directory *d;
	br_user *u;

	o.disabled_value = "DISABLED";  /* compared case-insensitively */
	d = open_with(&o);
	u = must_find(d, "dave");
	CHECK(u->disabled == 1);
	br_user_free(&u);
	u = must_find(d, "carol");  /* employeeType: faculty */
	CHECK(u->disabled == 0);
	br_user_free(&u);
	br_directory_close(&d);
	o.disabled_value = "staff";  /* dave and alice are staff */
	d = open_with(&o);
	u = must_find(d, "alice");
	CHECK(u->disabled == 1);
	br_user_free(&u);
	br_directory_close(&d);
	o.disabled_attribute = NULL;
	o.disabled_value = NULL;
	d = open_with(&o);
	u = must_find(d, "dave");
	CHECK(u->disabled == 0);
	br_user_free(&u);
	br_directory_close(&d);
}

/* ---- the schema check ---- */

static void
check_full_server(br_directory *d)
{
	br_directory_options o = bridge_options();
	br_directory *ext;
	char *report = NULL;
	br_user *u;

	/* the service account cannot read cn=config: indexes unknown, not missing */
	CHECK(br_dir_check(d, &report) == 0);
	CHECK(report != NULL);
	CHECK(strstr(report, "MISSING") == NULL && strstr(report, "ERROR") == NULL);
	CHECK(strstr(report, "ok: attribute type fidoCredentialId") != NULL);
	CHECK(strstr(report, "ok: object class fidoCredential") != NULL);
	CHECK(strstr(report, "ok: object class fidoUser") != NULL);
	CHECK(strstr(report, "unknown: equality indexes") != NULL);
	CHECK(strstr(report, bridge_pw) == NULL);
	free(report);

	/* the peer-credential identity over ldapi can, and the indexes are there */
	o.uri = ldapi_uri;
	o.bind_dn = NULL;
	o.bind_password = NULL;
	o.sasl_external = 1;
	ext = open_with(&o);
	u = must_find(ext, "alice");
	br_user_free(&u);
	report = NULL;
	CHECK(br_dir_check(ext, &report) == 0);
	CHECK(strstr(report, "ok: equality index fidoCredentialId") != NULL);
	CHECK(strstr(report, "ok: equality index fidoUserHandle") != NULL);
	CHECK(strstr(report, "ok: equality index uid") != NULL);
	free(report);
	br_directory_close(&ext);

	/* a wrong password: a clean failure, without the password in the report */
	o = bridge_options();
	o.bind_password = "wrong-secret-4711";
	ext = open_with(&o);
	report = NULL;
	CHECK(br_dir_check(ext, &report) != 0);
	CHECK(report != NULL && strstr(report, "ERROR") != NULL && strstr(report, "4711") == NULL);
	free(report);
	CHECK(br_dir_find_user(ext, "alice", &u) == BR_DIR_ERROR && u == NULL);
	reason_is("ldap bind", "4711", "fido-bridge");
	br_directory_close(&ext);
}

static char bare_dir[64];

static void
stop_bare(void)
{
	char cmd[512];

	if (bare_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "'%s/stop-slapd.sh' '%s/ldap' >/dev/null 2>&1; rm -rf '%s'",
	    BR_TEST_SERVICES_DIR, bare_dir, bare_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not stop the bare slapd in %s\n", bare_dir);
	bare_dir[0] = '\0';
}

/* NAME='value' from an env file written by start-slapd.sh */
static char *
env_file_value(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[1024], *r = NULL;
	size_t n = strlen(name);

	CHECK(f != NULL);
	while (r == NULL && fgets(line, sizeof(line), f) != NULL) {
		char *v, *end;

		if (strncmp(line, name, n) != 0 || line[n] != '=' || line[n + 1] != '\'')
			continue;
		v = line + n + 2;
		CHECK((end = strchr(v, '\'')) != NULL);
		*end = '\0';
		CHECK((r = strdup(v)) != NULL);
	}
	fclose(f);
	CHECK(r != NULL);
	return r;
}

static void
check_bare_server(void)
{
	br_directory_options o = bridge_options();
	br_directory *d;
	char cmd[512], env[128], *uri, *ldapi, *report = NULL;
	int problems;

	strcpy(bare_dir, "/tmp/brdir-bare.XXXXXX");
	CHECK(mkdtemp(bare_dir) != NULL);
	atexit(stop_bare);
	snprintf(cmd, sizeof(cmd), "'%s/start-slapd.sh' --bare '%s/ldap' >'%s/start.log' 2>&1 || cat '%s/start.log' >&2",
	    BR_TEST_SERVICES_DIR, bare_dir, bare_dir, bare_dir);
	CHECK(system(cmd) == 0);
	snprintf(env, sizeof(env), "%s/ldap/env", bare_dir);
	uri = env_file_value(env, "LDAP_URI");
	ldapi = env_file_value(env, "LDAPI_URI");

	/* over ldapi with EXTERNAL: schema and (readable) cn=config */
	o.uri = ldapi;
	o.bind_dn = NULL;
	o.bind_password = NULL;
	o.sasl_external = 1;
	o.user_base = "dc=example,dc=edu";
	d = open_with(&o);
	problems = br_dir_check(d, &report);
	CHECK(problems >= 16 + 2);
	CHECK(report != NULL);
	CHECK(strstr(report, "MISSING: attribute type fidoCredentialId") != NULL);
	CHECK(strstr(report, "MISSING: attribute type fidoUserHandle") != NULL);
	CHECK(strstr(report, "MISSING: attribute type fidoEnrolmentCode") != NULL);
	CHECK(strstr(report, "MISSING: object class fidoUser") != NULL);
	CHECK(strstr(report, "MISSING: object class fidoCredential") != NULL);
	CHECK(strstr(report, "MISSING: equality index fidoCredentialId") != NULL);
	CHECK(strstr(report, "MISSING: equality index fidoUserHandle") != NULL);
	CHECK(strstr(report, "ok: username attribute uid") != NULL);
	CHECK(strstr(report, "ok: equality index uid") != NULL);
	free(report);
	br_directory_close(&d);

	/* anonymously over TCP: the schema still shows; indexes unknown */
	o.uri = uri;
	o.sasl_external = 0;
	d = open_with(&o);
	report = NULL;
	CHECK(br_dir_check(d, &report) != 0);
	CHECK(strstr(report, "MISSING: object class fidoCredential") != NULL);
	CHECK(strstr(report, "unknown: equality indexes") != NULL);
	free(report);
	br_directory_close(&d);
	free(uri);
	free(ldapi);
	stop_bare();
}

/* ---- StartTLS ---- */

/* A throw-away CA and server certificate (SAN IP:127.0.0.1) in DIR/tls, loaded into slapd. */
static void
enable_tls(char *tls, size_t cap)
{
	LDAP *ld = NULL;
	int v3 = LDAP_VERSION3;
	struct berval empty = { 0, (char *)"" };
	char cmd[2048], cert[600], key[600], *cv[] = { cert, NULL }, *kv[] = { key, NULL };
	LDAPMod mc = { LDAP_MOD_REPLACE, (char *)"olcTLSCertificateFile", { cv } };
	LDAPMod mk = { LDAP_MOD_REPLACE, (char *)"olcTLSCertificateKeyFile", { kv } };
	LDAPMod *mods[] = { &mc, &mk, NULL };

	snprintf(tls, cap, "%s/tls", slapd_dir);
	CHECK(mkdir(tls, 0700) == 0);
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
		 "-out ca.pem -days 2 -subj /CN=bridge-test-ca >openssl.log 2>&1 && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key "
		 "-out other.pem -days 2 -subj /CN=bridge-test-other-ca >>openssl.log 2>&1 && "
		 "openssl req -x509 -CA ca.pem -CAkey ca.key -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -keyout server.key -out server.pem -days 2 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -addext basicConstraints=critical,CA:FALSE "
		 ">>openssl.log 2>&1 || { cat openssl.log >&2; exit 1; }", tls);
	CHECK(system(cmd) == 0);
	snprintf(cert, sizeof(cert), "%s/server.pem", tls);
	snprintf(key, sizeof(key), "%s/server.key", tls);
	CHECK(ldap_initialize(&ld, ldapi_uri) == LDAP_SUCCESS);
	CHECK(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) == LDAP_OPT_SUCCESS);
	CHECK(ldap_sasl_bind_s(ld, NULL, "EXTERNAL", &empty, NULL, NULL, NULL) == LDAP_SUCCESS);
	CHECK(ldap_modify_ext_s(ld, "cn=config", mods, NULL, NULL) == LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static br_dir_rc
find_with(const br_directory_options *o, const char *name)
{
	br_directory *d = open_with(o);
	br_user *u = NULL;
	br_dir_rc r = br_dir_find_user(d, name, &u);

	CHECK((r == BR_DIR_OK) == (u != NULL));
	br_user_free(&u);
	br_directory_close(&d);
	return r;
}

static void
starttls(void)
{
	br_directory_options o = bridge_options();
	char tls[512], ca[600], other[600], localhost_uri[128];

	if (system("command -v openssl >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_directory: no openssl command, StartTLS not tested\n");
		return;
	}
	enable_tls(tls, sizeof(tls));
	snprintf(ca, sizeof(ca), "%s/ca.pem", tls);
	snprintf(other, sizeof(other), "%s/other.pem", tls);
	snprintf(localhost_uri, sizeof(localhost_uri), "ldap://localhost:%s", ldap_port);
	o.starttls = 1;
	o.ca_file = ca;
	CHECK(find_with(&o, "alice") == BR_DIR_OK);
	/* a server certificate from another CA, or for another name: no connection */
	o.ca_file = other;
	CHECK(find_with(&o, "alice") == BR_DIR_ERROR);
	reason_is("ldap starttls", "alice", NULL);
	o.ca_file = ca;
	o.uri = localhost_uri;
	CHECK(find_with(&o, "alice") == BR_DIR_ERROR);
	/* the system's trust store does not know the test CA */
	o.uri = ldap_uri;
	o.ca_file = NULL;
	CHECK(find_with(&o, "alice") == BR_DIR_ERROR);
	/* a CA file alone does not make ldap:// encrypted: no StartTLS, plain connection */
	o.starttls = 0;
	o.ca_file = ca;
	CHECK(find_with(&o, "alice") == BR_DIR_OK);
}

/* ---- slapd goes away and comes back ---- */

static int
gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int st;

	if (waitpid(pid, &st, WNOHANG) == pid)
		return 1;  /* our child, reaped */
	if (kill(pid, 0) != 0)
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* an orphan zombie waiting for init */
	return p != NULL && (p = strrchr(buf, ')')) != NULL && (p[2] == 'Z' || p[2] == 'X');
}

static void
stop_slapd(void)
{
	int i;

	CHECK(kill(slapd_pid, SIGTERM) == 0);
	for (i = 0; i < 200 && !gone(slapd_pid); i++)
		sleep_ms(50);
	CHECK(gone(slapd_pid));
}

static int
port_open(void)
{
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM, 0), ok;

	CHECK(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(ldap_port));
	CHECK(inet_pton(AF_INET, ldap_host, &a.sin_addr) == 1);
	ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

/* DIR/env names the new pid, so that stop-slapd.sh (with-services.sh) stops this one */
static void
record_pid(pid_t pid)
{
	char path[512], tmp[520], line[1024];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/env", slapd_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK((in = fopen(path, "r")) != NULL);
	CHECK((out = fopen(tmp, "w")) != NULL);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "SLAPD_PID=", 10) == 0)
			fprintf(out, "SLAPD_PID='%d'\n", (int)pid);
		else
			fputs(line, out);
	}
	fclose(in);
	CHECK(fclose(out) == 0);
	CHECK(rename(tmp, path) == 0);
}

/* Start slapd again, the way start-slapd.sh did: same listeners, same cn=config. */
static void
start_slapd(void)
{
	const char *slapd = getenv("SLAPD") != NULL ? getenv("SLAPD") : "/usr/sbin/slapd";
	char urls[512], conf[512], sock[512];
	pid_t pid;
	int i;

	snprintf(urls, sizeof(urls), "ldap://%s:%s/ %s", ldap_host, ldap_port, ldapi_uri);
	snprintf(conf, sizeof(conf), "%s/slapd.d", slapd_dir);
	snprintf(sock, sizeof(sock), "%s/ldapi", slapd_dir);
	unlink(sock);
	fflush(NULL);
	CHECK((pid = fork()) >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), log = open(slapd_log, O_WRONLY | O_APPEND | O_CREAT, 0600);

		if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(127);
		for (i = 3; i < 1024; i++)
			close(i);
		setsid();
		execl(slapd, slapd, "-d", "stats", "-h", urls, "-F", conf, (char *)NULL);
		_exit(127);
	}
	slapd_pid = pid;
	record_pid(pid);
	for (i = 0; i < 200 && !port_open(); i++) {
		CHECK(!gone(pid));
		sleep_ms(50);
	}
	CHECK(port_open());
}

static void
restart(br_directory *d)
{
	br_user *u = NULL, carol;
	br_credential_record *c;
	double t;
	int wrote;

	memset(&carol, 0, sizeof(carol));
	carol.dn = dn_of("carol");
	/* connections exist (this thread's) */
	u = must_find(d, "alice");
	br_user_free(&u);

	/* down: clean errors, bounded in time, each with its reason for the audit line */
	stop_slapd();
	t = now_s();
	br_store_error_clear();
	CHECK(br_dir_find_user(d, "alice", &u) == BR_DIR_ERROR && u == NULL);
	fprintf(stderr, "slapd down: \"%s\"\n", br_store_error_get());
	CHECK(strstr(br_store_error_get(), ldap_err2string(LDAP_SERVER_DOWN)) != NULL);
	reason_is("ldap bind", "alice", bridge_pw);
	u = (br_user *)1;
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), handle_alice, sizeof(handle_alice), &u) == BR_DIR_ERROR &&
	    u == NULL);
	reason_is("ldap bind", "AAH7", NULL);
	u = (br_user *)1;
	CHECK(br_dir_find_for_signin(d, id_a, sizeof(id_a), NULL, 0, &u) == BR_DIR_ERROR && u == NULL);
	reason_is("ldap bind", NULL, NULL);
	CHECK(br_dir_remove_enrolment_code(d, &carol, CODE_A) == BR_DIR_ERROR);
	reason_is("ldap bind", "v1$", "carol");
	CHECK(br_dir_check_password(d, &carol, "pw-never-shown") == BR_DIR_ERROR);
	reason_is("ldap bind", "pw-never-shown", "carol");
	CHECK(now_s() - t < 10);
	/* back: the next call works, same br_directory */
	start_slapd();
	u = must_find(d, "alice");
	CHECK(u->n_creds == 1);
	br_user_free(&u);

	/* restarted between two calls: the stale connection is replaced within the call */
	stop_slapd();
	start_slapd();
	u = load_a(d, &c);
	CHECK(br_dir_record_use(d, c, c->sign_count + 1, c->last_used + 7200, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_a(d, &c);
	CHECK(c->sign_count == 11);
	br_user_free(&u);

	/* the sign-in lookup too, with a handle and without: the new server sees only the retry */
	stop_slapd();
	start_slapd();
	CHECK(signin_ok(d, id_a, sizeof(id_a), handle_alice, sizeof(handle_alice), "alice") == 1);
	stop_slapd();
	start_slapd();
	CHECK(signin_ok(d, id_a, sizeof(id_a), NULL, 0, "alice") == 2);
}

/* What the in-memory stand-in is held to as well (tests/stores/contract.c), on two fresh users. */
static void
contract(br_directory *d)
{
	struct contract_users cu = { "contract-a", "contract-b", need_env("LDAP_USER_PW"), 3600 };
	const char *pw = cu.password;

	admin_add(dn_of("contract-a"), S("objectClass"), S("inetOrgPerson"), S("uid"), S("contract-a"), S("cn"),
	    S("Contract A"), S("sn"), S("A"), S("mail"), S("contract-a@example.edu"), S("userPassword"), S(pw),
	    (char *)NULL);
	admin_add(dn_of("contract-b"), S("objectClass"), S("inetOrgPerson"), S("uid"), S("contract-b"), S("cn"),
	    S("Contract B"), S("sn"), S("B"), (char *)NULL);
	contract_directory(d, &cu);
	CHECK(children("contract-a") == 0 && children("contract-b") == 0);
}

int
main(void)
{
	br_directory *d;
	double t0 = now_s();

	ldap_uri = need_env("LDAP_URI");
	ldapi_uri = need_env("LDAPI_URI");
	people = need_env("LDAP_PEOPLE_BASE");
	base = need_env("LDAP_BASE");
	bridge_dn = need_env("LDAP_BRIDGE_DN");
	bridge_pw = need_env("LDAP_BRIDGE_PW");
	admin_dn = need_env("LDAP_ADMIN_DN");
	admin_pw = need_env("LDAP_ADMIN_PW");
	slapd_dir = need_env("SLAPD_DIR");
	slapd_log = need_env("SLAPD_LOG");
	ldap_host = need_env("LDAP_HOST");
	ldap_port = need_env("LDAP_PORT");
	slapd_pid = (pid_t)atoi(need_env("SLAPD_PID"));
	CHECK(slapd_pid > 1);
	/* the library's own clients ignore ~/.ldaprc and ldap.conf here */
	setenv("LDAPNOINIT", "1", 1);

	rc_names();
	options_refused();
	d = open_bridge();
	find_users(d);
	injection(d);
	user_handles(d);
	credentials(d);
	add_race(d, 30);
	rename_and_delete(d);
	signin_lookup(d);
	record_use(d);
	record_use_clock();
	enrolment_codes(d, 50);
	disabled_accounts();
	check_full_server(d);
	check_bare_server();
	starttls();
	restart(d);
	contract(d);
	br_directory_close(&d);
	CHECK(d == NULL);
	printf("test_directory: ok (%.1f s)\n", now_s() - t0);
	return 0;
}
