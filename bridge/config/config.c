#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "../core/cose.h"
#include "../core/crypto.h"
#include "../core/mds.h"
#include "auth_policy.h"

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
    sizeof(br_sign_count_policy) == sizeof(int) && sizeof(br_attestation) == sizeof(int),
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
	{ "enrolment", "allow_password", T_BOOL, O(enrolment_allow_password), 0, 0, "false", NULL, "first passkey after a directory password check" },
	{ "enrolment", "password_attempts", T_INT, O(enrolment_password_attempts), 1, 100, "5", NULL, "password checks per account per hour" },
	{ "enrolment", "fresh_signin", T_DUR, O(enrolment_fresh_signin_s), 30, 3600, "5m", NULL, "a passkey added from My passkeys needs a sign-in no older than this" },

	{ "limits", "per_address", T_INT, O(limit_per_address), 1, 100000, "120", NULL, "requests per client address per minute" },
	{ "limits", "per_account", T_INT, O(limit_per_account), 1, 10000, "10", NULL, "sign-in attempts per account per minute" },
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

struct load_ctx {
	br_config *c;
	char reason[256];
};

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	const struct key *k = find_key(section, name);
	const char *why;

	if (k == NULL && strncmp(section, "policy ", 7) == 0)
		return br_auth_policy_key(lc->c, section, name, value, lc->reason, sizeof(lc->reason));
	if (k == NULL) {
		snprintf(lc->reason, sizeof(lc->reason), "[%.40s] %.60s: unknown key", section, name);
		return 0;
	}
	if ((why = set_value(lc->c, k, value)) != NULL) {
		snprintf(lc->reason, sizeof(lc->reason), "[%s] %s: %s", section, name, why);
		return 0;
	}
	return 1;
}

int
br_config_defaults(br_config *c, char *err, size_t errlen)
{
	const char *why;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
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
br_config_load(const char *path, br_config *c, char *err, size_t errlen)
{
	struct load_ctx lc;
	const char *why;
	int line;

	if (br_config_defaults(c, err, errlen) < 0)
		return -1;
	lc.c = c;
	lc.reason[0] = '\0';
	line = ini_parse(path, on_key, &lc);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		goto fail;
	}
	if (line > 0) {
		snprintf(err, errlen, "%s:%d: %s", path, line, lc.reason[0] ? lc.reason : "syntax error");
		goto fail;
	}
	if ((why = derive_algs(c)) != NULL) {
		snprintf(err, errlen, "%s: [webauthn] %s", path, why);
		goto fail;
	}
	return 0;
fail:
	br_config_free(c);
	return -1;
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

static int
readable(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
br_config_check(const br_config *c, char *err, size_t errlen)
{
	char host[256];
	size_t i;

#define NEED(cond, ...)                                                            \
	do {                                                                       \
		if (!(cond)) {                                                     \
			snprintf(err, errlen, __VA_ARGS__);                         \
			return -1;                                                 \
		}                                                                  \
	} while (0)

	NEED(c->rp_id != NULL && *c->rp_id, "[webauthn] rp_id: required");
	NEED(c->origins.n > 0, "[webauthn] origins: at least one origin is required");
	for (i = 0; i < c->origins.n; i++) {
		NEED(origin_host(c->origins.v[i], host, sizeof(host)) == 0,
		    "[webauthn] origins: \"%.80s\" is not https://host[:port] (http only on localhost)", c->origins.v[i]);
		NEED(host_in_rp(host, c->rp_id) || c->related_origins.n > 0,
		    "[webauthn] origins: \"%.80s\" is outside rp_id %.80s (list it in related_origins)", c->origins.v[i], c->rp_id);
	}
	NEED(c->algs != NULL && c->n_algs > 0, "[webauthn] algorithms: at least one algorithm is required");
	NEED(c->trust_anchors_file == NULL || readable(c->trust_anchors_file),
	    "[webauthn] trust_anchors_file: cannot read %.120s", c->trust_anchors_file);
	NEED(c->mds_min_level != NULL && br_mds_level_parse(c->mds_min_level) >= 0,
	    "[attestation] mds_min_level: \"%.40s\" is not none, L1, L1plus, L2, L2plus, L3 or L3plus", c->mds_min_level ? c->mds_min_level : "");
	for (i = 0; i < c->mds_refuse_status.n; i++)
		NEED(br_mds_status_parse(c->mds_refuse_status.v[i], strlen(c->mds_refuse_status.v[i])) >= 0,
		    "[attestation] mds_refuse_status: \"%.60s\" is not a statusReports status", c->mds_refuse_status.v[i]);
	for (i = 0; i < c->hints.n; i++)
		NEED(br_hint_ok(c->hints.v[i]), "[webauthn] hints: \"%.40s\" is not security-key, client-device or hybrid", c->hints.v[i]);
	if (br_auth_policy_check(c, err, errlen) < 0)
		return -1;
	NEED(c->state_key_file != NULL, "[server] state_key_file: required (32 random bytes or more, the same on every node)");
	NEED(readable(c->state_key_file), "[server] state_key_file: cannot read %.120s", c->state_key_file);
	NEED(c->previous_state_key_file == NULL || readable(c->previous_state_key_file),
	    "[server] previous_state_key_file: cannot read %.120s", c->previous_state_key_file);
	NEED(c->secret_file != NULL, "[idp] secret_file: required");
	NEED(readable(c->secret_file), "[idp] secret_file: cannot read %.120s", c->secret_file);
	NEED(c->previous_secret_file == NULL || readable(c->previous_secret_file),
	    "[idp] previous_secret_file: cannot read %.120s", c->previous_secret_file);
	NEED(c->return_urls.n > 0, "[idp] return_urls: at least one return URL prefix is required");
	for (i = 0; i < c->return_urls.n; i++) {
		const char *u = c->return_urls.v[i];
		/* a prefix must end its host part, or "https://idp.x.edu" would admit "https://idp.x.edu.evil" */
		NEED((strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) && strchr(strchr(u, ':') + 3, '/') != NULL,
		    "[idp] return_urls: \"%.80s\" must be an absolute URL with a path (https://idp.example.edu/idp/...)", u);
	}
	NEED(c->ldap_uri != NULL, "[ldap] uri: required");
	NEED(c->ldap_user_base != NULL, "[ldap] user_base: required");
	NEED(c->ldap_sasl_external || (c->ldap_bind_dn != NULL && c->ldap_bind_password_file != NULL),
	    "[ldap] set bind_dn and bind_password_file, or sasl_external = true");
	NEED(c->ldap_bind_password_file == NULL || readable(c->ldap_bind_password_file),
	    "[ldap] bind_password_file: cannot read %.120s", c->ldap_bind_password_file);
	NEED(c->memcached_servers != NULL, "[memcached] servers: required");
	NEED(c->public_url != NULL && (strncmp(c->public_url, "https://", 8) == 0 || strncmp(c->public_url, "http://", 7) == 0),
	    "[server] public_url: required, an absolute URL");
#undef NEED
	return 0;
}

void
br_config_free(br_config *c)
{
	size_t i;

	br_auth_policy_free_all(c);

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
		snprintf(err, errlen, "%s: cannot open", path ? path : "(unset)");
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
