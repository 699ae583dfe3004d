/* The cache over libmemcached: per-thread handles, consistent hashing, replicas. */
#include "cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <libmemcached/memcached.h>

#include "../core/b64url.h"
#include "../core/crypto.h"

#define KEY_MAX 200      /* before the prefix; memcached allows 250 in all */
#define PREFIX_MAX 40
#define VALUE_MAX (512 * 1024)
#define RETRY_S 2

/* Errors worth one more try: the server went away, the ring may have moved. */
static int
transient(memcached_return_t rc)
{
	return rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND && rc != MEMCACHED_NOTSTORED &&
	    rc != MEMCACHED_DATA_EXISTS && rc != MEMCACHED_BAD_KEY_PROVIDED && rc != MEMCACHED_E2BIG;
}

/*
 * One libmemcached handle per thread, cloned from the master on first use:
 * handles are not thread-safe, and libmemcachedutil's pool handed out
 * connections with unread replies under contention.
 */
struct br_cache {
	memcached_st *master;
	pthread_mutex_t clone_lock;  /* memcached_clone reads the master */
	pthread_key_t tls;
	int tls_ok;
	char prefix[PREFIX_MAX + 1];
};

const char *
br_cache_rc_name(br_cache_rc rc)
{
	switch (rc) {
	case BR_CACHE_OK:
		return "ok";
	case BR_CACHE_MISS:
		return "miss";
	case BR_CACHE_EXISTS:
		return "exists";
	case BR_CACHE_INVALID:
		return "invalid";
	case BR_CACHE_ERROR:
		return "error";
	}
	return "unknown";
}

static int
key_chars_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return 0;
	return 1;
}

/* "host:port,host:port" into the master handle. */
static int
add_servers(memcached_st *mc, const char *list, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int n = 0, rc = -1;

	if (list == NULL || (copy = strdup(list)) == NULL) {
		snprintf(err, errlen, "memcached servers: empty list");
		return -1;
	}
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		char *colon = strrchr(tok, ':'), *end;
		long port;

		if (colon == NULL || colon == tok) {
			snprintf(err, errlen, "memcached servers: \"%s\" is not host:port", tok);
			goto out;
		}
		*colon = '\0';
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
			snprintf(err, errlen, "memcached servers: bad port in \"%s:%s\"", tok, colon + 1);
			goto out;
		}
		if (memcached_server_add(mc, tok, (in_port_t)port) != MEMCACHED_SUCCESS) {
			snprintf(err, errlen, "memcached servers: cannot add %s:%ld", tok, port);
			goto out;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "memcached servers: empty list");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static void
free_handle(void *mc)
{
	if (mc != NULL)
		memcached_free(mc);
}

br_cache *
br_cache_open(const br_cache_options *o, char *err, size_t errlen)
{
	br_cache *c;
	uint64_t tmo_ms = o->timeout_ms ? o->timeout_ms : 500;

	if (o->prefix != NULL && (strlen(o->prefix) > PREFIX_MAX || !key_chars_ok(o->prefix, strlen(o->prefix)))) {
		snprintf(err, errlen, "memcached prefix: at most %d printable characters, no spaces", PREFIX_MAX);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o->prefix != NULL)
		strcpy(c->prefix, o->prefix);
	if (pthread_mutex_init(&c->clone_lock, NULL) != 0 ||
	    pthread_key_create(&c->tls, free_handle) != 0) {
		snprintf(err, errlen, "out of resources");
		free(c);
		return NULL;
	}
	c->tls_ok = 1;
	if ((c->master = memcached_create(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (add_servers(c->master, o->servers, err, errlen) < 0)
		goto fail;
	/* binary protocol: replication and incr-with-initial need it */
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 1);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_NUMBER_OF_REPLICAS, o->replicas);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, tmo_ms);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, tmo_ms);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, tmo_ms * 1000);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_SND_TIMEOUT, tmo_ms * 1000);
	/*
	 * A failing server is retried after RETRY_S, not on every request. Its
	 * keys fail (cleanly) meanwhile; replicas are the way to keep serving.
	 */
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, RETRY_S);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 2);
	memcached_behavior_set(c->master, MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 1);
	return c;
fail:
	br_cache_close(&c);
	return NULL;
}

void
br_cache_close(br_cache **cp)
{
	br_cache *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	if (c->tls_ok) {
		/* this thread's handle; other threads' go with their exit */
		free_handle(pthread_getspecific(c->tls));
		pthread_setspecific(c->tls, NULL);
		pthread_key_delete(c->tls);
		pthread_mutex_destroy(&c->clone_lock);
	}
	if (c->master != NULL)
		memcached_free(c->master);
	free(c);
	*cp = NULL;
}

static memcached_st *
fetch(br_cache *c)
{
	memcached_st *mc = pthread_getspecific(c->tls);

	if (mc != NULL)
		return mc;
	pthread_mutex_lock(&c->clone_lock);
	mc = memcached_clone(NULL, c->master);
	pthread_mutex_unlock(&c->clone_lock);
	if (mc != NULL && pthread_setspecific(c->tls, mc) != 0) {
		memcached_free(mc);
		mc = NULL;
	}
	return mc;
}

static void
release(br_cache *c, memcached_st *mc)
{
	(void)c;
	(void)mc;
}

/* prefix + key into buf; -1 for a key we refuse to send. */
static int
full_key(const br_cache *c, const char *key, char *buf, size_t cap, size_t *len)
{
	size_t kl = key != NULL ? strlen(key) : 0, pl = strlen(c->prefix);

	if (kl == 0 || kl > KEY_MAX || !key_chars_ok(key, kl) || pl + kl + 1 > cap)
		return -1;
	memcpy(buf, c->prefix, pl);
	memcpy(buf + pl, key, kl + 1);
	*len = pl + kl;
	return 0;
}

static br_cache_rc
store(br_cache *c, int add, const char *key, const void *val, size_t len, unsigned ttl)
{
	char k[PREFIX_MAX + KEY_MAX + 1];
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc;

	if (full_key(c, key, k, sizeof(k), &kl) < 0 || len > VALUE_MAX || ttl == 0 || ttl > BR_CACHE_TTL_MAX)
		return BR_CACHE_ERROR;
	if ((mc = fetch(c)) == NULL)
		return BR_CACHE_ERROR;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (add)
			rc = memcached_add(mc, k, kl, val, len, (time_t)ttl, 0);
		else
			rc = memcached_set(mc, k, kl, val, len, (time_t)ttl, 0);
		if (!transient(rc))
			break;
	}
	release(c, mc);
	if (rc == MEMCACHED_SUCCESS)
		return BR_CACHE_OK;
	if (add && (rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS))
		return BR_CACHE_EXISTS;
	return BR_CACHE_ERROR;
}

br_cache_rc
br_cache_set(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(c, 0, key, val, len, ttl);
}

br_cache_rc
br_cache_add(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(c, 1, key, val, len, ttl);
}

static br_cache_rc
get_with(memcached_st *mc, const char *k, size_t kl, char **val, size_t *len)
{
	memcached_return_t rc;
	uint32_t flags = 0;
	size_t n = 0;
	char *v;

	v = memcached_get(mc, k, kl, &n, &flags, &rc);
	if (transient(rc)) {
		/* the read that finds a server dead fails; the retry goes to a replica */
		free(v);
		v = memcached_get(mc, k, kl, &n, &flags, &rc);
	}
	if (rc == MEMCACHED_NOTFOUND)
		return BR_CACHE_MISS;
	if (rc != MEMCACHED_SUCCESS || v == NULL) {
		free(v);
		return BR_CACHE_ERROR;
	}
	*val = v; /* libmemcached NUL-terminates what it returns */
	*len = n;
	return BR_CACHE_OK;
}

br_cache_rc
br_cache_get(br_cache *c, const char *key, char **val, size_t *len)
{
	char k[PREFIX_MAX + KEY_MAX + 1];
	size_t kl;
	memcached_st *mc;
	br_cache_rc r;

	*val = NULL;
	*len = 0;
	if (full_key(c, key, k, sizeof(k), &kl) < 0 || (mc = fetch(c)) == NULL)
		return BR_CACHE_ERROR;
	r = get_with(mc, k, kl, val, len);
	release(c, mc);
	return r;
}

br_cache_rc
br_cache_take(br_cache *c, const char *key, char **val, size_t *len)
{
	char k[PREFIX_MAX + KEY_MAX + 1];
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc;
	br_cache_rc r;

	*val = NULL;
	*len = 0;
	if (full_key(c, key, k, sizeof(k), &kl) < 0 || (mc = fetch(c)) == NULL)
		return BR_CACHE_ERROR;
	if ((r = get_with(mc, k, kl, val, len)) == BR_CACHE_OK) {
		rc = memcached_delete(mc, k, kl, 0);
		if (rc != MEMCACHED_SUCCESS) {
			/* someone else's delete won (NOTFOUND) or the server failed */
			br_wipe(*val, *len);
			free(*val);
			*val = NULL;
			*len = 0;
			r = rc == MEMCACHED_NOTFOUND ? BR_CACHE_MISS : BR_CACHE_ERROR;
		}
	}
	release(c, mc);
	return r;
}

br_cache_rc
br_cache_delete(br_cache *c, const char *key)
{
	char k[PREFIX_MAX + KEY_MAX + 1];
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc;

	if (full_key(c, key, k, sizeof(k), &kl) < 0 || (mc = fetch(c)) == NULL)
		return BR_CACHE_ERROR;
	rc = memcached_delete(mc, k, kl, 0);
	release(c, mc);
	if (rc == MEMCACHED_SUCCESS)
		return BR_CACHE_OK;
	return rc == MEMCACHED_NOTFOUND ? BR_CACHE_MISS : BR_CACHE_ERROR;
}

br_cache_rc
br_cache_incr(br_cache *c, const char *key, unsigned ttl, uint64_t *value)
{
	char k[PREFIX_MAX + KEY_MAX + 1];
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc;

	if (full_key(c, key, k, sizeof(k), &kl) < 0 || ttl == 0 || ttl > BR_CACHE_TTL_MAX ||
	    (mc = fetch(c)) == NULL)
		return BR_CACHE_ERROR;
	/* starts at 1 with the TTL; later increments keep the first expiry */
	rc = memcached_increment_with_initial(mc, k, kl, 1, 1, (time_t)ttl, value);
	if (transient(rc))
		rc = memcached_increment_with_initial(mc, k, kl, 1, 1, (time_t)ttl, value);
	release(c, mc);
	return rc == MEMCACHED_SUCCESS ? BR_CACHE_OK : BR_CACHE_ERROR;
}

br_cache_rc
br_cache_set_json(br_cache *c, const char *key, json_t *obj, unsigned ttl)
{
	char *text;
	br_cache_rc r;

	if (!json_is_object(obj) || json_object_set_new(obj, "v", json_integer(BR_CACHE_VALUE_VERSION)) != 0)
		return BR_CACHE_ERROR;
	if ((text = json_dumps(obj, JSON_COMPACT)) == NULL)
		return BR_CACHE_ERROR;
	r = br_cache_set(c, key, text, strlen(text), ttl);
	br_wipe(text, strlen(text));
	free(text);
	return r;
}

static br_cache_rc
decode_json(br_cache_rc r, char *text, size_t len, json_t **obj)
{
	json_error_t e;
	json_t *v;

	*obj = NULL;
	if (r != BR_CACHE_OK)
		return r;
	*obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	br_wipe(text, len);
	free(text);
	v = json_object_get(*obj, "v");
	if (!json_is_object(*obj) || !json_is_integer(v) || json_integer_value(v) != BR_CACHE_VALUE_VERSION) {
		json_decref(*obj);
		*obj = NULL;
		return BR_CACHE_INVALID;
	}
	return BR_CACHE_OK;
}

br_cache_rc
br_cache_get_json(br_cache *c, const char *key, json_t **obj)
{
	char *text = NULL;
	size_t len = 0;
	br_cache_rc r = br_cache_get(c, key, &text, &len);

	return decode_json(r, text, len, obj);
}

br_cache_rc
br_cache_take_json(br_cache *c, const char *key, json_t **obj)
{
	char *text = NULL;
	size_t len = 0;
	br_cache_rc r = br_cache_take(c, key, &text, &len);

	return decode_json(r, text, len, obj);
}

int
br_cache_key_hash(const char *tag, const void *data, size_t len, char *out, size_t cap)
{
	unsigned char h[BR_SHA256_LEN];
	size_t tl = strlen(tag);

	if (tl + 1 + br_b64url_encoded_size(sizeof(h)) > cap || br_sha256(data, len, h) < 0)
		return -1;
	memcpy(out, tag, tl);
	out[tl] = ':';
	br_b64url_encode(h, sizeof(h), out + tl + 1);
	return 0;
}

int
br_cache_check(br_cache *c, char *err, size_t errlen)
{
	uint32_t i, n = memcached_server_count(c->master);

	for (i = 0; i < n; i++) {
		const memcached_instance_st *s = memcached_server_instance_by_position(c->master, i);
		memcached_stat_st st;
		memcached_return_t r;

		/* a fresh connection per server: ours may be waiting out a retry */
		r = memcached_stat_servername(&st, NULL, memcached_server_name(s), memcached_server_port(s));
		if (r != MEMCACHED_SUCCESS) {
			snprintf(err, errlen, "memcached %s:%u: %s", memcached_server_name(s),
			    (unsigned)memcached_server_port(s), memcached_strerror(c->master, r));
			return -1;
		}
	}
	return 0;
}
