/*
 * The schema check (bridgectl's directory check): is every fido
 * attribute and class loaded, do the looked-up ones have an equality rule,
 * and, where this identity may read cn=config, their equality indexes.
 */
#include "ldap_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap_schema.h>

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
		char *text = ldir_bv_strdup(vals[i]);
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
		char *text = ldir_bv_strdup(vals[i]);
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

/* ldir_dn_normal, lower-cased (ASCII): good enough to compare suffixes. */
static char *
dn_folded(const char *dn)
{
	char *r = ldir_dn_normal(dn);
	size_t i;

	for (i = 0; r != NULL && r[i] != '\0'; i++)
		r[i] = (char)(r[i] >= 'A' && r[i] <= 'Z' ? r[i] + ('a' - 'A') : r[i]);
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
	char *text = ldir_bv_strdup(v), *save = NULL, *attrs, *types, *tok;
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
check_indexes(ldir *d, LDAP *ld, struct report *rep)
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
	rc = ldir_search(d, ld, "cn=config", LDAP_SCOPE_ONELEVEL, "(olcSuffix=*)", attrs, 100, &res);
	for (e = rc == LDAP_SUCCESS ? ldap_first_entry(ld, res) : NULL; e != NULL && db == NULL;
	     e = ldap_next_entry(ld, e)) {
		vals = ldap_get_values_len(ld, e, "olcSuffix");
		for (i = 0; vals != NULL && vals[i] != NULL; i++) {
			char *suffix = ldir_bv_strdup(vals[i]);

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
		return ldir_transient(rc) ? -1 : 0;
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
check_schema(ldir *d, LDAP *ld, struct report *rep, int *lrc)
{
	static const char *const root_attrs[] = { "subschemaSubentry", NULL };
	static const char *const schema_attrs[] = { "attributeTypes", "objectClasses", NULL };
	const char *want_at[32], *want_oc[4];
	int found_at[32] = { 0 }, eq_at[32] = { 0 }, found_oc[4] = { 0 };
	LDAPMessage *res = NULL, *e;
	struct berval **vals = NULL;
	char *subschema = NULL;
	size_t i, n_fido = 0, n = 0, user_at, cert_oc;
	int rc, problems = 0, r;

	rc = ldir_search(d, ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", root_attrs, 1, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(ld, res)) != NULL &&
	    (vals = ldap_get_values_len(ld, e, "subschemaSubentry")) != NULL && vals[0] != NULL)
		subschema = ldir_bv_strdup(vals[0]);
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	res = NULL;
	if (subschema == NULL) {
		say(rep, "ERROR: cannot read subschemaSubentry from the root DSE: %s", ldap_err2string(rc));
		*lrc = rc;
		return 1;
	}
	rc = ldir_search(d, ld, subschema, LDAP_SCOPE_BASE, "(objectClass=subschema)", schema_attrs, 1, &res);
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
	/* optional: certificate sign-in's schema, reported but never a problem when absent */
	cert_oc = i;
	want_oc[i++] = "fidoCertPairing";
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
		if (i == cert_oc) {
			say(rep, found_oc[i] ? "ok: object class %s (certificate sign-in)" :
			    "note: object class %s not loaded (fido-bridge-cert.ldif): needed only for certificate sign-in",
			    want_oc[i]);
		} else if (found_oc[i]) {
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

/* The base users are searched under must exist: else every sign-in reads "no such user". */
static int
check_user_base(ldir *d, LDAP *ld, struct report *rep, int *lrc)
{
	static const char *const no_attrs[] = { "1.1", NULL };
	LDAPMessage *res = NULL;
	int rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_BASE, "(objectClass=*)", no_attrs, 1, &res);

	ldap_msgfree(res);
	if (rc == LDAP_SUCCESS) {
		say(rep, "ok: user_base %s exists", d->user_base);
		return 0;
	}
	if (rc == LDAP_NO_SUCH_OBJECT)
		say(rep, "ERROR: user_base %s: no such entry (check [ldap] user_base, or that this identity may read it)", d->user_base);
	else
		say(rep, "ERROR: user_base %s: cannot read it: %s", d->user_base, ldap_err2string(rc));
	*lrc = rc;
	return 1;
}

int
ldir_check(void *backend, char **report)
{
	ldir *d = backend;
	struct report rep = { NULL, 0, 0, 0 };
	LDAP *ld;
	int rc, lrc = LDAP_SUCCESS, problems;

	/* a stale connection must not count against the server: start afresh */
	ldir_conn_drop(d);
	if ((ld = ldir_conn_get(d, &rc)) == NULL) {
		say(&rep, "ERROR: cannot connect and bind to %s: %s", d->uri, ldap_err2string(rc));
		problems = 1;
	} else {
		say(&rep, "ok: connected and bound to %s", d->uri);
		problems = check_user_base(d, ld, &rep, &lrc);
		if (!ldir_transient(lrc))
			problems += check_schema(d, ld, &rep, &lrc);
		if (ldir_transient(lrc))
			ldir_conn_drop(d);
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
