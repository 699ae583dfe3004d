/*
 * Sealed state records (docs/operations.md, "State key"). What the bridge
 * keeps in memcached for itself (flows, sessions, challenges) is
 *   - stored under a name derived from the cookie or challenge by HMAC with
 *     a key only the bridges hold, so the key list reveals nothing a client
 *     could present, and
 *   - sealed with AES-256-GCM under a key derived from the same secret,
 *     bound to its kind and its name (a record cannot be moved to another
 *     id or read as another kind) and to its expiry (an old copy written
 *     back is refused once it has expired).
 * During a rotation the previous secret still opens and names records, so
 * flows begun before the rotation finish. Pure: no I/O; the caller passes
 * the nonce and the clock.
 */
#ifndef BR_SEAL_H
#define BR_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define BR_SEAL_NONCE_LEN 12
#define BR_SEAL_OVERHEAD (2 + 8 + BR_SEAL_NONCE_LEN + 8 + 16)   /* magic, key id, nonce, expiry, tag */
#define BR_SEAL_NAME_MAX 96
#define BR_SEAL_SECRET_MIN 32

typedef struct br_seal br_seal;

/* Keys from the current secret and the previous one (prev NULL: none). NULL when a secret is short or on OOM. */
br_seal *br_seal_new(const unsigned char *cur, size_t cur_len, const unsigned char *prev, size_t prev_len);
void br_seal_free(br_seal **s);

/* How many generations name records: 1, or 2 while a previous secret is configured. */
int br_seal_generations(const br_seal *s);

/* "<kind>:<43 characters>" for id under generation g (0 current, 1 previous) into out. 0 or -1. */
int br_seal_name(const br_seal *s, int g, const char *kind, const char *id, char *out, size_t cap);

/*
 * Seal len bytes of pt for (kind, name), valid until expires (unix
 * seconds), with the current key into out (cap >= len + BR_SEAL_OVERHEAD).
 * The nonce must be fresh random bytes. 0 or -1.
 */
int br_seal_close(const br_seal *s, const char *kind, const char *name, int64_t expires,
    const unsigned char nonce[BR_SEAL_NONCE_LEN], const void *pt, size_t len, unsigned char *out, size_t cap,
    size_t *outlen);

/*
 * Open what br_seal_close made, for exactly this (kind, name), at now:
 * the payload into pt (cap >= len - BR_SEAL_OVERHEAD). -1 for anything
 * else: another format, an unknown key, altered bytes, another kind or
 * name, or an expiry before now.
 */
int br_seal_open(const br_seal *s, const char *kind, const char *name, int64_t now, const unsigned char *in,
    size_t len, unsigned char *pt, size_t cap, size_t *ptlen);

#endif
