/*
 * The sign-in lookup: the credential and its owner, in one search when the
 * assertion's user handle names that owner (directory.h has the rules).
 */
#include "ldap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGNIN_ENTRIES_MAX 4 /* a sign-in search: the credential, a duplicate, its owner, one more */

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
	int r = ldir_first_value(ld, e, attr, &all) != NULL;

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

/* The parent of dn, in ldir_dn_normal's form, in a new string (ldap_memfree). */
char *
ldir_parent_dn(const char *dn)
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

/*
 * The credential and, maybe, its owner in one search. *plain asks for the
 * credential alone instead when the answer cannot be used as is: more
 * entries than the limit (several users with the handle, or the id several
 * times), or an entry that cannot be placed.
 */
static br_dir_rc
search_both(ldir *d, LDAP *ld, const char *filter, LDAPMessage **res, int *plain, int *lrc)
{
	LDAPMessage *e;
	int rc, role;

	*plain = 0;
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, filter, (const char *const *)d->signin_attrs,
	    SIGNIN_ENTRIES_MAX, res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED) {
		*plain = 1;
		return BR_DIR_OK;
	}
	if (rc != LDAP_SUCCESS)
		return ldir_failed("ldap search", rc, lrc);
	for (e = ldap_first_entry(ld, *res); e != NULL; e = ldap_next_entry(ld, e))
		if ((role = entry_role(ld, e)) == ROLE_NEITHER || role == ROLE_BOTH)
			*plain = 1;
	return BR_DIR_OK;
}

/* The credential alone, with its attributes. */
static br_dir_rc
search_cred(ldir *d, LDAP *ld, const char *filter, LDAPMessage **res, int *lrc)
{
	int rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, filter, ldir_cred_attrs, 2, res);

	if (rc == LDAP_SIZELIMIT_EXCEEDED)
		return ldir_fail("ldap search", "one credential id under several entries");  /* ambiguous */
	if (rc != LDAP_SUCCESS)
		return ldir_failed("ldap search", rc, lrc);
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
	if (ldir_parse_cred(ld, e, c) < 0)
		return ldir_fail("ldap search", "malformed credential entry");
	if (c->id.len != len || memcmp(c->id.ptr, id, len) != 0) {
		br_credential_clear(c);
		return BR_DIR_NOT_FOUND;
	}
	return BR_DIR_OK;
}

/*
 * The user entry in res named exactly parent (ldir_dn_normal's form), or
 * NULL. Not case-folded: that could take a user whose DN differs from the
 * owner's only in the case of a case-exact value, while a miss here costs
 * no more than the base search.
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
		dn = ldir_dn_normal(raw);
		ldap_memfree(raw);
		same = dn != NULL && strcmp(dn, parent) == 0;
		free(dn);
		if (same)
			return e;
	}
	return NULL;
}

/* The entry at dn as a user, without credentials. */
br_dir_rc
ldir_read_user_at(ldir *d, LDAP *ld, const char *dn, br_user **out, int *lrc)
{
	LDAPMessage *res = NULL, *e;
	br_dir_rc r;
	int rc;

	*out = NULL;
	rc = ldir_search(d, ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", (const char *const *)d->user_attrs, 1, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return rc == LDAP_NO_SUCH_OBJECT ? BR_DIR_NOT_FOUND : ldir_failed("ldap search", rc, lrc);
	}
	e = ldap_first_entry(ld, res);
	r = e != NULL ? ldir_user_from_entry(d, ld, e, NULL, out) : BR_DIR_NOT_FOUND;
	ldap_msgfree(res);
	return r;
}

/* u's only credential: c, moved (left empty). */
static br_dir_rc
attach_cred(br_user *u, br_credential_record *c)
{
	if (u == NULL)
		return BR_DIR_ERROR;
	if ((u->creds = calloc(1, sizeof(*u->creds))) == NULL)
		return ldir_oom();
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
owner_from(ldir *d, LDAP *ld, LDAPMessage *res, struct signin_arg *a, int *lrc)
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
	if (n > 1)
		return ldir_fail("ldap search", "one credential id under several entries");  /* ambiguous */
	if (n == 0)
		return BR_DIR_NOT_FOUND;
	if ((r = take_cred(ld, ce, a->id, a->len, &c)) != BR_DIR_OK)
		return r;
	if ((parent = ldir_parent_dn(c.dn)) == NULL)
		r = ldir_fail("ldap", "credential entry without a parent");
	else if ((ue = user_named(ld, res, parent)) != NULL)
		r = ldir_user_from_entry(d, ld, ue, NULL, &u);
	else
		r = ldir_read_user_at(d, ld, parent, &u, lrc);
	if (r == BR_DIR_OK && (r = attach_cred(u, &c)) == BR_DIR_OK)
		a->out = u;
	else
		br_user_free(&u);
	br_credential_clear(&c);
	if (parent != NULL)
		ldap_memfree(parent);
	return r;
}

static br_dir_rc
op_signin(ldir *d, LDAP *ld, void *p, int *lrc)
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
	char *user_f = ldir_eq_filter("fidoUser", "fidoUserHandle", handle, len), *f;
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
ldir_find_for_signin(void *backend, const unsigned char *id, size_t len, const unsigned char *user_handle,
    size_t handle_len, br_user **out)
{
	ldir *d = backend;
	struct signin_arg a = { NULL, NULL, id, len, NULL };
	br_dir_rc r = BR_DIR_ERROR;

	if ((a.cred_filter = ldir_cred_filter(id, len)) == NULL)
		return ldir_oom();
	if (user_handle != NULL && (a.both_filter = signin_filter(a.cred_filter, user_handle, handle_len)) == NULL) {
		r = ldir_oom();
		goto out;
	}
	r = ldir_run(d, op_signin, &a);
	*out = a.out;
out:
	free((char *)a.cred_filter);
	free((char *)a.both_filter);
	return r;
}
