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
 * Take key (prefix added) the way the IdP shim does
 * (shibboleth-config/.../MemcachedTicketStore.java): get on every server,
 * then delete on each that had it; the value when every delete won, else NULL.
 */
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
