/*
 * Certificate pairings in LDAP: fidoCertPairing entries under the user entry
 * (ldap-schema/fido-bridge-cert.schema). Sign-in finds one by certificate
 * hash; sshd's lookup lists a user's by fidoCertOwner in one search.
 */
#include "ldap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/text.h"
#include "../../core/timefmt.h"

#define PAIRING_CLASS "fidoCertPairing"
#define PAIRING_RDN "fidoCertSha256="
/* A person has a card or two and maybe a university certificate; more is a broken entry or an attack. */
#define PAIRINGS_MAX 32

/* what a pairing entry holds; the list search asks for these and the user's */
static const char *const pairing_attrs[] = {
	"fidoCertSha256", "fidoCertSpkiSha256", "fidoCertIssuer", "fidoCertSerial", "fidoCertNotAfter",
	"fidoCertificate", "fidoCertOwner", "fidoCreated", "fidoLastUsed", "fidoNickname", NULL,
};
static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };

/* The value of a single-valued text attribute into out (cap bytes); -1 when absent or too long. */
static int
text_into(LDAP *ld, LDAPMessage *e, const char *attr, char *out, size_t cap)
{
	struct berval **all = NULL, *v = ldir_first_value(ld, e, attr, &all);
	int r = -1;

	if (v != NULL && v->bv_len < cap && memchr(v->bv_val, '\0', v->bv_len) == NULL) {
		memcpy(out, v->bv_val, v->bv_len);
		out[v->bv_len] = '\0';
		r = 0;
	}
	ldap_value_free_len(all);
	return r;
}

static char *
text_dup(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **all = NULL, *v = ldir_first_value(ld, e, attr, &all);
	char *s = NULL;

	if (v != NULL && v->bv_len > 0 && br_utf8_ok((const unsigned char *)v->bv_val, v->bv_len, 1, NULL))
		s = ldir_bv_strdup(v);
	ldap_value_free_len(all);
	return s;
}

static int
time_of(LDAP *ld, LDAPMessage *e, const char *attr, int64_t *out)
{
	struct berval **all = NULL, *v = ldir_first_value(ld, e, attr, &all);
	int r = v != NULL ? br_gentime_parse(v->bv_val, v->bv_len, out) : -1;

	ldap_value_free_len(all);
	return r;
}

/* One pairing entry; -1 when it is malformed (a required value missing or unusable). */
static int
parse_pairing(LDAP *ld, LDAPMessage *e, br_cert_pairing *p)
{
	struct berval **all = NULL, *v;
	char *dn;

	memset(p, 0, sizeof(*p));
	if ((dn = ldap_get_dn(ld, e)) == NULL)
		return -1;
	p->dn = strdup(dn);
	ldap_memfree(dn);
	if (p->dn == NULL ||
	    text_into(ld, e, "fidoCertSha256", p->cert_sha256, sizeof(p->cert_sha256)) != 0 ||
	    !br_cert_hash_ok(p->cert_sha256) ||
	    text_into(ld, e, "fidoCertSpkiSha256", p->spki_sha256, sizeof(p->spki_sha256)) != 0 ||
	    text_into(ld, e, "fidoCertSerial", p->serial, sizeof(p->serial)) != 0 ||
	    (p->issuer = text_dup(ld, e, "fidoCertIssuer")) == NULL ||
	    (p->owner = text_dup(ld, e, "fidoCertOwner")) == NULL ||
	    time_of(ld, e, "fidoCertNotAfter", &p->not_after) != 0 ||
	    time_of(ld, e, "fidoCreated", &p->created) != 0)
		goto bad;
	if ((v = ldir_first_value(ld, e, "fidoCertificate", &all)) == NULL || v->bv_len == 0 ||
	    br_blob_set(&p->cert, (const unsigned char *)v->bv_val, v->bv_len) < 0)
		goto bad;
	ldap_value_free_len(all);
	all = NULL;
	/* optional ones: an unusable value is left out, the pairing kept */
	if (time_of(ld, e, "fidoLastUsed", &p->last_used) != 0)
		p->last_used = 0;
	p->nickname = text_dup(ld, e, "fidoNickname");
	return 0;
bad:
	ldap_value_free_len(all);
	br_cert_pairing_clear(p);
	return -1;
}

/* "fidoCertSha256=<hex>,<user dn>": hex never needs DN escaping. */
static char *
pairing_dn(const char *user_dn, const char *hash)
{
	size_t n = strlen(PAIRING_RDN) + strlen(hash) + 1 + strlen(user_dn) + 1;
	char *dn = malloc(n);

	if (dn != NULL)
		snprintf(dn, n, "%s%s,%s", PAIRING_RDN, hash, user_dn);
	return dn;
}

static struct berval
bv_of(const void *p, size_t n)
{
	struct berval b;

	b.bv_len = n;
	b.bv_val = (char *)p;
	return b;
}

/* ---- add ---- */

struct add_arg {
	const char *dn, *filter;
	LDAPMod **mods;
};

static br_dir_rc
op_add(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct add_arg *a = p;
	LDAPMessage *res = NULL;
	int rc, n;

	/* paired anywhere, to this user or another: refused */
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, no_attrs, 1, &res);
	n = res != NULL ? ldap_count_entries(ld, res) : 0;
	ldap_msgfree(res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && n > 0))
		return BR_DIR_EXISTS;
	if (rc != LDAP_SUCCESS)
		return ldir_failed("ldap search", rc, lrc);
	rc = ldap_add_ext_s(ld, a->dn, a->mods, NULL, NULL);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_ALREADY_EXISTS:
		return BR_DIR_EXISTS;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;  /* the user is gone */
	default:
		return ldir_failed("ldap add", rc, lrc);
	}
}

enum { M_OC, M_HASH, M_SPKI, M_ISSUER, M_SERIAL, M_NOT_AFTER, M_CERT, M_OWNER, M_CREATED, M_NICK, M_LAST, M__MAX };

static br_dir_rc
lp_add(void *backend, const br_user *u, const br_cert_pairing *p)
{
	static const char *const names[M__MAX] = { "objectClass", "fidoCertSha256", "fidoCertSpkiSha256",
		"fidoCertIssuer", "fidoCertSerial", "fidoCertNotAfter", "fidoCertificate", "fidoCertOwner",
		"fidoCreated", "fidoNickname", "fidoLastUsed" };
	struct add_arg a = { NULL, NULL, NULL };
	char not_after[16], created[16], last_used[16];
	struct berval bv[M__MAX + 1], *vals[M__MAX][3];
	LDAPMod m[M__MAX], *mp[M__MAX + 1];
	size_t i, nm = 0;
	br_dir_rc r;

	/* the dispatcher checked every time can be written */
	if (br_gentime_write(p->not_after, not_after, sizeof(not_after)) < 0 ||
	    br_gentime_write(p->created, created, sizeof(created)) < 0 ||
	    (p->last_used != 0 && br_gentime_write(p->last_used, last_used, sizeof(last_used)) < 0))
		return BR_DIR_INVALID;
	bv[M_OC] = bv_of("top", 3);
	bv[M__MAX] = bv_of(PAIRING_CLASS, strlen(PAIRING_CLASS));
	bv[M_HASH] = bv_of(p->cert_sha256, strlen(p->cert_sha256));
	bv[M_SPKI] = bv_of(p->spki_sha256, strlen(p->spki_sha256));
	bv[M_ISSUER] = bv_of(p->issuer, strlen(p->issuer));
	bv[M_SERIAL] = bv_of(p->serial, strlen(p->serial));
	bv[M_NOT_AFTER] = bv_of(not_after, strlen(not_after));
	bv[M_CERT] = bv_of(p->cert.ptr, p->cert.len);
	bv[M_OWNER] = bv_of(u->username, strlen(u->username));
	bv[M_CREATED] = bv_of(created, strlen(created));
	bv[M_NICK] = bv_of(p->nickname, p->nickname != NULL ? strlen(p->nickname) : 0);
	bv[M_LAST] = bv_of(last_used, p->last_used != 0 ? strlen(last_used) : 0);
	for (i = 0; i < M__MAX; i++) {
		if ((i == M_NICK && p->nickname == NULL) || (i == M_LAST && p->last_used == 0))
			continue;
		vals[i][0] = &bv[i];
		vals[i][1] = i == M_OC ? &bv[M__MAX] : NULL;
		vals[i][2] = NULL;
		m[nm].mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
		m[nm].mod_type = (char *)names[i];
		m[nm].mod_bvalues = vals[i];
		mp[nm] = &m[nm];
		nm++;
	}
	mp[nm] = NULL;
	a.mods = mp;
	if ((a.dn = pairing_dn(u->dn, p->cert_sha256)) == NULL ||
	    (a.filter = ldir_eq_filter(PAIRING_CLASS, "fidoCertSha256", p->cert_sha256, 64)) == NULL)
		r = ldir_oom();
	else
		r = ldir_run_write(backend, op_add, &a);
	free((char *)a.dn);
	free((char *)a.filter);
	return r;
}

/* ---- list ---- */

struct list_arg {
	const char *filter, *username;
	const char **attrs;  /* the user's and a pairing's */
	br_user *user;
	br_cert_pairing *out;
	size_t n;
};

static int
created_order(const void *a, const void *b)
{
	const br_cert_pairing *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->cert_sha256, y->cert_sha256);
}

static int
is_pairing(LDAP *ld, LDAPMessage *e)
{
	struct berval **all = ldap_get_values_len(ld, e, "fidoCertSha256");
	int yes = all != NULL && all[0] != NULL;

	ldap_value_free_len(all);
	return yes;
}

/* 1 when the entry's parent is exactly user_dn (both in ldir_dn_normal's form). */
static int
child_of(LDAP *ld, LDAPMessage *e, const char *user_dn)
{
	char *dn = ldap_get_dn(ld, e), *parent = dn != NULL ? ldir_parent_dn(dn) : NULL;
	int yes = parent != NULL && strcmp(parent, user_dn) == 0;

	if (parent != NULL)
		ldap_memfree(parent);
	if (dn != NULL)
		ldap_memfree(dn);
	return yes;
}

/*
 * One search for the user entry and the pairings naming it as owner: a
 * pairing counts only when it sits directly under that very entry, so a
 * stale fidoCertOwner (a renamed account) or an entry elsewhere gives no key.
 */
static br_dir_rc
op_list(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct list_arg *a = p;
	LDAPMessage *res = NULL, *e, *ue = NULL;
	char *user_dn = NULL, *raw;
	br_dir_rc r = BR_DIR_ERROR;
	int rc, n, users = 0;

	a->out = NULL;
	a->n = 0;
	a->user = NULL;
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, a->attrs, PAIRINGS_MAX + 2, &res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return ldir_fail("ldap search", "more certificate pairings than allowed");
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldir_failed("ldap search", rc, lrc);
	}
	n = ldap_count_entries(ld, res);
	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
		if (!is_pairing(ld, e)) {
			ue = e;
			users++;
		}
	if (users != 1) {
		ldap_msgfree(res);
		return users == 0 ? BR_DIR_NOT_FOUND : ldir_fail("ldap search", "several entries for one username");
	}
	if ((r = ldir_user_from_entry(d, ld, ue, a->username, &a->user)) != BR_DIR_OK)
		goto out;
	r = BR_DIR_ERROR;
	if ((raw = ldap_get_dn(ld, ue)) == NULL) {
		r = ldir_fail("ldap search", "entry without a DN");
		goto out;
	}
	user_dn = ldir_dn_normal(raw);
	ldap_memfree(raw);
	if (user_dn == NULL || (n > 1 && (a->out = calloc((size_t)n - 1, sizeof(*a->out))) == NULL)) {
		r = ldir_oom();
		goto out;
	}
	/* a malformed entry is left out: what sshd gets is only what is whole */
	for (e = ldap_first_entry(ld, res); e != NULL && a->n + 1 < (size_t)n; e = ldap_next_entry(ld, e))
		if (e != ue && is_pairing(ld, e) && child_of(ld, e, user_dn) &&
		    parse_pairing(ld, e, &a->out[a->n]) == 0)
			a->n++;
	if (a->n > 1)
		qsort(a->out, a->n, sizeof(*a->out), created_order);
	r = BR_DIR_OK;
out:
	free(user_dn);
	ldap_msgfree(res);
	if (r != BR_DIR_OK) {
		br_cert_pairings_free(&a->out, a->n);
		a->n = 0;
		br_user_free(&a->user);
	}
	return r;
}

static br_dir_rc
lp_list(void *backend, const char *username, br_user **user, br_cert_pairing **out, size_t *n)
{
	ldir *d = backend;
	struct list_arg a = { NULL, username, NULL, NULL, NULL, 0 };
	char *pf = NULL, *uf = NULL, *f = NULL;
	size_t len, nu = 0, np = 0, i;
	br_dir_rc r;

	while (d->user_attrs[nu] != NULL)
		nu++;
	while (pairing_attrs[np] != NULL)
		np++;
	if ((a.attrs = calloc(nu + np + 1, sizeof(*a.attrs))) == NULL)
		return ldir_oom();
	for (i = 0; i < nu; i++)
		a.attrs[i] = d->user_attrs[i];
	for (i = 0; i < np; i++)
		a.attrs[nu + i] = pairing_attrs[i];
	pf = ldir_eq_filter(PAIRING_CLASS, "fidoCertOwner", username, strlen(username));
	uf = ldir_eq_filter(NULL, d->username_attribute, username, strlen(username));
	if (pf != NULL && uf != NULL && (f = malloc((len = strlen(pf) + strlen(uf) + 4))) != NULL)
		snprintf(f, len, "(|%s%s)", pf, uf);
	free(pf);
	free(uf);
	if (f == NULL) {
		free(a.attrs);
		return ldir_oom();
	}
	a.filter = f;
	r = ldir_run(d, op_list, &a);
	free(a.attrs);
	free(f);
	*out = a.out;
	*n = a.n;
	if (user != NULL)
		*user = a.user;
	else
		br_user_free(&a.user);
	return r;
}

/* ---- remove, used ---- */

struct mod_arg {
	const char *dn;
	LDAPMod **mods;  /* NULL: delete the entry */
};

static br_dir_rc
op_mod(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct mod_arg *a = p;
	int rc;

	(void)d;
	rc = a->mods != NULL ? ldap_modify_ext_s(ld, a->dn, a->mods, NULL, NULL) : ldap_delete_ext_s(ld, a->dn, NULL, NULL);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		return ldir_failed(a->mods != NULL ? "ldap modify" : "ldap delete", rc, lrc);
	}
}

static br_dir_rc
lp_remove(void *backend, const br_user *u, const char *hash)
{
	struct mod_arg a = { NULL, NULL };
	br_dir_rc r;

	/* named under this user's entry: another user's pairing is not found */
	if ((a.dn = pairing_dn(u->dn, hash)) == NULL)
		return ldir_oom();
	r = ldir_run_write(backend, op_mod, &a);
	free((char *)a.dn);
	return r;
}

static br_dir_rc
lp_used(void *backend, const br_cert_pairing *p, int64_t now)
{
	ldir *d = backend;
	struct mod_arg a = { NULL, NULL };
	char when[16];
	struct berval bv, *vals[2] = { &bv, NULL };
	LDAPMod m, *mp[2] = { &m, NULL };

	if (br_gentime_write(now, when, sizeof(when)) < 0)
		return BR_DIR_INVALID;
	if (p->last_used != 0 && now - p->last_used < (int64_t)d->last_used_interval_s)
		return BR_DIR_OK;
	bv = bv_of(when, strlen(when));
	m.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES;
	m.mod_type = (char *)"fidoLastUsed";
	m.mod_bvalues = vals;
	a.dn = p->dn;
	a.mods = mp;
	return ldir_run_write(d, op_mod, &a);
}

/* ---- find ---- */

struct find_arg {
	const char *filter, *hash;
	br_user *user;
	br_cert_pairing p;
};

static br_dir_rc
op_find(ldir *d, LDAP *ld, void *arg, int *lrc)
{
	struct find_arg *a = arg;
	LDAPMessage *res = NULL, *e;
	char *parent = NULL;
	br_dir_rc r;
	int rc, n;

	a->user = NULL;
	memset(&a->p, 0, sizeof(a->p));
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, pairing_attrs, 2, &res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && (n = ldap_count_entries(ld, res)) > 1)) {
		ldap_msgfree(res);
		return ldir_fail("ldap search", "one certificate paired under several entries");  /* never pick one */
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldir_failed("ldap search", rc, lrc);
	}
	if (n == 0 || (e = ldap_first_entry(ld, res)) == NULL) {
		ldap_msgfree(res);
		return BR_DIR_NOT_FOUND;
	}
	if (parse_pairing(ld, e, &a->p) != 0) {
		ldap_msgfree(res);
		return ldir_fail("ldap search", "malformed certificate pairing entry");
	}
	ldap_msgfree(res);
	if (strcmp(a->p.cert_sha256, a->hash) != 0) {  /* the filter asked already: belt and braces */
		br_cert_pairing_clear(&a->p);
		return BR_DIR_NOT_FOUND;
	}
	if ((parent = ldir_parent_dn(a->p.dn)) == NULL)
		r = ldir_fail("ldap", "certificate pairing entry without a parent");
	else
		r = ldir_read_user_at(d, ld, parent, &a->user, lrc);
	if (parent != NULL)
		ldap_memfree(parent);
	if (r != BR_DIR_OK) {
		br_user_free(&a->user);
		br_cert_pairing_clear(&a->p);
	}
	return r;
}

static br_dir_rc
lp_find(void *backend, const char *hash, br_user **user, br_cert_pairing *p)
{
	struct find_arg a;
	br_dir_rc r;

	memset(&a, 0, sizeof(a));
	a.hash = hash;
	if ((a.filter = ldir_eq_filter(PAIRING_CLASS, "fidoCertSha256", hash, strlen(hash))) == NULL)
		return ldir_oom();
	r = ldir_run(backend, op_find, &a);
	free((char *)a.filter);
	*user = a.user;
	*p = a.p;
	return r;
}

const br_pairing_ops ldir_pairing_ops = {
	.add = lp_add,
	.list = lp_list,
	.remove = lp_remove,
	.find = lp_find,
	.used = lp_used,
	.find_user_by = ldir_find_user_by,
};
