/*
 * The in-memory stores (mem_stores.h) and the dispatchers in front of every
 * backend (cache.c, directory.c). The contract cases run the same checks
 * the integration tests run on memcached and slapd (contract.c); the rest
 * covers what only a stand-in has (the clock, injected failures) and what
 * the dispatchers promise whatever the backend: arguments refused before a
 * backend sees them, a reason behind every ERROR.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_backend.h"
#include "contract.h"
#include "directory_backend.h"
#include "mem_stores.h"
#include "store_error.h"
#include "unit.h"

#define DN_A "uid=contract-a,ou=people,dc=example,dc=edu"
#define DN_B "uid=contract-b,ou=people,dc=example,dc=edu"

static void
mem_wait(void *arg, unsigned seconds)
{
	br_cache *c = arg;

	mem_cache_set_now(c, mem_cache_now(c) + seconds);
}

static br_directory *
dir_with_users(void)
{
	br_directory *d = mem_dir_open(3600);
	json_t *attrs = json_pack("{s:[s]}", "mail", "a@example.edu");

	CHECK(d != NULL && attrs != NULL);
	CHECK(mem_dir_add_user(d, "contract-a", DN_A, attrs, 0) == 0);
	CHECK(mem_dir_add_user(d, "contract-b", DN_B, NULL, 0) == 0);
	CHECK(mem_dir_set_password(d, DN_A, "user-demo-password") == 0);
	json_decref(attrs);
	return d;
}

/* The reason left behind is exactly want. */
static void
reason_is(const char *want)
{
	if (strcmp(br_store_error_get(), want) != 0)
		fprintf(stderr, "store error \"%s\", expected \"%s\"\n", br_store_error_get(), want);
	CHECK(strcmp(br_store_error_get(), want) == 0);
	br_store_error_clear();
}

/* ---- contracts ---- */

static void
cache_contract(void)
{
	br_cache *c = mem_cache_open();

	CHECK(c != NULL);
	contract_cache(c, mem_wait, c);
	br_cache_close(&c);
	CHECK(c == NULL);
}

static void
directory_contract(void)
{
	br_directory *d = dir_with_users();
	struct contract_users cu = { "contract-a", "contract-b", "user-demo-password", 3600 };

	contract_directory(d, &cu);
	br_directory_close(&d);
	CHECK(d == NULL);
}

/* ---- the cache stand-in ---- */

static void
cache_ttl_to_the_second(void)
{
	br_cache *c = mem_cache_open();
	int64_t t = mem_cache_now(c);
	uint64_t n = 0;
	char *v = NULL;
	size_t len;

	CHECK(t == MEM_CACHE_EPOCH);
	CHECK(br_cache_set(c, "k", "v", 1, 10) == BR_CACHE_OK);
	CHECK(br_cache_incr(c, "n", 10, &n) == BR_CACHE_OK && n == 1);
	CHECK_INT(mem_cache_count(c), 2);
	mem_cache_set_now(c, t + 5);
	/* a later increment keeps the first expiry, whatever TTL it brings */
	CHECK(br_cache_incr(c, "n", 600, &n) == BR_CACHE_OK && n == 2);
	mem_cache_set_now(c, t + 9);
	CHECK(br_cache_get(c, "k", &v, &len) == BR_CACHE_OK);
	free(v);
	CHECK(br_cache_add(c, "k", "w", 1, 10) == BR_CACHE_EXISTS);
	mem_cache_set_now(c, t + 10);
	CHECK(br_cache_get(c, "k", &v, &len) == BR_CACHE_MISS && v == NULL);
	CHECK_INT(mem_cache_count(c), 0);
	CHECK(br_cache_incr(c, "n", 10, &n) == BR_CACHE_OK && n == 1);
	CHECK(br_cache_add(c, "k", "w", 1, 10) == BR_CACHE_OK);
	/* a value that is not a counter: the backend says so */
	br_store_error_clear();
	CHECK(br_cache_incr(c, "k", 10, &n) == BR_CACHE_ERROR && n == 0);
	reason_is("mem incr: not a counter");
	br_cache_close(&c);
}

static void
cache_fail_next(void)
{
	br_cache *c = mem_cache_open();
	char err[64], *v = (char *)1;
	size_t len = 1;
	uint64_t n = 7;

	CHECK(br_cache_set(c, "k", "old", 3, 60) == BR_CACHE_OK);
	mem_cache_fail_next(c, 5);
	CHECK(br_cache_set(c, "k", "new", 3, 60) == BR_CACHE_ERROR);
	reason_is("mem set: injected failure");
	CHECK(br_cache_get(c, "k", &v, &len) == BR_CACHE_ERROR && v == NULL && len == 0);
	reason_is("mem get: injected failure");
	CHECK(br_cache_take(c, "k", &v, &len) == BR_CACHE_ERROR && v == NULL);
	reason_is("mem take: injected failure");
	CHECK(br_cache_incr(c, "n", 60, &n) == BR_CACHE_ERROR && n == 0);
	reason_is("mem incr: injected failure");
	CHECK(br_cache_check(c, err, sizeof(err)) == -1 && strstr(err, "injected") != NULL);
	/* the failures are used up, and changed nothing */
	CHECK(br_cache_check(c, err, sizeof(err)) == 0);
	CHECK(br_cache_take(c, "k", &v, &len) == BR_CACHE_OK && len == 3 && memcmp(v, "old", 3) == 0);
	free(v);
	CHECK(br_cache_get(c, "n", &v, &len) == BR_CACHE_MISS);
	br_cache_close(&c);
}

struct counter_arg {
	br_cache *c;
	int adds_won;
};

static void *
counter_thread(void *p)
{
	struct counter_arg *a = p;
	uint64_t n;
	int i;

	for (i = 0; i < 500; i++)
		CHECK(br_cache_incr(a->c, "n", 60, &n) == BR_CACHE_OK);
	for (i = 0; i < 100; i++) {
		char key[16];

		snprintf(key, sizeof(key), "once:%d", i);
		a->adds_won += br_cache_add(a->c, key, "x", 1, 60) == BR_CACHE_OK;
	}
	return NULL;
}

/* Four threads at once: no increment lost, each add won by one of them. */
static void
cache_threads(void)
{
	struct counter_arg a[4];
	pthread_t t[4];
	uint64_t n = 0;
	int i, won = 0;

	a[0].c = mem_cache_open();
	for (i = 0; i < 4; i++) {
		a[i].c = a[0].c;
		a[i].adds_won = 0;
		CHECK(pthread_create(&t[i], NULL, counter_thread, &a[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		won += a[i].adds_won;
	}
	CHECK(br_cache_incr(a[0].c, "n", 60, &n) == BR_CACHE_OK);
	CHECK_INT(n, 4 * 500 + 1);
	CHECK_INT(won, 100);
	br_cache_close(&a[0].c);
}

/* ---- the cache dispatcher, over a backend that counts its calls ---- */

struct spy {
	int calls;
	br_cache_rc answer;  /* what every call returns, without a value or a reason */
};

static br_cache_rc
spy_store(void *b, const char *key, const void *val, size_t len, unsigned ttl)
{
	(void)key, (void)val, (void)len, (void)ttl;
	((struct spy *)b)->calls++;
	return ((struct spy *)b)->answer;
}

static br_cache_rc
spy_fetch(void *b, const char *key, char **val, size_t *len)
{
	(void)key, (void)val, (void)len;
	((struct spy *)b)->calls++;
	return ((struct spy *)b)->answer;
}

static br_cache_rc
spy_del(void *b, const char *key)
{
	(void)key;
	((struct spy *)b)->calls++;
	return ((struct spy *)b)->answer;
}

static br_cache_rc
spy_incr(void *b, const char *key, unsigned ttl, uint64_t *value)
{
	(void)key, (void)ttl, (void)value;
	((struct spy *)b)->calls++;
	return ((struct spy *)b)->answer;
}

static int
spy_check(void *b, char *err, size_t errlen)
{
	(void)b, (void)err, (void)errlen;
	return 0;
}

static void
spy_close(void *b)
{
	(void)b;
}

static const br_cache_ops spy_ops = { "spy", spy_store, spy_store, spy_fetch, spy_fetch, spy_del, spy_incr,
	spy_check, spy_close, NULL };

static void
cache_dispatcher(void)
{
	struct spy s = { 0, BR_CACHE_OK };
	br_cache *c = br_cache_new(&spy_ops, &s);
	char key[BR_CACHE_KEY_MAX + 2], *v = (char *)1, *big;
	size_t len = 1;
	json_t *arr = json_array();

	CHECK(c != NULL && br_cache_new(NULL, &s) == NULL);
	/* refused before the backend, each with its reason, never with the key */
	CHECK(br_cache_set(c, "a key", "x", 1, 60) == BR_CACHE_ERROR);
	reason_is("spy set: key refused");
	CHECK(br_cache_get(c, "tab\there", &v, &len) == BR_CACHE_ERROR && v == NULL && len == 0);
	reason_is("spy get: key refused");
	CHECK(br_cache_take(c, "\x7f", &v, &len) == BR_CACHE_ERROR);
	CHECK(br_cache_delete(c, "") == BR_CACHE_ERROR);
	CHECK(br_cache_delete(c, NULL) == BR_CACHE_ERROR);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	CHECK(br_cache_add(c, key, "x", 1, 60) == BR_CACHE_ERROR);
	key[BR_CACHE_KEY_MAX] = '\0';  /* the longest one passes */
	CHECK(br_cache_add(c, key, "x", 1, 60) == BR_CACHE_OK);
	CHECK(br_cache_set(c, "k", "x", 1, 0) == BR_CACHE_ERROR);
	reason_is("spy set: ttl out of range");
	CHECK(br_cache_set(c, "k", "x", 1, BR_CACHE_TTL_MAX + 1) == BR_CACHE_ERROR);
	CHECK(br_cache_incr(c, "k", 0, NULL) == BR_CACHE_ERROR);
	reason_is("spy incr: ttl out of range");
	CHECK(br_cache_set(c, "k", NULL, 1, 60) == BR_CACHE_ERROR);
	reason_is("spy set: no value");
	CHECK((big = calloc(1, BR_CACHE_VALUE_MAX + 1)) != NULL);
	CHECK(br_cache_set(c, "k", big, BR_CACHE_VALUE_MAX + 1, 60) == BR_CACHE_ERROR);
	reason_is("spy set: value over size limit");
	CHECK(br_cache_set(c, "k", big, BR_CACHE_VALUE_MAX, 60) == BR_CACHE_OK);
	free(big);
	CHECK(br_cache_set_json(c, "k", arr, 60) == BR_CACHE_ERROR);
	reason_is("spy set: not a JSON object");
	CHECK(br_cache_set(NULL, "k", "x", 1, 60) == BR_CACHE_ERROR);
	reason_is("cache set: no cache");
	CHECK_INT(s.calls, 2);

	/* OK without a value is no answer */
	CHECK(br_cache_get(c, "k", &v, &len) == BR_CACHE_ERROR && v == NULL);
	reason_is("spy get: error");
	/* ERROR without a reason gets one that names the backend and the call */
	s.answer = BR_CACHE_ERROR;
	br_store_error_clear();
	CHECK(br_cache_delete(c, "k") == BR_CACHE_ERROR);
	reason_is("spy delete: error");
	CHECK(br_cache_take(c, "k", &v, &len) == BR_CACHE_ERROR);
	reason_is("spy take: error");
	/* a reason the backend gave is kept */
	br_store_error_set("spy incr", "its own words");
	CHECK(br_cache_incr(c, "k", 60, NULL) == BR_CACHE_ERROR);
	reason_is("spy incr: its own words");
	/* MISS is an answer: no reason */
	s.answer = BR_CACHE_MISS;
	CHECK(br_cache_get(c, "k", &v, &len) == BR_CACHE_MISS);
	CHECK(br_store_error_get()[0] == '\0');
	CHECK(strcmp(br_cache_rc_name(BR_CACHE_INVALID), "invalid") == 0);
	CHECK(strcmp(br_cache_rc_name((br_cache_rc)99), "unknown") == 0);
	json_decref(arr);
	br_cache_close(&c);
	br_cache_close(NULL);
}

/* ---- the directory stand-in ---- */

static void
directory_fail_next(void)
{
	br_directory *d = dir_with_users();
	br_user *u = (br_user *)1, *a;
	char *report = NULL;
	int wrote = -1;

	CHECK(mem_dir_fail_next(d, "find_usr", 1) == -1);
	CHECK(mem_dir_fail_next(d, "find_user", 1) == 0);
	/* other operations are not affected */
	CHECK(br_dir_find_for_signin(d, (const unsigned char *)"x", 1, NULL, 0, &u) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_find_user(d, "contract-a", &u) == BR_DIR_ERROR && u == NULL);
	reason_is("mem find_user: injected failure");
	a = (br_user *)NULL;
	CHECK(br_dir_find_user(d, "contract-a", &a) == BR_DIR_OK);

	CHECK(mem_dir_fail_next(d, "record_use", 1) == 0);
	CHECK(br_dir_add_credential(d, a, &(br_credential_record){ .id = { (unsigned char *)"id", 2 },
	    .public_key = { (unsigned char *)"pk", 2 }, .created = 1 }) == BR_DIR_OK);
	br_user_free(&a);
	CHECK(br_dir_find_user(d, "contract-a", &a) == BR_DIR_OK && a->n_creds == 1);
	CHECK(br_dir_record_use(d, &a->creds[0], 1, 100, &wrote) == BR_DIR_ERROR && wrote == 0);
	reason_is("mem record_use: injected failure");
	CHECK(br_dir_record_use(d, &a->creds[0], 1, 100, &wrote) == BR_DIR_OK && wrote == 1);

	/* any operation */
	CHECK(mem_dir_fail_next(d, NULL, 2) == 0);
	CHECK(br_dir_check_password(d, a, "user-demo-password") == BR_DIR_ERROR);
	reason_is("mem check_password: injected failure");
	CHECK(br_dir_check(d, &report) == 1 && strstr(report, "ERROR") != NULL);
	free(report);
	reason_is("mem check: injected failure");
	CHECK(br_dir_check_password(d, a, "user-demo-password") == BR_DIR_OK);
	CHECK(br_dir_check(d, &report) == 0 && strstr(report, "ok") != NULL);
	free(report);
	br_user_free(&a);
	br_directory_close(&d);
}

static void
directory_scene(void)
{
	br_directory *d = dir_with_users();
	json_t *attrs = json_pack("{s:[s,s]}", "eduPersonAffiliation", "staff", "member");
	br_user *u = NULL, ghost;
	br_credential_record c;
	unsigned w;
	int wrote;

	/* set-up refusals */
	CHECK(mem_dir_add_user(d, "again", DN_A, NULL, 0) == -1);
	CHECK(mem_dir_add_user(d, NULL, "uid=x", NULL, 0) == -1);
	CHECK(mem_dir_set_password(d, "uid=nobody", "pw") == -1);
	/* the attributes are copied; the disabled flag shows */
	CHECK(mem_dir_add_user(d, "Dave", "uid=dave,ou=people,dc=example,dc=edu", attrs, 1) == 0);
	json_array_clear(json_object_get(attrs, "eduPersonAffiliation"));
	CHECK(br_dir_find_user(d, "dave", &u) == BR_DIR_OK);
	CHECK(u->disabled == 1 && strcmp(u->username, "Dave") == 0);
	CHECK(json_array_size(json_object_get(u->attributes, "eduPersonAffiliation")) == 2);
	/* no password set: never passes */
	CHECK(br_dir_check_password(d, u, "anything") == BR_DIR_NOT_FOUND);
	br_user_free(&u);
	/* two entries answer to one name, as in LDAP: neither is picked */
	CHECK(mem_dir_add_user(d, "dave", "uid=dave,ou=extra,dc=example,dc=edu", NULL, 0) == 0);
	br_store_error_clear();
	u = (br_user *)1;
	CHECK(br_dir_find_user(d, "DAVE", &u) == BR_DIR_ERROR && u == NULL);
	reason_is("mem find_user: several entries for one username");

	/* writes under a user that is not there */
	memset(&ghost, 0, sizeof(ghost));
	ghost.dn = (char *)"uid=ghost,ou=people,dc=example,dc=edu";
	c = (br_credential_record){ .id = { (unsigned char *)"g", 1 }, .public_key = { (unsigned char *)"k", 1 } };
	CHECK(br_dir_add_credential(d, &ghost, &c) == BR_DIR_NOT_FOUND);
	CHECK(br_dir_set_user_handle(d, &ghost, (const unsigned char *)"h", 1) == BR_DIR_NOT_FOUND);
	CHECK(ghost.user_handle.len == 0);
	CHECK(br_dir_add_enrolment_code(d, &ghost, "v1$x") == BR_DIR_NOT_FOUND);
	CHECK(br_dir_check_password(d, &ghost, "pw") == BR_DIR_NOT_FOUND);

	/* record_use that has nothing to write sends nothing, even for a credential that is gone */
	c.dn = (char *)"fidoCredentialId=Zw,uid=ghost";
	c.last_used = 1000;
	c.sign_count = 3;
	w = mem_dir_writes(d);
	CHECK(br_dir_record_use(d, &c, 3, 1010, &wrote) == BR_DIR_OK && wrote == 0);
	CHECK(mem_dir_writes(d) == w);
	CHECK(br_dir_record_use(d, &c, 4, 1010, &wrote) == BR_DIR_NOT_FOUND && wrote == 0);
	json_decref(attrs);
	br_directory_close(&d);
}

/* ---- the directory dispatcher, over a backend that counts its calls ---- */

static int dspy_calls;
static const unsigned char *dspy_handle;
static size_t dspy_handle_len;
static int64_t dspy_created;

static br_dir_rc
dspy_find_user(void *b, const char *username, br_user **out)
{
	(void)b, (void)username, (void)out;
	dspy_calls++;
	return BR_DIR_ERROR;  /* without a reason */
}

static br_dir_rc
dspy_find_for_signin(void *b, const unsigned char *id, size_t len, const unsigned char *h, size_t hlen, br_user **out)
{
	(void)b, (void)id, (void)len, (void)out;
	dspy_calls++;
	dspy_handle = h;
	dspy_handle_len = hlen;
	return BR_DIR_NOT_FOUND;
}

static br_dir_rc
dspy_user_op(void *b, const br_user *u, const unsigned char *p, size_t len)
{
	(void)b, (void)u, (void)p, (void)len;
	dspy_calls++;
	return BR_DIR_OK;
}

static br_dir_rc
dspy_add_credential(void *b, const br_user *u, const br_credential_record *c)
{
	(void)b, (void)u;
	dspy_calls++;
	dspy_created = c->created;
	return BR_DIR_OK;
}

static br_dir_rc
dspy_rename(void *b, const br_user *u, const unsigned char *id, size_t len, const char *nickname)
{
	(void)b, (void)u, (void)id, (void)len, (void)nickname;
	dspy_calls++;
	return BR_DIR_OK;
}

static br_dir_rc
dspy_record_use(void *b, const br_credential_record *c, uint32_t n, int64_t now, int *wrote)
{
	(void)b, (void)c, (void)n, (void)now;
	dspy_calls++;
	CHECK(*wrote == 0);
	return BR_DIR_OK;
}

static br_dir_rc
dspy_code(void *b, const br_user *u, const char *value)
{
	(void)b, (void)u, (void)value;
	dspy_calls++;
	return BR_DIR_OK;
}

static int
dspy_check(void *b, char **report)
{
	(void)b;
	*report = NULL;
	return 0;
}

static void
dspy_close(void *b)
{
	(void)b;
}

static const br_directory_ops dspy_ops = { "dspy", dspy_find_user, dspy_find_for_signin, dspy_user_op,
	dspy_add_credential, dspy_rename, dspy_user_op, dspy_record_use, dspy_code, dspy_code, dspy_code,
	dspy_check, dspy_close, NULL, NULL };

static void
directory_dispatcher(void)
{
	br_directory *d = br_directory_new(&dspy_ops, NULL);
	br_user u, *out = (br_user *)1;
	br_credential_record c;
	unsigned char big[BR_USER_HANDLE_MAX + 1], id[1024];
	int wrote = -1;

	memset(&u, 0, sizeof(u));
	memset(big, 1, sizeof(big));
	memset(id, 2, sizeof(id));
	CHECK(d != NULL && br_directory_new(NULL, NULL) == NULL);
	/* refused before the backend */
	CHECK(br_dir_find_user(d, "", &out) == BR_DIR_INVALID && out == NULL);
	CHECK(br_dir_find_user(d, "a\nb", &out) == BR_DIR_INVALID);
	CHECK(br_dir_find_user(NULL, "a", &out) == BR_DIR_INVALID);
	CHECK(br_dir_find_for_signin(d, id, sizeof(id), NULL, 0, &out) == BR_DIR_INVALID);
	CHECK(br_dir_find_for_signin(d, id, 0, NULL, 0, &out) == BR_DIR_INVALID);
	CHECK(br_dir_set_user_handle(d, &u, big, 1) == BR_DIR_INVALID);  /* no dn */
	u.dn = (char *)"uid=a";
	CHECK(br_dir_set_user_handle(d, &u, big, sizeof(big)) == BR_DIR_INVALID);
	CHECK(br_dir_add_enrolment_code(d, &u, "v1$ space") == BR_DIR_INVALID);
	CHECK(br_dir_remove_enrolment_code(d, &u, "") == BR_DIR_INVALID);
	CHECK(br_dir_check_password(d, &u, "") == BR_DIR_INVALID);
	CHECK(br_dir_rename_credential(d, &u, id, 4, "") == BR_DIR_INVALID);
	CHECK(br_dir_rename_credential(d, &u, id, 4, "tab\there") == BR_DIR_INVALID);
	memset(&c, 0, sizeof(c));
	c.id.ptr = id;
	c.id.len = 4;
	CHECK(br_dir_add_credential(d, &u, &c) == BR_DIR_INVALID);  /* no public key */
	c.public_key.ptr = id;
	c.public_key.len = 4;
	strcpy(c.aaguid, "not-an-aaguid");
	CHECK(br_dir_add_credential(d, &u, &c) == BR_DIR_INVALID);
	c.aaguid[0] = '\0';
	c.transports = 1u << 30;
	CHECK(br_dir_add_credential(d, &u, &c) == BR_DIR_INVALID);
	c.transports = 0;
	CHECK(br_dir_record_use(d, &c, 1, 5, &wrote) == BR_DIR_INVALID && wrote == 0);  /* no dn */
	CHECK_INT(dspy_calls, 0);

	/* passed on: a handle too long for anyone counts as none; created is stamped */
	CHECK(br_dir_find_for_signin(d, id, 4, big, sizeof(big), &out) == BR_DIR_NOT_FOUND && out == NULL);
	CHECK(dspy_handle == NULL && dspy_handle_len == 0);
	CHECK(br_dir_find_for_signin(d, id, 4, big, 3, &out) == BR_DIR_NOT_FOUND);
	CHECK(dspy_handle == big && dspy_handle_len == 3);
	CHECK(br_dir_add_credential(d, &u, &c) == BR_DIR_OK && dspy_created > 1600000000);
	CHECK(br_dir_set_user_handle(d, &u, big, 5) == BR_DIR_OK && u.user_handle.len == 5);
	br_blob_reset(&u.user_handle);
	c.dn = (char *)"fidoCredentialId=AgICAg,uid=a";
	CHECK(br_dir_record_use(d, &c, 1, 5, &wrote) == BR_DIR_OK);
	CHECK_INT(dspy_calls, 5);

	/* ERROR without a reason gets one */
	br_store_error_clear();
	CHECK(br_dir_find_user(d, "a", &out) == BR_DIR_ERROR && out == NULL);
	reason_is("dspy find_user: error");
	CHECK(strcmp(br_dir_rc_name(BR_DIR_EXISTS), "exists") == 0);
	br_directory_close(&d);
	br_directory_close(NULL);
}

/* ---- the reason itself ---- */

static void *
other_thread(void *p)
{
	(void)p;
	CHECK(br_store_error_get()[0] == '\0');
	br_store_error_set("ldap bind", "elsewhere");
	return NULL;
}

static void
store_error_text(void)
{
	char long_what[400];
	pthread_t t;

	br_store_error_clear();
	CHECK(br_store_error_get()[0] == '\0');
	br_store_error_set("ldap search", "Can't contact LDAP server");
	CHECK(strcmp(br_store_error_get(), "ldap search: Can't contact LDAP server") == 0);
	/* one per thread */
	CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
	pthread_join(t, NULL);
	CHECK(strcmp(br_store_error_get(), "ldap search: Can't contact LDAP server") == 0);
	/* cut to size */
	memset(long_what, 'x', sizeof(long_what) - 1);
	long_what[sizeof(long_what) - 1] = '\0';
	br_store_error_set("memcached get", long_what);
	CHECK_INT(strlen(br_store_error_get()), BR_STORE_ERROR_MAX - 1);
	br_store_error_set(NULL, NULL);
	CHECK(strcmp(br_store_error_get(), "store: failed") == 0);
	br_store_error_clear();
	CHECK(br_store_error_get()[0] == '\0');
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(cache_contract),
		UNIT_CASE(directory_contract),
		UNIT_CASE(cache_ttl_to_the_second),
		UNIT_CASE(cache_fail_next),
		UNIT_CASE(cache_threads),
		UNIT_CASE(cache_dispatcher),
		UNIT_CASE(directory_fail_next),
		UNIT_CASE(directory_scene),
		UNIT_CASE(directory_dispatcher),
		UNIT_CASE(store_error_text),
	};

	return unit_run("stores", cases, UNIT_N(cases));
}
