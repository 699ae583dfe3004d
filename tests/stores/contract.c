/*
 * The store contracts (contract.h). Each check names the rule of cache.h or
 * directory.h it holds a backend to.
 */
#include "contract.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/core/transport.h"
#include "store_error.h"

#define CONTRACT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: contract broken: %s (store error \"%s\")\n", __FILE__, __LINE__, #c, \
		    br_store_error_get()); \
		exit(1); \
	} \
} while (0)

#define RACE_ROUNDS 20

/* ------------------------------------------------------------------------ */
/* the cache                                                                */
/* ------------------------------------------------------------------------ */

static int
value_is(br_cache *c, const char *key, const char *want, size_t want_len)
{
	char *v = NULL;
	size_t n = 0;
	br_cache_rc r = br_cache_get(c, key, &v, &n);
	int same = r == BR_CACHE_OK && v != NULL && n == want_len && memcmp(v, want, n) == 0 && v[n] == '\0';

	free(v);
	return same;
}

static int
missing(br_cache *c, const char *key)
{
	char *v = (char *)1;
	size_t n = 1;

	return br_cache_get(c, key, &v, &n) == BR_CACHE_MISS && v == NULL && n == 0;
}

struct take_race {
	br_cache *c;
	const char *key;
	pthread_barrier_t *start;
	br_cache_rc r;
};

static void *
taker(void *arg)
{
	struct take_race *t = arg;
	char *v = NULL;
	size_t n;

	pthread_barrier_wait(t->start);
	t->r = br_cache_take(t->c, t->key, &v, &n);
	free(v);
	return NULL;
}

/* Two takers of one key: one gets the value, the other a miss. */
static void
cache_take_race(br_cache *c)
{
	int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		pthread_barrier_t start;
		struct take_race a = { c, "contract:race", &start, BR_CACHE_ERROR }, b = a;
		pthread_t ta, tb;

		CONTRACT(br_cache_set(c, "contract:race", "once", 4, 60) == BR_CACHE_OK);
		CONTRACT(pthread_barrier_init(&start, NULL, 2) == 0);
		CONTRACT(pthread_create(&ta, NULL, taker, &a) == 0);
		CONTRACT(pthread_create(&tb, NULL, taker, &b) == 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&start);
		CONTRACT((a.r == BR_CACHE_OK && b.r == BR_CACHE_MISS) || (a.r == BR_CACHE_MISS && b.r == BR_CACHE_OK));
	}
}

void
contract_cache(br_cache *c, contract_wait_fn wait, void *arg)
{
	static const char bin[] = { 'a', '\0', 'b', '\n', (char)0xff };
	char err[256], *v = (char *)1;
	size_t n = 1;
	uint64_t count = 0;
	json_t *o, *got = NULL;

	/* a miss is an answer, with nothing out */
	CONTRACT(missing(c, "contract:none"));
	CONTRACT(br_cache_take(c, "contract:none", &v, &n) == BR_CACHE_MISS && v == NULL && n == 0);
	CONTRACT(br_cache_delete(c, "contract:none") == BR_CACHE_MISS);

	/* set, get (NUL-terminated, bytes as they were), set again replaces */
	CONTRACT(br_cache_set(c, "contract:k", bin, sizeof(bin), 60) == BR_CACHE_OK);
	CONTRACT(value_is(c, "contract:k", bin, sizeof(bin)));
	CONTRACT(value_is(c, "contract:k", bin, sizeof(bin)));  /* get leaves it */
	CONTRACT(br_cache_set(c, "contract:k", "second", 6, 60) == BR_CACHE_OK);
	CONTRACT(value_is(c, "contract:k", "second", 6));
	CONTRACT(br_cache_set(c, "contract:empty", "", 0, 60) == BR_CACHE_OK);
	CONTRACT(value_is(c, "contract:empty", "", 0));

	/* add refuses an existing key and keeps its value */
	CONTRACT(br_cache_add(c, "contract:k", "third", 5, 60) == BR_CACHE_EXISTS);
	CONTRACT(value_is(c, "contract:k", "second", 6));
	CONTRACT(br_cache_add(c, "contract:new", "first", 5, 60) == BR_CACHE_OK);
	CONTRACT(value_is(c, "contract:new", "first", 5));

	/* take once: the value, then a miss; get sees it gone */
	v = NULL;
	CONTRACT(br_cache_take(c, "contract:k", &v, &n) == BR_CACHE_OK && n == 6 && memcmp(v, "second", 6) == 0 &&
	    v[6] == '\0');
	free(v);
	v = (char *)1;
	CONTRACT(br_cache_take(c, "contract:k", &v, &n) == BR_CACHE_MISS && v == NULL);
	CONTRACT(missing(c, "contract:k"));
	/* an added key can be added again once taken */
	CONTRACT(br_cache_add(c, "contract:k", "again", 5, 60) == BR_CACHE_OK);

	/* delete: once */
	CONTRACT(br_cache_delete(c, "contract:new") == BR_CACHE_OK);
	CONTRACT(br_cache_delete(c, "contract:new") == BR_CACHE_MISS);
	CONTRACT(missing(c, "contract:new"));
	CONTRACT(br_cache_delete(c, "contract:k") == BR_CACHE_OK);
	CONTRACT(br_cache_delete(c, "contract:empty") == BR_CACHE_OK);

	/* counters start at 1, count on, are read as decimal text */
	CONTRACT(br_cache_incr(c, "contract:n", 60, &count) == BR_CACHE_OK && count == 1);
	CONTRACT(br_cache_incr(c, "contract:n", 60, &count) == BR_CACHE_OK && count == 2);
	CONTRACT(br_cache_incr(c, "contract:m", 60, &count) == BR_CACHE_OK && count == 1);
	CONTRACT(br_cache_incr(c, "contract:n", 60, &count) == BR_CACHE_OK && count == 3);
	CONTRACT(value_is(c, "contract:n", "3", 1));
	CONTRACT(br_cache_delete(c, "contract:n") == BR_CACHE_OK && br_cache_delete(c, "contract:m") == BR_CACHE_OK);

	/* versioned JSON: stamped, read back, another version refused */
	o = json_pack("{s:s}", "principal", "alice");
	CONTRACT(o != NULL && br_cache_set_json(c, "contract:j", o, 60) == BR_CACHE_OK);
	json_decref(o);
	CONTRACT(br_cache_get_json(c, "contract:j", &got) == BR_CACHE_OK);
	CONTRACT(json_integer_value(json_object_get(got, "v")) == BR_CACHE_VALUE_VERSION);
	json_decref(got);
	CONTRACT(br_cache_take_json(c, "contract:j", &got) == BR_CACHE_OK &&
	    strcmp(json_string_value(json_object_get(got, "principal")), "alice") == 0);
	json_decref(got);
	CONTRACT(br_cache_take_json(c, "contract:j", &got) == BR_CACHE_MISS && got == NULL);
	CONTRACT(br_cache_set(c, "contract:j", "{\"v\":999}", 9, 60) == BR_CACHE_OK);
	CONTRACT(br_cache_take_json(c, "contract:j", &got) == BR_CACHE_INVALID && got == NULL);
	CONTRACT(missing(c, "contract:j"));  /* refused, and still taken */

	/* a key we refuse: ERROR, with a reason */
	br_store_error_clear();
	CONTRACT(br_cache_set(c, "contract:has space", "x", 1, 60) == BR_CACHE_ERROR);
	CONTRACT(br_store_error_get()[0] != '\0');

	cache_take_race(c);

	/* TTLs: present until they run out, counters too (and start again) */
	CONTRACT(br_cache_set(c, "contract:ttl", "x", 1, 2) == BR_CACHE_OK);
	CONTRACT(br_cache_add(c, "contract:ttl-add", "x", 1, 2) == BR_CACHE_OK);
	CONTRACT(br_cache_set(c, "contract:ttl-long", "y", 1, 600) == BR_CACHE_OK);
	CONTRACT(br_cache_incr(c, "contract:ttl-n", 2, &count) == BR_CACHE_OK && count == 1);
	CONTRACT(value_is(c, "contract:ttl", "x", 1));
	wait(arg, 3);
	CONTRACT(missing(c, "contract:ttl"));
	v = (char *)1;
	CONTRACT(br_cache_take(c, "contract:ttl", &v, &n) == BR_CACHE_MISS && v == NULL);
	CONTRACT(br_cache_add(c, "contract:ttl-add", "z", 1, 60) == BR_CACHE_OK);
	CONTRACT(value_is(c, "contract:ttl-long", "y", 1));
	CONTRACT(br_cache_incr(c, "contract:ttl-n", 2, &count) == BR_CACHE_OK && count == 1);
	CONTRACT(br_cache_delete(c, "contract:ttl-add") == BR_CACHE_OK);
	CONTRACT(br_cache_delete(c, "contract:ttl-long") == BR_CACHE_OK);
	CONTRACT(br_cache_delete(c, "contract:ttl-n") == BR_CACHE_OK);

	CONTRACT(br_cache_check(c, err, sizeof(err)) == 0);
}

/* ------------------------------------------------------------------------ */
/* the directory                                                            */
/* ------------------------------------------------------------------------ */

#define T0 INT64_C(1700000000)

/* bytes a filter or a DN would misread if they got there raw */
static const unsigned char id_1[] = { 'c', 't', 0x00, 0x2a, 0x28, 0x29, 0x5c, 0x2c, 0x3d, 0xff, '1' };
static const unsigned char id_2[] = { 'c', 't', '-', 'o', 'l', 'd', 'e', 'r' };
static const unsigned char handle_a[] = { 0x00, 0x2a, 0x28, 0x29, 0x5c, 'c', 't' };
static const unsigned char handle_other[] = { 'n', 'o', 'b', 'o', 'd', 'y' };
static unsigned char cose[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20, 0x00, 0x00, 0x11 };

static br_user *
must_find(br_directory *d, const char *name)
{
	br_user *u = NULL;

	CONTRACT(br_dir_find_user(d, name, &u) == BR_DIR_OK && u != NULL);
	return u;
}

static int
same_bytes(const br_blob *b, const void *p, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->ptr, p, len) == 0);
}

static br_credential_record
record(const unsigned char *id, size_t len, int64_t created)
{
	br_credential_record c;

	memset(&c, 0, sizeof(c));
	c.id.ptr = (unsigned char *)id;
	c.id.len = len;
	c.public_key.ptr = cose;
	c.public_key.len = sizeof(cose);
	c.created = created;
	return c;
}

/* The sign-in lookup for id: owner with that credential alone. */
static br_user *
signin(br_directory *d, const unsigned char *id, size_t len, const unsigned char *h, size_t hlen, const char *owner)
{
	br_user *s = NULL, *u = must_find(d, owner);

	CONTRACT(br_dir_find_for_signin(d, id, len, h, hlen, &s) == BR_DIR_OK && s != NULL);
	CONTRACT(strcmp(s->dn, u->dn) == 0 && strcmp(s->username, u->username) == 0);
	CONTRACT(same_bytes(&s->user_handle, u->user_handle.ptr, u->user_handle.len) && s->disabled == u->disabled);
	CONTRACT(json_equal(s->attributes, u->attributes));
	CONTRACT(s->n_creds == 1 && same_bytes(&s->creds[0].id, id, len));
	br_user_free(&u);
	return s;
}

static void
signin_ok(br_directory *d, const unsigned char *id, size_t len, const unsigned char *h, size_t hlen,
    const char *owner)
{
	br_user *u = signin(d, id, len, h, hlen, owner);

	br_user_free(&u);
}

static void
dir_lookups(br_directory *d, const struct contract_users *cu)
{
	br_user *u = (br_user *)1;
	char upper[64];
	size_t i;

	/* a user, as stored: no handle, no credentials, attributes an object */
	u = must_find(d, cu->a);
	CONTRACT(u->dn != NULL && strcmp(u->username, cu->a) == 0 && json_is_object(u->attributes));
	CONTRACT(u->user_handle.len == 0 && u->n_creds == 0 && u->n_enrolment_codes == 0 && u->disabled == 0);
	br_user_free(&u);
	/* names match ignoring case; the username is the stored one */
	for (i = 0; cu->a[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)(cu->a[i] >= 'a' && cu->a[i] <= 'z' ? cu->a[i] - 'a' + 'A' : cu->a[i]);
	upper[i] = '\0';
	u = must_find(d, upper);
	CONTRACT(strcmp(u->username, cu->a) == 0);
	br_user_free(&u);
	u = (br_user *)1;
	CONTRACT(br_dir_find_user(d, "contract-nobody", &u) == BR_DIR_NOT_FOUND && u == NULL);
	CONTRACT(br_dir_find_user(d, "*", &u) == BR_DIR_NOT_FOUND && u == NULL);
	CONTRACT(br_dir_find_user(d, "", &u) == BR_DIR_INVALID && u == NULL);
	u = (br_user *)1;
	CONTRACT(br_dir_find_for_signin(d, id_1, sizeof(id_1), NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);

	/* a handle, once */
	u = must_find(d, cu->a);
	CONTRACT(br_dir_set_user_handle(d, u, handle_a, sizeof(handle_a)) == BR_DIR_OK);
	CONTRACT(same_bytes(&u->user_handle, handle_a, sizeof(handle_a)));
	CONTRACT(br_dir_set_user_handle(d, u, handle_other, sizeof(handle_other)) == BR_DIR_EXISTS);
	br_user_free(&u);
	u = must_find(d, cu->a);
	CONTRACT(same_bytes(&u->user_handle, handle_a, sizeof(handle_a)));
	br_user_free(&u);
}

static void
dir_credentials(br_directory *d, const struct contract_users *cu)
{
	br_user *a = must_find(d, cu->a), *b = must_find(d, cu->b), *u;
	br_credential_record c1 = record(id_1, sizeof(id_1), T0), c2 = record(id_2, sizeof(id_2), T0 - 86400);
	const br_credential_record *got;

	c1.sign_count = 5;
	strcpy(c1.aaguid, "ee882879-721c-4913-9775-3dfcce97072a");
	c1.transports = BR_TRANSPORT_USB | BR_TRANSPORT_NFC;
	strcpy(c1.fmt, "packed");
	c1.backup_eligible = 1;
	c1.user_verified = 1;
	c1.nickname = (char *)"Key \xe9\x8d\xb5";

	/* an id is unique across users */
	CONTRACT(br_dir_add_credential(d, a, &c1) == BR_DIR_OK);
	CONTRACT(br_dir_add_credential(d, a, &c1) == BR_DIR_EXISTS);
	CONTRACT(br_dir_add_credential(d, b, &c1) == BR_DIR_EXISTS);
	u = must_find(d, cu->b);
	CONTRACT(u->n_creds == 0);
	br_user_free(&u);

	/* every field back as written */
	u = must_find(d, cu->a);
	CONTRACT(u->n_creds == 1);
	got = &u->creds[0];
	CONTRACT(got->dn != NULL && same_bytes(&got->id, id_1, sizeof(id_1)) && same_bytes(&got->public_key, cose, sizeof(cose)));
	CONTRACT(got->sign_count == 5 && strcmp(got->aaguid, c1.aaguid) == 0 && strcmp(got->fmt, "packed") == 0);
	CONTRACT(got->transports == (BR_TRANSPORT_USB | BR_TRANSPORT_NFC));
	CONTRACT(got->backup_eligible == 1 && got->backup_state == 0 && got->user_verified == 1);
	CONTRACT(got->created == T0 && got->last_used == 0 && strcmp(got->nickname, c1.nickname) == 0);
	br_user_free(&u);

	/* oldest first; the minimal record reads back empty where it was */
	CONTRACT(br_dir_add_credential(d, a, &c2) == BR_DIR_OK);
	u = must_find(d, cu->a);
	CONTRACT(u->n_creds == 2 && same_bytes(&u->creds[0].id, id_2, sizeof(id_2)) && u->creds[1].created == T0);
	CONTRACT(u->creds[0].nickname == NULL && u->creds[0].aaguid[0] == '\0' && u->creds[0].transports == 0);
	br_user_free(&u);

	/* sign-in: the owner with that credential, whatever handle came with it */
	signin_ok(d, id_1, sizeof(id_1), handle_a, sizeof(handle_a), cu->a);
	signin_ok(d, id_1, sizeof(id_1), handle_other, sizeof(handle_other), cu->a);
	u = signin(d, id_2, sizeof(id_2), NULL, 0, cu->a);
	CONTRACT(u->creds[0].created == T0 - 86400);
	br_user_free(&u);
	u = (br_user *)1;
	CONTRACT(br_dir_find_for_signin(d, id_1, sizeof(id_1) - 1, handle_a, sizeof(handle_a), &u) == BR_DIR_NOT_FOUND &&
	    u == NULL);
	CONTRACT(br_dir_find_for_signin(d, id_1 + 1, sizeof(id_1) - 1, NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);

	/* rename: only through the owner; NULL removes */
	CONTRACT(br_dir_rename_credential(d, b, id_1, sizeof(id_1), "mine now") == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_rename_credential(d, a, id_1, sizeof(id_1), "Work key") == BR_DIR_OK);
	u = signin(d, id_1, sizeof(id_1), NULL, 0, cu->a);
	CONTRACT(strcmp(u->creds[0].nickname, "Work key") == 0);
	br_user_free(&u);
	CONTRACT(br_dir_rename_credential(d, a, id_1, sizeof(id_1), NULL) == BR_DIR_OK);
	u = signin(d, id_1, sizeof(id_1), NULL, 0, cu->a);
	CONTRACT(u->creds[0].nickname == NULL);
	br_user_free(&u);
	CONTRACT(br_dir_rename_credential(d, a, id_1, sizeof(id_1), "") == BR_DIR_INVALID);

	/* delete: only through the owner, once; the id is free again after */
	CONTRACT(br_dir_delete_credential(d, b, id_1, sizeof(id_1)) == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_delete_credential(d, a, id_1, sizeof(id_1)) == BR_DIR_OK);
	CONTRACT(br_dir_delete_credential(d, a, id_1, sizeof(id_1)) == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_find_for_signin(d, id_1, sizeof(id_1), NULL, 0, &u) == BR_DIR_NOT_FOUND && u == NULL);
	u = must_find(d, cu->a);
	CONTRACT(u->n_creds == 1);
	br_user_free(&u);
	CONTRACT(br_dir_add_credential(d, b, &c1) == BR_DIR_OK);
	signin_ok(d, id_1, sizeof(id_1), NULL, 0, cu->b);
	CONTRACT(br_dir_delete_credential(d, b, id_1, sizeof(id_1)) == BR_DIR_OK);
	CONTRACT(br_dir_delete_credential(d, a, id_2, sizeof(id_2)) == BR_DIR_OK);
	br_user_free(&a);
	br_user_free(&b);
}

/* The credential id_1 of a as stored now. */
static br_user *
load_1(br_directory *d, const char *name, br_credential_record **c)
{
	br_user *u = must_find(d, name);

	CONTRACT(u->n_creds == 1 && same_bytes(&u->creds[0].id, id_1, sizeof(id_1)));
	*c = &u->creds[0];
	return u;
}

static void
dir_record_use(br_directory *d, const struct contract_users *cu)
{
	br_user *a = must_find(d, cu->a), *u;
	br_credential_record c1 = record(id_1, sizeof(id_1), T0), *c, gone;
	int64_t interval = cu->last_used_interval_s;
	int wrote = -1;

	c1.sign_count = 5;
	CONTRACT(interval >= 30);
	CONTRACT(br_dir_add_credential(d, a, &c1) == BR_DIR_OK);
	u = load_1(d, cu->a, &c);
	/* never used: last-used is written even with the same count */
	CONTRACT(br_dir_record_use(d, c, 5, T0, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_1(d, cu->a, &c);
	CONTRACT(c->last_used == T0 && c->sign_count == 5);
	/* same count within the interval: nothing written */
	CONTRACT(br_dir_record_use(d, c, 5, T0 + 10, &wrote) == BR_DIR_OK && wrote == 0);
	br_user_free(&u);
	u = load_1(d, cu->a, &c);
	CONTRACT(c->last_used == T0 && c->sign_count == 5);
	/* a new count within the interval: the count only */
	CONTRACT(br_dir_record_use(d, c, 9, T0 + 20, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_1(d, cu->a, &c);
	CONTRACT(c->sign_count == 9 && c->last_used == T0);
	/* the interval over: last-used again */
	CONTRACT(br_dir_record_use(d, c, 9, T0 + interval - 1, &wrote) == BR_DIR_OK && wrote == 0);
	CONTRACT(br_dir_record_use(d, c, 10, T0 + interval, &wrote) == BR_DIR_OK && wrote == 1);
	br_user_free(&u);
	u = load_1(d, cu->a, &c);
	CONTRACT(c->sign_count == 10 && c->last_used == T0 + interval);
	/* gone meanwhile: NOT_FOUND, nothing written */
	gone = *c;
	CONTRACT(br_dir_delete_credential(d, a, id_1, sizeof(id_1)) == BR_DIR_OK);
	CONTRACT(br_dir_record_use(d, &gone, 11, T0 + 2 * interval, &wrote) == BR_DIR_NOT_FOUND && wrote == 0);
	CONTRACT(br_dir_record_use(d, &gone, 11, -5, &wrote) == BR_DIR_INVALID);
	br_user_free(&u);
	br_user_free(&a);
}

struct code_race {
	br_directory *d;
	const br_user *u;
	const char *code;
	pthread_barrier_t *start;
	br_dir_rc r;
};

static void *
remover(void *arg)
{
	struct code_race *r = arg;

	pthread_barrier_wait(r->start);
	r->r = br_dir_remove_enrolment_code(r->d, r->u, r->code);
	return NULL;
}

static int
has_code(const br_user *u, const char *code)
{
	size_t i;

	for (i = 0; i < u->n_enrolment_codes; i++)
		if (strcmp(u->enrolment_codes[i], code) == 0)
			return 1;
	return 0;
}

static void
dir_codes(br_directory *d, const struct contract_users *cu)
{
	static const char code[] = "v1$contract$c2FsdA$20991231235959Z";
	br_user *a = must_find(d, cu->a), *b = must_find(d, cu->b), *u;
	int i;

	CONTRACT(br_dir_remove_enrolment_code(d, a, code) == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_add_enrolment_code(d, a, code) == BR_DIR_OK);
	CONTRACT(br_dir_add_enrolment_code(d, a, code) == BR_DIR_EXISTS);
	u = must_find(d, cu->a);
	CONTRACT(u->n_enrolment_codes == 1 && has_code(u, code));
	br_user_free(&u);
	/* only the user's own, only that value */
	CONTRACT(br_dir_remove_enrolment_code(d, b, code) == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_remove_enrolment_code(d, a, "v1$contract$*") == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_remove_enrolment_code(d, a, code) == BR_DIR_OK);
	CONTRACT(br_dir_remove_enrolment_code(d, a, code) == BR_DIR_NOT_FOUND);
	u = must_find(d, cu->a);
	CONTRACT(u->n_enrolment_codes == 0);
	br_user_free(&u);
	CONTRACT(br_dir_add_enrolment_code(d, a, "v1$a b") == BR_DIR_INVALID);

	/* two removers at once: exactly one wins */
	for (i = 0; i < RACE_ROUNDS; i++) {
		pthread_barrier_t start;
		struct code_race r1 = { d, a, code, &start, BR_DIR_ERROR }, r2 = r1;
		pthread_t t1, t2;

		CONTRACT(br_dir_add_enrolment_code(d, a, code) == BR_DIR_OK);
		CONTRACT(pthread_barrier_init(&start, NULL, 2) == 0);
		CONTRACT(pthread_create(&t1, NULL, remover, &r1) == 0);
		CONTRACT(pthread_create(&t2, NULL, remover, &r2) == 0);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		pthread_barrier_destroy(&start);
		CONTRACT((r1.r == BR_DIR_OK && r2.r == BR_DIR_NOT_FOUND) || (r1.r == BR_DIR_NOT_FOUND && r2.r == BR_DIR_OK));
	}
	br_user_free(&a);
	br_user_free(&b);
}

void
contract_directory(br_directory *d, const struct contract_users *cu)
{
	br_user *a;
	char *report = NULL;

	dir_lookups(d, cu);
	dir_credentials(d, cu);
	dir_record_use(d, cu);
	dir_codes(d, cu);

	/* the password: right, wrong, empty */
	a = must_find(d, cu->a);
	CONTRACT(br_dir_check_password(d, a, cu->password) == BR_DIR_OK);
	CONTRACT(br_dir_check_password(d, a, "contract-wrong-password") == BR_DIR_NOT_FOUND);
	CONTRACT(br_dir_check_password(d, a, "") == BR_DIR_INVALID);
	br_user_free(&a);

	CONTRACT(br_dir_check(d, &report) == 0 && report != NULL);
	free(report);
}
