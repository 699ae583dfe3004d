#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

void
fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "\n%s:%d: invariant failed: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

uint16_t
fz_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t
fz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
fz_take16(const uint8_t **p, size_t *n, br_span *out)
{
	size_t len;

	if (*n < 2)
		return -1;
	len = fz_be16(*p);
	if (*n - 2 < len)
		return -1;
	out->ptr = *p + 2;
	out->len = len;
	*p += 2 + len;
	*n -= 2 + len;
	return 0;
}

size_t
fz_b64url_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

int
fz_b64url_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

int
fz_contains(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0 || nlen > hlen)
		return 0;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return 1;
	return 0;
}

void
fz_end_input(void)
{
	ERR_clear_error();
}
