/* Strict base64url (RFC 4648 section 5) without padding. */
#ifndef BR_B64URL_H
#define BR_B64URL_H

#include <stddef.h>

#include "buf.h"

/* Bytes needed to encode len bytes, including the terminating NUL. */
size_t br_b64url_encoded_size(size_t len);
/* Encode into out (br_b64url_encoded_size(len) bytes); returns the string length. */
size_t br_b64url_encode(const unsigned char *p, size_t len, char *out);
/* Encode into a new NUL-terminated string (free()); NULL on OOM. */
char *br_b64url_encode_alloc(const unsigned char *p, size_t len);

/*
 * Decode s (len chars, no NUL needed) into out. Rejects padding, characters
 * outside [A-Za-z0-9_-] (standard base64's + and / included) and a length of
 * 1 mod 4.
 * Returns 0, or -1 on bad input or OOM (out is left empty).
 */
int br_b64url_decode(const char *s, size_t len, br_blob *out);
/* Same, into a caller buffer of cap bytes; *outlen gets the decoded length. */
int br_b64url_decode_buf(const char *s, size_t len, unsigned char *out,
    size_t cap, size_t *outlen);
/*
 * Strict standard base64 (RFC 4648 section 4) with padding, as JWS x5c and
 * FIDO metadata carry it. Returns 0, or -1 (out is left empty).
 */
int br_b64std_decode(const char *s, size_t len, br_blob *out);

#endif
