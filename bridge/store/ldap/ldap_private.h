/*
 * The LDAP directory's shared inside: its state, the connection and retry
 * rule (run), and the search, filter, DN and berval helpers that conn.c,
 * read.c, signin.c, write.c and check.c have in common. Only the files in
 * this directory include it, and with it ldap.h.
 */
#ifndef BR_LDAP_PRIVATE_H
#define BR_LDAP_PRIVATE_H

#include <pthread.h>
#include <stddef.h>
#include <sys/time.h>

#include <ldap.h>

#include "../directory_backend.h"

typedef struct ldir {
	char *uri;
	char *bind_dn;
	char *bind_password;    /* kept to rebind after a reconnect; wiped on close */
	char *ca_file;
	char *user_base;
	char *username_attribute;
	char *disabled_attribute;
	char *disabled_value;
	char **attributes;      /* configured ones, n_attributes of them */
	size_t n_attributes;
	char **user_attrs;      /* what a user search asks for, NULL-terminated */
	char **signin_attrs;    /* user_attrs and cred_attrs: a sign-in search fetches both entries */
	int sasl_external;
	int starttls;
	int tls;                /* ldaps://, StartTLS or a CA file: set TLS options */
	struct timeval timeout;
	unsigned last_used_interval_s;
	pthread_mutex_t setup_lock;  /* handle setup touches libldap's global and TLS state */
	pthread_key_t tls_key;       /* this thread's LDAP * */
	int lock_ok, key_ok;
} ldir;

/* The attributes of a credential entry, NULL-terminated (read.c). */
extern const char *const ldir_cred_attrs[];

/* ---- failures (conn.c): the reason for the audit line, never a DN, filter or value ---- */

/* An LDAP result that failed op ("ldap search"): its text, and *lrc (may be NULL) for ldir_run. */
br_dir_rc ldir_failed(const char *op, int rc, int *lrc);
/* A failure of ours, not the library's: a plain reason. */
br_dir_rc ldir_fail(const char *op, const char *why);
br_dir_rc ldir_oom(void);

/* ---- connections (conn.c) ---- */

/*
 * An operation: returns the outcome and leaves in *lrc the LDAP result that
 * made it fail (LDAP_SUCCESS otherwise). It must leave no output behind when
 * it fails, since it may run again.
 */
typedef br_dir_rc (*ldir_op)(ldir *d, LDAP *ld, void *arg, int *lrc);

/* fn on this thread's connection; once more on a fresh one when that one was gone. */
br_dir_rc ldir_run(ldir *d, ldir_op fn, void *arg);
/*
 * The same for a write: tried again only when the connection was gone
 * before the server could have acted (down, refused). A timeout is not
 * retried: the write may have been applied with the reply lost, and trying
 * again would turn that success into "not found" (a code already removed)
 * or "exists" (a credential already added).
 */
br_dir_rc ldir_run_write(ldir *d, ldir_op fn, void *arg);
/* Results after which the connection is suspect. */
int ldir_transient(int rc);
/* This thread's connection, opened and bound when there is none; NULL with the reason in *rc (and br_store_error). */
LDAP *ldir_conn_get(ldir *d, int *rc);
void ldir_conn_drop(ldir *d);
/* A new handle with our options (and StartTLS when asked), not bound; the reason in br_store_error when not. */
int ldir_connect(ldir *d, LDAP **out);

/* ---- searches, filters, DNs, values (conn.c) ---- */

int ldir_search(ldir *d, LDAP *ld, const char *base, int scope, const char *filter,
    const char *const *attrs, int sizelimit, LDAPMessage **res);
/* "(attr=value)", or "(&(objectClass=cls)(attr=value))", value escaped per RFC 4515. */
char *ldir_eq_filter(const char *cls, const char *attr, const void *val, size_t len);
/* "(&(objectClass=fidoCredential)(fidoCredentialId=<base64url>))" */
char *ldir_cred_filter(const unsigned char *id, size_t len);
/* The first value of attr, or NULL (free with ldap_value_free_len via *all). */
struct berval *ldir_first_value(LDAP *ld, LDAPMessage *e, const char *attr, struct berval ***all);
/* dn in the LDAPv3 string form libldap writes, in a new string ("" for the root). */
char *ldir_dn_normal(const char *dn);
char *ldir_bv_strdup(const struct berval *b);
/* 0 when equal ignoring ASCII case. */
int ldir_casecmp_n(const char *a, size_t alen, const char *b, size_t blen);

/* ---- entries (read.c) ---- */

/* One credential entry; -1 when it is malformed. */
int ldir_parse_cred(LDAP *ld, LDAPMessage *e, br_credential_record *c);
/* A user entry into a new br_user, without credentials; want_name picks among username values. */
br_dir_rc ldir_user_from_entry(ldir *d, LDAP *ld, LDAPMessage *e, const char *want_name, br_user **out);

/* The parent of dn, in ldir_dn_normal's form, in a new string (ldap_memfree); NULL for none (signin.c). */
char *ldir_parent_dn(const char *dn);
/* The entry at dn (base search) as a user, without credentials: NOT_FOUND when gone (signin.c). */
br_dir_rc ldir_read_user_at(ldir *d, LDAP *ld, const char *dn, br_user **out, int *lrc);

/* ---- the operations (br_directory_ops, see directory_backend.h) ---- */

br_dir_rc ldir_find_user(void *backend, const char *username, br_user **out);
br_dir_rc ldir_find_for_signin(void *backend, const unsigned char *id, size_t len,
    const unsigned char *user_handle, size_t handle_len, br_user **out);
br_dir_rc ldir_set_user_handle(void *backend, const br_user *u, const unsigned char *handle, size_t len);
br_dir_rc ldir_add_credential(void *backend, const br_user *u, const br_credential_record *c);
br_dir_rc ldir_rename_credential(void *backend, const br_user *u, const unsigned char *id, size_t len,
    const char *nickname);
br_dir_rc ldir_delete_credential(void *backend, const br_user *u, const unsigned char *id, size_t len);
br_dir_rc ldir_record_use(void *backend, const br_credential_record *c, uint32_t sign_count, int64_t now,
    int *wrote);
br_dir_rc ldir_add_enrolment_code(void *backend, const br_user *u, const char *value);
br_dir_rc ldir_remove_enrolment_code(void *backend, const br_user *u, const char *value);
br_dir_rc ldir_check_password(void *backend, const br_user *u, const char *password);
br_dir_rc ldir_find_by_aaguid(void *backend, const char *aaguid, br_credential_record **out, size_t *n);
int ldir_check(void *backend, char **report);
/* match = mapping: one user entry by attribute = value (read.c) */
br_dir_rc ldir_find_user_by(void *backend, const char *attribute, const char *value, br_user **out);
/* certificate pairings (pairing.c) */
extern const br_pairing_ops ldir_pairing_ops;

#endif
