/*
 * The directory: users, their attributes and their FIDO credentials in LDAP.
 * directory.c checks the arguments and hands each call to a backend
 * (directory_backend.h): LDAP in bridge/store/ldap/, the only files that
 * include ldap.h. Schema: ldap-schema/fido-bridge.schema (fidoUser on the
 * user entry, fidoCredential entries as its children, RDN
 * fidoCredentialId=<base64url id>). A call that returns BR_DIR_ERROR leaves
 * its reason in br_store_error_get() (store_error.h).
 */
#ifndef BR_DIRECTORY_H
#define BR_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../core/buf.h"

typedef struct br_directory br_directory;

typedef struct br_directory_options {
	const char *uri;                 /* ldap://, ldaps:// or ldapi:// */
	const char *bind_dn;             /* simple bind; NULL with sasl_external */
	const char *bind_password;       /* wiped by the caller after open */
	int sasl_external;
	int starttls;                    /* require StartTLS on ldap:// */
	const char *ca_file;
	const char *user_base;           /* subtree holding user entries */
	const char *username_attribute;  /* e.g. uid */
	const char *const *attributes;   /* read into br_user.attributes */
	size_t n_attributes;
	const char *disabled_attribute;  /* account disabled when it has ... */
	const char *disabled_value;      /* ... this value (case-insensitive) */
	unsigned timeout_ms;
	unsigned last_used_interval_s;   /* write last-used at most this often */
} br_directory_options;

typedef enum br_dir_rc {
	BR_DIR_OK = 0,
	BR_DIR_NOT_FOUND,    /* no such user / credential / code */
	BR_DIR_EXISTS,       /* add of something already there */
	BR_DIR_INVALID,      /* input we refuse (NUL in a name, too long, ...) */
	BR_DIR_ERROR,        /* server down, timeout, permission, schema */
} br_dir_rc;

const char *br_dir_rc_name(br_dir_rc rc);

#define BR_USER_HANDLE_MAX 64
#define BR_USERNAME_MAX 256

typedef struct br_credential_record {
	char *dn;
	br_blob id;                  /* raw credential id */
	br_blob public_key;          /* COSE_Key */
	uint32_t sign_count;
	char aaguid[37];             /* "" when unknown (core/text.h rules) */
	unsigned transports;         /* BR_TRANSPORT_* bits (core/transport.h) */
	char fmt[24];
	int backup_eligible, backup_state, user_verified;
	int64_t created, last_used;  /* unix seconds; last_used 0 = never */
	char *nickname;              /* may be NULL */
} br_credential_record;

typedef struct br_user {
	char *dn;
	char *username;              /* value of username_attribute */
	br_blob user_handle;         /* empty when the user has none yet */
	int disabled;
	json_t *attributes;          /* {"mail":["a@b"], ...}: the configured ones present */
	br_credential_record *creds; /* children, oldest first */
	size_t n_creds;
	char **enrolment_codes;      /* raw fidoEnrolmentCode values */
	size_t n_enrolment_codes;
} br_user;

void br_user_free(br_user **u);

/*
 * Every credential of the model aaguid (text form), across all users; each
 * record's dn names it (its parent is the user). Free with
 * br_dir_credentials_free. For reports (bridgectl mds check), not sign-in.
 */
br_dir_rc br_dir_find_by_aaguid(br_directory *d, const char *aaguid, br_credential_record **out, size_t *n);
void br_dir_credentials_free(br_credential_record **c, size_t n);

/* Connections open lazily, one per thread; a dropped one is reopened once per call. */
br_directory *br_directory_open(const br_directory_options *o, char *err, size_t errlen);
/* Close after the threads that used it are gone. */
void br_directory_close(br_directory **d);

/* Lookups fill *out (free with br_user_free), credentials included. */
br_dir_rc br_dir_find_user(br_directory *d, const char *username, br_user **out);

/*
 * Sign-in lookup: the user owning credential `id`, with only that credential
 * loaded (out->n_creds == 1, out->creds[0]); attributes, disabled flag and
 * user handle as br_dir_find_user fills them. With user_handle (the assertion's
 * userHandle, may be NULL/0) one subtree search fetches both entries; the user
 * entry is used only if the credential's parent DN is exactly that user's DN
 * (both in libldap's LDAPv3 string form, not case-folded), otherwise the
 * parent is read by a base search (so a wrong handle still yields the real
 * owner and the verifier reports the mismatch). Without a handle: 2 searches
 * (the credential with its attributes, then a base search of its parent).
 * A handle longer than BR_USER_HANDLE_MAX, which no user can have, counts as
 * none. An answer the one search cannot settle (more than a few entries, or
 * one that is both or neither a credential and a user) is asked again as
 * without a handle. NOT_FOUND: no such credential (or its owner is gone);
 * INVALID: no id, or one over 1023 bytes (the schema's bound); ERROR: the id
 * under several entries (never one of them), a malformed entry, the server.
 */
br_dir_rc br_dir_find_for_signin(br_directory *d, const unsigned char *id, size_t len,
    const unsigned char *user_handle, size_t handle_len, br_user **out);

/* Give the user a handle (adds the fidoUser class when missing); EXISTS if it has one. */
br_dir_rc br_dir_set_user_handle(br_directory *d, br_user *u, const unsigned char *handle, size_t len);

/* One LDAP add: the entry exists whole or not at all. EXISTS for a known id. */
br_dir_rc br_dir_add_credential(br_directory *d, const br_user *u, const br_credential_record *c);
br_dir_rc br_dir_rename_credential(br_directory *d, const br_user *u, const unsigned char *id,
    size_t len, const char *nickname);
br_dir_rc br_dir_delete_credential(br_directory *d, const br_user *u, const unsigned char *id, size_t len);

/*
 * After a sign-in: write the sign count when it changed and last-used when
 * the stored one is older than the interval; nothing otherwise, so a synced
 * passkey (count 0) used twice in an hour costs no write. *wrote says whether
 * an LDAP modify was sent.
 */
br_dir_rc br_dir_record_use(br_directory *d, const br_credential_record *c, uint32_t sign_count,
    int64_t now, int *wrote);

/* Enrolment codes: add a value; remove exactly one value (NOT_FOUND if it is gone: one use). */
br_dir_rc br_dir_add_enrolment_code(br_directory *d, const br_user *u, const char *value);
br_dir_rc br_dir_remove_enrolment_code(br_directory *d, const br_user *u, const char *value);

/*
 * The user's directory password, by a simple bind as the user on a separate
 * connection: OK, NOT_FOUND (wrong password), INVALID (empty), ERROR.
 */
br_dir_rc br_dir_check_password(br_directory *d, const br_user *u, const char *password);

/*
 * Connect, bind, and check the schema is loaded: every fido attribute and
 * class, and the equality indexes where the server reveals them. Writes a
 * human-readable report (one line per finding) into a malloc'd *report.
 * Returns 0 when nothing is missing.
 */
int br_dir_check(br_directory *d, char **report);

/*
 * ---- certificate pairings (ldap-schema/fido-bridge-cert.schema) ----
 * One fidoCertPairing entry per paired certificate, a child of the user
 * entry, RDN fidoCertSha256=<hex>. The certificate hash (64 lowercase hex
 * digits, core/clientcert.h) is the pairing's id. fidoCertOwner repeats the
 * username so that the sshd lookup is one search.
 */
typedef struct br_cert_pairing {
	char *dn;
	char cert_sha256[65];
	char spki_sha256[65];
	char *issuer;                /* RFC 4514 text */
	char serial[96];             /* uppercase hex */
	int64_t not_after, created, last_used;  /* unix seconds; last_used 0 = never */
	char *nickname;              /* may be NULL */
	char *owner;                 /* the username at pairing time */
	br_blob cert;                /* DER */
} br_cert_pairing;

void br_cert_pairing_clear(br_cert_pairing *p);
void br_cert_pairings_free(br_cert_pairing **list, size_t n);
/* 1 when s is 64 lowercase hex digits. */
int br_cert_hash_ok(const char *s);

/*
 * Pair a certificate with u (owner = u->username), one LDAP add. EXISTS when
 * the certificate is paired anywhere (a card belongs to one account);
 * INVALID for a malformed record (hashes, issuer, serial, times, nickname).
 */
br_dir_rc br_dir_add_pairing(br_directory *d, const br_user *u, const br_cert_pairing *p);
/*
 * The pairings of username, oldest first (*n may be 0), and with user != NULL
 * its entry (credentials not loaded): ONE subtree search, for sshd's
 * AuthorizedKeysCommand, for the user entry and the entries naming it in
 * fidoCertOwner; only those directly under that user entry count.
 * NOT_FOUND when there is no such user.
 */
br_dir_rc br_dir_list_pairings(br_directory *d, const char *username, br_user **user,
    br_cert_pairing **out, size_t *n);
/* Remove u's pairing by certificate hash; NOT_FOUND when u has no such pairing. */
br_dir_rc br_dir_remove_pairing(br_directory *d, const br_user *u, const char *cert_sha256);
/*
 * The pairing of a certificate hash and its owner (read from the pairing's
 * parent entry, credentials not loaded): NOT_FOUND when unpaired or the owner
 * is gone, ERROR when the hash is under several entries (never one of them).
 */
br_dir_rc br_dir_find_pairing(br_directory *d, const char *cert_sha256, br_user **user, br_cert_pairing *p);
/*
 * match = mapping: the one user entry under user_base whose attribute equals
 * value (credentials loaded as br_dir_find_user does). INVALID for an
 * attribute that is not a plain descriptor or an unusable value; ERROR when
 * several entries have it (never one of them).
 */
br_dir_rc br_dir_find_user_by(br_directory *d, const char *attribute, const char *value, br_user **out);
/* Write fidoLastUsed = now when the stored one is older than the interval. */
br_dir_rc br_dir_pairing_used(br_directory *d, const br_cert_pairing *p, int64_t now);

#endif
