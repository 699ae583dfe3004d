/*
 * memcached for the HTTP tests, spoken to over its text protocol (meta
 * commands) on every server in MEMCACHED_PORTS, not with the bridge's code.
 * Keys are given without the [memcached] prefix.
 */
#ifndef HTTP_MEMCACHED_H
#define HTTP_MEMCACHED_H

/* The value of key (prefix added) on any server; *copies how many hold it, *ttl the remaining TTL. */
char *mc_lookup(const char *key, int *copies, long *ttl);
/*
 * Take key (prefix added) the way the IdP shim does
 * (shibboleth-config/.../MemcachedTicketStore.java): get on every server,
 * then delete on each that had it; the value when every delete won, else NULL.
 */
char *shim_take(const char *key);

#endif
