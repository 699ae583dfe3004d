#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <ini.h>

#include "../core/cose.h"
#include "../core/text.h"
#include "../core/crypto.h"
#include "../core/mds.h"
#include "auth_policy.h"
#include "cert_ca.h"

enum key_type { T_STR, T_INT, T_BOOL, T_LIST, T_DUR, T_ENUM, T_NETS };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;
	long min, max;          /* T_INT, T_DUR (seconds) */
	const char *def;        /* parsed like a value from the file; NULL: unset */
	const br_enum_name *names; /* T_ENUM: its words and values */
	const char *doc;
};

/* A T_ENUM key is stored through an int: its field's enum type must be one. */
_Static_assert(sizeof(br_uv_policy) == sizeof(int) && sizeof(br_resident_key) == sizeof(int) &&
    sizeof(br_sign_count_policy) == sizeof(int) && sizeof(br_attestation) == sizeof(int) &&
    sizeof(br_cert_revocation) == sizeof(int) && sizeof(br_cert_match) == sizeof(int),
    "an enumerated key's type is not the size of an int");

static const br_enum_name resident_key_names[] = {
	{ "required", BR_RESIDENT_KEY_REQUIRED },
	{ "preferred", BR_RESIDENT_KEY_PREFERRED },
	{ "discouraged", BR_RESIDENT_KEY_DISCOURAGED },
	{ NULL, 0 },
};

static const br_enum_name sign_count_policy_names[] = {
	{ "reject", BR_SIGN_COUNT_REJECT },
	{ "flag", BR_SIGN_COUNT_FLAG },
	{ NULL, 0 },
};

static const br_enum_name attestation_names[] = {
	{ "none", BR_ATTESTATION_NONE },
	{ "direct", BR_ATTESTATION_DIRECT },
	{ NULL, 0 },
};

static const br_enum_name cert_match_names[] = {
	{ "pairing", BR_CERT_MATCH_PAIRING },
	{ "mapping", BR_CERT_MATCH_MAPPING },
	{ NULL, 0 },
};

static const br_enum_name cert_revocation_names[] = {
	{ "crl", BR_CERT_REVOCATION_CRL },
	{ "proxy", BR_CERT_REVOCATION_PROXY },
	{ "none", BR_CERT_REVOCATION_NONE },
	{ NULL, 0 },
};

const char *
br_cert_revocation_name(br_cert_revocation v)
{
	return br_enum_name_of(cert_revocation_names, (int)v);
}

const char *
br_resident_key_name(br_resident_key v)
{
	return br_enum_name_of(resident_key_names, (int)v);
}

const char *
br_sign_count_policy_name(br_sign_count_policy v)
{
	return br_enum_name_of(sign_count_policy_names, (int)v);
}

const char *
br_attestation_name(br_attestation v)
{
	return br_enum_name_of(attestation_names, (int)v);
}

#define O(f) offsetof(br_config, f)

/* One row per key. bridge.conf.example documents each; a test keeps them in step. */
/* clang-format off: one key, one line */
static const struct key keys[] = {
	{ "server", "listen_address", T_STR, O(listen_address), 0, 0, "127.0.0.1", NULL, "address to listen on" },
	{ "server", "listen_port", T_INT, O(listen_port), 1, 65535, "8443", NULL, "TCP port" },
	{ "server", "public_url", T_STR, O(public_url), 0, 0, NULL, NULL, "URL users see, e.g. https://login.example.edu" },
	{ "server", "threads", T_INT, O(threads), 0, 256, "0", NULL, "worker threads; 0 = eight per core" },
	{ "server", "max_body_bytes", T_INT, O(max_body_bytes), 1024, 1048576, "65536", NULL, "largest request body" },
	{ "server", "request_timeout", T_DUR, O(request_timeout_s), 1, 300, "15s", NULL, "idle connection timeout" },
	{ "server", "templates_dir", T_STR, O(templates_dir), 0, 0, NULL, NULL, "pages, scripts, styles, translations" },
	{ "server", "audit_log", T_STR, O(audit_log), 0, 0, "-", NULL, "audit log file (JSON lines), - for stderr" },
	{ "server", "state_key_file", T_STR, O(state_key_file), 0, 0, NULL, NULL, "secret (32+ bytes) that names and seals the records kept in memcached; the same on every bridge node" },
	{ "server", "previous_state_key_file", T_STR, O(previous_state_key_file), 0, 0, NULL, NULL, "the state key before the last rotation" },
	{ "server", "trusted_proxies", T_NETS, O(trusted_proxies), 0, 0, "", NULL, "proxies (addresses, CIDR prefixes) whose X-Forwarded-For names the client" },
	{ "server", "max_connections_per_address", T_INT, O(max_connections_per_address), 0, 1000, "64", NULL, "open connections per client address (trusted proxies exempt); 0 = no limit" },
	{ "server", "header_timeout", T_DUR, O(header_timeout_s), 1, 300, "10s", NULL, "a whole request must arrive within this of the connection's start (or the last reply)" },
	{ "server", "admin_listen", T_STR, O(admin_listen), 0, 0, "127.0.0.1:9091", NULL, "address:port of the management listener (/metrics, detailed /healthz), or off" },

	{ "webauthn", "rp_id", T_STR, O(rp_id), 0, 0, NULL, NULL, "relying party id (a registrable domain)" },
	{ "webauthn", "rp_name", T_STR, O(rp_name), 0, 0, "University login", NULL, "name shown by authenticators" },
	{ "webauthn", "origins", T_LIST, O(origins), 0, 0, NULL, NULL, "allowed origins, exact match" },
	{ "webauthn", "related_origins", T_LIST, O(related_origins), 0, 0, "", NULL, "origins published at /.well-known/webauthn" },
	{ "webauthn", "allow_cross_origin", T_BOOL, O(allow_cross_origin), 0, 0, "false", NULL, "accept ceremonies in cross-origin iframes" },
	{ "webauthn", "top_origins", T_LIST, O(top_origins), 0, 0, "", NULL, "top-level origins allowed to frame the bridge" },
	{ "webauthn", "user_verification", T_ENUM, O(user_verification), 0, 0, "preferred", br_uv_policy_names, "user verification asked of authenticators" },
	{ "webauthn", "resident_key", T_ENUM, O(resident_key), 0, 0, "preferred", resident_key_names, "discoverable credentials at registration" },
	{ "webauthn", "algorithms", T_LIST, O(algorithms), 0, 0, "ES256,EdDSA,ES384,ES512,PS256,RS256", NULL, "COSE algorithms offered, in order" },
	{ "webauthn", "challenge_ttl", T_DUR, O(challenge_ttl_s), 10, 600, "5m", NULL, "lifetime of a challenge" },
	{ "webauthn", "ceremony_timeout", T_DUR, O(ceremony_timeout_s), 10, 600, "2m", NULL, "timeout passed to the browser" },
	{ "webauthn", "key_cache", T_INT, O(key_cache), 0, 1000000, "1024", NULL, "parsed public keys kept per process; 0 = none" },
	{ "webauthn", "refuse_safetynet", T_BOOL, O(refuse_safetynet), 0, 0, "true", NULL, "refuse the deprecated android-safetynet format" },
	{ "webauthn", "sign_count_policy", T_ENUM, O(sign_count_policy), 0, 0, "reject", sign_count_policy_names, "a counter that went backwards" },
	{ "webauthn", "attestation", T_ENUM, O(attestation), 0, 0, "none", attestation_names, "attestation conveyance requested" },
	{ "webauthn", "trust_anchors_file", T_STR, O(trust_anchors_file), 0, 0, NULL, NULL, "PEM roots attestation chains must reach" },
	{ "webauthn", "mfa_aaguids", T_LIST, O(mfa_aaguids), 0, 0, "", NULL, "AAGUIDs counted as multi-factor when synced" },
	{ "webauthn", "aaguid_names_file", T_STR, O(aaguid_names_file), 0, 0, NULL, NULL, "authenticator names by AAGUID (JSON, the passkey-provider list format); bridgectl names refresh installs a new one" },
	{ "webauthn", "hints", T_LIST, O(hints), 0, 0, "", NULL, "WebAuthn L3 hints at registration: security-key, client-device, hybrid" },

	{ "attestation", "mds_file", T_STR, O(mds_file), 0, 0, NULL, NULL, "verified metadata (written by bridgectl mds import, loaded at start and on SIGHUP)" },
	{ "attestation", "mds_root_file", T_STR, O(mds_root_file), 0, 0, NULL, NULL, "PEM root the MDS blob must chain to (FIDO: GlobalSign Root CA - R3)" },
	{ "attestation", "mds_crl_files", T_LIST, O(mds_crl_files), 0, 0, "", NULL, "CRLs (PEM or DER) of every CA of the blob's chain" },
	{ "attestation", "mds_grace", T_DUR, O(mds_grace_s), 0, 86400 * 365, "30d", NULL, "how far past its nextUpdate a blob is still imported" },
	{ "attestation", "mds_root_warn", T_DUR, O(mds_root_warn_s), 0, 86400 * 3650, "180d", NULL, "warn when the pinned root expires within this" },
	{ "attestation", "mds_refuse_status", T_LIST, O(mds_refuse_status), 0, 0, "REVOKED,USER_VERIFICATION_BYPASS,ATTESTATION_KEY_COMPROMISE,USER_KEY_REMOTE_COMPROMISE,USER_KEY_PHYSICAL_COMPROMISE", NULL, "statusReports statuses that refuse a model" },
	{ "attestation", "mds_min_level", T_STR, O(mds_min_level), 0, 0, "none", NULL, "certification level a model needs: none, L1, L1plus, L2, L2plus, L3, L3plus" },
	{ "attestation", "mds_require_entry", T_BOOL, O(mds_require_entry), 0, 0, "false", NULL, "refuse authenticators the metadata does not list" },
	{ "attestation", "mds_refuse_signin", T_BOOL, O(mds_refuse_signin), 0, 0, "false", NULL, "refuse sign-in with passkeys of a model whose status reports turned bad" },
	{ "attestation", "mds_use_roots", T_BOOL, O(mds_use_roots), 0, 0, "true", NULL, "judge attestation chains against the entry's roots" },

	{ "idp", "secret_file", T_STR, O(secret_file), 0, 0, NULL, NULL, "HMAC secret shared with the IdP shim" },
	{ "idp", "previous_secret_file", T_STR, O(previous_secret_file), 0, 0, NULL, NULL, "the secret before the last rotation" },
	{ "idp", "return_urls", T_LIST, O(return_urls), 0, 0, NULL, NULL, "prefixes a return URL must start with" },
	{ "idp", "max_clock_skew", T_DUR, O(max_clock_skew_s), 5, 600, "2m", NULL, "age/skew allowed for ts" },
	{ "idp", "ticket_ttl", T_DUR, O(ticket_ttl_s), 5, 60, "60s", NULL, "lifetime of a ticket (60 s at most)" },
	{ "idp", "flow_ttl", T_DUR, O(flow_ttl_s), 60, 3600, "15m", NULL, "lifetime of a login flow" },

	{ "ldap", "uri", T_STR, O(ldap_uri), 0, 0, NULL, NULL, "ldap://, ldaps:// or ldapi:// URI" },
	{ "ldap", "bind_dn", T_STR, O(ldap_bind_dn), 0, 0, NULL, NULL, "service identity for a simple bind" },
	{ "ldap", "bind_password_file", T_STR, O(ldap_bind_password_file), 0, 0, NULL, NULL, "its password" },
	{ "ldap", "sasl_external", T_BOOL, O(ldap_sasl_external), 0, 0, "false", NULL, "SASL EXTERNAL bind (ldapi:// or TLS client cert)" },
	{ "ldap", "starttls", T_BOOL, O(ldap_starttls), 0, 0, "false", NULL, "require StartTLS on ldap://" },
	{ "ldap", "ca_file", T_STR, O(ldap_ca_file), 0, 0, NULL, NULL, "CA bundle for ldaps:// and StartTLS" },
	{ "ldap", "user_base", T_STR, O(ldap_user_base), 0, 0, NULL, NULL, "where user entries live" },
	{ "ldap", "username_attribute", T_STR, O(ldap_username_attribute), 0, 0, "uid", NULL, "attribute users sign in with" },
	{ "ldap", "attributes", T_LIST, O(ldap_attributes), 0, 0, "uid,mail,displayName,eduPersonPrincipalName,eduPersonAffiliation,eduPersonScopedAffiliation", NULL, "attributes read for the ticket record" },
	{ "ldap", "disabled_attribute", T_STR, O(ldap_disabled_attribute), 0, 0, "employeeType", NULL, "attribute that marks a disabled account" },
	{ "ldap", "disabled_value", T_STR, O(ldap_disabled_value), 0, 0, "disabled", NULL, "its value for a disabled account" },
	{ "ldap", "timeout_ms", T_INT, O(ldap_timeout_ms), 100, 60000, "3000", NULL, "network and operation timeout" },
	{ "ldap", "last_used_interval", T_DUR, O(ldap_last_used_interval_s), 0, 86400 * 30, "1h", NULL, "write last-used at most this often" },

	{ "memcached", "servers", T_STR, O(memcached_servers), 0, 0, NULL, NULL, "host:port,host:port" },
	{ "memcached", "prefix", T_STR, O(memcached_prefix), 0, 0, "fidobridge:", NULL, "key prefix" },
	{ "memcached", "replicas", T_INT, O(memcached_replicas), 0, 4, "0", NULL, "extra copies on other servers" },
	{ "memcached", "timeout_ms", T_INT, O(memcached_timeout_ms), 50, 10000, "500", NULL, "network timeout" },

	{ "enrolment", "link_ttl", T_DUR, O(enrolment_link_ttl_s), 300, 86400 * 30, "7d", NULL, "default lifetime of an enrolment link" },
	{ "enrolment", "max_link_ttl", T_DUR, O(enrolment_max_link_ttl_s), 300, 86400 * 90, "30d", NULL, "longest lifetime bridgectl enroll --ttl may give a link" },
	{ "enrolment", "allow_password", T_BOOL, O(enrolment_allow_password), 0, 0, "false", NULL, "first passkey after a directory password check" },
	{ "enrolment", "password_attempts", T_INT, O(enrolment_password_attempts), 1, 100, "5", NULL, "password checks per account per hour" },
	{ "enrolment", "fresh_signin", T_DUR, O(enrolment_fresh_signin_s), 30, 3600, "5m", NULL, "a passkey added from My passkeys needs a sign-in no older than this" },

	{ "limits", "per_address", T_INT, O(limit_per_address), 1, 100000, "120", NULL, "requests per client address per minute" },
	{ "limits", "per_account", T_INT, O(limit_per_account), 1, 10000, "10", NULL, "sign-in attempts per account per minute" },

	{ "certificate", "enabled", T_BOOL, O(cert_enabled), 0, 0, "false", NULL, "offer certificate sign-in (My Number Card, university certificates)" },
	{ "certificate", "label", T_STR, O(cert_label), 0, 0, "", NULL, "the sign-in page's link text; empty for the translated default" },
	{ "certificate", "url", T_STR, O(cert_url), 0, 0, NULL, NULL, "the certificate host's /authn/certificate URL" },
	{ "certificate", "header", T_STR, O(cert_header), 0, 0, "Client-Cert", NULL, "header the front proxy forwards the client certificate in" },
	{ "certificate", "trust_anchors_file", T_STR, O(cert_trust_anchors_file), 0, 0, NULL, NULL, "PEM CA certificates whose client certificates count" },
	{ "certificate", "crl_files", T_LIST, O(cert_crl_files), 0, 0, "", NULL, "PEM CRL files (revocation = crl)" },
	{ "certificate", "revocation", T_ENUM, O(cert_revocation), 0, 0, "crl", cert_revocation_names, "who checks revocation: crl, proxy or none" },
	{ "certificate", "match", T_ENUM, O(cert_match), 0, 0, "pairing", cert_match_names, "pairing (the certificate's hash) or mapping (a field to an attribute)" },
	{ "certificate", "map_field", T_STR, O(cert_map_field), 0, 0, "email", NULL, "match = mapping: email, upn, or a subject attribute (CN, UID, serialNumber)" },
	{ "certificate", "map_attribute", T_STR, O(cert_map_attribute), 0, 0, "eduPersonPrincipalName", NULL, "match = mapping: the directory attribute it must equal" },
	{ "certificate", "refused_policies", T_LIST, O(cert_refused_policies), 0, 0, "", NULL, "certificate policy OIDs refused as signature certificates" },
	{ "certificate", "mfa", T_BOOL, O(cert_mfa), 0, 0, "true", NULL, "a card used with its PIN counts as multi-factor" },
	/* [branding]: the pages' names and files (docs/operations.md, Branding); _ja: the Japanese pages' own */
	{ "branding", "organisation", T_STR, O(brand_organisation), 0, 0, NULL, NULL, "organisation name on the pages; default: rp_name" },
	{ "branding", "organisation_ja", T_STR, O(brand_organisation_ja), 0, 0, NULL, NULL, "the same on the Japanese pages; default: organisation" },
	{ "branding", "helpdesk_name", T_STR, O(brand_helpdesk_name), 0, 0, NULL, NULL, "what every page calls the help desk; default: \"the IT help desk\"" },
	{ "branding", "helpdesk_name_ja", T_STR, O(brand_helpdesk_name_ja), 0, 0, NULL, NULL, "the same in Japanese; default: helpdesk_name, else ヘルプデスク" },
	{ "branding", "helpdesk_url", T_STR, O(brand_helpdesk_url), 0, 0, NULL, NULL, "https:// or mailto: link to the help desk (footer)" },
	{ "branding", "helpdesk_text", T_STR, O(brand_helpdesk_text), 0, 0, NULL, NULL, "how to reach it: phone, hours, room (footer)" },
	{ "branding", "helpdesk_text_ja", T_STR, O(brand_helpdesk_text_ja), 0, 0, NULL, NULL, "the same in Japanese; default: helpdesk_text" },
	{ "branding", "privacy_url", T_STR, O(brand_privacy_url), 0, 0, NULL, NULL, "https:// link to the privacy policy (footer)" },
	{ "branding", "logo_file", T_STR, O(brand_logo_file), 0, 0, NULL, NULL, "logo (.svg, .png, .jpg, .webp), e.g. /etc/fido-bridge/branding/logo.svg" },
	{ "branding", "css_file", T_STR, O(brand_css_file), 0, 0, NULL, NULL, "CSS loaded after bridge.css, e.g. /etc/fido-bridge/branding/custom.css" },
};
/* clang-format on */

long
br_parse_duration(const char *s)
{
	char *end;
	long v, mul = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v > LONG_MAX / mul)
		return -1;
	return v * mul;
}

static void
strlist_free(br_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* "a, b ,c" into trimmed, non-empty items. */
static int
strlist_parse(const char *s, br_strlist *out)
{
	br_strlist l = { NULL, 0 };
	const char *p = s;

	while (*p != '\0') {
		const char *start, *end;
		char **nv;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if ((nv = realloc(l.v, (l.n + 1) * sizeof(char *))) == NULL)
			goto fail;
		l.v = nv;
		if ((l.v[l.n] = strndup(start, (size_t)(end - start))) == NULL)
			goto fail;
		l.n++;
	}
	strlist_free(out);
	*out = l;
	return 0;
fail:
	strlist_free(&l);
	return -1;
}

/* "a, b c,d": addresses and prefixes separated by commas and/or white space. */
static const char *
nets_parse(const char *s, br_ip_prefixes *out)
{
	static char msg[160];
	br_ip_prefixes l = { NULL, 0 };
	const char *p = s, *why = NULL;

	while (*p != '\0') {
		const char *start;
		br_ip_prefix *nv;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		if ((nv = realloc(l.v, (l.n + 1) * sizeof(*nv))) == NULL) {
			free(l.v);
			return "out of memory";
		}
		l.v = nv;
		if (br_ip_prefix_parse(start, (size_t)(p - start), &l.v[l.n], &why) < 0) {
			snprintf(msg, sizeof(msg), "\"%.*s\" %s (like 10.0.0.0/8, 192.0.2.7, fd00::/8, ::1)",
			    (int)((size_t)(p - start) > 60 ? 60 : (size_t)(p - start)), start, why);
			free(l.v);
			return msg;
		}
		l.n++;
	}
	free(out->v);
	*out = l;
	return NULL;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Set one key from text; NULL on success, else the reason. */
static const char *
set_value(br_config *c, const struct key *k, const char *v)
{
	static char msg[160];
	char *base = (char *)c + k->off, *end;
	long n;

	switch (k->type) {
	case T_STR: {
		/* "key =" with nothing after it means unset */
		char *d = *v != '\0' ? strdup(v) : NULL, **slot = (char **)(void *)base;
		if (*v != '\0' && d == NULL)
			return "out of memory";
		free(*slot);
		*slot = d;
		return NULL;
	}
	case T_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		/* "300x" is a mistake, not 300 */
		if (errno != 0 || end == v || *end != '\0')
			return "not an integer";
		if (n < k->min || n > k->max) {
			snprintf(msg, sizeof(msg), "must be between %ld and %ld", k->min, k->max);
			return msg;
		}
		*(int *)(void *)base = (int)n;
		return NULL;
	case T_DUR:
		if ((n = br_parse_duration(v)) < 0)
			return "not a duration (like 90s, 15m, 2h, 7d)";
		if (n < k->min || n > k->max) {
			snprintf(msg, sizeof(msg), "must be between %lds and %lds", k->min, k->max);
			return msg;
		}
		*(int *)(void *)base = (int)n;
		return NULL;
	case T_BOOL:
		return parse_bool(v, (int *)(void *)base) < 0 ? "must be true or false" : NULL;
	case T_LIST:
		return strlist_parse(v, (br_strlist *)(void *)base) < 0 ? "out of memory" : NULL;
	case T_NETS:
		return nets_parse(v, (br_ip_prefixes *)(void *)base);
	case T_ENUM: {
		char choices[120];
		int e;
		if (br_enum_parse(k->names, v, &e) < 0) {
			br_enum_choices(k->names, choices, sizeof(choices));
			snprintf(msg, sizeof(msg), "must be %s", choices);
			return msg;
		}
		*(int *)(void *)base = e;
		return NULL;
	}
	}
	return "unknown type";
}

static const struct key *
find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* algorithms (names) to algs (COSE ids). */
static const char *
derive_algs(br_config *c)
{
	static char msg[160];
	size_t i;

	free(c->algs);
	c->algs = NULL;
	c->n_algs = 0;
	if (c->algorithms.n == 0)
		return "algorithms: the list is empty";
	if ((c->algs = calloc(c->algorithms.n, sizeof(int))) == NULL)
		return "out of memory";
	for (i = 0; i < c->algorithms.n; i++) {
		if (br_cose_alg_from_name(c->algorithms.v[i], &c->algs[c->n_algs]) < 0) {
			snprintf(msg, sizeof(msg), "algorithms: unknown algorithm \"%.40s\"", c->algorithms.v[i]);
			return msg;
		}
		c->n_algs++;
	}
	return NULL;
}

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

struct load_ctx {
	br_config *c;
	FILE *f;
	br_config_report_fn report;
	void *arg;
	int problems;
	int line;               /* of the line the reader last handed to inih */
	int continuation;       /* that line is indented under a key: inih adds it to that key */
	char *text;             /* that line (getline's buffer) */
	size_t cap;
	int in_key_section;     /* a key was read since the last [section] (inih may continue it) */
};

__attribute__((format(printf, 3, 4))) static void
problem(struct load_ctx *lc, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lc->problems++;
	lc->report(lc->arg, line, msg);
}

/*
 * What inih will make of a line, judged the way inih 55 does, so that every
 * line it would refuse is reported (ini_parse_stream returns only the first).
 */
static void
classify_line(struct load_ctx *lc, const char *line)
{
	const char *p = line;
	size_t n;
	int indented;

	lc->continuation = 0;
	if (lc->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	indented = *p == ' ' || *p == '\t';
	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n == 0 || *p == ';' || *p == '#')
		return;
	if (indented && lc->in_key_section) {
		lc->continuation = 1;   /* on_key says what is wrong with it */
		return;
	}
	if (*p == '[') {
		if (memchr(p, ']', n) == NULL)
			problem(lc, lc->line, "a section header needs its closing ]");
		lc->in_key_section = 0;
		return;
	}
	if (strcspn(p, "=:") >= n) {
		problem(lc, lc->line, "not \"key = value\", \"[section]\" or a comment");
		return;
	}
	lc->in_key_section = 1;
}

/* inih's ini_reader: whole lines, counted; an over-long line is reported, not cut in two. */
static char *
read_line(char *str, int num, void *stream)
{
	struct load_ctx *lc = stream;
	ssize_t n = getline(&lc->text, &lc->cap, lc->f);

	if (n < 0)
		return NULL;
	lc->line++;
	if (n >= num) {
		problem(lc, lc->line, "line longer than %d characters (libinih's limit)", num - 1);
		snprintf(str, (size_t)num, "\n");
		lc->continuation = 0;
		return str;
	}
	classify_line(lc, lc->text);
	memcpy(str, lc->text, (size_t)n + 1);
	return str;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	const struct key *k = find_key(section, name);
	const char *why, *hash;
	size_t idx;

	if (lc->continuation) {
		problem(lc, lc->line, "an indented line continues [%.40s] %.60s above (libinih's multi-line value): "
				      "remove the indent", section, name);
		return 1;
	}
	if (k == NULL && strncmp(section, "certificate_ca ", 15) == 0) {
		char cwhy[300];

		if (!br_cert_ca_key(lc->c, section, name, value, cwhy, sizeof(cwhy)))
			problem(lc, lc->line, "%s", cwhy);
		return 1;
	}
	if (k == NULL && strncmp(section, "policy ", 7) == 0) {
		char pwhy[300];

		if (!br_auth_policy_key(lc->c, section, name, value, pwhy, sizeof(pwhy)))
			problem(lc, lc->line, "%s", pwhy);
		return 1;
	}
	if (k == NULL) {
		problem(lc, lc->line, "[%.40s] %.60s: unknown key", section, name);
		return 1;
	}
	idx = (size_t)(k - keys);
	if (lc->c->key_lines[idx] != 0) {
		problem(lc, lc->line, "[%s] %s: set again (first at line %d); give each key once",
		    section, name, lc->c->key_lines[idx]);
		return 1;
	}
	lc->c->key_lines[idx] = lc->line;
	/* Debian's libinih strips " ;" comments but keeps " #" ones as part of the value */
	if ((hash = strstr(value, " #")) != NULL || (hash = strstr(value, "\t#")) != NULL) {
		problem(lc, lc->line, "[%s] %s: the value holds an inline comment (\"%.40s\"), which libinih keeps: "
				      "put comments on a line of their own", section, name, hash + 1);
		return 1;
	}
	if ((why = set_value(lc->c, k, value)) != NULL)
		problem(lc, lc->line, "[%s] %s: %s", section, name, why);
	return 1;
}

int
br_config_defaults(br_config *c, char *err, size_t errlen)
{
	const char *why;
	size_t i;

	memset(c, 0, sizeof(*c));
	if ((c->key_lines = calloc(N_KEYS, sizeof(int))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if ((why = set_value(c, &keys[i], keys[i].def)) != NULL) {
			snprintf(err, errlen, "default of [%s] %s: %s", keys[i].section, keys[i].name, why);
			br_config_free(c);
			return -1;
		}
	}
	return 0;
}

int
br_config_load_report(const char *path, br_config *c, br_config_report_fn report, void *arg)
{
	struct load_ctx lc;
	char err[256];
	const char *why;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.report = report;
	lc.arg = arg;
	if (br_config_defaults(c, err, sizeof(err)) < 0) {
		report(arg, 0, err);
		return 1;
	}
	lc.c = c;
	if ((lc.f = fopen(path, "r")) == NULL) {
		snprintf(err, sizeof(err), "cannot open: %s", strerror(errno));
		report(arg, 0, err);
		br_config_free(c);
		return 1;
	}
	rc = ini_parse_stream(read_line, &lc, on_key, &lc);
	fclose(lc.f);
	free(lc.text);
	/* a refusal of inih's that classify_line did not foresee still counts */
	if (rc != 0 && lc.problems == 0)
		problem(&lc, rc > 0 ? rc : 0, "syntax error");
	if (lc.problems == 0 && (why = derive_algs(c)) != NULL)
		problem(&lc, br_config_line(c, "webauthn", "algorithms"), "[webauthn] %s", why);
	if (lc.problems > 0)
		br_config_free(c);
	return lc.problems;
}

struct first_error {
	const char *path;
	char *err;
	size_t errlen;
	int seen;
};

static void
keep_first(void *arg, int line, const char *msg)
{
	struct first_error *fe = arg;

	if (fe->seen++)
		return;
	if (fe->path == NULL)
		snprintf(fe->err, fe->errlen, "%s", msg);
	else if (line > 0)
		snprintf(fe->err, fe->errlen, "%s:%d: %s", fe->path, line, msg);
	else
		snprintf(fe->err, fe->errlen, "%s: %s", fe->path, msg);
}

int
br_config_load(const char *path, br_config *c, char *err, size_t errlen)
{
	struct first_error fe = { path, err, errlen, 0 };

	return br_config_load_report(path, c, keep_first, &fe) == 0 ? 0 : -1;
}

int
br_config_line(const br_config *c, const char *section, const char *key)
{
	const struct key *k = find_key(section, key);

	return k != NULL && c->key_lines != NULL ? c->key_lines[k - keys] : 0;
}

/* https origin (or http on loopback): scheme://host[:port], nothing after. */
static int
origin_host(const char *o, char *host, size_t cap)
{
	const char *p, *end;

	if (strncmp(o, "https://", 8) == 0)
		p = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		p = o + 7;
	else
		return -1;
	end = p + strcspn(p, ":/");
	if (end == p || (size_t)(end - p) >= cap || strchr(p, '/') != NULL)
		return -1;
	memcpy(host, p, (size_t)(end - p));
	host[end - p] = '\0';
	if (strncmp(o, "http://", 7) == 0 && strcmp(host, "localhost") != 0 && strcmp(host, "127.0.0.1") != 0)
		return -1;
	return 0;
}

/* host is rp_id or a subdomain of it. */
static int
host_in_rp(const char *host, const char *rp)
{
	size_t h = strlen(host), r = strlen(rp);

	if (h == r)
		return strcmp(host, rp) == 0;
	return h > r && host[h - r - 1] == '.' && strcmp(host + h - r, rp) == 0;
}

struct check_ctx {
	const br_config *c;
	br_config_report_fn report;
	void *arg;
	int problems;
};

/* One problem with [section] key, reported at the line that set it (0: a default or unset). */
__attribute__((format(printf, 4, 5))) static void
flag(struct check_ctx *cc, const char *section, const char *key, const char *fmt, ...)
{
	char msg[400];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "[%s] %s: ", section, key);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	cc->problems++;
	cc->report(cc->arg, br_config_line(cc->c, section, key), msg);
}

/* NULL when this process can open path for reading as a regular file, else why not. */
static const char *
unreadable(const char *path)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO named by mistake must not hang the check */
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK)) < 0)
		return strerror(errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return "not a regular file";
	}
	close(fd);
	return NULL;
}

static void
need_readable(struct check_ctx *cc, const char *section, const char *key, const char *path)
{
	const char *why;

	if (path != NULL && (why = unreadable(path)) != NULL)
		flag(cc, section, key, "cannot read %.120s: %s", path, why);
}

/* [branding] links: empty, https:// (http://localhost for tests), or mailto: where allowed; no quotes or spaces. */
static int
brand_link_ok(const char *u, int mailto)
{
	if (u == NULL || *u == '\0')
		return 1;
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://localhost", 16) != 0 && !(mailto && strncmp(u, "mailto:", 7) == 0))
		return 0;
	return strpbrk(u, " \t\r\n\"'<>\\") == NULL;
}

/* [branding] files: empty, or a readable file at an absolute path whose extension is one of exts (".a.b"). */
static int
brand_file_ok(const char *path, const char *exts)
{
	const char *dot = path != NULL ? strrchr(path, '.') : NULL, *e;
	size_t n;

	if (path == NULL || *path == '\0')
		return 1;
	if (path[0] != '/' || dot == NULL || strchr(dot, '/') != NULL || unreadable(path) != NULL)
		return 0;
	n = strlen(dot);
	for (e = exts; (e = strstr(e, dot)) != NULL; e += n)
		if (e[n] == '\0' || e[n] == '.')
			return 1;
	return 0;
}

static void
check_rules(struct check_ctx *cc)
{
	const br_config *c = cc->c;
	char host[256];
	size_t i;

	if (c->rp_id == NULL || *c->rp_id == '\0')
		flag(cc, "webauthn", "rp_id", "required");
	if (c->origins.n == 0)
		flag(cc, "webauthn", "origins", "at least one origin is required");
	for (i = 0; i < c->origins.n; i++) {
		if (origin_host(c->origins.v[i], host, sizeof(host)) != 0)
			flag(cc, "webauthn", "origins", "\"%.80s\" is not https://host[:port] (http only on localhost)", c->origins.v[i]);
		else if (c->rp_id != NULL && !host_in_rp(host, c->rp_id) && c->related_origins.n == 0)
			flag(cc, "webauthn", "origins", "\"%.80s\" is outside rp_id %.80s (list it in related_origins)", c->origins.v[i], c->rp_id);
	}
	if (c->algs == NULL || c->n_algs == 0)
		flag(cc, "webauthn", "algorithms", "at least one algorithm is required");
	need_readable(cc, "webauthn", "trust_anchors_file", c->trust_anchors_file);
	if (c->mds_min_level == NULL || br_mds_level_parse(c->mds_min_level) < 0)
		flag(cc, "attestation", "mds_min_level", "\"%.40s\" is not none, L1, L1plus, L2, L2plus, L3 or L3plus",
		    c->mds_min_level != NULL ? c->mds_min_level : "");
	for (i = 0; i < c->mds_refuse_status.n; i++)
		if (br_mds_status_parse(c->mds_refuse_status.v[i], strlen(c->mds_refuse_status.v[i])) < 0)
			flag(cc, "attestation", "mds_refuse_status", "\"%.60s\" is not a statusReports status", c->mds_refuse_status.v[i]);
	for (i = 0; i < c->hints.n; i++)
		if (!br_hint_ok(c->hints.v[i]))
			flag(cc, "webauthn", "hints", "\"%.40s\" is not security-key, client-device or hybrid", c->hints.v[i]);
	{
		char perr[300];

		/* the message names its own [policy NAME] section */
		if (br_auth_policy_check(c, perr, sizeof(perr)) < 0) {
			cc->problems++;
			cc->report(cc->arg, 0, perr);
		}
	}
	if (c->state_key_file == NULL)
		flag(cc, "server", "state_key_file", "required (32 random bytes or more, the same on every node)");
	need_readable(cc, "server", "state_key_file", c->state_key_file);
	need_readable(cc, "server", "previous_state_key_file", c->previous_state_key_file);
	if (c->secret_file == NULL)
		flag(cc, "idp", "secret_file", "required");
	need_readable(cc, "idp", "secret_file", c->secret_file);
	need_readable(cc, "idp", "previous_secret_file", c->previous_secret_file);
	if (c->return_urls.n == 0)
		flag(cc, "idp", "return_urls", "at least one return URL prefix is required");
	for (i = 0; i < c->return_urls.n; i++) {
		const char *u = c->return_urls.v[i];
		/* a prefix must end its host part, or "https://idp.x.edu" would admit "https://idp.x.edu.evil" */
		if (!((strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) && strchr(strchr(u, ':') + 3, '/') != NULL))
			flag(cc, "idp", "return_urls", "\"%.80s\" must be an absolute URL with a path (https://idp.example.edu/idp/...)", u);
	}
	if (c->ldap_uri == NULL)
		flag(cc, "ldap", "uri", "required");
	if (c->ldap_user_base == NULL)
		flag(cc, "ldap", "user_base", "required");
	if (!c->ldap_sasl_external && (c->ldap_bind_dn == NULL || c->ldap_bind_password_file == NULL))
		flag(cc, "ldap", c->ldap_bind_dn == NULL ? "bind_dn" : "bind_password_file",
		    "set bind_dn and bind_password_file, or sasl_external = true");
	need_readable(cc, "ldap", "bind_password_file", c->ldap_bind_password_file);
	if (c->memcached_servers == NULL)
		flag(cc, "memcached", "servers", "required");
	if (c->enrolment_link_ttl_s > c->enrolment_max_link_ttl_s)
		flag(cc, "enrolment", "link_ttl", "%ds is longer than max_link_ttl (%ds)", c->enrolment_link_ttl_s,
		    c->enrolment_max_link_ttl_s);
	if (!(c->public_url != NULL && (strncmp(c->public_url, "https://", 8) == 0 || strncmp(c->public_url, "http://", 7) == 0)))
		flag(cc, "server", "public_url", "required, an absolute URL");
	{
		char addr[BR_IP_TEXT_MAX];
		int port;

		if (br_listen_parse(c->admin_listen, addr, sizeof(addr), &port) < 0)
			flag(cc, "server", "admin_listen", "\"%.80s\" is not address:port ([v6]:port for IPv6; numeric) or off",
			    c->admin_listen != NULL ? c->admin_listen : "");
	}
	/* [branding]: what the pages would refuse at startup (render.c br_templates_brand), said here first */
	if (!brand_link_ok(c->brand_helpdesk_url, 1))
		flag(cc, "branding", "helpdesk_url", "not an https:// or mailto: URL: %.120s", c->brand_helpdesk_url);
	if (!brand_link_ok(c->brand_privacy_url, 0))
		flag(cc, "branding", "privacy_url", "not an https:// URL: %.120s", c->brand_privacy_url);
	if (!brand_file_ok(c->brand_logo_file, ".svg.png.jpg.jpeg.webp"))
		flag(cc, "branding", "logo_file", "not a readable .svg, .png, .jpg or .webp file at an absolute path: %.120s",
		    c->brand_logo_file);
	if (!brand_file_ok(c->brand_css_file, ".css"))
		flag(cc, "branding", "css_file", "not a readable .css file at an absolute path: %.120s", c->brand_css_file);
	if (c->cert_enabled) {
		char cerr[300];

		if (c->cert_trust_anchors_file == NULL && c->n_cert_cas == 0)
			flag(cc, "certificate", "enabled",
			    "needs the CAs whose certificates count: [certificate] trust_anchors_file or a [certificate_ca NAME] section");
		/* the message names its own [certificate_ca NAME] section */
		if (br_cert_ca_check(c, cerr, sizeof(cerr)) < 0) {
			cc->problems++;
			cc->report(cc->arg, 0, cerr);
		}
		for (size_t k = 0; k < c->n_cert_cas; k++) {
			char sec[64];

			snprintf(sec, sizeof(sec), "certificate_ca %s", c->cert_cas[k].name);
			need_readable(cc, sec, "trust_anchors_file", c->cert_cas[k].trust_anchors_file);
		}
		if (c->cert_url == NULL || strncmp(c->cert_url, "https://", 8) != 0)
			flag(cc, "certificate", "url", "required when enabled, an https:// URL");
		if (c->cert_header == NULL || c->cert_header[0] == '\0')
			flag(cc, "certificate", "header", "required");
		/* [certificate]'s own match rules count only when it names a CA of its own */
		if (c->cert_trust_anchors_file != NULL && c->cert_match == BR_CERT_MATCH_MAPPING &&
		    (c->cert_map_field == NULL || c->cert_map_field[0] == '\0'))
			flag(cc, "certificate", "map_field", "required with match = mapping");
		if (c->cert_trust_anchors_file != NULL && c->cert_match == BR_CERT_MATCH_MAPPING &&
		    !br_ldap_descriptor_ok(c->cert_map_attribute))
			flag(cc, "certificate", "map_attribute", "match = mapping needs an attribute name, not \"%.80s\"",
			    c->cert_map_attribute != NULL ? c->cert_map_attribute : "");
		if (c->cert_trust_anchors_file != NULL && c->cert_revocation == BR_CERT_REVOCATION_CRL && c->cert_crl_files.n == 0)
			flag(cc, "certificate", "crl_files", "revocation = crl needs crl_files (or say proxy or none)");
		need_readable(cc, "certificate", "trust_anchors_file", c->cert_trust_anchors_file);
		for (size_t k = 0; k < c->cert_crl_files.n; k++)
			need_readable(cc, "certificate", "crl_files", c->cert_crl_files.v[k]);
	}
}

/*
 * A secret file: at least min_len bytes on its first line (0: any length),
 * not readable or writable by others and not writable by the group (the
 * package's layout is root:fido-bridge 0640: the group reads it).
 */
static void
check_secret(struct check_ctx *cc, const char *section, const char *key, const char *path, size_t min_len)
{
	char err[256], *s;
	struct stat st;
	size_t n = 0;

	if (path == NULL || unreadable(path) != NULL)
		return;         /* check_rules says so */
	if (stat(path, &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP)) != 0)
		flag(cc, section, key, "%.120s is %s by others (mode %04o): chmod 0600, or 0640 with the service's group",
		    path, (st.st_mode & S_IWGRP) != 0 && (st.st_mode & S_IROTH) == 0 ? "writable" : "readable",
		    (unsigned)(st.st_mode & 07777));
	if (min_len == 0)
		return;
	if ((s = br_config_read_secret(path, &n, err, sizeof(err))) == NULL) {
		flag(cc, section, key, "%s", err);
		return;
	}
	br_wipe(s, n);
	free(s);
	if (n < min_len)
		flag(cc, section, key, "%.120s holds %zu bytes, fewer than %zu (make one with: openssl rand -base64 48)",
		    path, n, min_len);
}

/* The audit log can be appended to, or created, by this process. */
static void
check_audit_log(struct check_ctx *cc, const char *path)
{
	char dir[4096], *slash;
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0)
		return;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			flag(cc, "server", "audit_log", "%.120s: %s", path, strerror(EISDIR));
		else if (access(path, W_OK) != 0)
			flag(cc, "server", "audit_log", "cannot append to %.120s: %s", path, strerror(errno));
		return;
	}
	if (errno != ENOENT) {
		flag(cc, "server", "audit_log", "%.120s: %s", path, strerror(errno));
		return;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		flag(cc, "server", "audit_log", "cannot create %.120s in %.120s: %s", path, dir, strerror(errno));
}

static void
check_files(struct check_ctx *cc)
{
	const br_config *c = cc->c;
	struct stat st;

	if (c->templates_dir == NULL)
		flag(cc, "server", "templates_dir", "required (the packaged pages are in /usr/share/fido-bridge/templates)");
	else if (stat(c->templates_dir, &st) != 0)
		flag(cc, "server", "templates_dir", "%.120s: %s", c->templates_dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		flag(cc, "server", "templates_dir", "%.120s: %s", c->templates_dir, strerror(ENOTDIR));
	else if (access(c->templates_dir, R_OK | X_OK) != 0)
		flag(cc, "server", "templates_dir", "%.120s: %s", c->templates_dir, strerror(errno));
	check_audit_log(cc, c->audit_log);
	check_secret(cc, "server", "state_key_file", c->state_key_file, BR_SECRET_MIN_BYTES);
	check_secret(cc, "server", "previous_state_key_file", c->previous_state_key_file, BR_SECRET_MIN_BYTES);
	check_secret(cc, "idp", "secret_file", c->secret_file, BR_SECRET_MIN_BYTES);
	check_secret(cc, "idp", "previous_secret_file", c->previous_secret_file, BR_SECRET_MIN_BYTES);
	check_secret(cc, "ldap", "bind_password_file", c->ldap_bind_password_file, 0);
}

int
br_config_check_report(const br_config *c, unsigned what, br_config_report_fn report, void *arg)
{
	struct check_ctx cc = { c, report, arg, 0 };

	if (what & BR_CHECK_RULES)
		check_rules(&cc);
	if (what & BR_CHECK_FILES)
		check_files(&cc);
	return cc.problems;
}


int
br_config_check(const br_config *c, char *err, size_t errlen)
{
	struct first_error fe = { NULL, err, errlen, 0 };

	return br_config_check_report(c, BR_CHECK_RULES, keep_first, &fe) == 0 ? 0 : -1;
}

int
br_listen_parse(const char *s, char *addr, size_t cap, int *port)
{
	const char *colon, *a = s, *p;
	unsigned char ip[16];
	size_t alen;
	char *end;
	long v;

	if (s == NULL)
		return -1;
	if (strcmp(s, "off") == 0)
		return 1;
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	alen = (size_t)(colon - s);
	if (*s == '[') {
		/* [v6]:port */
		if (alen < 2 || s[alen - 1] != ']')
			return -1;
		a = s + 1;
		alen -= 2;
		if (memchr(a, ':', alen) == NULL)
			return -1; /* brackets are for IPv6 only */
	} else if (memchr(s, ':', alen) != NULL) {
		return -1; /* an IPv6 address needs its brackets */
	}
	p = colon + 1;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return -1;
	if (alen == 0 || alen >= cap || br_ip_parse(a, alen, ip) < 0)
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	*port = (int)v;
	return 0;
}

void
br_config_free(br_config *c)
{
	size_t i;

	br_auth_policy_free_all(c);
	br_cert_ca_free_all(c);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *base = (char *)c + keys[i].off;
		if (keys[i].type == T_STR) {
			free(*(char **)(void *)base);
			*(char **)(void *)base = NULL;
		} else if (keys[i].type == T_LIST) {
			strlist_free((br_strlist *)(void *)base);
		} else if (keys[i].type == T_NETS) {
			br_ip_prefixes *l = (br_ip_prefixes *)(void *)base;
			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
	free(c->algs);
	c->algs = NULL;
	c->n_algs = 0;
	free(c->key_lines);
	c->key_lines = NULL;
}

void
br_config_each_key(void (*fn)(const char *, const char *, const char *, void *), void *arg)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fn(keys[i].section, keys[i].name, keys[i].doc, arg);
}

char *
br_config_read_secret(const char *path, size_t *len, char *err, size_t errlen)
{
	char buf[1024], *s;
	size_t n;
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path ? path : "(unset)", path ? strerror(errno) : "no file named");
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	n = strlen(buf);
	if (n == 0) {
		snprintf(err, errlen, "%s: empty", path);
		return NULL;
	}
	s = strdup(buf);
	br_wipe(buf, sizeof(buf));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = n;
	return s;
}

int
br_config_list_parse(const char *s, br_strlist *out)
{
	return strlist_parse(s, out);
}

void
br_config_list_free(br_strlist *l)
{
	strlist_free(l);
}

int
br_config_bool_parse(const char *v, int *out)
{
	return parse_bool(v, out);
}
