/*
 * memcached for the HTTP tests, spoken to over its text protocol (meta
 * commands) on every server in MEMCACHED_PORTS, not with the bridge's code.
 * Keys are given without the [memcached] prefix.
 */
#ifndef HTTP_MEMCACHED_H
#define HTTP_MEMCACHED_H

#include <stddef.h>

/* The value of key (prefix added) on any server; *copies how many hold it, *ttl the remaining TTL. */
char *mc_lookup(const char *key, int *copies, long *ttl);
/*
 * Take key (prefix added) as docs/handoff-protocol.md section 4.1 says, written
 * from the document and not from the bridge's or the shim's code: "get" on
 * every server in order (fresh connections, 300 ms timeouts), then "delete"
 * on each that had it, in order, until one is not DELETED. Won only when
 * every server answered and every delete was ours; unavailable when one did
 * not answer (nothing is deleted then).
 */
typedef enum { SHIM_WON, SHIM_NONE, SHIM_UNAVAILABLE } shim_rc;
shim_rc shim_take_rc(const char *key, char **value);
/* shim_take_rc's value when won, else NULL. */
char *shim_take(const char *key);

/*
 * The cache key the bridge stores its record of kind for id under (no
 * prefix), derived here from the stack's state key as docs/operations.md
 * describes it (HKDF-SHA256, then HMAC-SHA256 of "kind\0id"), with OpenSSL
 * and not the bridge's code. malloc'd.
 */
char *state_name(const char *kind, const char *id);
/* Every key on every server (prefix included, as memcached lists them) with its value; call fn for each. */
void mc_each(void (*fn)(const char *key, const char *val, size_t len, void *arg), void *arg);
/* Write val (len bytes) under key (prefix added) on every server that holds the key now; how many. */
int mc_overwrite(const char *key, const void *val, size_t len);
/* The raw value of key (prefix added) on the first server holding it; *len its size. */
char *mc_raw(const char *key, size_t *len);

#endif
