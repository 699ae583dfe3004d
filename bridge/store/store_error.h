/*
 * What the last failed store call on this thread said, for the audit line:
 * "<operation>: <the library's text>" (ldap_err2string; the memcached client's reason).
 * Like errno: set by the backends when they return an error, read by the
 * caller right after. Never holds a key, a value or a filter, only what
 * failed and why.
 */
#ifndef BR_STORE_ERROR_H
#define BR_STORE_ERROR_H

#define BR_STORE_ERROR_MAX 160

/* Record a failure: op is what was attempted ("ldap search"), what the library's reason. */
void br_store_error_set(const char *op, const char *what);
/* The text of the last failure on this thread; "" when none since the last clear. */
const char *br_store_error_get(void);
void br_store_error_clear(void);

#endif
