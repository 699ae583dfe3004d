#include "cert_ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"

#define CAS_MAX 16

static br_cert_ca *
ca_named(br_config *c, const char *name)
{
	br_cert_ca *p;
	size_t i;

	for (i = 0; i < c->n_cert_cas; i++)
		if (strcmp(c->cert_cas[i].name, name) == 0)
			return &c->cert_cas[i];
	if (c->n_cert_cas >= CAS_MAX || (p = realloc(c->cert_cas, (c->n_cert_cas + 1) * sizeof(*p))) == NULL)
		return NULL;
	c->cert_cas = p;
	p = &p[c->n_cert_cas];
	memset(p, 0, sizeof(*p));
	p->match = p->revocation = p->mfa = -1;
	if ((p->name = strdup(name)) == NULL)
		return NULL;
	c->n_cert_cas++;
	return p;
}

int
br_cert_ca_key(br_config *c, const char *section, const char *name, const char *value, char *why, size_t why_len)
{
	const char *cname = section + strlen("certificate_ca ");
	br_cert_ca *p;
	size_t i;

	for (i = 0; cname[i] != '\0'; i++)
		if (!(cname[i] >= 'a' && cname[i] <= 'z') && !(cname[i] >= '0' && cname[i] <= '9') && cname[i] != '-' &&
		    cname[i] != '_')
			break;
	if (i == 0 || i > 32 || cname[i] != '\0') {
		snprintf(why, why_len, "[%.48s]: a CA name is 1..32 of a-z, 0-9, - and _", section);
		return 0;
	}
	if ((p = ca_named(c, cname)) == NULL) {
		snprintf(why, why_len, "[%.48s]: more than %d certificate CAs, or out of memory", section, CAS_MAX);
		return 0;
	}
	if (strcmp(name, "trust_anchors_file") == 0 || strcmp(name, "map_field") == 0 || strcmp(name, "map_attribute") == 0) {
		char *slot = name[0] == 't' ? p->trust_anchors_file : name[4] == 'f' ? p->map_field : p->map_attribute;
		size_t cap = name[0] == 't' ? sizeof(p->trust_anchors_file) : name[4] == 'f' ? sizeof(p->map_field) :
		    sizeof(p->map_attribute);
		size_t n = strlen(value);

		if (n == 0 || n >= cap) {
			snprintf(why, why_len, "[%.48s] %s: %s", section, name, n == 0 ? "empty" : "too long");
			return 0;
		}
		memcpy(slot, value, n + 1);
	} else if (strcmp(name, "match") == 0) {
		if (strcmp(value, "pairing") == 0)
			p->match = BR_CERT_MATCH_PAIRING;
		else if (strcmp(value, "mapping") == 0)
			p->match = BR_CERT_MATCH_MAPPING;
		else {
			snprintf(why, why_len, "[%.48s] match: \"%.40s\" is not pairing or mapping", section, value);
			return 0;
		}
	} else if (strcmp(name, "revocation") == 0) {
		if (strcmp(value, "crl") == 0)
			p->revocation = BR_CERT_REVOCATION_CRL;
		else if (strcmp(value, "proxy") == 0)
			p->revocation = BR_CERT_REVOCATION_PROXY;
		else if (strcmp(value, "none") == 0)
			p->revocation = BR_CERT_REVOCATION_NONE;
		else {
			snprintf(why, why_len, "[%.48s] revocation: \"%.40s\" is not crl, proxy or none", section, value);
			return 0;
		}
	} else if (strcmp(name, "mfa") == 0) {
		int b;

		if (br_config_bool_parse(value, &b) < 0) {
			snprintf(why, why_len, "[%.48s] mfa: must be true or false", section);
			return 0;
		}
		p->mfa = b;
	} else {
		snprintf(why, why_len, "[%.48s] %.60s: unknown key", section, name);
		return 0;
	}
	return 1;
}

size_t
br_cert_ca_count(const br_config *c)
{
	return (c->cert_trust_anchors_file != NULL ? 1 : 0) + c->n_cert_cas;
}

int
br_cert_ca_get(const br_config *c, size_t i, br_cert_ca_view *out)
{
	const br_cert_ca *p;

	memset(out, 0, sizeof(*out));
	out->name = "certificate";
	out->trust_anchors_file = c->cert_trust_anchors_file;
	out->match = c->cert_match;
	out->map_field = c->cert_map_field;
	out->map_attribute = c->cert_map_attribute;
	out->revocation = c->cert_revocation;
	out->mfa = c->cert_mfa;
	if (c->cert_trust_anchors_file != NULL) {
		if (i == 0)
			return 0;
		i--;
	}
	if (i >= c->n_cert_cas)
		return -1;
	p = &c->cert_cas[i];
	out->name = p->name;
	out->trust_anchors_file = p->trust_anchors_file;
	if (p->match >= 0)
		out->match = (br_cert_match)p->match;
	if (p->map_field[0] != '\0')
		out->map_field = p->map_field;
	if (p->map_attribute[0] != '\0')
		out->map_attribute = p->map_attribute;
	if (p->revocation >= 0)
		out->revocation = (br_cert_revocation)p->revocation;
	if (p->mfa >= 0)
		out->mfa = p->mfa;
	return 0;
}

int
br_cert_ca_check(const br_config *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < c->n_cert_cas; i++) {
		const br_cert_ca *p = &c->cert_cas[i];
		br_cert_ca_view v;

		if (p->trust_anchors_file[0] == '\0') {
			snprintf(err, errlen, "[certificate_ca %s] trust_anchors_file: required (the CA certificates, PEM)", p->name);
			return -1;
		}
		/* the effective values: a section may lean on [certificate]'s map_* */
		(void)br_cert_ca_get(c, i + (c->cert_trust_anchors_file != NULL ? 1 : 0), &v);
		if (v.match == BR_CERT_MATCH_MAPPING && (v.map_field == NULL || v.map_field[0] == '\0')) {
			snprintf(err, errlen, "[certificate_ca %s] map_field: required with match = mapping", p->name);
			return -1;
		}
		if (v.match == BR_CERT_MATCH_MAPPING && !br_ldap_descriptor_ok(v.map_attribute)) {
			snprintf(err, errlen, "[certificate_ca %s] map_attribute: match = mapping needs an attribute name, not \"%.80s\"",
			    p->name, v.map_attribute != NULL ? v.map_attribute : "");
			return -1;
		}
		if (v.revocation == BR_CERT_REVOCATION_CRL && c->cert_crl_files.n == 0) {
			snprintf(err, errlen, "[certificate_ca %s] revocation = crl needs [certificate] crl_files (or say proxy or none)",
			    p->name);
			return -1;
		}
	}
	return 0;
}

void
br_cert_ca_free_all(br_config *c)
{
	size_t i;

	for (i = 0; i < c->n_cert_cas; i++)
		free(c->cert_cas[i].name);
	free(c->cert_cas);
	c->cert_cas = NULL;
	c->n_cert_cas = 0;
}
