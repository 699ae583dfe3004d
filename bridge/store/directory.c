/*
 * The directory's front: the argument rules of directory.h, checked once
 * here for every backend, then the call handed to the backend's ops.
 */
#include "directory_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/crypto.h"
#include "../core/text.h"
#include "../core/timefmt.h"
#include "../core/transport.h"

#define CRED_ID_MAX 1023     /* 1364 base64url characters: the schema's bound */
#define CODE_MAX 256         /* fidoEnrolmentCode IA5String{256} */
#define PASSWORD_MAX 1024
#define ALL_TRANSPORTS ((1u << BR_TRANSPORT_COUNT) - 1)

const char *
br_dir_rc_name(br_dir_rc rc)
{
	switch (rc) {
	case BR_DIR_OK:
		return "ok";
	case BR_DIR_NOT_FOUND:
		return "not found";
	case BR_DIR_EXISTS:
		return "exists";
	case BR_DIR_INVALID:
		return "invalid";
	case BR_DIR_ERROR:
		return "error";
	}
	return "unknown";
}

void
br_credential_clear(br_credential_record *c)
{
	free(c->dn);
	br_blob_reset(&c->id);
	br_blob_reset(&c->public_key);
	free(c->nickname);
	memset(c, 0, sizeof(*c));
}

void
br_user_free(br_user **up)
{
	br_user *u;
	size_t i;

	if (up == NULL || (u = *up) == NULL)
		return;
	free(u->dn);
	free(u->username);
	br_blob_reset(&u->user_handle);
	json_decref(u->attributes);
	for (i = 0; i < u->n_creds; i++)
		br_credential_clear(&u->creds[i]);
	free(u->creds);
	for (i = 0; i < u->n_enrolment_codes; i++) {
		br_wipe(u->enrolment_codes[i], strlen(u->enrolment_codes[i]));
		free(u->enrolment_codes[i]);
	}
	free(u->enrolment_codes);
	free(u);
	*up = NULL;
}

br_directory *
br_directory_new(const br_directory_ops *ops, void *backend)
{
	br_directory *d;

	if (ops == NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		ops->close(backend);
		return NULL;
	}
	d->ops = ops;
	d->backend = backend;
	return d;
}

void
br_directory_close(br_directory **dp)
{
	br_directory *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	d->ops->close(d->backend);
	free(d);
	*dp = NULL;
}

/* ---- the argument rules ---- */

static int
username_ok(const char *name)
{
	size_t len;

	if (name == NULL)
		return 0;
	len = strnlen(name, BR_USERNAME_MAX + 1);
	return len > 0 && len <= BR_USERNAME_MAX && br_utf8_ok((const unsigned char *)name, len, 1, NULL);
}

static int
cred_id_ok(const unsigned char *id, size_t len)
{
	return id != NULL && len > 0 && len <= CRED_ID_MAX;
}

static int
handle_ok(const unsigned char *handle, size_t len)
{
	return handle != NULL && len > 0 && len <= BR_USER_HANDLE_MAX;
}

/* Printable ASCII without spaces: what fidoEnrolmentCode's IA5String takes and a filter never misreads. */
static int
code_ok(const char *v)
{
	size_t i, n;

	if (v == NULL || (n = strnlen(v, CODE_MAX + 1)) == 0 || n > CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

/* No nickname is allowed; one that is there follows the one rule. */
static int
nickname_ok(const char *s)
{
	return s == NULL || br_nickname_ok(s);
}

static int
user_ok(const br_directory *d, const br_user *u)
{
	return d != NULL && u != NULL && u->dn != NULL;
}

static int
gentime_ok(int64_t t)
{
	char buf[32];

	return br_gentime_write(t, buf, sizeof(buf)) == 0;
}

static int
record_ok(const br_credential_record *c)
{
	return c != NULL && cred_id_ok(c->id.ptr, c->id.len) && c->public_key.ptr != NULL && c->public_key.len > 0 &&
	    nickname_ok(c->nickname) && memchr(c->aaguid, '\0', sizeof(c->aaguid)) != NULL &&
	    (c->aaguid[0] == '\0' || br_aaguid_text_ok(c->aaguid)) && memchr(c->fmt, '\0', sizeof(c->fmt)) != NULL &&
	    (c->fmt[0] == '\0' || br_fmt_ok(c->fmt)) && (c->transports & ~ALL_TRANSPORTS) == 0 &&
	    gentime_ok(c->created) && (c->last_used == 0 || gentime_ok(c->last_used));
}

/*
 * A backend's answer. Every ERROR carries a reason for the audit line: a
 * backend that gave none gets "<backend> <op>: error".
 */
static br_dir_rc
answer(const br_directory *d, const char *op, br_dir_rc r)
{
	char what[64];

	if (r == BR_DIR_ERROR && br_store_error_get()[0] == '\0') {
		snprintf(what, sizeof(what), "%s %s", d->ops->name, op);
		br_store_error_set(what, br_dir_rc_name(r));
	}
	return r;
}

/* A lookup's answer: *out is set exactly when it is OK. */
static br_dir_rc
lookup_answer(const br_directory *d, const char *op, br_dir_rc r, br_user **out)
{
	if (r != BR_DIR_OK)
		br_user_free(out);
	else if (*out == NULL)
		r = BR_DIR_ERROR;
	return answer(d, op, r);
}

/* ---- the calls ---- */

br_dir_rc
br_dir_find_user(br_directory *d, const char *username, br_user **out)
{
	if (out == NULL)
		return BR_DIR_INVALID;
	*out = NULL;
	if (d == NULL || !username_ok(username))
		return BR_DIR_INVALID;
	return lookup_answer(d, "find_user", d->ops->find_user(d->backend, username, out), out);
}

br_dir_rc
br_dir_find_for_signin(br_directory *d, const unsigned char *id, size_t len, const unsigned char *user_handle,
    size_t handle_len, br_user **out)
{
	if (out == NULL)
		return BR_DIR_INVALID;
	*out = NULL;
	if (d == NULL || !cred_id_ok(id, len))
		return BR_DIR_INVALID;
	/* a handle no user can have is no hint: the owner is still found, the verifier judges */
	if (!handle_ok(user_handle, handle_len)) {
		user_handle = NULL;
		handle_len = 0;
	}
	return lookup_answer(d, "find_for_signin",
	    d->ops->find_for_signin(d->backend, id, len, user_handle, handle_len, out), out);
}

br_dir_rc
br_dir_set_user_handle(br_directory *d, br_user *u, const unsigned char *handle, size_t len)
{
	br_dir_rc r;

	if (!user_ok(d, u) || !handle_ok(handle, len))
		return BR_DIR_INVALID;
	r = d->ops->set_user_handle(d->backend, u, handle, len);
	if (r == BR_DIR_OK && br_blob_set(&u->user_handle, handle, len) < 0) {
		/* stored, but we cannot say so in u */
		br_store_error_set("directory", "out of memory");
		r = BR_DIR_ERROR;
	}
	return answer(d, "set_user_handle", r);
}

br_dir_rc
br_dir_add_credential(br_directory *d, const br_user *u, const br_credential_record *c)
{
	br_credential_record stamped;

	if (!user_ok(d, u) || c == NULL)
		return BR_DIR_INVALID;
	stamped = *c;
	if (stamped.created <= 0)
		stamped.created = (int64_t)time(NULL);
	if (!record_ok(&stamped))
		return BR_DIR_INVALID;
	return answer(d, "add_credential", d->ops->add_credential(d->backend, u, &stamped));
}

br_dir_rc
br_dir_rename_credential(br_directory *d, const br_user *u, const unsigned char *id, size_t len,
    const char *nickname)
{
	if (!user_ok(d, u) || !cred_id_ok(id, len) || !nickname_ok(nickname))
		return BR_DIR_INVALID;
	return answer(d, "rename_credential", d->ops->rename_credential(d->backend, u, id, len, nickname));
}

br_dir_rc
br_dir_delete_credential(br_directory *d, const br_user *u, const unsigned char *id, size_t len)
{
	if (!user_ok(d, u) || !cred_id_ok(id, len))
		return BR_DIR_INVALID;
	return answer(d, "delete_credential", d->ops->delete_credential(d->backend, u, id, len));
}

br_dir_rc
br_dir_record_use(br_directory *d, const br_credential_record *c, uint32_t sign_count, int64_t now, int *wrote)
{
	if (wrote != NULL)
		*wrote = 0;
	if (d == NULL || c == NULL || c->dn == NULL || wrote == NULL || !gentime_ok(now))
		return BR_DIR_INVALID;
	return answer(d, "record_use", d->ops->record_use(d->backend, c, sign_count, now, wrote));
}

br_dir_rc
br_dir_add_enrolment_code(br_directory *d, const br_user *u, const char *value)
{
	if (!user_ok(d, u) || !code_ok(value))
		return BR_DIR_INVALID;
	return answer(d, "add_enrolment_code", d->ops->add_enrolment_code(d->backend, u, value));
}

br_dir_rc
br_dir_remove_enrolment_code(br_directory *d, const br_user *u, const char *value)
{
	if (!user_ok(d, u) || !code_ok(value))
		return BR_DIR_INVALID;
	return answer(d, "remove_enrolment_code", d->ops->remove_enrolment_code(d->backend, u, value));
}

br_dir_rc
br_dir_check_password(br_directory *d, const br_user *u, const char *password)
{
	/* an empty password is an unauthenticated bind in LDAP, which always "succeeds" */
	if (!user_ok(d, u) || password == NULL || *password == '\0' || strnlen(password, PASSWORD_MAX + 1) > PASSWORD_MAX)
		return BR_DIR_INVALID;
	return answer(d, "check_password", d->ops->check_password(d->backend, u, password));
}

int
br_dir_check(br_directory *d, char **report)
{
	if (report != NULL)
		*report = NULL;
	if (d == NULL)
		return 1;
	return d->ops->check(d->backend, report);
}

/* ---- certificate pairings ---- */

#define PAIRING_ISSUER_MAX 1024   /* fidoCertIssuer DirectoryString{1024} */
#define PAIRING_CERT_MAX 16384    /* fidoCertificate OCTET STRING{16384} */

void
br_cert_pairing_clear(br_cert_pairing *p)
{
	if (p == NULL)
		return;
	free(p->dn);
	free(p->issuer);
	free(p->nickname);
	free(p->owner);
	br_blob_reset(&p->cert);
	memset(p, 0, sizeof(*p));
}

void
br_cert_pairings_free(br_cert_pairing **list, size_t n)
{
	size_t i;

	if (list == NULL || *list == NULL)
		return;
	for (i = 0; i < n; i++)
		br_cert_pairing_clear(&(*list)[i]);
	free(*list);
	*list = NULL;
}

int
br_cert_hash_ok(const char *s)
{
	size_t i;

	if (s == NULL || strnlen(s, 65) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
serial_ok(const char *s)
{
	size_t i, n = strnlen(s, 96);

	if (n == 0 || n >= 96)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') || (i == 0 && s[i] == '-')))
			return 0;
	return 1;
}

static int
pairing_ok(const br_cert_pairing *p)
{
	size_t il;

	if (p == NULL || !br_cert_hash_ok(p->cert_sha256) || !br_cert_hash_ok(p->spki_sha256) ||
	    memchr(p->serial, '\0', sizeof(p->serial)) == NULL || !serial_ok(p->serial) || p->issuer == NULL)
		return 0;
	il = strnlen(p->issuer, PAIRING_ISSUER_MAX + 1);
	return il > 0 && il <= PAIRING_ISSUER_MAX && br_utf8_ok((const unsigned char *)p->issuer, il, 1, NULL) &&
	    p->cert.ptr != NULL && p->cert.len > 0 && p->cert.len <= PAIRING_CERT_MAX &&
	    nickname_ok(p->nickname) && gentime_ok(p->not_after) && gentime_ok(p->created) &&
	    (p->last_used == 0 || gentime_ok(p->last_used));
}

static br_dir_rc
no_pairings(const br_directory *d, const char *op)
{
	char what[64];

	snprintf(what, sizeof(what), "%s %s", d->ops->name, op);
	br_store_error_set(what, "certificate pairings not supported");
	return BR_DIR_ERROR;
}

br_dir_rc
br_dir_add_pairing(br_directory *d, const br_user *u, const br_cert_pairing *p)
{
	br_cert_pairing stamped;

	if (!user_ok(d, u) || !username_ok(u->username) || p == NULL)
		return BR_DIR_INVALID;
	stamped = *p;
	if (stamped.created <= 0)
		stamped.created = (int64_t)time(NULL);
	if (!pairing_ok(&stamped))
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL)
		return no_pairings(d, "add_pairing");
	return answer(d, "add_pairing", d->ops->pairing->add(d->backend, u, &stamped));
}

br_dir_rc
br_dir_list_pairings(br_directory *d, const char *username, br_user **user, br_cert_pairing **out, size_t *n)
{
	br_dir_rc r;

	if (user != NULL)
		*user = NULL;
	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (d == NULL || !username_ok(username) || out == NULL || n == NULL)
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL)
		return no_pairings(d, "list_pairings");
	r = d->ops->pairing->list(d->backend, username, user, out, n);
	if (r != BR_DIR_OK) {
		br_cert_pairings_free(out, *n);
		*n = 0;
		if (user != NULL)
			br_user_free(user);
	}
	return answer(d, "list_pairings", r);
}

br_dir_rc
br_dir_remove_pairing(br_directory *d, const br_user *u, const char *cert_sha256)
{
	if (!user_ok(d, u) || !br_cert_hash_ok(cert_sha256))
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL)
		return no_pairings(d, "remove_pairing");
	return answer(d, "remove_pairing", d->ops->pairing->remove(d->backend, u, cert_sha256));
}

br_dir_rc
br_dir_find_pairing(br_directory *d, const char *cert_sha256, br_user **user, br_cert_pairing *p)
{
	br_dir_rc r;

	if (user != NULL)
		*user = NULL;
	if (p != NULL)
		memset(p, 0, sizeof(*p));
	if (d == NULL || !br_cert_hash_ok(cert_sha256) || user == NULL || p == NULL)
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL)
		return no_pairings(d, "find_pairing");
	r = d->ops->pairing->find(d->backend, cert_sha256, user, p);
	if (r != BR_DIR_OK)
		br_cert_pairing_clear(p);
	return lookup_answer(d, "find_pairing", r, user);
}

br_dir_rc
br_dir_find_user_by(br_directory *d, const char *attribute, const char *value, br_user **out)
{
	size_t n;

	if (out != NULL)
		*out = NULL;
	if (d == NULL || out == NULL || !br_ldap_descriptor_ok(attribute) || value == NULL ||
	    (n = strnlen(value, PAIRING_ISSUER_MAX + 1)) == 0 || n > PAIRING_ISSUER_MAX ||
	    !br_utf8_ok((const unsigned char *)value, n, 1, NULL))
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL || d->ops->pairing->find_user_by == NULL)
		return no_pairings(d, "find_user_by");
	return lookup_answer(d, "find_user_by", d->ops->pairing->find_user_by(d->backend, attribute, value, out), out);
}

br_dir_rc
br_dir_pairing_used(br_directory *d, const br_cert_pairing *p, int64_t now)
{
	if (d == NULL || p == NULL || p->dn == NULL || !gentime_ok(now))
		return BR_DIR_INVALID;
	if (d->ops->pairing == NULL)
		return no_pairings(d, "pairing_used");
	return answer(d, "pairing_used", d->ops->pairing->used(d->backend, p, now));
}

br_dir_rc
br_dir_find_by_aaguid(br_directory *d, const char *aaguid, br_credential_record **out, size_t *n)
{
	if (out == NULL || n == NULL)
		return BR_DIR_INVALID;
	*out = NULL;
	*n = 0;
	if (d == NULL || aaguid == NULL || !br_aaguid_text_ok(aaguid))
		return BR_DIR_INVALID;
	if (d->ops->find_by_aaguid == NULL) {
		br_store_error_set(d->ops->name, "listing credentials by model is not offered");
		return BR_DIR_ERROR;
	}
	return answer(d, "find_by_aaguid", d->ops->find_by_aaguid(d->backend, aaguid, out, n));
}

void
br_dir_credentials_free(br_credential_record **c, size_t n)
{
	size_t i;

	if (c == NULL || *c == NULL)
		return;
	for (i = 0; i < n; i++)
		br_credential_clear(&(*c)[i]);
	free(*c);
	*c = NULL;
}
