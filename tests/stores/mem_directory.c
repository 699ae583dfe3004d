/*
 * The directory in memory: users with their credentials and codes under
 * one mutex. It answers as the LDAP backend does (directory.h): credential
 * ids unique across users, an enrolment code removed once, record_use
 * writing only what changed or aged. Lookups hand out deep copies.
 */
#include "mem_stores.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../bridge/core/b64url.h"
#include "directory_backend.h"

struct mem_user {
	char *dn, *username, *password;
	json_t *attributes;
	int disabled;
	br_blob handle;
	char **codes;
	size_t n_codes;
	br_credential_record *creds;  /* oldest first, as the LDAP backend sorts them */
	size_t n_creds;
};

enum { OP_FIND_USER, OP_FIND_FOR_SIGNIN, OP_SET_USER_HANDLE, OP_ADD_CREDENTIAL, OP_RENAME_CREDENTIAL,
	OP_DELETE_CREDENTIAL, OP_RECORD_USE, OP_ADD_ENROLMENT_CODE, OP_REMOVE_ENROLMENT_CODE,
	OP_CHECK_PASSWORD, OP_CHECK, N_OPS };

static const char *const op_names[N_OPS] = { "find_user", "find_for_signin", "set_user_handle",
	"add_credential", "rename_credential", "delete_credential", "record_use", "add_enrolment_code",
	"remove_enrolment_code", "check_password", "check" };

struct mem_dir {
	pthread_mutex_t lock;
	struct mem_user *users;
	size_t n, cap;
	unsigned interval;
	unsigned fail_any, fail[N_OPS];
	unsigned writes;
};

static const br_directory_ops mem_dir_ops;

static struct mem_dir *
backend_of(br_directory *d)
{
	if (d == NULL || d->ops != &mem_dir_ops) {
		fprintf(stderr, "mem_directory: not a directory from mem_dir_open\n");
		abort();
	}
	return d->backend;
}

static br_dir_rc
fail(int op, const char *why)
{
	char what[48];

	snprintf(what, sizeof(what), "mem %s", op_names[op]);
	br_store_error_set(what, why);
	return BR_DIR_ERROR;
}

/* Lock, and say whether an injected failure is due for op (it is then taken). */
static int
enter(struct mem_dir *m, int op)
{
	pthread_mutex_lock(&m->lock);
	if (m->fail_any > 0)
		m->fail_any--;
	else if (m->fail[op] > 0)
		m->fail[op]--;
	else
		return 0;
	fail(op, "injected failure");
	return 1;
}

static struct mem_user *
user_at(struct mem_dir *m, const char *dn)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->users[i].dn, dn) == 0)
			return &m->users[i];
	return NULL;
}

static long
cred_index(const struct mem_user *u, const unsigned char *id, size_t len)
{
	size_t i;

	for (i = 0; i < u->n_creds; i++)
		if (u->creds[i].id.len == len && memcmp(u->creds[i].id.ptr, id, len) == 0)
			return (long)i;
	return -1;
}

/* The credential id under any user, or NULL (*owner gets its user). */
static br_credential_record *
cred_anywhere(struct mem_dir *m, const unsigned char *id, size_t len, struct mem_user **owner)
{
	size_t i;
	long k;

	for (i = 0; i < m->n; i++)
		if ((k = cred_index(&m->users[i], id, len)) >= 0) {
			*owner = &m->users[i];
			return &m->users[i].creds[k];
		}
	return NULL;
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = strdup(s)) == NULL)
		*oom = 1;
	return r;
}

/* A deep copy of c into out; -1 when out of memory (out is then cleared). */
static int
cred_copy(br_credential_record *out, const br_credential_record *c)
{
	int oom = 0;

	*out = *c;
	out->id.ptr = NULL;
	out->public_key.ptr = NULL;
	out->dn = dup_or_null(c->dn, &oom);
	out->nickname = dup_or_null(c->nickname, &oom);
	if (oom || br_blob_set(&out->id, c->id.ptr, c->id.len) < 0 ||
	    br_blob_set(&out->public_key, c->public_key.ptr, c->public_key.len) < 0) {
		br_credential_clear(out);
		return -1;
	}
	return 0;
}

/* The user as a lookup returns it: with every credential, or only `only` when it is >= 0. */
static br_user *
user_copy(const struct mem_user *mu, long only)
{
	br_user *u = calloc(1, sizeof(*u));
	size_t i, n = only >= 0 ? 1 : mu->n_creds;
	int oom = 0;

	if (u == NULL)
		return NULL;
	u->dn = dup_or_null(mu->dn, &oom);
	u->username = dup_or_null(mu->username, &oom);
	u->disabled = mu->disabled;
	u->attributes = json_deep_copy(mu->attributes);
	if (oom || u->attributes == NULL || br_blob_set(&u->user_handle, mu->handle.ptr, mu->handle.len) < 0)
		goto oom;
	if (n > 0 && (u->creds = calloc(n, sizeof(*u->creds))) == NULL)
		goto oom;
	for (i = 0; i < n; i++, u->n_creds++)
		if (cred_copy(&u->creds[i], &mu->creds[only >= 0 ? (size_t)only : i]) < 0)
			goto oom;
	if (mu->n_codes > 0 && (u->enrolment_codes = calloc(mu->n_codes, sizeof(char *))) == NULL)
		goto oom;
	for (i = 0; i < mu->n_codes; i++, u->n_enrolment_codes++)
		if ((u->enrolment_codes[i] = strdup(mu->codes[i])) == NULL)
			goto oom;
	return u;
oom:
	br_user_free(&u);
	return NULL;
}

/* ---- lookups ---- */

static br_dir_rc
mem_find_user(void *backend, const char *username, br_user **out)
{
	struct mem_dir *m = backend;
	struct mem_user *found = NULL;
	br_dir_rc r = BR_DIR_NOT_FOUND;
	size_t i, n = 0;

	if (enter(m, OP_FIND_USER)) {
		r = BR_DIR_ERROR;
		goto out;
	}
	for (i = 0; i < m->n; i++)
		if (strcasecmp(m->users[i].username, username) == 0 && n++ == 0)
			found = &m->users[i];
	if (n > 1)
		r = fail(OP_FIND_USER, "several entries for one username");
	else if (found != NULL)
		r = (*out = user_copy(found, -1)) != NULL ? BR_DIR_OK : fail(OP_FIND_USER, "out of memory");
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* The handle changes nothing here: LDAP's one search is a cost, not a rule. */
static br_dir_rc
mem_find_for_signin(void *backend, const unsigned char *id, size_t len, const unsigned char *user_handle,
    size_t handle_len, br_user **out)
{
	struct mem_dir *m = backend;
	struct mem_user *owner = NULL;
	br_credential_record *c;
	br_dir_rc r = BR_DIR_NOT_FOUND;

	(void)user_handle;
	(void)handle_len;
	if (enter(m, OP_FIND_FOR_SIGNIN)) {
		r = BR_DIR_ERROR;
		goto out;
	}
	if ((c = cred_anywhere(m, id, len, &owner)) != NULL)
		r = (*out = user_copy(owner, c - owner->creds)) != NULL ? BR_DIR_OK : fail(OP_FIND_FOR_SIGNIN, "out of memory");
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* ---- writes ---- */

static br_dir_rc
mem_set_user_handle(void *backend, const br_user *u, const unsigned char *handle, size_t len)
{
	struct mem_dir *m = backend;
	struct mem_user *mu;
	br_dir_rc r = BR_DIR_ERROR;

	if (enter(m, OP_SET_USER_HANDLE))
		goto out;
	if ((mu = user_at(m, u->dn)) == NULL)
		r = BR_DIR_NOT_FOUND;
	else if (mu->handle.len > 0)
		r = BR_DIR_EXISTS;
	else if (br_blob_set(&mu->handle, handle, len) < 0)
		r = fail(OP_SET_USER_HANDLE, "out of memory");
	else
		r = BR_DIR_OK;
out:
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	return r;
}

static int
cred_order(const br_credential_record *a, const br_credential_record *b)
{
	size_t n = a->id.len < b->id.len ? a->id.len : b->id.len;
	int c;

	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	if ((c = memcmp(a->id.ptr, b->id.ptr, n)) != 0)
		return c;
	return a->id.len < b->id.len ? -1 : a->id.len > b->id.len;
}

static br_dir_rc
mem_add_credential(void *backend, const br_user *u, const br_credential_record *c)
{
	struct mem_dir *m = backend;
	struct mem_user *mu, *owner;
	br_credential_record copy, *nc;
	char *b64 = NULL, *dn = NULL;
	br_dir_rc r = BR_DIR_ERROR;
	size_t at, n;

	memset(&copy, 0, sizeof(copy));
	if (enter(m, OP_ADD_CREDENTIAL))
		goto out;
	if (cred_anywhere(m, c->id.ptr, c->id.len, &owner) != NULL) {
		r = BR_DIR_EXISTS;  /* for this user or another */
		goto out;
	}
	if ((mu = user_at(m, u->dn)) == NULL) {
		r = BR_DIR_NOT_FOUND;
		goto out;
	}
	/* named as the LDAP entry would be: record_use finds it by this */
	if ((b64 = br_b64url_encode_alloc(c->id.ptr, c->id.len)) == NULL ||
	    (dn = malloc((n = strlen(b64) + strlen(mu->dn) + 32))) == NULL || cred_copy(&copy, c) < 0 ||
	    (nc = realloc(mu->creds, (mu->n_creds + 1) * sizeof(*nc))) == NULL) {
		r = fail(OP_ADD_CREDENTIAL, "out of memory");
		goto out;
	}
	snprintf(dn, n, "fidoCredentialId=%s,%s", b64, mu->dn);
	free(copy.dn);
	copy.dn = dn;
	dn = NULL;
	mu->creds = nc;
	for (at = 0; at < mu->n_creds && cred_order(&mu->creds[at], &copy) < 0; at++)
		;
	memmove(&mu->creds[at + 1], &mu->creds[at], (mu->n_creds - at) * sizeof(*nc));
	mu->creds[at] = copy;
	mu->n_creds++;
	memset(&copy, 0, sizeof(copy));
	r = BR_DIR_OK;
out:
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	br_credential_clear(&copy);
	free(b64);
	free(dn);
	return r;
}

/* The credential id of user u, locked and looked up for op; NULL with *r set otherwise. */
static br_credential_record *
users_cred(struct mem_dir *m, int op, const br_user *u, const unsigned char *id, size_t len, br_dir_rc *r,
    struct mem_user **owner)
{
	long k;

	*r = BR_DIR_ERROR;
	if (enter(m, op))
		return NULL;
	*r = BR_DIR_NOT_FOUND;  /* another user's credential, through u: not found */
	if ((*owner = user_at(m, u->dn)) == NULL || (k = cred_index(*owner, id, len)) < 0)
		return NULL;
	*r = BR_DIR_OK;
	return &(*owner)->creds[k];
}

static br_dir_rc
mem_rename_credential(void *backend, const br_user *u, const unsigned char *id, size_t len, const char *nickname)
{
	struct mem_dir *m = backend;
	struct mem_user *owner;
	br_credential_record *c;
	br_dir_rc r;
	char *nn = NULL;

	if ((c = users_cred(m, OP_RENAME_CREDENTIAL, u, id, len, &r, &owner)) != NULL) {
		if (nickname != NULL && (nn = strdup(nickname)) == NULL) {
			r = fail(OP_RENAME_CREDENTIAL, "out of memory");
		} else {
			free(c->nickname);
			c->nickname = nn;
		}
	}
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	return r;
}

static br_dir_rc
mem_delete_credential(void *backend, const br_user *u, const unsigned char *id, size_t len)
{
	struct mem_dir *m = backend;
	struct mem_user *owner;
	br_credential_record *c;
	br_dir_rc r;
	size_t k;

	if ((c = users_cred(m, OP_DELETE_CREDENTIAL, u, id, len, &r, &owner)) != NULL) {
		k = (size_t)(c - owner->creds);
		br_credential_clear(c);
		memmove(c, c + 1, (owner->n_creds - k - 1) * sizeof(*c));
		owner->n_creds--;
	}
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	return r;
}

static br_dir_rc
mem_record_use(void *backend, const br_credential_record *c, uint32_t sign_count, int64_t now, int *wrote)
{
	struct mem_dir *m = backend;
	br_credential_record *stored = NULL;
	br_dir_rc r = BR_DIR_ERROR;
	int write_count, write_time;
	size_t i, k;

	if (enter(m, OP_RECORD_USE))
		goto out;
	/* judged on what the caller read, as the LDAP backend does: no read before the write */
	write_count = sign_count != c->sign_count;
	write_time = c->last_used == 0 || now - c->last_used >= (int64_t)m->interval;
	r = BR_DIR_OK;
	if (!write_count && !write_time)
		goto out;
	for (i = 0; i < m->n && stored == NULL; i++)
		for (k = 0; k < m->users[i].n_creds && stored == NULL; k++)
			if (strcmp(m->users[i].creds[k].dn, c->dn) == 0)
				stored = &m->users[i].creds[k];
	if (stored == NULL) {
		r = BR_DIR_NOT_FOUND;
		goto out;
	}
	if (write_count)
		stored->sign_count = sign_count;
	if (write_time)
		stored->last_used = now;
	*wrote = 1;
	m->writes++;
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

static long
code_index(const struct mem_user *mu, const char *value)
{
	size_t i;

	for (i = 0; i < mu->n_codes; i++)
		if (strcmp(mu->codes[i], value) == 0)  /* caseExactIA5Match */
			return (long)i;
	return -1;
}

static br_dir_rc
mem_add_enrolment_code(void *backend, const br_user *u, const char *value)
{
	struct mem_dir *m = backend;
	struct mem_user *mu;
	br_dir_rc r = BR_DIR_ERROR;
	char **nc, *v;

	if (enter(m, OP_ADD_ENROLMENT_CODE))
		goto out;
	if ((mu = user_at(m, u->dn)) == NULL) {
		r = BR_DIR_NOT_FOUND;
	} else if (code_index(mu, value) >= 0) {
		r = BR_DIR_EXISTS;
	} else if ((v = strdup(value)) == NULL || (nc = realloc(mu->codes, (mu->n_codes + 1) * sizeof(*nc))) == NULL) {
		free(v);
		r = fail(OP_ADD_ENROLMENT_CODE, "out of memory");
	} else {
		mu->codes = nc;
		mu->codes[mu->n_codes++] = v;
		r = BR_DIR_OK;
	}
out:
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* Exactly once: of two removers of one code, the second finds it gone. */
static br_dir_rc
mem_remove_enrolment_code(void *backend, const br_user *u, const char *value)
{
	struct mem_dir *m = backend;
	struct mem_user *mu;
	br_dir_rc r = BR_DIR_ERROR;
	long k;

	if (enter(m, OP_REMOVE_ENROLMENT_CODE))
		goto out;
	r = BR_DIR_NOT_FOUND;
	if ((mu = user_at(m, u->dn)) != NULL && (k = code_index(mu, value)) >= 0) {
		free(mu->codes[k]);
		mu->codes[k] = mu->codes[--mu->n_codes];
		r = BR_DIR_OK;
	}
out:
	m->writes += r == BR_DIR_OK;
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* Wrong password, no password, no such user: all NOT_FOUND, as a failed bind. */
static br_dir_rc
mem_check_password(void *backend, const br_user *u, const char *password)
{
	struct mem_dir *m = backend;
	struct mem_user *mu;
	br_dir_rc r = BR_DIR_ERROR;

	if (enter(m, OP_CHECK_PASSWORD))
		goto out;
	mu = user_at(m, u->dn);
	r = mu != NULL && mu->password != NULL && strcmp(mu->password, password) == 0 ? BR_DIR_OK : BR_DIR_NOT_FOUND;
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

static int
mem_check(void *backend, char **report)
{
	struct mem_dir *m = backend;
	char buf[64];
	int failed = enter(m, OP_CHECK);

	if (failed)
		snprintf(buf, sizeof(buf), "ERROR: injected failure\n");
	else
		snprintf(buf, sizeof(buf), "ok: in memory, %zu users\n", m->n);
	pthread_mutex_unlock(&m->lock);
	if (report != NULL)
		*report = strdup(buf);
	return failed;
}

static void
user_clear(struct mem_user *mu)
{
	size_t i;

	free(mu->dn);
	free(mu->username);
	free(mu->password);
	json_decref(mu->attributes);
	br_blob_reset(&mu->handle);
	for (i = 0; i < mu->n_codes; i++)
		free(mu->codes[i]);
	free(mu->codes);
	for (i = 0; i < mu->n_creds; i++)
		br_credential_clear(&mu->creds[i]);
	free(mu->creds);
}

static void
mem_close(void *backend)
{
	struct mem_dir *m = backend;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		user_clear(&m->users[i]);
	free(m->users);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const br_directory_ops mem_dir_ops = {
	.name = "mem",
	.find_user = mem_find_user,
	.find_for_signin = mem_find_for_signin,
	.set_user_handle = mem_set_user_handle,
	.add_credential = mem_add_credential,
	.rename_credential = mem_rename_credential,
	.delete_credential = mem_delete_credential,
	.record_use = mem_record_use,
	.add_enrolment_code = mem_add_enrolment_code,
	.remove_enrolment_code = mem_remove_enrolment_code,
	.check_password = mem_check_password,
	.check = mem_check,
	.close = mem_close,
};

/* ---- setting the scene ---- */

br_directory *
mem_dir_open(unsigned last_used_interval_s)
{
	struct mem_dir *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	m->interval = last_used_interval_s;
	return br_directory_new(&mem_dir_ops, m);
}

int
mem_dir_add_user(br_directory *d, const char *username, const char *dn, const json_t *attributes, int disabled)
{
	struct mem_dir *m = backend_of(d);
	struct mem_user mu, *nu;
	int r = -1, oom = 0;

	memset(&mu, 0, sizeof(mu));
	if (username == NULL || dn == NULL || (attributes != NULL && !json_is_object(attributes)))
		return -1;
	mu.username = dup_or_null(username, &oom);
	mu.dn = dup_or_null(dn, &oom);
	mu.attributes = attributes != NULL ? json_deep_copy(attributes) : json_object();
	mu.disabled = disabled != 0;
	pthread_mutex_lock(&m->lock);
	if (oom || mu.attributes == NULL || user_at(m, dn) != NULL)
		goto out;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;

		if ((nu = realloc(m->users, cap * sizeof(*nu))) == NULL)
			goto out;
		m->users = nu;
		m->cap = cap;
	}
	m->users[m->n++] = mu;
	memset(&mu, 0, sizeof(mu));
	r = 0;
out:
	pthread_mutex_unlock(&m->lock);
	user_clear(&mu);
	return r;
}

int
mem_dir_set_password(br_directory *d, const char *dn, const char *password)
{
	struct mem_dir *m = backend_of(d);
	struct mem_user *mu;
	char *p;
	int r = -1;

	if (dn == NULL || password == NULL || (p = strdup(password)) == NULL)
		return -1;
	pthread_mutex_lock(&m->lock);
	if ((mu = user_at(m, dn)) != NULL) {
		free(mu->password);
		mu->password = p;
		p = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&m->lock);
	free(p);
	return r;
}

int
mem_dir_fail_next(br_directory *d, const char *op, unsigned n)
{
	struct mem_dir *m = backend_of(d);
	int i;

	for (i = 0; op != NULL && i < N_OPS && strcmp(op_names[i], op) != 0; i++)
		;
	if (i == N_OPS)
		return -1;
	pthread_mutex_lock(&m->lock);
	if (op == NULL)
		m->fail_any = n;
	else
		m->fail[i] = n;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

unsigned
mem_dir_writes(br_directory *d)
{
	struct mem_dir *m = backend_of(d);
	unsigned n;

	pthread_mutex_lock(&m->lock);
	n = m->writes;
	pthread_mutex_unlock(&m->lock);
	return n;
}
