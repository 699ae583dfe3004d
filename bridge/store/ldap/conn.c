/*
 * The directory over libldap (OpenLDAP 2.5): options, one connection per
 * thread, opened and bound lazily, and the rule that an operation finding
 * its connection gone is retried once on a fresh one (ldir_run). Every
 * filter value goes through ldap_bv2escaped_filter_value. Nothing here
 * prints: return codes, and the reason of a failure in br_store_error.
 */
#include "ldap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../core/b64url.h"
#include "../../core/crypto.h"

#define DEFAULT_TIMEOUT_MS 3000
#define ATTR_NAME_MAX 128


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

int
ldir_casecmp_n(const char *a, size_t alen, const char *b, size_t blen)
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

char *
ldir_bv_strdup(const struct berval *b)
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
	size_t n, n_cred, i, k;
	char **v;

	for (n = 0; user_attrs[n] != NULL; n++)
		;
	for (n_cred = 0; ldir_cred_attrs[n_cred] != NULL; n_cred++)
		;
	if ((v = calloc(n + n_cred + 1, sizeof(char *))) == NULL)
		return NULL;
	memcpy(v, user_attrs, n * sizeof(char *));
	for (i = 0; ldir_cred_attrs[i] != NULL; i++) {
		for (k = 0; k < n && strcasecmp(v[k], ldir_cred_attrs[i]) != 0; k++)
			;
		if (k == n)
			v[n++] = (char *)ldir_cred_attrs[i];
	}
	v[n] = NULL;
	return v;
}

/* Close after the threads that used it are gone. */
static void
ldir_close(void *backend)
{
	ldir *d = backend;

	if (d == NULL)
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
}

static ldir *
ldir_open(const br_directory_options *o, char *err, size_t errlen)
{
	ldir *d;
	unsigned tmo;
	size_t i, n = 0;
	int oom = 0;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto oom;
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
	if (oom || (d->user_attrs = calloc(o->n_attributes + 5, sizeof(char *))) == NULL)
		goto oom;
	d->user_attrs[n++] = d->username_attribute;
	d->user_attrs[n++] = (char *)"fidoUserHandle";
	d->user_attrs[n++] = (char *)"fidoEnrolmentCode";
	if (d->disabled_attribute != NULL)
		d->user_attrs[n++] = d->disabled_attribute;
	for (i = 0; i < d->n_attributes; i++)
		d->user_attrs[n++] = d->attributes[i];
	d->user_attrs[n] = NULL;
	if ((d->signin_attrs = signin_attr_list(d->user_attrs)) == NULL)
		goto oom;
	if (pthread_mutex_init(&d->setup_lock, NULL) != 0)
		goto resources;
	d->lock_ok = 1;
	if (pthread_key_create(&d->tls_key, free_conn) != 0)
		goto resources;
	d->key_ok = 1;
	return d;
oom:
	snprintf(err, errlen, "out of memory");
	ldir_close(d);
	return NULL;
resources:
	snprintf(err, errlen, "out of resources");
	ldir_close(d);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* failures                                                                 */
/* ------------------------------------------------------------------------ */

br_dir_rc
ldir_failed(const char *op, int rc, int *lrc)
{
	br_store_error_set(op, ldap_err2string(rc));
	if (lrc != NULL)
		*lrc = rc;
	return BR_DIR_ERROR;
}

br_dir_rc
ldir_fail(const char *op, const char *why)
{
	br_store_error_set(op, why);
	return BR_DIR_ERROR;
}

br_dir_rc
ldir_oom(void)
{
	return ldir_fail("ldap", "out of memory");
}

/* ------------------------------------------------------------------------ */
/* connections                                                              */
/* ------------------------------------------------------------------------ */

int
ldir_transient(int rc)
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
setup_handle(ldir *d, LDAP *ld)
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
bind_handle(ldir *d, LDAP *ld)
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

int
ldir_connect(ldir *d, LDAP **out)
{
	LDAP *ld = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&d->setup_lock);
	rc = ldap_initialize(&ld, d->uri);
	if (rc == LDAP_SUCCESS)
		rc = setup_handle(d, ld);
	pthread_mutex_unlock(&d->setup_lock);
	if (rc != LDAP_SUCCESS)
		ldir_failed("ldap connect", rc, NULL);
	else if (d->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS)
		ldir_failed("ldap starttls", rc, NULL);
	if (rc != LDAP_SUCCESS) {
		if (ld != NULL)
			ldap_unbind_ext_s(ld, NULL, NULL);
		return rc;
	}
	*out = ld;
	return LDAP_SUCCESS;
}

static int
connect_bind(ldir *d, LDAP **out)
{
	int rc;

	if ((rc = ldir_connect(d, out)) != LDAP_SUCCESS)
		return rc;
	if ((rc = bind_handle(d, *out)) != LDAP_SUCCESS) {
		ldir_failed("ldap bind", rc, NULL);
		ldap_unbind_ext_s(*out, NULL, NULL);
		*out = NULL;
	}
	return rc;
}

LDAP *
ldir_conn_get(ldir *d, int *rc)
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
		ldir_oom();
		return NULL;
	}
	return ld;
}

void
ldir_conn_drop(ldir *d)
{
	LDAP *ld = pthread_getspecific(d->tls_key);

	pthread_setspecific(d->tls_key, NULL);
	free_conn(ld);
}

static br_dir_rc
run(ldir *d, ldir_op fn, void *arg, int write)
{
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		int lrc = LDAP_SUCCESS;
		LDAP *ld = ldir_conn_get(d, &lrc);
		br_dir_rc r;

		if (ld == NULL)
			return BR_DIR_ERROR;  /* a fresh connection failed: no point insisting */
		r = fn(d, ld, arg, &lrc);
		if (!ldir_transient(lrc))
			return r;
		ldir_conn_drop(d);
		if (write && lrc == LDAP_TIMEOUT)
			return r;
	}
	return BR_DIR_ERROR;
}

br_dir_rc
ldir_run(ldir *d, ldir_op fn, void *arg)
{
	return run(d, fn, arg, 0);
}

br_dir_rc
ldir_run_write(ldir *d, ldir_op fn, void *arg)
{
	return run(d, fn, arg, 1);
}

/* ------------------------------------------------------------------------ */
/* searches, filters, DNs                                                   */
/* ------------------------------------------------------------------------ */

int
ldir_search(ldir *d, LDAP *ld, const char *base, int scope, const char *filter, const char *const *attrs,
    int sizelimit, LDAPMessage **res)
{
	struct timeval tv = d->timeout;

	*res = NULL;
	return ldap_search_ext_s(ld, base, scope, filter, (char **)attrs, 0, NULL, NULL, &tv, sizelimit, res);
}

char *
ldir_eq_filter(const char *cls, const char *attr, const void *val, size_t len)
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

char *
ldir_cred_filter(const unsigned char *id, size_t len)
{
	char *b64 = br_b64url_encode_alloc(id, len), *f;

	if (b64 == NULL)
		return NULL;
	f = ldir_eq_filter("fidoCredential", "fidoCredentialId", b64, strlen(b64));
	free(b64);
	return f;
}

struct berval *
ldir_first_value(LDAP *ld, LDAPMessage *e, const char *attr, struct berval ***all)
{
	*all = ldap_get_values_len(ld, e, attr);
	if (*all == NULL || (*all)[0] == NULL) {
		ldap_value_free_len(*all);
		*all = NULL;
		return NULL;
	}
	return (*all)[0];
}

char *
ldir_dn_normal(const char *dn)
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

/* ------------------------------------------------------------------------ */
/* the backend                                                              */
/* ------------------------------------------------------------------------ */

static const br_directory_ops ldap_ops = {
	.name = "ldap",
	.find_user = ldir_find_user,
	.find_for_signin = ldir_find_for_signin,
	.set_user_handle = ldir_set_user_handle,
	.add_credential = ldir_add_credential,
	.rename_credential = ldir_rename_credential,
	.delete_credential = ldir_delete_credential,
	.record_use = ldir_record_use,
	.add_enrolment_code = ldir_add_enrolment_code,
	.remove_enrolment_code = ldir_remove_enrolment_code,
	.check_password = ldir_check_password,
	.check = ldir_check,
	.find_by_aaguid = ldir_find_by_aaguid,
	.close = ldir_close,
	.pairing = &ldir_pairing_ops,
};

br_directory *
br_directory_open(const br_directory_options *o, char *err, size_t errlen)
{
	br_directory *dir;
	ldir *d;

	if (o == NULL) {
		snprintf(err, errlen, "ldap: no options");
		return NULL;
	}
	if (check_options(o, err, errlen) < 0 || (d = ldir_open(o, err, errlen)) == NULL)
		return NULL;
	if ((dir = br_directory_new(&ldap_ops, d)) == NULL)
		snprintf(err, errlen, "out of memory");
	return dir;
}
