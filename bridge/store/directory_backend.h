/*
 * What a directory backend implements. The br_dir_* functions of
 * directory.c check every argument as directory.h describes before they
 * call one of these, so a backend sees only calls that passed those checks
 * (a nickname NULL or valid, removed by a rename to NULL; a sign-in handle
 * NULL/0 rather than too long; a credential whose created time is set).
 * A backend keeps the contracts of directory.h, and on every path that
 * returns BR_DIR_ERROR it says why with br_store_error_set (store_error.h).
 * LDAP is bridge/store/ldap/; tests/stores/mem_directory.c is one in memory.
 */
#ifndef BR_DIRECTORY_BACKEND_H
#define BR_DIRECTORY_BACKEND_H

#include "directory.h"
#include "store_error.h"

typedef struct br_directory_ops {
	const char *name;  /* "ldap": starts the error text when a backend gave none */
	br_dir_rc (*find_user)(void *backend, const char *username, br_user **out);
	br_dir_rc (*find_for_signin)(void *backend, const unsigned char *id, size_t len,
	    const unsigned char *user_handle, size_t handle_len, br_user **out);
	/* the dispatcher puts the handle into u after OK */
	br_dir_rc (*set_user_handle)(void *backend, const br_user *u, const unsigned char *handle, size_t len);
	br_dir_rc (*add_credential)(void *backend, const br_user *u, const br_credential_record *c);
	br_dir_rc (*rename_credential)(void *backend, const br_user *u, const unsigned char *id, size_t len,
	    const char *nickname);
	br_dir_rc (*delete_credential)(void *backend, const br_user *u, const unsigned char *id, size_t len);
	/* *wrote is 0 on entry */
	br_dir_rc (*record_use)(void *backend, const br_credential_record *c, uint32_t sign_count, int64_t now,
	    int *wrote);
	br_dir_rc (*add_enrolment_code)(void *backend, const br_user *u, const char *value);
	br_dir_rc (*remove_enrolment_code)(void *backend, const br_user *u, const char *value);
	br_dir_rc (*check_password)(void *backend, const br_user *u, const char *password);
	int (*check)(void *backend, char **report);
	void (*close)(void *backend);
	/* certificate pairings; NULL in a backend without them (the calls are then BR_DIR_ERROR) */
	const struct br_pairing_ops *pairing;
	/* every credential with this fidoAAGUID (text), each with its dn; NULL: not offered */
	br_dir_rc (*find_by_aaguid)(void *backend, const char *aaguid, br_credential_record **out, size_t *n);
} br_directory_ops;

typedef struct br_pairing_ops {
	br_dir_rc (*add)(void *backend, const br_user *u, const br_cert_pairing *p);
	br_dir_rc (*list)(void *backend, const char *username, br_user **user, br_cert_pairing **out, size_t *n);
	br_dir_rc (*remove)(void *backend, const br_user *u, const char *cert_sha256);
	br_dir_rc (*find)(void *backend, const char *cert_sha256, br_user **user, br_cert_pairing *p);
	br_dir_rc (*used)(void *backend, const br_cert_pairing *p, int64_t now);
	br_dir_rc (*find_user_by)(void *backend, const char *attribute, const char *value, br_user **out);
} br_pairing_ops;

struct br_directory {
	const br_directory_ops *ops;
	void *backend;
};

/* A directory over backend; NULL (with the backend closed) when out of memory. */
br_directory *br_directory_new(const br_directory_ops *ops, void *backend);

/* Free what c holds and zero it; the record itself is the caller's. */
void br_credential_clear(br_credential_record *c);

#endif
