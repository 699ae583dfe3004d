/* Random identifiers from the OS CSPRNG (OpenSSL RAND_bytes). */
#ifndef BR_RANDOM_H
#define BR_RANDOM_H

#include <stddef.h>

/* base64url of n random bytes into out (cap >= 4*n/3 + 2). 0 or -1. */
int br_random_b64url(size_t n, char *out, size_t cap);
int br_random_bytes(unsigned char *out, size_t n);

#endif
