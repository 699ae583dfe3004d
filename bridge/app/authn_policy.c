#include "authn_policy.h"

#include <string.h>
#include <strings.h>

#include "../core/text.h"

static int
in_list(const br_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* "attr=value" against the user's attributes: attribute names and values compared without case (DNs, affiliations). */
static int
matches(const br_auth_policy *p, const br_user *u)
{
	size_t i, k, alen;
	const char *eq, *key;
	json_t *vals, *v;

	for (i = 0; i < p->match.n; i++) {
		eq = strchr(p->match.v[i], '=');
		alen = (size_t)(eq - p->match.v[i]);
		json_object_foreach(u->attributes, key, vals) {
			if (strlen(key) != alen || strncasecmp(key, p->match.v[i], alen) != 0)
				continue;
			json_array_foreach(vals, k, v)
				if (json_is_string(v) && strcasecmp(json_string_value(v), eq + 1) == 0)
					return 1;
		}
	}
	return 0;
}

const br_auth_policy *
br_policy_of(const br_config *c, const br_user *u)
{
	const br_auth_policy *def = NULL;
	size_t i;

	for (i = 0; i < c->n_auth_policies; i++) {
		if (strcmp(c->auth_policies[i].name, "default") == 0) {
			def = &c->auth_policies[i];
			continue;
		}
		if (u != NULL && u->attributes != NULL && matches(&c->auth_policies[i], u))
			return &c->auth_policies[i];
	}
	return def;
}

/* The model and format tests a stored credential and a new one share. */
static const char *
model_refusal(const br_auth_policy *p, const char *aaguid, const char *fmt, int be)
{
	if (in_list(&p->aaguid_deny, aaguid) || (p->aaguid_allow.n > 0 && !in_list(&p->aaguid_allow, aaguid)))
		return "policy_aaguid";
	if (p->formats.n > 0 && !in_list(&p->formats, fmt))
		return "policy_format";
	if (p->device_bound && be)
		return "policy_synced";
	return NULL;
}

const char *
br_policy_refusal(const br_auth_policy *p, const br_reg_result *rr)
{
	char aaguid[BR_AAGUID_TEXT_LEN + 1];
	const char *why;

	if (p == NULL)
		return NULL;
	br_aaguid_format(rr->aaguid, aaguid);
	if ((why = model_refusal(p, aaguid, rr->fmt, rr->be)) != NULL)
		return why;
	/* self attestation proves nothing about the model; none proves nothing at all */
	if (p->attestation_required && (rr->att_type == BR_ATT_NONE || rr->att_type == BR_ATT_SELF))
		return "policy_attestation";
	return NULL;
}

int
br_policy_mfa(const br_config *c, const br_auth_policy *p, int uv, const br_credential_record *cred)
{
	if (!uv)
		return 0;
	if (p != NULL) {
		if (!p->mfa || model_refusal(p, cred->aaguid, cred->fmt, cred->backup_eligible) != NULL)
			return 0;
		/* attestation is not kept per credential; a passkey registered without any is not proven */
		if (p->attestation_required && strcmp(cred->fmt, "none") == 0)
			return 0;
		if (cred->backup_eligible && p->mfa_synced)
			return 1;
	}
	if (!cred->backup_eligible)
		return 1;
	return in_list(&c->mfa_aaguids, cred->aaguid);
}
