#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

int
br_sha256(const void *p, size_t len, unsigned char out[BR_SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 || n != BR_SHA256_LEN)
		return -1;
	return 0;
}

int
br_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return 0;
	if (alen == 0)
		return 1;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

void
br_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}
