/*
 * Writing the directory: the user handle and enrolment codes (values on the
 * user entry), credential entries (add, rename, delete, record a use), and
 * the password check, which binds as the user on a connection of its own.
 */
#include "ldap_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/b64url.h"
#include "../../core/timefmt.h"
#include "../../core/transport.h"

#define CRED_RDN "fidoCredentialId="
#define MODS_MAX 20
#define MOD_VALUES_MAX 32

static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };

static struct berval
bv_str(const char *s)
{
	struct berval b;

	b.bv_len = strlen(s);
	b.bv_val = (char *)s;
	return b;
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
/* modification lists                                                       */
/* ------------------------------------------------------------------------ */

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
modify(LDAP *ld, const char *dn, struct mods *m)
{
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
op_add_user_value(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct user_value_arg *a = p;
	const char *const attrs[] = { a->attr, NULL };
	LDAPMessage *res = NULL, *e;
	int rc, need_class, attempt;

	rc = ldir_search(d, ld, a->dn, LDAP_SCOPE_BASE, "(objectClass=fidoUser)", attrs, 1, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return rc == LDAP_NO_SUCH_OBJECT ? BR_DIR_NOT_FOUND : ldir_failed("ldap search", rc, lrc);
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
		rc = modify(ld, a->dn, &m);
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
		return ldir_failed("ldap modify", rc, lrc);
	}
}

br_dir_rc
ldir_set_user_handle(void *backend, const br_user *u, const unsigned char *handle, size_t len)
{
	struct user_value_arg a;

	a.dn = u->dn;
	a.attr = "fidoUserHandle";
	a.value.bv_len = len;
	a.value.bv_val = (char *)handle;
	a.single = 1;
	return ldir_run_write(backend, op_add_user_value, &a);
}

br_dir_rc
ldir_add_enrolment_code(void *backend, const br_user *u, const char *value)
{
	struct user_value_arg a;

	a.dn = u->dn;
	a.attr = "fidoEnrolmentCode";
	a.value = bv_str(value);
	a.single = 0;
	return ldir_run_write(backend, op_add_user_value, &a);
}

struct remove_code_arg {
	const char *dn;
	const char *value;
};

static br_dir_rc
op_remove_code(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct remove_code_arg *a = p;
	struct mods m;
	int rc;

	(void)d;
	memset(&m, 0, sizeof(m));
	mods_add_str(&m, LDAP_MOD_DELETE, "fidoEnrolmentCode", a->value);
	rc = modify(ld, a->dn, &m);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_NO_SUCH_ATTRIBUTE:  /* that value is gone: somebody used it */
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		return ldir_failed("ldap modify", rc, lrc);
	}
}

br_dir_rc
ldir_remove_enrolment_code(void *backend, const br_user *u, const char *value)
{
	struct remove_code_arg a;

	a.dn = u->dn;
	a.value = value;
	return ldir_run_write(backend, op_remove_code, &a);
}

/* ------------------------------------------------------------------------ */
/* credentials                                                              */
/* ------------------------------------------------------------------------ */

struct add_cred_arg {
	const char *dn;
	const char *filter;
	struct mods *m;
};

static br_dir_rc
op_add_cred(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct add_cred_arg *a = p;
	LDAPMessage *res = NULL;
	int rc, n;

	/* known anywhere, for this user or another: refused */
	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, no_attrs, 1, &res);
	n = res != NULL ? ldap_count_entries(ld, res) : 0;
	ldap_msgfree(res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && n > 0))
		return BR_DIR_EXISTS;
	if (rc != LDAP_SUCCESS)
		return ldir_failed("ldap search", rc, lrc);
	rc = ldap_add_ext_s(ld, a->dn, a->m->p, NULL, NULL);
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

/* One LDAP add: the entry exists whole or not at all. */
br_dir_rc
ldir_add_credential(void *backend, const br_user *u, const br_credential_record *c)
{
	struct add_cred_arg a = { NULL, NULL, NULL };
	struct berval oc[2], id, pk, tr[BR_TRANSPORT_COUNT];
	char *b64 = NULL, count[16], created[16], last_used[16];
	struct mods *m = NULL;
	size_t ntr = 0, i;
	br_dir_rc r = BR_DIR_ERROR;

	/* the dispatcher checked both times can be written */
	if (br_gentime_write(c->created, created, sizeof(created)) < 0 ||
	    (c->last_used != 0 && br_gentime_write(c->last_used, last_used, sizeof(last_used)) < 0))
		return BR_DIR_INVALID;
	if ((b64 = br_b64url_encode_alloc(c->id.ptr, c->id.len)) == NULL ||
	    (a.dn = cred_dn(u->dn, c->id.ptr, c->id.len)) == NULL ||
	    (a.filter = ldir_cred_filter(c->id.ptr, c->id.len)) == NULL || (m = calloc(1, sizeof(*m))) == NULL) {
		r = ldir_oom();
		goto out;
	}
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
	if (c->nickname != NULL)
		mods_add_str(m, LDAP_MOD_ADD, "fidoNickname", c->nickname);
	if (c->last_used != 0)
		mods_add_str(m, LDAP_MOD_ADD, "fidoLastUsed", last_used);
	if (m->overflow) {
		r = ldir_fail("ldap add", "too many values");
		goto out;
	}
	a.m = m;
	r = ldir_run_write(backend, op_add_cred, &a);
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
op_cred_mod(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct cred_mod_arg *a = p;
	int rc;

	(void)d;
	if (a->m != NULL)
		rc = modify(ld, a->dn, a->m);
	else
		rc = ldap_delete_ext_s(ld, a->dn, NULL, NULL);
	switch (rc) {
	case LDAP_SUCCESS:
		return BR_DIR_OK;
	case LDAP_NO_SUCH_OBJECT:
		return BR_DIR_NOT_FOUND;
	default:
		return ldir_failed(a->m != NULL ? "ldap modify" : "ldap delete", rc, lrc);
	}
}

br_dir_rc
ldir_rename_credential(void *backend, const br_user *u, const unsigned char *id, size_t len, const char *nickname)
{
	struct cred_mod_arg a = { NULL, NULL };
	struct mods m;
	br_dir_rc r;

	memset(&m, 0, sizeof(m));
	if (nickname != NULL)
		mods_add_str(&m, LDAP_MOD_REPLACE, "fidoNickname", nickname);
	else
		mods_add(&m, LDAP_MOD_REPLACE, "fidoNickname", NULL, 0);  /* no value: removed */
	/* named under this user's entry: another user's credential is not found */
	if ((a.dn = cred_dn(u->dn, id, len)) == NULL)
		return ldir_oom();
	a.m = &m;
	r = ldir_run_write(backend, op_cred_mod, &a);
	free((char *)a.dn);
	return r;
}

br_dir_rc
ldir_delete_credential(void *backend, const br_user *u, const unsigned char *id, size_t len)
{
	struct cred_mod_arg a = { NULL, NULL };
	br_dir_rc r;

	if ((a.dn = cred_dn(u->dn, id, len)) == NULL)
		return ldir_oom();
	r = ldir_run_write(backend, op_cred_mod, &a);
	free((char *)a.dn);
	return r;
}

br_dir_rc
ldir_record_use(void *backend, const br_credential_record *c, uint32_t sign_count, int64_t now, int *wrote)
{
	ldir *d = backend;
	struct cred_mod_arg a = { NULL, NULL };
	struct mods m;
	char count[16], when[16];
	int write_count, write_time;
	br_dir_rc r;

	if (br_gentime_write(now, when, sizeof(when)) < 0)
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
	r = ldir_run_write(d, op_cred_mod, &a);
	*wrote = r == BR_DIR_OK;
	return r;
}

/* ------------------------------------------------------------------------ */
/* the password                                                             */
/* ------------------------------------------------------------------------ */

br_dir_rc
ldir_check_password(void *backend, const br_user *u, const char *password)
{
	struct berval cred;
	LDAP *ld = NULL;
	int rc;

	/* a connection of its own: the thread's stays bound as the service */
	if ((rc = ldir_connect(backend, &ld)) != LDAP_SUCCESS)
		return BR_DIR_ERROR;  /* its reason is set */
	cred.bv_val = (char *)(uintptr_t)password;
	cred.bv_len = strlen(password);
	rc = ldap_sasl_bind_s(ld, u->dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return BR_DIR_OK;
	return rc == LDAP_INVALID_CREDENTIALS ? BR_DIR_NOT_FOUND : ldir_failed("ldap bind", rc, NULL);
}
