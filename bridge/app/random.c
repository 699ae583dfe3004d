#include "random.h"

#include <openssl/rand.h>

#include "../core/b64url.h"
#include "../core/crypto.h"

int
br_random_bytes(unsigned char *out, size_t n)
{
	return n <= 0x7fffffff && RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

int
br_random_b64url(size_t n, char *out, size_t cap)
{
	unsigned char buf[128];

	if (n > sizeof(buf) || br_b64url_encoded_size(n) > cap || br_random_bytes(buf, n) < 0)
		return -1;
	br_b64url_encode(buf, n, out);
	br_wipe(buf, sizeof(buf));
	return 0;
}
