#include "auth_policy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/text.h"

#define POLICIES_MAX 64
#define MATCHES_MAX 64

static br_auth_policy *
policy_named(br_config *c, const char *name)
{
	br_auth_policy *p;
	size_t i;

	for (i = 0; i < c->n_auth_policies; i++)
		if (strcmp(c->auth_policies[i].name, name) == 0)
			return &c->auth_policies[i];
	if (c->n_auth_policies >= POLICIES_MAX ||
	    (p = realloc(c->auth_policies, (c->n_auth_policies + 1) * sizeof(*p))) == NULL)
		return NULL;
	c->auth_policies = p;
	p = &p[c->n_auth_policies];
	memset(p, 0, sizeof(*p));
	p->mfa = 1;
	if ((p->name = strdup(name)) == NULL)
		return NULL;
	c->n_auth_policies++;
	return p;
}

/*
 * One match condition per `match` line, taken whole: a group's DN is full of
 * commas, so the value is not a comma-separated list; alternatives are more
 * `match` lines.
 */
static int
match_add(br_auth_policy *p, const char *value, const char *section, char *why, size_t why_len)
{
	size_t len = strlen(value);
	char **nv;

	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*value)) {
		value++;
		len--;
	}
	if (len == 0) {
		snprintf(why, why_len, "[%.40s] match: empty (attribute=value)", section);
		return 0;
	}
	if (p->match.n >= MATCHES_MAX || (nv = realloc(p->match.v, (p->match.n + 1) * sizeof(*nv))) == NULL) {
		snprintf(why, why_len, "[%.40s] match: more than %d lines, or out of memory", section, MATCHES_MAX);
		return 0;
	}
	p->match.v = nv;
	if ((nv[p->match.n] = strndup(value, len)) == NULL) {
		snprintf(why, why_len, "out of memory");
		return 0;
	}
	p->match.n++;
	return 1;
}

int
br_auth_policy_key(br_config *c, const char *section, const char *name, const char *value,
    char *why, size_t why_len)
{
	const char *pname = section + 7;
	br_auth_policy *p;
	br_strlist *l = NULL;
	int *b = NULL;
	size_t i;

	for (i = 0; pname[i] != '\0'; i++)
		if (!(pname[i] >= 'a' && pname[i] <= 'z') && !(pname[i] >= '0' && pname[i] <= '9') && pname[i] != '-' &&
		    pname[i] != '_')
			break;
	if (i == 0 || i > 32 || pname[i] != '\0') {
		snprintf(why, why_len, "[%.40s]: a policy name is 1..32 of a-z, 0-9, - and _", section);
		return 0;
	}
	if ((p = policy_named(c, pname)) == NULL) {
		snprintf(why, why_len, "[%.40s]: more than %d policies, or out of memory", section, POLICIES_MAX);
		return 0;
	}
	if (strcmp(name, "match") == 0)
		return match_add(p, value, section, why, why_len);
	if (strcmp(name, "aaguid_allow") == 0)
		l = &p->aaguid_allow;
	else if (strcmp(name, "aaguid_deny") == 0)
		l = &p->aaguid_deny;
	else if (strcmp(name, "formats") == 0)
		l = &p->formats;
	else if (strcmp(name, "hints") == 0)
		l = &p->hints;
	else if (strcmp(name, "device_bound") == 0)
		b = &p->device_bound;
	else if (strcmp(name, "attestation_required") == 0)
		b = &p->attestation_required;
	else if (strcmp(name, "mfa_synced") == 0)
		b = &p->mfa_synced;
	else if (strcmp(name, "mfa") == 0)
		b = &p->mfa;
	else {
		snprintf(why, why_len, "[%.40s] %.60s: unknown key", section, name);
		return 0;
	}
	if (l != NULL && br_config_list_parse(value, l) < 0) {
		snprintf(why, why_len, "out of memory");
		return 0;
	}
	if (b != NULL && br_config_bool_parse(value, b) < 0) {
		snprintf(why, why_len, "[%.40s] %s: must be true or false", section, name);
		return 0;
	}
	return 1;
}

int
br_hint_ok(const char *h)
{
	return h != NULL && (strcmp(h, "security-key") == 0 || strcmp(h, "client-device") == 0 || strcmp(h, "hybrid") == 0);
}

static int
attribute_read(const br_config *c, const char *attr, size_t len)
{
	size_t i;

	for (i = 0; i < c->ldap_attributes.n; i++)
		if (strlen(c->ldap_attributes.v[i]) == len && strncasecmp(c->ldap_attributes.v[i], attr, len) == 0)
			return 1;
	return 0;
}

int
br_auth_policy_check(const br_config *c, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < c->n_auth_policies; i++) {
		const br_auth_policy *p = &c->auth_policies[i];
		const char *eq;

		if (p->match.n == 0 && strcmp(p->name, "default") != 0) {
			snprintf(err, errlen, "[policy %s] match: required (attribute=value, e.g. memberOf=cn=staff,ou=groups,...)", p->name);
			return -1;
		}
		for (j = 0; j < p->match.n; j++) {
			eq = strchr(p->match.v[j], '=');
			if (eq == NULL || eq == p->match.v[j] || eq[1] == '\0') {
				snprintf(err, errlen, "[policy %s] match: \"%.80s\" is not attribute=value", p->name, p->match.v[j]);
				return -1;
			}
			/* an attribute never read can never match: the policy would silently apply to nobody */
			if (!attribute_read(c, p->match.v[j], (size_t)(eq - p->match.v[j]))) {
				snprintf(err, errlen, "[policy %s] match: %.*s is not in [ldap] attributes", p->name,
				    (int)(eq - p->match.v[j]), p->match.v[j]);
				return -1;
			}
		}
		for (j = 0; j < p->aaguid_allow.n + p->aaguid_deny.n; j++) {
			const char *a = j < p->aaguid_allow.n ? p->aaguid_allow.v[j] : p->aaguid_deny.v[j - p->aaguid_allow.n];

			if (!br_aaguid_text_ok(a)) {
				snprintf(err, errlen, "[policy %s] %s: \"%.60s\" is not an AAGUID", p->name,
				    j < p->aaguid_allow.n ? "aaguid_allow" : "aaguid_deny", a);
				return -1;
			}
		}
		for (j = 0; j < p->formats.n; j++)
			if (!br_fmt_ok(p->formats.v[j])) {
				snprintf(err, errlen, "[policy %s] formats: \"%.40s\" is not a format name", p->name, p->formats.v[j]);
				return -1;
			}
		for (j = 0; j < p->hints.n; j++)
			if (!br_hint_ok(p->hints.v[j])) {
				snprintf(err, errlen, "[policy %s] hints: \"%.40s\" is not security-key, client-device or hybrid",
				    p->name, p->hints.v[j]);
				return -1;
			}
	}
	return 0;
}

void
br_auth_policy_free_all(br_config *c)
{
	size_t i;

	for (i = 0; i < c->n_auth_policies; i++) {
		br_auth_policy *p = &c->auth_policies[i];

		free(p->name);
		br_config_list_free(&p->match);
		br_config_list_free(&p->aaguid_allow);
		br_config_list_free(&p->aaguid_deny);
		br_config_list_free(&p->formats);
		br_config_list_free(&p->hints);
	}
	free(c->auth_policies);
	c->auth_policies = NULL;
	c->n_auth_policies = 0;
}
