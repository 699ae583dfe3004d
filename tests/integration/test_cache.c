/*
 * The cache module against two real memcached servers (with-services.sh).
 * Covers store/take, take-once under concurrency, TTL expiry, versioned JSON,
 * key hygiene, a server killed mid-test with and without replicas, and the
 * reason each failure leaves for the audit line (br_store_error_get).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../bridge/store/cache.h"
#include "../../bridge/store/store_error.h"
#include "../stores/contract.h"
#include "check.h"

static const char *servers;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* After a failed call: the reason starts with op and never holds what the call was given. */
static void
reason_is(const char *op, const char *given)
{
	const char *t = br_store_error_get();

	if (strncmp(t, op, strlen(op)) != 0 || strncmp(t + strlen(op), ": ", 2) != 0)
		fprintf(stderr, "store error \"%s\", expected \"%s: ...\"\n", t, op);
	CHECK(strncmp(t, op, strlen(op)) == 0 && strncmp(t + strlen(op), ": ", 2) == 0 && t[strlen(op) + 2] != '\0');
	CHECK(given == NULL || strstr(t, given) == NULL);
	br_store_error_clear();
}

static br_cache *
open_cache(const char *prefix, unsigned replicas)
{
	br_cache_options o = { servers, prefix, replicas, 300 };
	char err[256];
	br_cache *c = br_cache_open(&o, err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "open: %s\n", err);
	CHECK(c != NULL);
	return c;
}

static void
store_and_take(void)
{
	br_cache *c = open_cache("t1:", 0);
	char *v = NULL;
	size_t n = 0;

	CHECK(br_cache_set(c, "ticket:abc", "hello", 5, 60) == BR_CACHE_OK);
	CHECK(br_cache_get(c, "ticket:abc", &v, &n) == BR_CACHE_OK);
	CHECK(n == 5 && memcmp(v, "hello", 5) == 0 && v[5] == '\0');
	free(v);
	CHECK(br_cache_take(c, "ticket:abc", &v, &n) == BR_CACHE_OK);
	CHECK(n == 5 && memcmp(v, "hello", 5) == 0);
	free(v);
	/* taken once: gone */
	CHECK(br_cache_take(c, "ticket:abc", &v, &n) == BR_CACHE_MISS && v == NULL);
	CHECK(br_cache_get(c, "ticket:abc", &v, &n) == BR_CACHE_MISS);
	/* an empty value given as NULL is still a value, and the connection stays in step */
	CHECK(br_cache_set(c, "ticket:empty", NULL, 0, 60) == BR_CACHE_OK);
	CHECK(br_cache_get(c, "ticket:empty", &v, &n) == BR_CACHE_OK && n == 0 && v != NULL && v[0] == '\0');
	free(v);
	v = NULL;
	CHECK(br_cache_take(c, "ticket:empty", &v, &n) == BR_CACHE_OK && n == 0);
	free(v);
	v = NULL;
	/* add refuses an existing key */
	CHECK(br_cache_add(c, "flow:1", "a", 1, 60) == BR_CACHE_OK);
	CHECK(br_cache_add(c, "flow:1", "b", 1, 60) == BR_CACHE_EXISTS);
	CHECK(br_cache_delete(c, "flow:1") == BR_CACHE_OK);
	CHECK(br_cache_delete(c, "flow:1") == BR_CACHE_MISS);
	br_cache_close(&c);
	CHECK(c == NULL);
}

/* With copies on two servers, a consumed key is gone from both: nothing comes back. */
static void
taken_copies_stay_gone(void)
{
	br_cache *c = open_cache("t6:", 1);
	char key[32], *v = NULL;
	size_t n;
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "ticket:c%d", i);
		CHECK(br_cache_set(c, key, "v", 1, 60) == BR_CACHE_OK);
		CHECK(br_cache_take(c, key, &v, &n) == BR_CACHE_OK);
		free(v);
		v = NULL;
		/* get asks every server in turn: a surviving copy anywhere would show */
		CHECK(br_cache_get(c, key, &v, &n) == BR_CACHE_MISS && v == NULL);
		CHECK(br_cache_take(c, key, &v, &n) == BR_CACHE_MISS);
	}
	br_cache_close(&c);
}

/* One server of the two, as its own cache: what that server alone holds. */
static br_cache *
open_one(const char *prefix, int second)
{
	char one[128];
	const char *comma = strchr(servers, ',');
	br_cache_options o = { one, prefix, 0, 300 };
	char err[256];
	br_cache *c;

	if (second)
		snprintf(one, sizeof(one), "%s", comma + 1);
	else
		snprintf(one, sizeof(one), "%.*s", (int)(comma - servers), servers);
	c = br_cache_open(&o, err, sizeof(err));
	CHECK(c != NULL);
	return c;
}

/* set_many: every value on both servers with a replica, each read back intact; a bad item stores nothing. */
static void
sets_in_one_step(void)
{
	br_cache *c = open_cache("sm:", 1), *one[2] = { open_one("sm:", 0), open_one("sm:", 1) };
	static char big[200 * 1024];
	br_cache_item items[3] = {
		{ "ticket:m1", "first", 5, 60 },
		{ "flow:m2", big, sizeof(big), 60 },
		{ "flow:m3", "", 0, 60 },
	};
	br_cache_rc rc[3];
	char *v = NULL;
	size_t n, i;
	int s;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	CHECK(br_cache_set_many(c, items, 3, rc) == BR_CACHE_OK);
	CHECK(rc[0] == BR_CACHE_OK && rc[1] == BR_CACHE_OK && rc[2] == BR_CACHE_OK);
	for (s = 0; s < 2; s++)
		for (i = 0; i < 3; i++) {
			CHECK(br_cache_get(one[s], items[i].key, &v, &n) == BR_CACHE_OK);
			CHECK(n == items[i].len && memcmp(v, items[i].val, n) == 0);
			free(v);
			v = NULL;
		}
	CHECK(br_cache_take(c, "ticket:m1", &v, &n) == BR_CACHE_OK && n == 5);
	free(v);
	v = NULL;
	CHECK(br_cache_take(c, "ticket:m1", &v, &n) == BR_CACHE_MISS);
	/* one bad key: refused before anything is sent */
	items[0].key = "ticket:m4";
	items[1].key = "bad key";
	br_store_error_clear();
	CHECK(br_cache_set_many(c, items, 2, rc) == BR_CACHE_ERROR && rc[0] == BR_CACHE_ERROR && rc[1] == BR_CACHE_ERROR);
	reason_is("memcached set", NULL);
	CHECK(br_cache_get(c, "ticket:m4", &v, &n) == BR_CACHE_MISS);
	CHECK(br_cache_set_many(c, items, 0, rc) == BR_CACHE_ERROR);
	br_store_error_clear();
	br_cache_close(&one[0]);
	br_cache_close(&one[1]);
	br_cache_close(&c);
}

static void
prefixes_are_separate(void)
{
	br_cache *a = open_cache("pa:", 0), *b = open_cache("pb:", 0);
	char *v = NULL;
	size_t n;

	CHECK(br_cache_set(a, "k", "1", 1, 60) == BR_CACHE_OK);
	CHECK(br_cache_get(b, "k", &v, &n) == BR_CACHE_MISS);
	br_cache_close(&a);
	br_cache_close(&b);
}

static void
bad_keys_and_values(void)
{
	br_cache *c = open_cache("t2:", 0);
	char longkey[300], *v = NULL;
	size_t n;

	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	CHECK(br_cache_set(c, "has space", "x", 1, 60) == BR_CACHE_ERROR);
	reason_is("memcached set", "space");
	CHECK(br_cache_set(c, "new\nline", "x", 1, 60) == BR_CACHE_ERROR);
	CHECK(br_cache_set(c, longkey, "x", 1, 60) == BR_CACHE_ERROR);
	reason_is("memcached set", "kkk");
	CHECK(br_cache_set(c, "", "x", 1, 60) == BR_CACHE_ERROR);
	CHECK(br_cache_get(c, "has space", &v, &n) == BR_CACHE_ERROR);
	reason_is("memcached get", "space");
	/* a TTL that memcached would read as an absolute date */
	CHECK(br_cache_set(c, "k", "x", 1, BR_CACHE_TTL_MAX + 1) == BR_CACHE_ERROR);
	reason_is("memcached set", NULL);
	CHECK(br_cache_set(c, "k", "x", 1, 0) == BR_CACHE_ERROR);
	CHECK(br_cache_incr(c, "k", 0, NULL) == BR_CACHE_ERROR);
	reason_is("memcached incr", NULL);
	br_cache_close(&c);
}

static void
hashed_keys(void)
{
	char a[80], b[80], small[10];

	CHECK(br_cache_key_hash("rl:acct", "alice", 5, a, sizeof(a)) == 0);
	CHECK(br_cache_key_hash("rl:acct", "alice*)(uid=*", 13, b, sizeof(b)) == 0);
	CHECK(strncmp(a, "rl:acct:", 8) == 0 && strlen(a) == 8 + 43);
	CHECK(strcmp(a, b) != 0);
	CHECK(strchr(b, '*') == NULL && strchr(b, ' ') == NULL);
	CHECK(br_cache_key_hash("rl:acct", "alice", 5, small, sizeof(small)) == -1);
}

static void
versioned_json(void)
{
	br_cache *c = open_cache("t3:", 0);
	json_t *o = json_pack("{s:s}", "principal", "alice"), *got = NULL;

	CHECK(br_cache_set_json(c, "ticket:j1", o, 60) == BR_CACHE_OK);
	json_decref(o);
	CHECK(br_cache_take_json(c, "ticket:j1", &got) == BR_CACHE_OK);
	CHECK(strcmp(json_string_value(json_object_get(got, "principal")), "alice") == 0);
	CHECK(json_integer_value(json_object_get(got, "v")) == BR_CACHE_VALUE_VERSION);
	json_decref(got);
	CHECK(br_cache_take_json(c, "ticket:j1", &got) == BR_CACHE_MISS && got == NULL);
	/* another version, or not JSON at all: refused, and still taken */
	CHECK(br_cache_set(c, "ticket:j2", "{\"v\":2}", 7, 60) == BR_CACHE_OK);
	CHECK(br_cache_take_json(c, "ticket:j2", &got) == BR_CACHE_INVALID && got == NULL);
	CHECK(br_cache_set(c, "ticket:j3", "not json", 8, 60) == BR_CACHE_OK);
	CHECK(br_cache_get_json(c, "ticket:j3", &got) == BR_CACHE_INVALID && got == NULL);
	br_cache_close(&c);
}

static void
counters(void)
{
	br_cache *c = open_cache("t4:", 0);
	uint64_t v = 0;

	CHECK(br_cache_incr(c, "rl:ip:1", 60, &v) == BR_CACHE_OK && v == 1);
	CHECK(br_cache_incr(c, "rl:ip:1", 60, &v) == BR_CACHE_OK && v == 2);
	CHECK(br_cache_incr(c, "rl:ip:1", 60, &v) == BR_CACHE_OK && v == 3);
	/*
	 * A value that is not a number: its server refuses the increment (the
	 * next server counts instead) and is not taken for a failed one: a take,
	 * which needs every server, works at once.
	 */
	CHECK(br_cache_set(c, "rl:ip:text", "abc", 3, 60) == BR_CACHE_OK);
	CHECK(br_cache_incr(c, "rl:ip:text", 60, &v) == BR_CACHE_OK && v == 1);
	CHECK(br_cache_set(c, "ticket:after-refusal", "t", 1, 60) == BR_CACHE_OK);
	{
		char *t = NULL;
		size_t n = 0;

		CHECK(br_cache_take(c, "ticket:after-refusal", &t, &n) == BR_CACHE_OK && n == 1);
		free(t);
	}
	br_cache_close(&c);
}

static void
ttl_expiry(void)
{
	br_cache *c = open_cache("t5:", 0);
	char *v = NULL;
	size_t n;

	CHECK(br_cache_set(c, "challenge:e", "x", 1, 1) == BR_CACHE_OK);
	CHECK(br_cache_get(c, "challenge:e", &v, &n) == BR_CACHE_OK);
	free(v);
	/* memcached counts whole seconds: 1 s TTL is gone within 2.2 s */
	sleep_ms(2200);
	CHECK(br_cache_take(c, "challenge:e", &v, &n) == BR_CACHE_MISS);
	br_cache_close(&c);
}

/* memcached counts whole seconds: a TTL of s is over within s + 1 s of real time */
static void
real_wait(void *arg, unsigned seconds)
{
	(void)arg;
	sleep_ms(seconds * 1000L + 200);
}

/* What the in-memory stand-in is held to as well (tests/stores/contract.c). */
static void
contract(unsigned replicas)
{
	br_cache *c = open_cache(replicas ? "ct1:" : "ct0:", replicas);

	contract_cache(c, real_wait, NULL);
	br_cache_close(&c);
}

/* ---- take-once under concurrency ---- */

struct race {
	br_cache *c;
	pthread_barrier_t *start;
	char key[64];
	int won;
};

static void *
taker(void *arg)
{
	struct race *r = arg;
	char *v = NULL;
	size_t n;

	pthread_barrier_wait(r->start);
	r->won = br_cache_take(r->c, r->key, &v, &n) == BR_CACHE_OK;
	free(v);
	return NULL;
}

static void
take_once_race(unsigned replicas, int rounds)
{
	br_cache *c = open_cache("race:", replicas);
	pthread_barrier_t start;
	int i, both = 0, none = 0;

	for (i = 0; i < rounds; i++) {
		struct race a = { c, &start, "", 0 }, b = { c, &start, "", 0 };
		pthread_t ta, tb;

		snprintf(a.key, sizeof(a.key), "ticket:r%u-%d", replicas, i);
		memcpy(b.key, a.key, sizeof(a.key));
		CHECK(br_cache_set(c, a.key, "v", 1, 60) == BR_CACHE_OK);
		CHECK(pthread_barrier_init(&start, NULL, 2) == 0);
		CHECK(pthread_create(&ta, NULL, taker, &a) == 0);
		CHECK(pthread_create(&tb, NULL, taker, &b) == 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&start);
		both += a.won && b.won;
		none += !a.won && !b.won;
	}
	if (both || none)
		fprintf(stderr, "replicas=%u: both won %d times, none %d times\n", replicas, both, none);
	CHECK(both == 0);
	CHECK(none == 0);
	br_cache_close(&c);
}

/* ---- a server dies ---- */

static void
server_killed(pid_t victim)
{
	br_cache *plain = open_cache("k0:", 0), *repl = open_cache("k1:", 1);
	char key[32], err[256], *v;
	size_t n;
	int i, ok_plain = 0, err_plain = 0, ok_repl = 0;

	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "ticket:%d", i);
		CHECK(br_cache_set(plain, key, "p", 1, 60) == BR_CACHE_OK);
		CHECK(br_cache_set(repl, key, "r", 1, 60) == BR_CACHE_OK);
	}
	CHECK(br_cache_check(plain, err, sizeof(err)) == 0);
	CHECK(kill(victim, SIGKILL) == 0);
	sleep_ms(300);
	CHECK(br_cache_check(plain, err, sizeof(err)) == -1);
	fprintf(stderr, "health check after kill: %s\n", err);

	for (i = 0; i < 40; i++) {
		br_cache_rc r;
		snprintf(key, sizeof(key), "ticket:%d", i);
		v = NULL;
		br_store_error_clear();
		r = br_cache_get(plain, key, &v, &n);
		/* keys on the dead server fail cleanly; the others are still there */
		CHECK(r == BR_CACHE_OK || r == BR_CACHE_ERROR || r == BR_CACHE_MISS);
		if (r == BR_CACHE_ERROR)
			reason_is("memcached get", key);
		ok_plain += r == BR_CACHE_OK;
		err_plain += r != BR_CACHE_OK;
		free(v);
		v = NULL;
		if (br_cache_get(repl, key, &v, &n) == BR_CACHE_OK && n == 1 && v[0] == 'r')
			ok_repl++;
		free(v);
	}
	fprintf(stderr, "after kill: without replicas %d served, %d not; with a replica %d of 40 served\n",
	    ok_plain, err_plain, ok_repl);
	CHECK(ok_plain > 0 && err_plain > 0);
	CHECK(ok_repl == 40);
	/*
	 * A take or delete needs every server's answer: the dead one might hold
	 * a copy (test_cache_fault.c has it coming back). Unavailable, never won,
	 * and nothing is deleted meanwhile.
	 */
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "ticket:%d", i);
		v = NULL;
		br_store_error_clear();
		CHECK(br_cache_take(repl, key, &v, &n) == BR_CACHE_ERROR && v == NULL);
		reason_is("memcached get", key);
		CHECK(br_cache_get(repl, key, &v, &n) == BR_CACHE_OK && n == 1 && v[0] == 'r');
		free(v);
		/* a delete removes what it reaches, and still says it could not finish */
		CHECK(br_cache_delete(repl, key) == BR_CACHE_ERROR);
		reason_is("memcached delete", key);
	}
	/* new writes land on the next server in preference order, with or without replicas */
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "after:%d", i);
		CHECK(br_cache_set(repl, key, "x", 1, 60) == BR_CACHE_OK);
		v = NULL;
		CHECK(br_cache_get(repl, key, &v, &n) == BR_CACHE_OK && n == 1 && v[0] == 'x');
		free(v);
		CHECK(br_cache_set(plain, key, "y", 1, 60) == BR_CACHE_OK);
		v = NULL;
		CHECK(br_cache_get(plain, key, &v, &n) == BR_CACHE_OK && n == 1 && v[0] == 'y');
		free(v);
		v = NULL;
		CHECK(br_cache_take(plain, key, &v, &n) == BR_CACHE_ERROR && v == NULL);
	}
	br_cache_close(&plain);
	br_cache_close(&repl);
}

/* Only the dead server: every call fails, and says which operation and why. */
static void
server_gone(const char *dead)
{
	br_cache_options o = { dead, "gone:", 0, 300 };
	char err[256], *v = NULL;
	size_t n;
	uint64_t count;
	br_cache *c = br_cache_open(&o, err, sizeof(err));

	CHECK(c != NULL);
	br_store_error_clear();
	CHECK(br_cache_set(c, "ticket:secret-1", "value-1", 7, 60) == BR_CACHE_ERROR);
	reason_is("memcached set", "secret-1");
	CHECK(br_cache_add(c, "ticket:secret-1", "value-1", 7, 60) == BR_CACHE_ERROR);
	reason_is("memcached add", "value-1");
	CHECK(br_cache_get(c, "ticket:secret-1", &v, &n) == BR_CACHE_ERROR && v == NULL);
	reason_is("memcached get", "secret-1");
	CHECK(br_cache_take(c, "ticket:secret-1", &v, &n) == BR_CACHE_ERROR && v == NULL);
	reason_is("memcached get", "secret-1");
	CHECK(br_cache_delete(c, "ticket:secret-1") == BR_CACHE_ERROR);
	reason_is("memcached delete", "secret-1");
	CHECK(br_cache_incr(c, "rl:secret-1", 60, &count) == BR_CACHE_ERROR);
	fprintf(stderr, "memcached down: \"%s\"\n", br_store_error_get());
	reason_is("memcached incr", "secret-1");
	br_cache_close(&c);
}

int
main(void)
{
	const char *pids;
	pid_t last = 0;

	if ((servers = getenv("MEMCACHED_SERVERS")) == NULL || (pids = getenv("MEMCACHED_PIDS")) == NULL) {
		fprintf(stderr, "run me through tests/integration/with-services.sh --memcached 2\n");
		return 1;
	}
	CHECK(strchr(servers, ',') != NULL); /* two servers */
	last = (pid_t)atoi(strrchr(pids, ' ') ? strrchr(pids, ' ') + 1 : pids);

	hashed_keys();
	store_and_take();
	taken_copies_stay_gone();
	sets_in_one_step();
	prefixes_are_separate();
	bad_keys_and_values();
	versioned_json();
	counters();
	take_once_race(0, 300);
	take_once_race(1, 300);
	ttl_expiry();
	contract(1);
	server_killed(last); /* last: it leaves one server dead */
	server_gone(strrchr(servers, ',') + 1);
	printf("test_cache: ok\n");
	return 0;
}
