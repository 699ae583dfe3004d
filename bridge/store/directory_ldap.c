/*
 * The directory over libldap (OpenLDAP 2.5): one connection per thread,
 * opened and bound lazily; an operation that finds its connection gone is
 * retried once on a fresh one. Every filter value goes through
 * ldap_bv2escaped_filter_value. Nothing here prints: return codes only.
 */
#include "directory.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include <ldap.h>
#include <ldap_schema.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../core/text.h"
#include "../core/timefmt.h"
#include "../core/transport.h"

#define DEFAULT_TIMEOUT_MS 3000
#define CRED_ID_MAX 1023     /* 1364 base64url characters: the schema's bound */
#define CODE_MAX 256         /* fidoEnrolmentCode IA5String{256} */
#define CREDS_MAX 256        /* credential entries read per user */
#define SIGNIN_ENTRIES_MAX 4 /* a sign-in search: the credential, a duplicate, its owner, one more */
#define ATTR_NAME_MAX 128
#define CRED_RDN "fidoCredentialId="
#define ALL_TRANSPORTS ((1u << BR_TRANSPORT_COUNT) - 1)

static const char *const cred_attrs[] = {
	"fidoCredentialId", "fidoPublicKey", "fidoSignCount", "fidoAAGUID",
	"fidoTransports", "fidoAttestationFormat", "fidoBackupEligible",
	"fidoBackupState", "fidoUserVerified", "fidoCreated", "fidoLastUsed",
	"fidoNickname", NULL,
};

static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };

struct br_directory {
	char *uri;
	char *bind_dn;
	char *bind_password;    /* kept to rebind after a reconnect; wiped on close */
	char *ca_file;
	char *user_base;
	char *username_attribute;
	char *disabled_attribute;
	char *disabled_value;
	char **attributes;      /* configured ones, n_attributes of them */
	size_t n_attributes;
	char **user_attrs;      /* what a user search asks for, NULL-terminated */
	char **signin_attrs;    /* user_attrs and cred_attrs: a sign-in search fetches both entries */
	int sasl_external;
	int starttls;
	int tls;                /* ldaps://, StartTLS or a CA file: set TLS options */
	struct timeval timeout;
	unsigned last_used_interval_s;
	pthread_mutex_t setup_lock;  /* handle setup touches libldap's global and TLS state */
	pthread_key_t tls_key;       /* this thread's LDAP * */
	int lock_ok, key_ok;
};

const char *
br_dir_rc_name(br_dir_rc rc)
{
	switch (rc) {
	case BR_DIR_OK:
		return "ok";
	case BR_DIR_NOT_FOUND:
		return "not found";
	case BR_DIR_EXISTS:
		return "exists";
	case BR_DIR_INVALID:
		return "invalid";
	case BR_DIR_ERROR:
		return "error";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------ */
/* small helpers                                                            */
/* ------------------------------------------------------------------------ */

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
ascii_casecmp_n(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 1;
	for (i = 0; i < alen; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return 1;
	return 0;
}

/* An attribute description we are willing to put into a filter unescaped. */
static int
attr_name_ok(const char *s)
{
	size_t i = 0, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > ATTR_NAME_MAX)
		return 0;
	if (is_alpha((unsigned char)s[0])) {
		while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '-'))
			i++;
	} else if (is_digit((unsigned char)s[0])) {
		while (i < n && (is_digit((unsigned char)s[i]) || (s[i] == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))))
			i++;
	} else {
		return 0;
	}
	while (i < n) {  /* ;options */
		size_t start;

		if (s[i] != ';')
			return 0;
		start = ++i;
		while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '-'))
			i++;
		if (i == start)
			return 0;
	}
	return 1;
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = strdup(s)) == NULL)
		*oom = 1;
	return r;
}

static struct berval
bv_str(const char *s)
{
	struct berval b;

	b.bv_len = strlen(s);
	b.bv_val = (char *)s;
	return b;
}

static char *
bv_strdup(const struct berval *b)
{
	char *s = malloc(b->bv_len + 1);

	if (s != NULL) {
		memcpy(s, b->bv_val, b->bv_len);
		s[b->bv_len] = '\0';
	}
	return s;
}

/* ------------------------------------------------------------------------ */
/* open / close                                                             */
/* ------------------------------------------------------------------------ */

static void
free_conn(void *ld)
{
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
dn_ok(const char *s)
{
	LDAPDN dn = NULL;

	if (s == NULL || *s == '\0' || ldap_str2dn(s, &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return 0;
	ldap_dnfree(dn);
	return 1;
}

static int
starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int
check_options(const br_directory_options *o, char *err, size_t errlen)
{
	LDAP *ld = NULL;
	size_t i;

	if (o->uri == NULL || *o->uri == '\0' ||
	    !(starts_with_ci(o->uri, "ldap://") || starts_with_ci(o->uri, "ldaps://") ||
		starts_with_ci(o->uri, "ldapi://"))) {
		snprintf(err, errlen, "ldap uri: expected ldap://, ldaps:// or ldapi://");
		return -1;
	}
	if (ldap_initialize(&ld, o->uri) != LDAP_SUCCESS) {
		snprintf(err, errlen, "ldap uri: cannot parse \"%s\"", o->uri);
		return -1;
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (o->starttls && !starts_with_ci(o->uri, "ldap://")) {
		snprintf(err, errlen, "ldap starttls: only with an ldap:// uri");
		return -1;
	}
	if (o->sasl_external && o->bind_dn != NULL) {
		snprintf(err, errlen, "ldap: give either a bind DN or SASL EXTERNAL, not both");
		return -1;
	}
	if (o->bind_dn != NULL && !dn_ok(o->bind_dn)) {
		snprintf(err, errlen, "ldap bind DN: not a DN");
		return -1;
	}
	/* RFC 4513 5.1.2: a DN with an empty password is an unauthenticated bind */
	if (o->bind_dn != NULL && (o->bind_password == NULL || *o->bind_password == '\0')) {
		snprintf(err, errlen, "ldap bind DN given without a password");
		return -1;
	}
	if (!dn_ok(o->user_base)) {
		snprintf(err, errlen, "ldap user base: not a DN");
		return -1;
	}
	if (!attr_name_ok(o->username_attribute)) {
		snprintf(err, errlen, "ldap username attribute: not an attribute name");
		return -1;
	}
	if (o->disabled_attribute != NULL &&
	    (!attr_name_ok(o->disabled_attribute) || o->disabled_value == NULL || *o->disabled_value == '\0')) {
		snprintf(err, errlen, "ldap disabled attribute: needs an attribute name and a value");
		return -1;
	}
	if (o->n_attributes > 0 && o->attributes == NULL) {
		snprintf(err, errlen, "ldap attributes: missing list");
		return -1;
	}
	for (i = 0; i < o->n_attributes; i++)
		if (!attr_name_ok(o->attributes[i])) {
			snprintf(err, errlen, "ldap attributes: \"%.64s\" is not an attribute name",
			    o->attributes[i] != NULL ? o->attributes[i] : "(null)");
			return -1;
		}
	if (o->timeout_ms > 600000) {
		snprintf(err, errlen, "ldap timeout: at most 600000 ms");
		return -1;
	}
	return 0;
}

/* user_attrs, then the cred_attrs not already there (names are case-insensitive). */
static char **
signin_attr_list(char **user_attrs)
{
	size_t n, i, k;
	char **v;

	for (n = 0; user_attrs[n] != NULL; n++)
		;
	if ((v = calloc(n + sizeof(cred_attrs) / sizeof(cred_attrs[0]), sizeof(char *))) == NULL)
		return NULL;
	memcpy(v, user_attrs, n * sizeof(char *));
	for (i = 0; cred_attrs[i] != NULL; i++) {
		for (k = 0; k < n && strcasecmp(v[k], cred_attrs[i]) != 0; k++)
			;
		if (k == n)
			v[n++] = (char *)cred_attrs[i];
	}
	v[n] = NULL;
	return v;
}

br_directory *
br_directory_open(const br_directory_options *o, char *err, size_t errlen)
{
	br_directory *d;
	unsigned tmo;
	size_t i, n = 0;
	int oom = 0;

	if (o == NULL) {
		snprintf(err, errlen, "ldap: no options");
		return NULL;
	}
	if (check_options(o, err, errlen) < 0)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->uri = dup_or_null(o->uri, &oom);
	d->bind_dn = dup_or_null(o->bind_dn, &oom);
	d->bind_password = dup_or_null(o->bind_password, &oom);
	d->ca_file = dup_or_null(o->ca_file, &oom);
	d->user_base = dup_or_null(o->user_base, &oom);
	d->username_attribute = dup_or_null(o->username_attribute, &oom);
	d->disabled_attribute = dup_or_null(o->disabled_attribute, &oom);
	d->disabled_value = dup_or_null(o->disabled_value, &oom);
	d->sasl_external = o->sasl_external != 0;
	d->starttls = o->starttls != 0;
	d->tls = d->starttls || o->ca_file != NULL || starts_with_ci(o->uri, "ldaps://");
	d->last_used_interval_s = o->last_used_interval_s;
	tmo = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	d->timeout.tv_sec = tmo / 1000;
	d->timeout.tv_usec = (long)(tmo % 1000) * 1000;
	if (o->n_attributes > 0 && (d->attributes = calloc(o->n_attributes, sizeof(char *))) == NULL)
		oom = 1;
	for (i = 0; !oom && i < o->n_attributes; i++) {
		d->attributes[i] = dup_or_null(o->attributes[i], &oom);
		d->n_attributes = i + 1;
	}
	/* username, handle, codes, disabled, configured ones, NULL */
	if (!oom && (d->user_attrs = calloc(o->n_attributes + 5, sizeof(char *))) == NULL)
		oom = 1;
	if (oom) {
		snprintf(err, errlen, "out of memory");
		br_directory_close(&d);
		return NULL;
	}
	d->user_attrs[n++] = d->username_attribute;
	d->user_attrs[n++] = (char *)"fidoUserHandle";
	d->user_attrs[n++] = (char *)"fidoEnrolmentCode";
	if (d->disabled_attribute != NULL)
		d->user_attrs[n++] = d->disabled_attribute;
	for (i = 0; i < d->n_attributes; i++)
		d->user_attrs[n++] = d->attributes[i];
	d->user_attrs[n] = NULL;
	if ((d->signin_attrs = signin_attr_list(d->user_attrs)) == NULL) {
		snprintf(err, errlen, "out of memory");
		br_directory_close(&d);
		return NULL;
	}
	if (pthread_mutex_init(&d->setup_lock, NULL) != 0) {
		snprintf(err, errlen, "out of resources");
		br_directory_close(&d);
		return NULL;
	}
	d->lock_ok = 1;
	if (pthread_key_create(&d->tls_key, free_conn) != 0) {
		snprintf(err, errlen, "out of resources");
		br_directory_close(&d);
		return NULL;
	}
	d->key_ok = 1;
	return d;
}

void
br_directory_close(br_directory **dp)
{
	br_directory *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	if (d->key_ok) {
		/* this thread's connection; the others went with their threads */
		free_conn(pthread_getspecific(d->tls_key));
		pthread_setspecific(d->tls_key, NULL);
		pthread_key_delete(d->tls_key);
	}
	if (d->lock_ok)
		pthread_mutex_destroy(&d->setup_lock);
	if (d->bind_password != NULL) {
		br_wipe(d->bind_password, strlen(d->bind_password));
		free(d->bind_password);
	}
	free(d->uri);
	free(d->bind_dn);
	free(d->ca_file);
	free(d->user_base);
	free(d->username_attribute);
	free(d->disabled_attribute);
	free(d->disabled_value);
	free_strv(d->attributes, d->n_attributes);
	free(d->user_attrs);
	free(d->signin_attrs);
	free(d);
	*dp = NULL;
}

/* ------------------------------------------------------------------------ */
/* connections                                                              */
/* ------------------------------------------------------------------------ */

/* Results after which the connection is suspect: drop it and retry once. */
static int
transient(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
	    rc == LDAP_TIMEOUT;
}

/* ldap_set_option's failure value (-1) would read as LDAP_SERVER_DOWN: map it. */
static int
opt(LDAP *ld, int option, const void *value)
{
	return ldap_set_option(ld, option, value) == LDAP_OPT_SUCCESS ? LDAP_SUCCESS : LDAP_LOCAL_ERROR;
}

static int
setup_handle(br_directory *d, LDAP *ld)
{
	int v3 = LDAP_VERSION3, rc;

	if ((rc = opt(ld, LDAP_OPT_PROTOCOL_VERSION, &v3)) != LDAP_SUCCESS ||
	    (rc = opt(ld, LDAP_OPT_NETWORK_TIMEOUT, &d->timeout)) != LDAP_SUCCESS ||
	    (rc = opt(ld, LDAP_OPT_TIMEOUT, &d->timeout)) != LDAP_SUCCESS ||
	    (rc = opt(ld, LDAP_OPT_RESTART, LDAP_OPT_ON)) != LDAP_SUCCESS ||
	    (rc = opt(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_SUCCESS)
		return rc;
	if (d->tls) {
		int demand = LDAP_OPT_X_TLS_DEMAND, tls12 = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, client = 0;

		/* verify the server whatever ldap.conf says; the new context takes it all in */
		if ((rc = opt(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)) != LDAP_SUCCESS ||
		    (rc = opt(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls12)) != LDAP_SUCCESS)
			return rc;
		if (d->ca_file != NULL && (rc = opt(ld, LDAP_OPT_X_TLS_CACERTFILE, d->ca_file)) != LDAP_SUCCESS)
			return rc;
		if ((rc = opt(ld, LDAP_OPT_X_TLS_NEWCTX, &client)) != LDAP_SUCCESS)
			return rc;
	}
	return LDAP_SUCCESS;
}

static int
bind_handle(br_directory *d, LDAP *ld)
{
	struct berval cred;

	if (d->sasl_external) {
		/* EXTERNAL with an empty initial response: "the identity you see" */
		cred.bv_len = 0;
		cred.bv_val = (char *)"";
		return ldap_sasl_bind_s(ld, NULL, "EXTERNAL", &cred, NULL, NULL, NULL);
	}
	cred.bv_val = d->bind_password != NULL ? d->bind_password : (char *)"";
	cred.bv_len = strlen(cred.bv_val);
	return ldap_sasl_bind_s(ld, d->bind_dn != NULL ? d->bind_dn : "", LDAP_SASL_SIMPLE, &cred, NULL,
	    NULL, NULL);
}

static int
connect_bind(br_directory *d, LDAP **out)
{
	LDAP *ld = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&d->setup_lock);
	rc = ldap_initialize(&ld, d->uri);
	if (rc == LDAP_SUCCESS)
		rc = setup_handle(d, ld);
	pthread_mutex_unlock(&d->setup_lock);
	if (rc == LDAP_SUCCESS && d->starttls)
		rc = ldap_start_tls_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		rc = bind_handle(d, ld);
	if (rc != LDAP_SUCCESS) {
		if (ld != NULL)
			ldap_unbind_ext_s(ld, NULL, NULL);
		return rc;
	}
	*out = ld;
	return LDAP_SUCCESS;
}

/* This thread's connection, opened and bound when there is none. */
static LDAP *
conn_get(br_directory *d, int *rc)
{
	LDAP *ld = pthread_getspecific(d->tls_key);

	*rc = LDAP_SUCCESS;
	if (ld != NULL)
		return ld;
	if ((*rc = connect_bind(d, &ld)) != LDAP_SUCCESS)
		return NULL;
	if (pthread_setspecific(d->tls_key, ld) != 0) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		*rc = LDAP_NO_MEMORY;
		return NULL;
	}
	return ld;
}

static void
conn_drop(br_directory *d)
{
	LDAP *ld = pthread_getspecific(d->tls_key);

	pthread_setspecific(d->tls_key, NULL);
	free_conn(ld);
}

/*
 * An operation: returns the outcome and leaves in *lrc the LDAP result that
 * made it fail (LDAP_SUCCESS otherwise). It must leave no output behind when
 * it fails, since it may run again.
 */
typedef br_dir_rc (*dir_op)(br_directory *d, LDAP *ld, void *arg, int *lrc);

static br_dir_rc
run(br_directory *d, dir_op fn, void *arg)
{
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		int lrc = LDAP_SUCCESS;
		LDAP *ld = conn_get(d, &lrc);
		br_dir_rc r;

		if (ld == NULL)
			return BR_DIR_ERROR;  /* a fresh connection failed: no point insisting */
		r = fn(d, ld, arg, &lrc);
		if (!transient(lrc))
			return r;
		conn_drop(d);
	}
	return BR_DIR_ERROR;
}

/* ------------------------------------------------------------------------ */
/* searches and filters                                                     */
/* ------------------------------------------------------------------------ */

static int
search(br_directory *d, LDAP *ld, const char *base, int scope, const char *filter,
    const char *const *attrs, int sizelimit, LDAPMessage **res)
{
	struct timeval tv = d->timeout;

	*res = NULL;
	return ldap_search_ext_s(ld, base, scope, filter, (char **)attrs, 0, NULL, NULL, &tv, sizelimit, res);
}

/* "(attr=value)", or "(&(objectClass=cls)(attr=value))", value escaped per RFC 4515. */
static char *
eq_filter(const char *cls, const char *attr, const void *val, size_t len)
{
	struct berval in, esc = { 0, NULL };
	char *f;
	size_t n;

	in.bv_len = len;
	in.bv_val = (char *)val;
	if (ldap_bv2escaped_filter_value(&in, &esc) != 0 || esc.bv_val == NULL)
		return NULL;
	n = strlen(attr) + esc.bv_len + (cls != NULL ? strlen(cls) : 0) + 32;
	if ((f = malloc(n)) != NULL) {
		if (cls != NULL)
			snprintf(f, n, "(&(objectClass=%s)(%s=%s))", cls, attr, esc.bv_val);
		else
			snprintf(f, n, "(%s=%s)", attr, esc.bv_val);
	}
	ber_memfree(esc.bv_val);
	return f;
}

/* The first value of attr, or NULL (free with ldap_value_free_len via *all). */
static struct berval *
first_value(LDAP *ld, LDAPMessage *e, const char *attr, struct berval ***all)
{
	*all = ldap_get_values_len(ld, e, attr);
	if (*all == NULL || (*all)[0] == NULL) {
		ldap_value_free_len(*all);
		*all = NULL;
		return NULL;
	}
	return (*all)[0];
}

static char *
entry_dn(LDAP *ld, LDAPMessage *e)
{
	char *dn = ldap_get_dn(ld, e), *r;

	if (dn == NULL)
		return NULL;
	r = strdup(dn);
	ldap_memfree(dn);
	return r;
}

/* "fidoCredentialId=<base64url>,<user dn>": base64url never needs DN escaping. */
static char *
cred_dn(const char *user_dn, const unsigned char *id, size_t len)
{
	char *b64, *dn;
	size_t n;

	if ((b64 = br_b64url_encode_alloc(id, len)) == NULL)
		return NULL;
	n = strlen(CRED_RDN) + strlen(b64) + 1 + strlen(user_dn) + 1;
	if ((dn = malloc(n)) != NULL)
		snprintf(dn, n, "%s%s,%s", CRED_RDN, b64, user_dn);
	free(b64);
	return dn;
}

/* ------------------------------------------------------------------------ */
/* reading users and credentials                                            */
/* ------------------------------------------------------------------------ */

static void
cred_clear(br_credential_record *c)
{
	free(c->dn);
	br_blob_reset(&c->id);
	br_blob_reset(&c->public_key);
	free(c->nickname);
	memset(c, 0, sizeof(*c));
}

void
br_user_free(br_user **up)
{
	br_user *u;
	size_t i;

	if (up == NULL || (u = *up) == NULL)
		return;
	free(u->dn);
	free(u->username);
	br_blob_reset(&u->user_handle);
	json_decref(u->attributes);
	for (i = 0; i < u->n_creds; i++)
		cred_clear(&u->creds[i]);
	free(u->creds);
	for (i = 0; i < u->n_enrolment_codes; i++) {
		br_wipe(u->enrolment_codes[i], strlen(u->enrolment_codes[i]));
		free(u->enrolment_codes[i]);
	}
	free(u->enrolment_codes);
	free(u);
	*up = NULL;
}

static int
bool_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **all, *v = first_value(ld, e, attr, &all);
	int r = v != NULL && ascii_casecmp_n(v->bv_val, v->bv_len, "TRUE", 4) == 0;

	ldap_value_free_len(all);
	return r;
}

/* One credential entry; -1 when it is malformed (it is then skipped). */
static int
parse_cred(LDAP *ld, LDAPMessage *e, br_credential_record *c)
{
	struct berval **all = NULL, *v;
	int64_t t;
	size_t i;
	char *end;
	unsigned long long count;

	memset(c, 0, sizeof(*c));
	if ((c->dn = entry_dn(ld, e)) == NULL)
		goto bad;
	if ((v = first_value(ld, e, "fidoCredentialId", &all)) == NULL ||
	    br_b64url_decode(v->bv_val, v->bv_len, &c->id) < 0 || c->id.len == 0)
		goto bad;
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoPublicKey", &all)) == NULL || v->bv_len == 0 ||
	    br_blob_set(&c->public_key, (const unsigned char *)v->bv_val, v->bv_len) < 0)
		goto bad;
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoSignCount", &all)) == NULL || v->bv_len == 0 || v->bv_len > 10)
		goto bad;
	for (i = 0; i < v->bv_len; i++)
		if (!is_digit((unsigned char)v->bv_val[i]))
			goto bad;
	{
		char num[11];

		memcpy(num, v->bv_val, v->bv_len);
		num[v->bv_len] = '\0';
		count = strtoull(num, &end, 10);
		if (count > UINT32_MAX)
			goto bad;
		c->sign_count = (uint32_t)count;
	}
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoCreated", &all)) == NULL || br_gentime_parse(v->bv_val, v->bv_len, &t) < 0)
		goto bad;
	c->created = t;
	ldap_value_free_len(all);
	all = NULL;

	/* optional ones: unusable values are left out, the credential is kept */
	if ((v = first_value(ld, e, "fidoLastUsed", &all)) != NULL && br_gentime_parse(v->bv_val, v->bv_len, &t) == 0)
		c->last_used = t;
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoAAGUID", &all)) != NULL && v->bv_len == sizeof(c->aaguid) - 1) {
		memcpy(c->aaguid, v->bv_val, v->bv_len);
		c->aaguid[v->bv_len] = '\0';
	}
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoAttestationFormat", &all)) != NULL && v->bv_len < sizeof(c->fmt) &&
	    memchr(v->bv_val, '\0', v->bv_len) == NULL) {
		memcpy(c->fmt, v->bv_val, v->bv_len);
		c->fmt[v->bv_len] = '\0';
	}
	ldap_value_free_len(all);
	if ((v = first_value(ld, e, "fidoNickname", &all)) != NULL &&
	    br_utf8_ok((const unsigned char *)v->bv_val, v->bv_len, 0, NULL) && (c->nickname = bv_strdup(v)) == NULL)
		goto bad;
	ldap_value_free_len(all);
	all = ldap_get_values_len(ld, e, "fidoTransports");
	/* names this version does not know are dropped, as WebAuthn asks */
	for (i = 0; all != NULL && all[i] != NULL; i++)
		c->transports |= br_transport_from_name(all[i]->bv_val, all[i]->bv_len);
	ldap_value_free_len(all);
	c->backup_eligible = bool_value(ld, e, "fidoBackupEligible");
	c->backup_state = bool_value(ld, e, "fidoBackupState");
	c->user_verified = bool_value(ld, e, "fidoUserVerified");
	return 0;
bad:
	ldap_value_free_len(all);
	cred_clear(c);
	return -1;
}

static int
cred_order(const void *pa, const void *pb)
{
	const br_credential_record *a = pa, *b = pb;
	size_t n = a->id.len < b->id.len ? a->id.len : b->id.len;
	int c;

	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	if ((c = memcmp(a->id.ptr, b->id.ptr, n)) != 0)
		return c;
	return a->id.len < b->id.len ? -1 : a->id.len > b->id.len;
}

/* The credential entries under u->dn, oldest first; *skipped counts malformed ones. */
static br_dir_rc
load_creds(br_directory *d, LDAP *ld, br_user *u, size_t *skipped, int *lrc)
{
	LDAPMessage *res = NULL, *e;
	int rc, n;

	*skipped = 0;
	rc = search(d, ld, u->dn, LDAP_SCOPE_ONELEVEL, "(objectClass=fidoCredential)", cred_attrs, CREDS_MAX, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		*lrc = rc;
		return BR_DIR_ERROR;  /* including more than CREDS_MAX */
	}
	if ((n = ldap_count_entries(ld, res)) > 0) {
		if ((u->creds = calloc((size_t)n, sizeof(*u->creds))) == NULL) {
			ldap_msgfree(res);
			return BR_DIR_ERROR;
		}
		for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
			if (u->n_creds < (size_t)n && parse_cred(ld, e, &u->creds[u->n_creds]) == 0)
				u->n_creds++;
			else
				(*skipped)++;
		}
		qsort(u->creds, u->n_creds, sizeof(*u->creds), cred_order);
	}
	ldap_msgfree(res);
	return BR_DIR_OK;
}

/* Configured attributes present on e: {"name":["v1","v2"]}, UTF-8 text values only. */
static json_t *
attributes_json(br_directory *d, LDAP *ld, LDAPMessage *e)
{
	json_t *obj = json_object();
	size_t i, k;

	if (obj == NULL)
		return NULL;
	for (i = 0; i < d->n_attributes; i++) {
		struct berval **all = ldap_get_values_len(ld, e, d->attributes[i]);
		json_t *arr;

		if (all == NULL)
			continue;
		if ((arr = json_array()) == NULL) {
			ldap_value_free_len(all);
			goto oom;
		}
		for (k = 0; all[k] != NULL; k++) {
			if (!br_utf8_ok((const unsigned char *)all[k]->bv_val, all[k]->bv_len, 0, NULL))
				continue;  /* binary: not for a JSON string */
			if (json_array_append_new(arr, json_stringn(all[k]->bv_val, all[k]->bv_len)) != 0) {
				json_decref(arr);
				ldap_value_free_len(all);
				goto oom;
			}
		}
		ldap_value_free_len(all);
		if (json_array_size(arr) == 0)
			json_decref(arr);
		else if (json_object_set_new(obj, d->attributes[i], arr) != 0)
			goto oom;
	}
	return obj;
oom:
	json_decref(obj);
	return NULL;
}

/*
 * A user entry into a new br_user, without its credentials. want_name picks
 * among several username values (the one the lookup was for).
 */
static br_dir_rc
user_from_entry(br_directory *d, LDAP *ld, LDAPMessage *e, const char *want_name, br_user **out)
{
	br_user *u = calloc(1, sizeof(*u));
	struct berval **all = NULL, *pick = NULL, *v;
	br_dir_rc r = BR_DIR_ERROR;
	size_t i, n;

	*out = NULL;
	if (u == NULL || (u->dn = entry_dn(ld, e)) == NULL)
		goto out;
	all = ldap_get_values_len(ld, e, d->username_attribute);
	for (i = 0; all != NULL && all[i] != NULL; i++) {
		if (!br_utf8_ok((const unsigned char *)all[i]->bv_val, all[i]->bv_len, 1, NULL))
			continue;
		if (pick == NULL)
			pick = all[i];
		if (want_name != NULL &&
		    ascii_casecmp_n(all[i]->bv_val, all[i]->bv_len, want_name, strlen(want_name)) == 0) {
			pick = all[i];
			break;
		}
	}
	if (pick == NULL || (u->username = bv_strdup(pick)) == NULL)
		goto out;  /* not a user entry for us */
	ldap_value_free_len(all);
	all = NULL;
	if ((v = first_value(ld, e, "fidoUserHandle", &all)) != NULL &&
	    (v->bv_len > BR_USER_HANDLE_MAX ||
		br_blob_set(&u->user_handle, (const unsigned char *)v->bv_val, v->bv_len) < 0))
		goto out;
	ldap_value_free_len(all);
	all = NULL;
	if (d->disabled_attribute != NULL) {
		all = ldap_get_values_len(ld, e, d->disabled_attribute);
		for (i = 0; all != NULL && all[i] != NULL; i++)
			if (ascii_casecmp_n(all[i]->bv_val, all[i]->bv_len, d->disabled_value,
				strlen(d->disabled_value)) == 0)
				u->disabled = 1;
		ldap_value_free_len(all);
		all = NULL;
	}
	if ((u->attributes = attributes_json(d, ld, e)) == NULL)
		goto out;
	all = ldap_get_values_len(ld, e, "fidoEnrolmentCode");
	for (n = 0; all != NULL && all[n] != NULL; n++)
		;
	if (n > 0 && (u->enrolment_codes = calloc(n, sizeof(char *))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (memchr(all[i]->bv_val, '\0', all[i]->bv_len) != NULL)
			continue;
		if ((u->enrolment_codes[u->n_enrolment_codes] = bv_strdup(all[i])) == NULL)
			goto out;
		u->n_enrolment_codes++;
	}
	*out = u;
	u = NULL;
	r = BR_DIR_OK;
out:
	ldap_value_free_len(all);
	br_user_free(&u);
	return r;
}

/* A user entry into a new br_user, credentials included (see user_from_entry). */
static br_dir_rc
load_user(br_directory *d, LDAP *ld, LDAPMessage *e, const char *want_name, br_user **out,
    size_t *skipped, int *lrc)
{
	br_user *u = NULL;
	br_dir_rc r;

	*out = NULL;
	*skipped = 0;
	if ((r = user_from_entry(d, ld, e, want_name, &u)) != BR_DIR_OK)
		return r;
	if ((r = load_creds(d, ld, u, skipped, lrc)) != BR_DIR_OK) {
		br_user_free(&u);
		return r;
	}
	*out = u;
	return BR_DIR_OK;
}

/* Exactly one entry under user_base matching filter, loaded as a user. */
static br_dir_rc
find_one(br_directory *d, LDAP *ld, const char *filter, const char *want_name, br_user **out, int *lrc)
{
	LDAPMessage *res = NULL, *e;
	size_t skipped;
	int rc, n;
	br_dir_rc r;

	*out = NULL;
	rc = search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, filter, (const char *const *)d->user_attrs, 2, &res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return BR_DIR_ERROR;  /* ambiguous: never pick one */
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		*lrc = rc;
		return BR_DIR_ERROR;  /* no user base counts as a broken setup */
	}
	n = ldap_count_entries(ld, res);
	if (n != 1) {
		ldap_msgfree(res);
		return n == 0 ? BR_DIR_NOT_FOUND : BR_DIR_ERROR;
	}
	e = ldap_first_entry(ld, res);
	r = load_user(d, ld, e, want_name, out, &skipped, lrc);
	ldap_msgfree(res);
	return r;
}

struct find_arg {
	const char *filter;
	const char *want_name;
	br_user *out;
};

static br_dir_rc
op_find(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct find_arg *a = p;

	return find_one(d, ld, a->filter, a->want_name, &a->out, lrc);
}

static int
username_ok(const char *name)
{
	size_t len;

	if (name == NULL)
		return 0;
	len = strnlen(name, BR_USERNAME_MAX + 1);
	return len > 0 && len <= BR_USERNAME_MAX && br_utf8_ok((const unsigned char *)name, len, 1, NULL);
}

br_dir_rc
br_dir_find_user(br_directory *d, const char *username, br_user **out)
{
	struct find_arg a = { NULL, username, NULL };
	br_dir_rc r;

	if (out == NULL)
		return BR_DIR_INVALID;
	*out = NULL;
	if (d == NULL || !username_ok(username))
		return BR_DIR_INVALID;
	if ((a.filter = eq_filter(NULL, d->username_attribute, username, strlen(username))) == NULL)
		return BR_DIR_ERROR;
	r = run(d, op_find, &a);
	free((char *)a.filter);
	*out = a.out;
	return r;
}

/* dn in the LDAPv3 string form libldap writes, in a new string ("" for the root). */
static char *
dn_normal(const char *dn)
{
	LDAPDN parsed = NULL;
	char *s = NULL, *r;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	if (parsed == NULL)
		return strdup("");
	if (ldap_dn2str(parsed, &s, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		s = NULL;
	ldap_dnfree(parsed);
	if (s == NULL)
		return NULL;
	r = strdup(s);
	ldap_memfree(s);
	return r;
}

/* The parent of dn, in dn_normal's form, in a new string (ldap_memfree). */
static char *
parent_dn(const char *dn)
{
	LDAPDN parsed = NULL;
	char *parent = NULL;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || parsed == NULL)
		return NULL;
	if (parsed[0] != NULL && parsed[1] != NULL &&
	    ldap_dn2str(&parsed[1], &parent, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		parent = NULL;
	ldap_dnfree(parsed);
	return parent;
}

static int
cred_id_ok(const unsigned char *id, size_t len)
{
	return id != NULL && len > 0 && len <= CRED_ID_MAX;
}

/* "(&(objectClass=fidoCredential)(fidoCredentialId=<base64url>))" */
static char *
cred_filter(const unsigned char *id, size_t len)
{
	char *b64 = br_b64url_encode_alloc(id, len), *f;

	if (b64 == NULL)
		return NULL;
	f = eq_filter("fidoCredential", "fidoCredentialId", b64, strlen(b64));
	free(b64);
	return f;
}

/* ------------------------------------------------------------------------ */
/* the sign-in lookup                                                       */
/* ------------------------------------------------------------------------ */

struct signin_arg {
	const char *cred_filter;  /* the credential alone */
	const char *both_filter;  /* the credential or the user with the handle; NULL without a handle */
	const unsigned char *id;
	size_t len;
	br_user *out;
};

static int
has_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **all;
	int r = first_value(ld, e, attr, &all) != NULL;

	ldap_value_free_len(all);
	return r;
}

enum { ROLE_NEITHER, ROLE_CRED, ROLE_USER, ROLE_BOTH };

/*
 * Which branch of the combined filter an entry answered, told by the
 * attributes each branch tests (the bridge must read both anyway): an entry
 * with both or neither cannot be placed.
 */
static int
entry_role(LDAP *ld, LDAPMessage *e)
{
	int cred = has_value(ld, e, "fidoCredentialId"), user = has_value(ld, e, "fidoUserHandle");

	return cred ? (user ? ROLE_BOTH : ROLE_CRED) : (user ? ROLE_USER : ROLE_NEITHER);
}

/*
 * The credential and, maybe, its owner in one search. *plain asks for the
 * credential alone instead when the answer cannot be used as is: more
 * entries than the limit (several users with the handle, or the id several
 * times), or an entry that cannot be placed.
 */
static br_dir_rc
search_both(br_directory *d, LDAP *ld, const char *filter, LDAPMessage **res, int *plain, int *lrc)
{
	LDAPMessage *e;
	int rc, role;

	*plain = 0;
	rc = search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, filter, (const char *const *)d->signin_attrs,
	    SIGNIN_ENTRIES_MAX, res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED) {
		*plain = 1;
		return BR_DIR_OK;
	}
	if (rc != LDAP_SUCCESS) {
		*lrc = rc;
		return BR_DIR_ERROR;
	}
	for (e = ldap_first_entry(ld, *res); e != NULL; e = ldap_next_entry(ld, e))
		if ((role = entry_role(ld, e)) == ROLE_NEITHER || role == ROLE_BOTH)
			*plain = 1;
	return BR_DIR_OK;
}

/* The credential alone, with its attributes. */
static br_dir_rc
search_cred(br_directory *d, LDAP *ld, const char *filter, LDAPMessage **res, int *lrc)
{
	int rc = search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, filter, cred_attrs, 2, res);

	if (rc == LDAP_SIZELIMIT_EXCEEDED)
		return BR_DIR_ERROR;  /* the same id three times: ambiguous */
	if (rc != LDAP_SUCCESS) {
		*lrc = rc;
		return BR_DIR_ERROR;
	}
	return BR_DIR_OK;
}

/*
 * The credential entry e into c if it is the one asked for, byte for byte
 * (the filter asked for it already; this is the belt to those braces): a
 * malformed entry is an error.
 */
static br_dir_rc
take_cred(LDAP *ld, LDAPMessage *e, const unsigned char *id, size_t len, br_credential_record *c)
{
	if (parse_cred(ld, e, c) < 0)
		return BR_DIR_ERROR;
	if (c->id.len != len || memcmp(c->id.ptr, id, len) != 0) {
		cred_clear(c);
		return BR_DIR_NOT_FOUND;
	}
	return BR_DIR_OK;
}

/*
 * The user entry in res named exactly parent (dn_normal's form), or NULL.
 * Not case-folded like dn_folded: that could take a user whose DN differs
 * from the owner's only in the case of a case-exact value, while a miss here
 * costs no more than the base search.
 */
static LDAPMessage *
user_named(LDAP *ld, LDAPMessage *res, const char *parent)
{
	LDAPMessage *e;

	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
		char *raw, *dn;
		int same;

		if (entry_role(ld, e) != ROLE_USER || (raw = ldap_get_dn(ld, e)) == NULL)
			continue;
		dn = dn_normal(raw);
		ldap_memfree(raw);
		same = dn != NULL && strcmp(dn, parent) == 0;
		free(dn);
		if (same)
			return e;
	}
	return NULL;
}

/* The entry at dn as a user, without credentials. */
static br_dir_rc
read_user_at(br_directory *d, LDAP *ld, const char *dn, br_user **out, int *lrc)
{
	LDAPMessage *res = NULL, *e;
	br_dir_rc r;
	int rc;

	*out = NULL;
	rc = search(d, ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", (const char *const *)d->user_attrs, 1, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		*lrc = rc;
		return rc == LDAP_NO_SUCH_OBJECT ? BR_DIR_NOT_FOUND : BR_DIR_ERROR;
	}
	e = ldap_first_entry(ld, res);
	r = e != NULL ? user_from_entry(d, ld, e, NULL, out) : BR_DIR_NOT_FOUND;
	ldap_msgfree(res);
	return r;
}

/* u's only credential: c, moved (left empty). */
static br_dir_rc
attach_cred(br_user *u, br_credential_record *c)
{
	if ((u->creds = calloc(1, sizeof(*u->creds))) == NULL)
		return BR_DIR_ERROR;
	u->creds[0] = *c;
	u->n_creds = 1;
	memset(c, 0, sizeof(*c));
	return BR_DIR_OK;
}

/*
 * From a search answer: exactly one credential entry (users aside), the one
 * asked for, and its owner: the user entry of the answer that is its parent,
 * else its parent read by a base search.
 */
static br_dir_rc
owner_from(br_directory *d, LDAP *ld, LDAPMessage *res, struct signin_arg *a, int *lrc)
{
	LDAPMessage *e, *ce = NULL, *ue;
	br_credential_record c;
	br_user *u = NULL;
	char *parent;
	br_dir_rc r;
	int n = 0;

	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
		if (entry_role(ld, e) != ROLE_USER && n++ == 0)
			ce = e;
	if (n != 1)
		return n == 0 ? BR_DIR_NOT_FOUND : BR_DIR_ERROR;  /* the same id twice: ambiguous */
	if ((r = take_cred(ld, ce, a->id, a->len, &c)) != BR_DIR_OK)
		return r;
	if ((parent = parent_dn(c.dn)) == NULL)
		r = BR_DIR_ERROR;
	else if ((ue = user_named(ld, res, parent)) != NULL)
		r = user_from_entry(d, ld, ue, NULL, &u);
	else
		r = read_user_at(d, ld, parent, &u, lrc);
	if (r == BR_DIR_OK && (r = attach_cred(u, &c)) == BR_DIR_OK)
		a->out = u;
	else
		br_user_free(&u);
	cred_clear(&c);
	if (parent != NULL)
		ldap_memfree(parent);
	return r;
}

static br_dir_rc
op_signin(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct signin_arg *a = p;
	LDAPMessage *res = NULL;
	int plain = a->both_filter == NULL;
	br_dir_rc r = BR_DIR_OK;

	a->out = NULL;
	if (!plain) {
		r = search_both(d, ld, a->both_filter, &res, &plain, lrc);
		if (plain) {
			ldap_msgfree(res);
			res = NULL;
		}
	}
	if (r == BR_DIR_OK && plain)
		r = search_cred(d, ld, a->cred_filter, &res, lrc);
	if (r == BR_DIR_OK)
		r = owner_from(d, ld, res, a, lrc);
	ldap_msgfree(res);
	return r;
}

/* "(|<credential filter>(&(objectClass=fidoUser)(fidoUserHandle=<handle, escaped>)))" */
static char *
signin_filter(const char *cred_f, const unsigned char *handle, size_t len)
{
	char *user_f = eq_filter("fidoUser", "fidoUserHandle", handle, len), *f;
	size_t n;

	if (user_f == NULL)
		return NULL;
	n = strlen(cred_f) + strlen(user_f) + 4;
	if ((f = malloc(n)) != NULL)
		snprintf(f, n, "(|%s%s)", cred_f, user_f);
	free(user_f);
	return f;
}

br_dir_rc
br_dir_find_for_signin(br_directory *d, const unsigned char *id, size_t len, const unsigned char *user_handle,
    size_t handle_len, br_user **out)
{
	struct signin_arg a = { NULL, NULL, id, len, NULL };
	br_dir_rc r = BR_DIR_ERROR;

	if (out == NULL)
		return BR_DIR_INVALID;
	*out = NULL;
	if (d == NULL || !cred_id_ok(id, len))
		return BR_DIR_INVALID;
	if ((a.cred_filter = cred_filter(id, len)) == NULL)
		return BR_DIR_ERROR;
	/* a handle no user can have is no hint: the owner is still found, the verifier judges */
	if (user_handle != NULL && handle_len > 0 && handle_len <= BR_USER_HANDLE_MAX &&
	    (a.both_filter = signin_filter(a.cred_filter, user_handle, handle_len)) == NULL)
		goto out;
	r = run(d, op_signin, &a);
	*out = a.out;
out:
	free((char *)a.cred_filter);
	free((char *)a.both_filter);
	return r;
}

/* ------------------------------------------------------------------------ */
/* modification lists                                                       */
/* ------------------------------------------------------------------------ */

#define MODS_MAX 20
#define MOD_VALUES_MAX 32

/* LDAPMod arrays over caller-owned values (which must outlive the operation). */
struct mods {
	LDAPMod m[MODS_MAX];
	LDAPMod *p[MODS_MAX + 1];
	struct berval bv[MOD_VALUES_MAX];
	struct berval *bvp[MOD_VALUES_MAX + MODS_MAX];
	size_t nm, nbv, nbvp;
	int overflow;
};

static void
mods_add(struct mods *m, int op, const char *attr, const struct berval *vals, size_t n)
{
	size_t i;

	if (m->nm >= MODS_MAX || m->nbv + n > MOD_VALUES_MAX || m->nbvp + n + 1 > MOD_VALUES_MAX + MODS_MAX) {
		m->overflow = 1;
		return;
	}
	m->m[m->nm].mod_op = op | LDAP_MOD_BVALUES;
	m->m[m->nm].mod_type = (char *)attr;
	m->m[m->nm].mod_bvalues = &m->bvp[m->nbvp];
	for (i = 0; i < n; i++) {
		m->bv[m->nbv] = vals[i];
		m->bvp[m->nbvp++] = &m->bv[m->nbv++];
	}
	m->bvp[m->nbvp++] = NULL;
	m->p[m->nm] = &m->m[m->nm];
	m->nm++;
	m->p[m->nm] = NULL;
}

static void
mods_add_str(struct mods *m, int op, const char *attr, const char *value)
{
	struct berval b = bv_str(value);

	mods_add(m, op, attr, &b, 1);
}

static int
modify(br_directory *d, LDAP *ld, const char *dn, struct mods *m)
{
	(void)d;
	if (m->overflow || m->nm == 0)
		return LDAP_PARAM_ERROR;
	return ldap_modify_ext_s(ld, dn, m->p, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* user handle and enrolment codes: values on the user entry                */
/* ------------------------------------------------------------------------ */

struct user_value_arg {
	const char *dn;
	const char *attr;
	struct berval value;
	int single;  /* refuse when the attribute already has a value */
};

/*
 * Add a value to the user entry, adding the fidoUser class in the same
 * modify when the entry lacks it.
 */
static br_dir_rc
op_add_user_value(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct user_value_arg *a = p;
	const char *const attrs[] = { a->attr, NULL };
	LDAPMessage *res = NULL, *e;
	int rc, need_class, attempt;

	rc = search(d, ld, a->dn, LDAP_SCOPE_BASE, "(objectClass=fidoUser)", attrs, 1, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		*lrc = rc;
		return rc == LDAP_NO_SUCH_OBJECT ? BR_DIR_NOT_FOUND : BR_DIR_ERROR;
	}
	e = ldap_first_entry(ld, res);
	need_class = e == NULL;
	if (e != NULL && a->single) {
		struct berval **all = ldap_get_values_len(ld, e, a->attr);
		int has = all != NULL && all[0] != NULL;

		ldap_value_free_len(all);
		if (has) {
			ldap_msgfree(res);
			return BR_DIR_EXISTS;
		}
	}
	ldap_msgfree(res);
	for (attempt = 0; attempt < 2; attempt++) {
		struct mods m;

		memset(&m, 0, sizeof(m));
		if (need_class)
			mods_add_str(&m, LDAP_MOD_ADD, "objectClass", "fidoUser");
		mods_add(&m, LDAP_MOD_ADD, a->attr, &a->value, 1);
		rc = modify(d, ld, a->dn, &m);
		/* someone added the class meanwhile: once more without it */
		if (rc == LDAP_TYPE_OR_VALUE_EXISTS && need_class) {
			need_class = 0;
			continue;
		}
		break;
	}
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_TYPE_OR_VALUE_EXISTS:
	case LDAP_CONSTRAINT_VIOLATION:  /* a second value of a single-valued attribute */
		return BR_DIR_EXISTS;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		*lrc = rc;
		return BR_DIR_ERROR;
	}
}

br_dir_rc
br_dir_set_user_handle(br_directory *d, br_user *u, const unsigned char *handle, size_t len)
{
	struct user_value_arg a;
	br_dir_rc r;

	if (d == NULL || u == NULL || u->dn == NULL || handle == NULL || len == 0 || len > BR_USER_HANDLE_MAX)
		return BR_DIR_INVALID;
	a.dn = u->dn;
	a.attr = "fidoUserHandle";
	a.value.bv_len = len;
	a.value.bv_val = (char *)handle;
	a.single = 1;
	r = run(d, op_add_user_value, &a);
	if (r == BR_DIR_OK && br_blob_set(&u->user_handle, handle, len) < 0)
		return BR_DIR_ERROR;  /* stored, but we cannot say so in u */
	return r;
}

static int
code_ok(const char *v)
{
	size_t i, n;

	if (v == NULL || (n = strnlen(v, CODE_MAX + 1)) == 0 || n > CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

br_dir_rc
br_dir_add_enrolment_code(br_directory *d, const br_user *u, const char *value)
{
	struct user_value_arg a;

	if (d == NULL || u == NULL || u->dn == NULL || !code_ok(value))
		return BR_DIR_INVALID;
	a.dn = u->dn;
	a.attr = "fidoEnrolmentCode";
	a.value = bv_str(value);
	a.single = 0;
	return run(d, op_add_user_value, &a);
}

struct remove_code_arg {
	const char *dn;
	const char *value;
};

static br_dir_rc
op_remove_code(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct remove_code_arg *a = p;
	struct mods m;
	int rc;

	memset(&m, 0, sizeof(m));
	mods_add_str(&m, LDAP_MOD_DELETE, "fidoEnrolmentCode", a->value);
	rc = modify(d, ld, a->dn, &m);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_NO_SUCH_ATTRIBUTE:  /* that value is gone: somebody used it */
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		*lrc = rc;
		return BR_DIR_ERROR;
	}
}

br_dir_rc
br_dir_remove_enrolment_code(br_directory *d, const br_user *u, const char *value)
{
	struct remove_code_arg a;

	if (d == NULL || u == NULL || u->dn == NULL || !code_ok(value))
		return BR_DIR_INVALID;
	a.dn = u->dn;
	a.value = value;
	return run(d, op_remove_code, &a);
}

/* ------------------------------------------------------------------------ */
/* credentials                                                              */
/* ------------------------------------------------------------------------ */

/* No nickname is allowed; one that is there follows the one rule. */
static int
nickname_ok(const char *s)
{
	return s == NULL || br_nickname_ok(s);
}

struct add_cred_arg {
	const char *dn;
	const char *filter;
	struct mods *m;
};

static br_dir_rc
op_add_cred(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct add_cred_arg *a = p;
	LDAPMessage *res = NULL;
	int rc, n;

	/* known anywhere, for this user or another: refused */
	rc = search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, no_attrs, 1, &res);
	n = res != NULL ? ldap_count_entries(ld, res) : 0;
	ldap_msgfree(res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && n > 0))
		return BR_DIR_EXISTS;
	if (rc != LDAP_SUCCESS) {
		*lrc = rc;
		return BR_DIR_ERROR;
	}
	rc = ldap_add_ext_s(ld, a->dn, a->m->p, NULL, NULL);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_ALREADY_EXISTS:
		return BR_DIR_EXISTS;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;  /* the user is gone */
	default:
		*lrc = rc;
		return BR_DIR_ERROR;
	}
}

br_dir_rc
br_dir_add_credential(br_directory *d, const br_user *u, const br_credential_record *c)
{
	struct add_cred_arg a = { NULL, NULL, NULL };
	struct berval oc[2], id, pk, tr[BR_TRANSPORT_COUNT];
	char *b64 = NULL, count[16], created[16], last_used[16];
	struct mods *m = NULL;
	size_t ntr = 0, i;
	br_dir_rc r = BR_DIR_ERROR;

	if (d == NULL || u == NULL || u->dn == NULL || c == NULL || !cred_id_ok(c->id.ptr, c->id.len) ||
	    c->public_key.ptr == NULL || c->public_key.len == 0 || !nickname_ok(c->nickname) ||
	    memchr(c->aaguid, '\0', sizeof(c->aaguid)) == NULL || (c->aaguid[0] != '\0' && !br_aaguid_text_ok(c->aaguid)) ||
	    memchr(c->fmt, '\0', sizeof(c->fmt)) == NULL || (c->fmt[0] != '\0' && !br_fmt_ok(c->fmt)) ||
	    (c->transports & ~ALL_TRANSPORTS) != 0 ||
	    br_gentime_write(c->created > 0 ? c->created : (int64_t)time(NULL), created, sizeof(created)) < 0 ||
	    (c->last_used != 0 && br_gentime_write(c->last_used, last_used, sizeof(last_used)) < 0))
		return BR_DIR_INVALID;
	if ((b64 = br_b64url_encode_alloc(c->id.ptr, c->id.len)) == NULL ||
	    (a.dn = cred_dn(u->dn, c->id.ptr, c->id.len)) == NULL || (a.filter = cred_filter(c->id.ptr, c->id.len)) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		goto out;
	snprintf(count, sizeof(count), "%" PRIu32, c->sign_count);
	for (i = 0; i < BR_TRANSPORT_COUNT; i++)
		if ((c->transports & br_transport_bit(i)) != 0)
			tr[ntr++] = bv_str(br_transport_name(i));
	oc[0] = bv_str("top");
	oc[1] = bv_str("fidoCredential");
	id = bv_str(b64);
	pk.bv_len = c->public_key.len;
	pk.bv_val = (char *)c->public_key.ptr;
	mods_add(m, LDAP_MOD_ADD, "objectClass", oc, 2);
	mods_add(m, LDAP_MOD_ADD, "fidoCredentialId", &id, 1);
	mods_add(m, LDAP_MOD_ADD, "fidoPublicKey", &pk, 1);
	mods_add_str(m, LDAP_MOD_ADD, "fidoSignCount", count);
	mods_add_str(m, LDAP_MOD_ADD, "fidoCreated", created);
	if (c->aaguid[0] != '\0')
		mods_add_str(m, LDAP_MOD_ADD, "fidoAAGUID", c->aaguid);
	if (ntr > 0)
		mods_add(m, LDAP_MOD_ADD, "fidoTransports", tr, ntr);
	if (c->fmt[0] != '\0')
		mods_add_str(m, LDAP_MOD_ADD, "fidoAttestationFormat", c->fmt);
	mods_add_str(m, LDAP_MOD_ADD, "fidoBackupEligible", c->backup_eligible ? "TRUE" : "FALSE");
	mods_add_str(m, LDAP_MOD_ADD, "fidoBackupState", c->backup_state ? "TRUE" : "FALSE");
	mods_add_str(m, LDAP_MOD_ADD, "fidoUserVerified", c->user_verified ? "TRUE" : "FALSE");
	if (c->nickname != NULL && c->nickname[0] != '\0')
		mods_add_str(m, LDAP_MOD_ADD, "fidoNickname", c->nickname);
	if (c->last_used != 0)
		mods_add_str(m, LDAP_MOD_ADD, "fidoLastUsed", last_used);
	if (m->overflow)
		goto out;
	a.m = m;
	r = run(d, op_add_cred, &a);
out:
	free(b64);
	free((char *)a.dn);
	free((char *)a.filter);
	free(m);
	return r;
}

struct cred_mod_arg {
	const char *dn;
	struct mods *m;  /* NULL: delete the entry */
};

static br_dir_rc
op_cred_mod(br_directory *d, LDAP *ld, void *p, int *lrc)
{
	struct cred_mod_arg *a = p;
	int rc;

	if (a->m != NULL)
		rc = modify(d, ld, a->dn, a->m);
	else
		rc = ldap_delete_ext_s(ld, a->dn, NULL, NULL);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		*lrc = rc;
		return BR_DIR_ERROR;
	}
}

br_dir_rc
br_dir_rename_credential(br_directory *d, const br_user *u, const unsigned char *id, size_t len,
    const char *nickname)
{
	struct cred_mod_arg a = { NULL, NULL };
	struct mods m;
	br_dir_rc r;

	if (d == NULL || u == NULL || u->dn == NULL || !cred_id_ok(id, len) || !nickname_ok(nickname))
		return BR_DIR_INVALID;
	memset(&m, 0, sizeof(m));
	if (nickname != NULL && *nickname != '\0')
		mods_add_str(&m, LDAP_MOD_REPLACE, "fidoNickname", nickname);
	else
		mods_add(&m, LDAP_MOD_REPLACE, "fidoNickname", NULL, 0);  /* no value: removed */
	/* named under this user's entry: another user's credential is not found */
	if ((a.dn = cred_dn(u->dn, id, len)) == NULL)
		return BR_DIR_ERROR;
	a.m = &m;
	r = run(d, op_cred_mod, &a);
	free((char *)a.dn);
	return r;
}

br_dir_rc
br_dir_delete_credential(br_directory *d, const br_user *u, const unsigned char *id, size_t len)
{
	struct cred_mod_arg a = { NULL, NULL };
	br_dir_rc r;

	if (d == NULL || u == NULL || u->dn == NULL || !cred_id_ok(id, len))
		return BR_DIR_INVALID;
	if ((a.dn = cred_dn(u->dn, id, len)) == NULL)
		return BR_DIR_ERROR;
	r = run(d, op_cred_mod, &a);
	free((char *)a.dn);
	return r;
}

br_dir_rc
br_dir_record_use(br_directory *d, const br_credential_record *c, uint32_t sign_count, int64_t now,
    int *wrote)
{
	struct cred_mod_arg a = { NULL, NULL };
	struct mods m;
	char count[16], when[16];
	int write_count, write_time;
	br_dir_rc r;

	if (wrote != NULL)
		*wrote = 0;
	if (d == NULL || c == NULL || c->dn == NULL || wrote == NULL || br_gentime_write(now, when, sizeof(when)) < 0)
		return BR_DIR_INVALID;
	write_count = sign_count != c->sign_count;
	write_time = c->last_used == 0 || now - c->last_used >= (int64_t)d->last_used_interval_s;
	if (!write_count && !write_time)
		return BR_DIR_OK;
	memset(&m, 0, sizeof(m));
	snprintf(count, sizeof(count), "%" PRIu32, sign_count);
	if (write_count)
		mods_add_str(&m, LDAP_MOD_REPLACE, "fidoSignCount", count);
	if (write_time)
		mods_add_str(&m, LDAP_MOD_REPLACE, "fidoLastUsed", when);
	a.dn = c->dn;
	a.m = &m;
	r = run(d, op_cred_mod, &a);
	*wrote = r == BR_DIR_OK;
	return r;
}

/* ------------------------------------------------------------------------ */
/* the schema check                                                         */
/* ------------------------------------------------------------------------ */

struct report {
	char *p;
	size_t len, cap;
	int oom;
};

__attribute__((format(printf, 2, 3))) static void
say(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(r->p != NULL ? r->p + r->len : NULL, r->p != NULL ? r->cap - r->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			r->oom = 1;
			return;
		}
		if (r->p != NULL && r->len + (size_t)n + 2 <= r->cap)
			break;
		{
			size_t cap = (r->cap ? r->cap * 2 : 1024) + (size_t)n + 2;
			char *np = realloc(r->p, cap);

			if (np == NULL) {
				r->oom = 1;
				return;
			}
			r->p = np;
			r->cap = cap;
		}
	}
	r->len += (size_t)n;
	r->p[r->len++] = '\n';
	r->p[r->len] = '\0';
}

static const char *const fido_attribute_types[] = {
	"fidoUserHandle", "fidoEnrolmentCode", "fidoCredentialId", "fidoPublicKey",
	"fidoSignCount", "fidoAAGUID", "fidoTransports", "fidoAttestationFormat",
	"fidoBackupEligible", "fidoBackupState", "fidoUserVerified", "fidoCreated",
	"fidoLastUsed", "fidoNickname", NULL,
};

/* searched or value-deleted by equality: they need an EQUALITY rule */
static const char *const needs_equality[] = { "fidoUserHandle", "fidoEnrolmentCode", "fidoCredentialId", NULL };

/* looked up through a filter: they should have an eq index */
static const char *const needs_index[] = { "fidoCredentialId", "fidoUserHandle", NULL };

static const char *const fido_object_classes[] = { "fidoUser", "fidoCredential", NULL };

static int
in_names(char **names, const char *want)
{
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		if (strcasecmp(names[i], want) == 0)
			return 1;
	return 0;
}

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcasecmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Which of want[] the subschema's attributeTypes define (found[i]), with an equality rule (eq[i]). */
static void
scan_attribute_types(struct berval **vals, const char *const *want, int *found, int *eq)
{
	size_t i, k;

	for (i = 0; vals != NULL && vals[i] != NULL; i++) {
		LDAPAttributeType *at;
		const char *errp = NULL;
		char *text = bv_strdup(vals[i]);
		int code = 0;

		if (text == NULL)
			continue;
		at = ldap_str2attributetype(text, &code, &errp, LDAP_SCHEMA_ALLOW_ALL);
		free(text);
		if (at == NULL)
			continue;
		for (k = 0; want[k] != NULL; k++)
			if (in_names(at->at_names, want[k])) {
				found[k] = 1;
				eq[k] = at->at_equality_oid != NULL;
			}
		ldap_attributetype_free(at);
	}
}

static void
scan_object_classes(struct berval **vals, const char *const *want, int *found)
{
	size_t i, k;

	for (i = 0; vals != NULL && vals[i] != NULL; i++) {
		LDAPObjectClass *oc;
		const char *errp = NULL;
		char *text = bv_strdup(vals[i]);
		int code = 0;

		if (text == NULL)
			continue;
		oc = ldap_str2objectclass(text, &code, &errp, LDAP_SCHEMA_ALLOW_ALL);
		free(text);
		if (oc == NULL)
			continue;
		for (k = 0; want[k] != NULL; k++)
			if (in_names(oc->oc_names, want[k]))
				found[k] = 1;
		ldap_objectclass_free(oc);
	}
}

/* dn_normal, lower-cased (ASCII): good enough to compare suffixes. */
static char *
dn_folded(const char *dn)
{
	char *r = dn_normal(dn);
	size_t i;

	for (i = 0; r != NULL && r[i] != '\0'; i++)
		r[i] = (char)ascii_lower((unsigned char)r[i]);
	return r;
}

static int
dn_is_under(const char *dn, const char *suffix)
{
	char *a = dn_folded(dn), *b = dn_folded(suffix);
	int r = 0;

	if (a != NULL && b != NULL) {
		size_t la = strlen(a), lb = strlen(b);

		r = lb == 0 || (la >= lb && strcmp(a + la - lb, b) == 0 && (la == lb || a[la - lb - 1] == ','));
	}
	free(a);
	free(b);
	return r;
}

/* Does an olcDbIndex value ("attr[,attr...] [type[,type...]]") give attr an eq index? */
static int
index_has_eq(const struct berval *v, const char *attr)
{
	char *text = bv_strdup(v), *save = NULL, *attrs, *types, *tok;
	int named = 0, eq = 0;

	if (text == NULL)
		return 0;
	attrs = strtok_r(text, " \t", &save);
	types = strtok_r(NULL, " \t", &save);
	for (tok = attrs != NULL ? strtok_r(attrs, ",", &save) : NULL; tok != NULL; tok = strtok_r(NULL, ",", &save))
		if (strcasecmp(tok, attr) == 0)
			named = 1;
	if (named) {
		if (types == NULL) {
			eq = 1;  /* the database's default index types */
		} else {
			char *save2 = NULL;

			for (tok = strtok_r(types, ",", &save2); tok != NULL; tok = strtok_r(NULL, ",", &save2))
				if (strcasecmp(tok, "eq") == 0 || strcasecmp(tok, "equality") == 0)
					eq = 1;
		}
	}
	free(text);
	return eq;
}

/* Equality indexes, when this identity may read cn=config (it usually may not). */
static int
check_indexes(br_directory *d, LDAP *ld, struct report *rep)
{
	static const char *const attrs[] = { "olcSuffix", "olcDbIndex", NULL };
	LDAPMessage *res = NULL, *e, *db = NULL;
	struct berval **vals;
	const char *idx[4];
	int rc, problems = 0;
	size_t i, k, n = 0;

	for (i = 0; needs_index[i] != NULL; i++)
		idx[n++] = needs_index[i];
	if (!in_list(needs_index, d->username_attribute))
		idx[n++] = d->username_attribute;
	idx[n] = NULL;
	rc = search(d, ld, "cn=config", LDAP_SCOPE_ONELEVEL, "(olcSuffix=*)", attrs, 100, &res);
	for (e = rc == LDAP_SUCCESS ? ldap_first_entry(ld, res) : NULL; e != NULL && db == NULL;
	     e = ldap_next_entry(ld, e)) {
		vals = ldap_get_values_len(ld, e, "olcSuffix");
		for (i = 0; vals != NULL && vals[i] != NULL; i++) {
			char *suffix = bv_strdup(vals[i]);

			if (suffix != NULL && dn_is_under(d->user_base, suffix))
				db = e;
			free(suffix);
		}
		ldap_value_free_len(vals);
	}
	if (db == NULL) {
		say(rep, "unknown: equality indexes (cn=config is not readable with this identity, which is normal "
			 "for the service account): make sure the database has 'index fidoCredentialId eq' and "
			 "'index fidoUserHandle eq'");
		ldap_msgfree(res);
		return transient(rc) ? -1 : 0;
	}
	vals = ldap_get_values_len(ld, db, "olcDbIndex");
	for (k = 0; idx[k] != NULL; k++) {
		int found = 0;

		for (i = 0; vals != NULL && vals[i] != NULL && !found; i++)
			found = index_has_eq(vals[i], idx[k]);
		if (found) {
			say(rep, "ok: equality index %s", idx[k]);
		} else {
			say(rep, "MISSING: equality index %s (olcDbIndex: %s eq)", idx[k], idx[k]);
			problems++;
		}
	}
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	return problems;
}

static int
check_schema(br_directory *d, LDAP *ld, struct report *rep, int *lrc)
{
	static const char *const root_attrs[] = { "subschemaSubentry", NULL };
	static const char *const schema_attrs[] = { "attributeTypes", "objectClasses", NULL };
	const char *want_at[32], *want_oc[4];
	int found_at[32] = { 0 }, eq_at[32] = { 0 }, found_oc[4] = { 0 };
	LDAPMessage *res = NULL, *e;
	struct berval **vals = NULL;
	char *subschema = NULL;
	size_t i, n_fido = 0, n = 0, user_at;
	int rc, problems = 0, r;

	rc = search(d, ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", root_attrs, 1, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(ld, res)) != NULL &&
	    (vals = ldap_get_values_len(ld, e, "subschemaSubentry")) != NULL && vals[0] != NULL)
		subschema = bv_strdup(vals[0]);
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	res = NULL;
	if (subschema == NULL) {
		say(rep, "ERROR: cannot read subschemaSubentry from the root DSE: %s", ldap_err2string(rc));
		*lrc = rc;
		return 1;
	}
	rc = search(d, ld, subschema, LDAP_SCOPE_BASE, "(objectClass=subschema)", schema_attrs, 1, &res);
	if (rc != LDAP_SUCCESS || (e = ldap_first_entry(ld, res)) == NULL) {
		say(rep, "ERROR: cannot read the subschema entry %s: %s", subschema, ldap_err2string(rc));
		ldap_msgfree(res);
		free(subschema);
		*lrc = rc;
		return 1;
	}
	for (i = 0; fido_attribute_types[i] != NULL; i++)
		want_at[n++] = fido_attribute_types[i];
	n_fido = n;
	user_at = n;
	want_at[n++] = d->username_attribute;
	if (d->disabled_attribute != NULL)
		want_at[n++] = d->disabled_attribute;
	want_at[n] = NULL;
	for (i = 0; fido_object_classes[i] != NULL; i++)
		want_oc[i] = fido_object_classes[i];
	want_oc[i] = NULL;

	vals = ldap_get_values_len(ld, e, "attributeTypes");
	scan_attribute_types(vals, want_at, found_at, eq_at);
	ldap_value_free_len(vals);
	vals = ldap_get_values_len(ld, e, "objectClasses");
	scan_object_classes(vals, want_oc, found_oc);
	ldap_value_free_len(vals);
	ldap_msgfree(res);

	say(rep, "ok: subschema entry %s read", subschema);
	free(subschema);
	for (i = 0; want_at[i] != NULL; i++) {
		const char *what = i < n_fido ? "attribute type" : i == user_at ? "username attribute" : "disabled attribute";

		if (!found_at[i]) {
			say(rep, "MISSING: %s %s", what, want_at[i]);
			problems++;
		} else if (i < n_fido && in_list(needs_equality, want_at[i]) && !eq_at[i]) {
			say(rep, "MISSING: EQUALITY matching rule on attribute type %s", want_at[i]);
			problems++;
		} else {
			say(rep, "ok: %s %s", what, want_at[i]);
		}
	}
	for (i = 0; want_oc[i] != NULL; i++) {
		if (found_oc[i]) {
			say(rep, "ok: object class %s", want_oc[i]);
		} else {
			say(rep, "MISSING: object class %s", want_oc[i]);
			problems++;
		}
	}
	if ((r = check_indexes(d, ld, rep)) < 0)
		return problems + 1;
	return problems + r;
}

int
br_dir_check(br_directory *d, char **report)
{
	struct report rep = { NULL, 0, 0, 0 };
	LDAP *ld;
	int rc, lrc = LDAP_SUCCESS, problems;

	if (report != NULL)
		*report = NULL;
	if (d == NULL)
		return 1;
	/* a stale connection must not count against the server: start afresh */
	conn_drop(d);
	if ((ld = conn_get(d, &rc)) == NULL) {
		say(&rep, "ERROR: cannot connect and bind to %s: %s", d->uri, ldap_err2string(rc));
		problems = 1;
	} else {
		say(&rep, "ok: connected and bound to %s", d->uri);
		problems = check_schema(d, ld, &rep, &lrc);
		if (transient(lrc))
			conn_drop(d);
	}
	if (rep.oom) {
		free(rep.p);
		rep.p = NULL;
		problems = problems ? problems : 1;
	}
	if (report != NULL)
		*report = rep.p;
	else
		free(rep.p);
	return problems;
}

br_dir_rc
br_dir_check_password(br_directory *d, const br_user *u, const char *password)
{
	struct berval cred;
	LDAP *ld = NULL;
	int rc;

	/* an empty password is an unauthenticated bind, which always "succeeds" */
	if (u == NULL || u->dn == NULL || password == NULL || *password == '\0' || strlen(password) > 1024)
		return BR_DIR_INVALID;
	/* a connection of its own: the thread's stays bound as the service */
	pthread_mutex_lock(&d->setup_lock);
	rc = ldap_initialize(&ld, d->uri);
	if (rc == LDAP_SUCCESS)
		rc = setup_handle(d, ld);
	pthread_mutex_unlock(&d->setup_lock);
	if (rc == LDAP_SUCCESS && d->starttls)
		rc = ldap_start_tls_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS) {
		cred.bv_val = (char *)(uintptr_t)password;
		cred.bv_len = strlen(password);
		rc = ldap_sasl_bind_s(ld, u->dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	}
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return BR_DIR_OK;
	return rc == LDAP_INVALID_CREDENTIALS ? BR_DIR_NOT_FOUND : BR_DIR_ERROR;
}
