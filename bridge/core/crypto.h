/* Hashing, constant-time comparison and wiping: thin wrappers over OpenSSL. */
#ifndef BR_CRYPTO_H
#define BR_CRYPTO_H

#include <stddef.h>

#define BR_SHA256_LEN 32

/* out = SHA-256(p[0..len)); 0 or -1. */
int br_sha256(const void *p, size_t len, unsigned char out[BR_SHA256_LEN]);
/* 1 when a and b hold the same bytes; time depends only on the lengths. */
int br_ct_equal(const void *a, size_t alen, const void *b, size_t blen);
/* Zero memory in a way the compiler keeps. */
void br_wipe(void *p, size_t len);

#endif
