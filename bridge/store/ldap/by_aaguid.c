/*
 * Every credential of one authenticator model (fidoAAGUID), for bridgectl
 * mds check: one subtree search under user_base. The server's size limit
 * for the bridge's identity bounds the answer; hitting it is an error
 * (a partial report would hide credentials), never a short list.
 */
#include <stdlib.h>
#include <string.h>

#include "ldap_private.h"

struct by_aaguid_arg {
	const char *filter;
	br_credential_record *out;
	size_t n;
};

static br_dir_rc
op_by_aaguid(ldir *d, LDAP *ld, void *p, int *lrc)
{
	struct by_aaguid_arg *a = p;
	LDAPMessage *res = NULL, *e;
	int rc, n;

	rc = ldir_search(d, ld, d->user_base, LDAP_SCOPE_SUBTREE, a->filter, ldir_cred_attrs, 0, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return ldir_failed("ldap search", rc, lrc);
	}
	if ((n = ldap_count_entries(ld, res)) > 0) {
		if ((a->out = calloc((size_t)n, sizeof(*a->out))) == NULL) {
			ldap_msgfree(res);
			return ldir_oom();
		}
		for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
			if (a->n < (size_t)n && ldir_parse_cred(ld, e, &a->out[a->n]) == 0)
				a->n++;
	}
	ldap_msgfree(res);
	return BR_DIR_OK;
}

br_dir_rc
ldir_find_by_aaguid(void *backend, const char *aaguid, br_credential_record **out, size_t *n)
{
	ldir *d = backend;
	struct by_aaguid_arg a = { NULL, NULL, 0 };
	br_dir_rc r;
	size_t i;

	if ((a.filter = ldir_eq_filter("fidoCredential", "fidoAAGUID", aaguid, strlen(aaguid))) == NULL)
		return ldir_oom();
	r = ldir_run(d, op_by_aaguid, &a);
	free((char *)a.filter);
	if (r != BR_DIR_OK) {
		for (i = 0; i < a.n; i++)
			br_credential_clear(&a.out[i]);
		free(a.out);
		return r;
	}
	*out = a.out;
	*n = a.n;
	return BR_DIR_OK;
}
