/*
 * Reading the directory: user and credential entries into br_user and
 * br_credential_record, and the lookup by username. An entry that cannot be
 * read is left out (a credential) or refused (a user), never half-filled.
 */
#include "ldap_private.h"

#include <stdlib.h>
#include <string.h>

#include "../../core/b64url.h"
#include "../../core/text.h"
#include "../../core/timefmt.h"
#include "../../core/transport.h"

#define CREDS_MAX 256        /* credential entries read per user */

const char *const ldir_cred_attrs[] = {
	"fidoCredentialId", "fidoPublicKey", "fidoSignCount", "fidoAAGUID",
	"fidoTransports", "fidoAttestationFormat", "fidoBackupEligible",
	"fidoBackupState", "fidoUserVerified", "fidoCreated", "fidoLastUsed",
	"fidoNickname", NULL,
};

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

static int
bool_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **all, *v = ldir_first_value(ld, e, attr, &all);
	int r = v != NULL && ldir_casecmp_n(v->bv_val, v->bv_len, "TRUE", 4) == 0;

	ldap_value_free_len(all);
	return r;
}

/* NB: the analyzer misses that br_credential_clear on the bad: path frees c->dn. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
int
ldir_parse_cred(LDAP *ld, LDAPMessage *e, br_credential_record *c)
{
	struct berval **all = NULL, *v;
	int64_t t;
	size_t i;
	char *end;
	unsigned long long count;

	memset(c, 0, sizeof(*c));
	if ((c->dn = entry_dn(ld, e)) == NULL)
		goto bad;
	if ((v = ldir_first_value(ld, e, "fidoCredentialId", &all)) == NULL ||
	    br_b64url_decode(v->bv_val, v->bv_len, &c->id) < 0 || c->id.len == 0)
		goto bad;
	ldap_value_free_len(all);
	if ((v = ldir_first_value(ld, e, "fidoPublicKey", &all)) == NULL || v->bv_len == 0 ||
	    br_blob_set(&c->public_key, (const unsigned char *)v->bv_val, v->bv_len) < 0)
		goto bad;
	ldap_value_free_len(all);
	if ((v = ldir_first_value(ld, e, "fidoSignCount", &all)) == NULL || v->bv_len == 0 || v->bv_len > 10)
		goto bad;
	for (i = 0; i < v->bv_len; i++)
		if (v->bv_val[i] < '0' || v->bv_val[i] > '9')
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
	if ((v = ldir_first_value(ld, e, "fidoCreated", &all)) == NULL ||
	    br_gentime_parse(v->bv_val, v->bv_len, &t) < 0)
		goto bad;
	c->created = t;
	ldap_value_free_len(all);
	all = NULL;

	/* optional ones: unusable values are left out, the credential is kept */
	if ((v = ldir_first_value(ld, e, "fidoLastUsed", &all)) != NULL && br_gentime_parse(v->bv_val, v->bv_len, &t) == 0)
		c->last_used = t;
	ldap_value_free_len(all);
	if ((v = ldir_first_value(ld, e, "fidoAAGUID", &all)) != NULL && v->bv_len == sizeof(c->aaguid) - 1) {
		memcpy(c->aaguid, v->bv_val, v->bv_len);
		c->aaguid[v->bv_len] = '\0';
	}
	ldap_value_free_len(all);
	if ((v = ldir_first_value(ld, e, "fidoAttestationFormat", &all)) != NULL && v->bv_len < sizeof(c->fmt) &&
	    memchr(v->bv_val, '\0', v->bv_len) == NULL) {
		memcpy(c->fmt, v->bv_val, v->bv_len);
		c->fmt[v->bv_len] = '\0';
	}
	ldap_value_free_len(all);
	if ((v = ldir_first_value(ld, e, "fidoNickname", &all)) != NULL &&
	    br_utf8_ok((const unsigned char *)v->bv_val, v->bv_len, 0, NULL) &&
	    (c->nickname = ldir_bv_strdup(v)) == NULL)
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
	br_credential_clear(c);
	return -1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

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

/* The credential entries under u->dn, oldest first; malformed ones are skipped. */
static br_dir_rc
load_creds(ldir *d, LDAP *ld, br_user *u, int *lrc)
{
	LDAPMessage *res = NULL, *e;
	int rc, n;

	rc = ldir_search(d, ld, u->dn, LDAP_SCOPE_ONELEVEL, "(objectClass=fidoCredential)", ldir_cred_attrs,
	    CREDS_MAX, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldir_failed("ldap search", rc, lrc);  /* including more than CREDS_MAX */
	}
	if ((n = ldap_count_entries(ld, res)) > 0) {
		if ((u->creds = calloc((size_t)n, sizeof(*u->creds))) == NULL) {
			ldap_msgfree(res);
			return ldir_oom();
		}
		for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
			if (u->n_creds < (size_t)n && ldir_parse_cred(ld, e, &u->creds[u->n_creds]) == 0)
				u->n_creds++;
		qsort(u->creds, u->n_creds, sizeof(*u->creds), cred_order);
	}
	ldap_msgfree(res);
	return BR_DIR_OK;
}

/* Configured attributes present on e: {"name":["v1","v2"]}, UTF-8 text values only. */
static json_t *
attributes_json(ldir *d, LDAP *ld, LDAPMessage *e)
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

br_dir_rc
ldir_user_from_entry(ldir *d, LDAP *ld, LDAPMessage *e, const char *want_name, br_user **out)
{
	br_user *u = calloc(1, sizeof(*u));
	struct berval **all = NULL, *pick = NULL, *v;
	const char *why = "out of memory";
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
		    ldir_casecmp_n(all[i]->bv_val, all[i]->bv_len, want_name, strlen(want_name)) == 0) {
			pick = all[i];
			break;
		}
	}
	if (pick == NULL) {
		why = "user entry without a usable username";  /* not a user entry for us */
		goto out;
	}
	if ((u->username = ldir_bv_strdup(pick)) == NULL)
		goto out;
	ldap_value_free_len(all);
	all = NULL;
	if ((v = ldir_first_value(ld, e, "fidoUserHandle", &all)) != NULL) {
		if (v->bv_len > BR_USER_HANDLE_MAX) {
			why = "user handle over 64 bytes";
			goto out;
		}
		if (br_blob_set(&u->user_handle, (const unsigned char *)v->bv_val, v->bv_len) < 0)
			goto out;
	}
	ldap_value_free_len(all);
	all = NULL;
	if (d->disabled_attribute != NULL) {
		all = ldap_get_values_len(ld, e, d->disabled_attribute);
		for (i = 0; all != NULL && all[i] != NULL; i++)
			if (ldir_casecmp_n(all[i]->bv_val, all[i]->bv_len, d->disabled_value,
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
		if ((u->enrolment_codes[u->n_enrolment_codes] = ldir_bv_strdup(all[i])) == NULL)
			goto out;
		u->n_enrolment_codes++;
	}
	*out = u;
	u = NULL;
	r = BR_DIR_OK;
out:
	if (r != BR_DIR_OK)
		ldir_fail("ldap", why);
	ldap_value_free_len(all);
	br_user_free(&u);
	return r;
}

struct find_arg {
	const char *filter;
	const char *want_name;
	br_user *out;
};

/* Exactly one entry under user_base matching the filter, loaded as a user with its credentials. */
static br_dir_rc
op_find(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct find_arg *a = p;
	LDAPMessage *res = NULL;
	br_user *u = NULL;
	br_dir_rc r = BR_DIR_ERROR;
	int rc, n = 0;

	a->out = NULL;
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, (const char *const *)d->user_attrs, 2,
	    &res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && (n = ldap_count_entries(ld, res)) > 1)) {
		r = ldir_fail("ldap search", "several entries for one username");  /* never pick one */
		goto out;
	}
	if (rc != LDAP_SUCCESS) {
		r = ldir_failed("ldap search", rc, lrc);  /* no user base counts as a broken setup */
		goto out;
	}
	if (n != 1) {
		r = n == 0 ? BR_DIR_NOT_FOUND : ldir_fail("ldap search", "unreadable answer");
		goto out;
	}
	if ((r = ldir_user_from_entry(d, ld, ldap_first_entry(ld, res), a->want_name, &u)) != BR_DIR_OK)
		goto out;
	if ((r = load_creds(d, ld, u, lrc)) != BR_DIR_OK)
		goto out;
	a->out = u;
	u = NULL;
out:
	br_user_free(&u);
	ldap_msgfree(res);
	return r;
}

br_dir_rc
ldir_find_user_by(void *backend, const char *attribute, const char *value, br_user **out)
{
	struct find_arg a = { NULL, NULL, NULL };
	br_dir_rc r;

	if ((a.filter = ldir_eq_filter(NULL, attribute, value, strlen(value))) == NULL)
		return ldir_oom();
	r = ldir_run(backend, op_find, &a);
	free((char *)a.filter);
	*out = a.out;
	return r;
}

br_dir_rc
ldir_find_user(void *backend, const char *username, br_user **out)
{
	ldir *d = backend;
	struct find_arg a = { NULL, username, NULL };
	br_dir_rc r;

	if ((a.filter = ldir_eq_filter(NULL, d->username_attribute, username, strlen(username))) == NULL)
		return ldir_oom();
	r = ldir_run(d, op_find, &a);
	free((char *)a.filter);
	*out = a.out;
	return r;
}
