/*
 * The bridge's configuration: one INI file (parsed by Debian's libinih),
 * described by one table of keys with types, bounds and defaults (keys[]
 * in config.c). Secrets are read from files named in the config, so the
 * config itself can be world-readable.
 */
#ifndef BR_CONFIG_H
#define BR_CONFIG_H

#include <stddef.h>

#include "../core/ceremony.h"
#include "ipaddr.h"             /* trusted_proxies (and the address functions, once declared here) */

typedef struct br_strlist {
	char **v;
	size_t n;
} br_strlist;

/*
 * The enumerated keys, stored as these values (user_verification is a
 * br_uv_policy, ceremony.h). Each has one table of names in config.c;
 * the _name functions give the word for a value, NULL for a value that is
 * not one of them.
 */
typedef enum br_resident_key {          /* WebAuthn's ResidentKeyRequirement */
	BR_RESIDENT_KEY_DISCOURAGED = 0,
	BR_RESIDENT_KEY_PREFERRED,
	BR_RESIDENT_KEY_REQUIRED,
} br_resident_key;

typedef enum br_sign_count_policy {     /* a signature counter that went backwards */
	BR_SIGN_COUNT_REJECT = 0,       /* refuse the sign-in */
	BR_SIGN_COUNT_FLAG,             /* allow it, flag it in the audit log */
} br_sign_count_policy;

typedef enum br_attestation {           /* the AttestationConveyancePreference asked for */
	BR_ATTESTATION_NONE = 0,
	BR_ATTESTATION_DIRECT,          /* and chains judged against trust_anchors_file */
} br_attestation;

typedef enum br_cert_revocation {      /* [certificate] revocation: who checks it */
	BR_CERT_REVOCATION_CRL,            /* the bridge, against crl_files (a missing CRL refuses) */
	BR_CERT_REVOCATION_PROXY,          /* the front proxy (OCSP or its own CRL); the bridge trusts it */
	BR_CERT_REVOCATION_NONE,           /* nobody: said in every audit line */
} br_cert_revocation;

typedef enum br_cert_match {           /* [certificate] match: how a certificate finds its account */
	BR_CERT_MATCH_PAIRING,             /* its SHA-256, paired beforehand (JPKI) */
	BR_CERT_MATCH_MAPPING,             /* a certificate field equal to a directory attribute */
} br_cert_match;

const char *br_cert_revocation_name(br_cert_revocation v);
const char *br_resident_key_name(br_resident_key v);
const char *br_sign_count_policy_name(br_sign_count_policy v);
const char *br_attestation_name(br_attestation v);

typedef struct br_config {
	/* [server] */
	char *listen_address;
	int listen_port;
	char *public_url;            /* https://login.example.edu (links, cookies' Secure) */
	int threads;                 /* 0: eight per core (br_server_start) */
	int max_body_bytes;
	int request_timeout_s;
	char *templates_dir;
	char *audit_log;             /* file, or "-" for stderr */
	char *state_key_file;        /* names and seals what the bridge keeps in memcached */
	char *previous_state_key_file;
	br_ip_prefixes trusted_proxies; /* peers whose X-Forwarded-For is believed */
	int max_connections_per_address; /* open connections per address; 0: no limit */
	int header_timeout_s;        /* a whole request within this (br_server_options) */
	char *admin_listen;          /* "address:port" of /metrics and detailed /healthz, or "off" */

	/* [webauthn] */
	char *rp_id;
	char *rp_name;
	br_strlist origins;
	br_strlist related_origins;  /* published at /.well-known/webauthn */
	int allow_cross_origin;
	br_strlist top_origins;
	br_uv_policy user_verification;
	br_resident_key resident_key;
	br_strlist algorithms;       /* ES256, EdDSA, ... as names */
	int *algs;                   /* the same, as COSE ids (derived) */
	size_t n_algs;
	int challenge_ttl_s;
	int ceremony_timeout_s;
	int key_cache;               /* parsed public keys kept (entries; 0: none) */
	int refuse_safetynet;
	br_sign_count_policy sign_count_policy;
	br_attestation attestation;
	char *trust_anchors_file;
	br_strlist mfa_aaguids;      /* AAGUIDs counted as MFA even when synced */

	/* [attestation]: the FIDO Metadata Service (docs/metadata.md) */
	char *mds_file;              /* the verified entries every node loads; NULL: no metadata */
	char *mds_root_file;         /* the pinned root the blob must chain to */
	br_strlist mds_crl_files;    /* CRLs of the chain's CAs */
	int mds_grace_s;             /* nextUpdate may be this far past */
	int mds_root_warn_s;         /* warn when the root expires within this */
	br_strlist mds_refuse_status; /* statusReports statuses that refuse a model */
	char *mds_min_level;         /* certification level a model needs: none, L1, ... */
	int mds_require_entry;       /* refuse AAGUIDs the metadata does not know */
	int mds_use_roots;           /* judge chains against the entry's attestationRootCertificates */
	int mds_refuse_signin;       /* refuse sign-in with a credential of a model now refused by status */

	/* [policy NAME] sections, in file order (auth_policy.h) */
	struct br_auth_policy *auth_policies;
	size_t n_auth_policies;
	br_strlist hints;            /* [webauthn] hints: WebAuthn L3 hints sent at registration */
	char *aaguid_names_file;     /* [webauthn] names users recognise, by AAGUID (aaguid_names.h) */

	/* [idp] */
	char *secret_file;
	char *previous_secret_file;
	br_strlist return_urls;
	int max_clock_skew_s;
	int ticket_ttl_s;
	int flow_ttl_s;

	/* [ldap] */
	char *ldap_uri;
	char *ldap_bind_dn;
	char *ldap_bind_password_file;
	int ldap_sasl_external;
	int ldap_starttls;
	char *ldap_ca_file;
	char *ldap_user_base;
	char *ldap_username_attribute;
	br_strlist ldap_attributes;  /* read and put in the ticket record */
	char *ldap_disabled_attribute;
	char *ldap_disabled_value;
	int ldap_timeout_ms;
	int ldap_last_used_interval_s;

	/* [memcached] */
	char *memcached_servers;
	char *memcached_prefix;
	int memcached_replicas;
	int memcached_timeout_ms;

	/* [enrolment] */
	int enrolment_link_ttl_s;
	int enrolment_max_link_ttl_s;      /* bridgectl enroll --ttl at most this */
	int enrolment_allow_password;
	int enrolment_password_attempts;   /* per account per hour */
	int enrolment_fresh_signin_s;      /* adding a passkey from My passkeys: sign-in at most this old */

	/* [limits] */
	int limit_per_address;             /* requests per minute */
	int limit_per_account;             /* sign-in attempts per minute */

	/* [certificate] (docs/certificate-signin.md) */
	int cert_enabled;
	char *cert_label;                  /* the sign-in page's link text; "" = the translated default */
	char *cert_url;                    /* the certificate host's /authn/certificate */
	char *cert_header;                 /* the forwarded certificate's header name */
	char *cert_trust_anchors_file;     /* PEM: the CAs whose client certificates count (pinned) */
	br_strlist cert_crl_files;         /* PEM CRLs for revocation = crl */
	br_cert_revocation cert_revocation;
	br_cert_match cert_match;
	char *cert_map_field;              /* match = mapping: email, upn or a subject attribute */
	char *cert_map_attribute;          /* ... equal to this directory attribute */
	br_strlist cert_refused_policies;  /* certificate policy OIDs refused like the JPKI signature profile */
	int cert_mfa;                      /* a card with its PIN counts as multi-factor */
	struct br_cert_ca *cert_cas;       /* [certificate_ca NAME] sections (cert_ca.h) */
	size_t n_cert_cas;
	/* [branding] (render.h br_brand; NULL: unset) */
	char *brand_organisation;          /* default: rp_name */
	char *brand_organisation_ja;
	char *brand_helpdesk_name;
	char *brand_helpdesk_name_ja;
	char *brand_helpdesk_url;
	char *brand_helpdesk_text;
	char *brand_helpdesk_text_ja;
	char *brand_privacy_url;
	char *brand_logo_file;
	char *brand_css_file;
	int *key_lines;              /* the line that set each key (config.c's table order); 0: not in the file */
} br_config;

/* One problem found in a configuration; line 0 when no line of the file holds it. */
typedef void (*br_config_report_fn)(void *arg, int line, const char *msg);

/*
 * Load path over the defaults and report every problem: syntax, unknown
 * and repeated keys, bad values, inline "#" comments (libinih keeps them in
 * the value), indented lines (libinih joins them to the key above). Returns
 * the number reported; c holds the configuration only when that is 0.
 */
int br_config_load_report(const char *path, br_config *c, br_config_report_fn report, void *arg);

/* What br_config_check_report looks at. */
#define BR_CHECK_RULES 1u  /* between keys: origins in the RP id, required keys, secrets readable */
#define BR_CHECK_FILES 2u  /* templates_dir, the audit log writable, secrets' size and mode */
#define BR_SECRET_MIN_BYTES 32
int br_config_check_report(const br_config *c, unsigned what, br_config_report_fn report, void *arg);
/* The line of the file that set [section] key; 0 when the file did not. */
int br_config_line(const br_config *c, const char *section, const char *key);

/*
 * Load path over the defaults. On error returns -1 with "file:line: key:
 * reason" in err. Cross-key rules (br_config_check) are not applied here.
 */
int br_config_load(const char *path, br_config *c, char *err, size_t errlen);
/* Defaults only (what an empty file gives). */
int br_config_defaults(br_config *c, char *err, size_t errlen);
/* Rules between keys (BR_CHECK_RULES): the first problem in err. */
int br_config_check(const br_config *c, char *err, size_t errlen);
void br_config_free(br_config *c);

/* Calls fn for every key the table knows ("section.key"). */
void br_config_each_key(void (*fn)(const char *section, const char *key, const char *doc, void *arg), void *arg);

/* Read a secret file (first line, trailing newline removed); NULL with err. */
char *br_config_read_secret(const char *path, size_t *len, char *err, size_t errlen);

/*
 * A listen address: "off" gives 1; "127.0.0.1:9091" or "[::1]:9091"
 * (numeric address, port 1-65535) gives 0 with the address in addr (cap
 * >= BR_IP_TEXT_MAX) and the port; anything else -1.
 */
int br_listen_parse(const char *s, char *addr, size_t cap, int *port);

/* A list value ("a, b ,c") into out, replacing it; 0 or -1 (out of memory). */
int br_config_list_parse(const char *s, br_strlist *out);
void br_config_list_free(br_strlist *l);
/* true/yes/on/1, false/no/off/0; 0 or -1. */
int br_config_bool_parse(const char *v, int *out);

/* "90", "90s", "15m", "2h", "7d" to seconds; -1 when malformed. */
long br_parse_duration(const char *s);

#endif
