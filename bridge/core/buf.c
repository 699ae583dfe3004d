#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int
br_blob_set(br_blob *b, const unsigned char *p, size_t len)
{
	unsigned char *n = NULL;

	if (len > 0) {
		if ((n = malloc(len)) == NULL)
			return -1;
		memcpy(n, p, len);
	}
	br_blob_reset(b);
	b->ptr = n;
	b->len = len;
	return 0;
}

void
br_blob_reset(br_blob *b)
{
	if (b->ptr != NULL)
		OPENSSL_clear_free(b->ptr, b->len);
	b->ptr = NULL;
	b->len = 0;
}

int
br_cursor_take(br_cursor *c, const unsigned char **out, size_t n)
{
	if (n > c->left)
		return -1;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

int
br_cursor_read(br_cursor *c, void *dst, size_t n)
{
	const unsigned char *src;

	if (br_cursor_take(c, &src, n) < 0)
		return -1;
	if (dst != NULL && n > 0)
		memcpy(dst, src, n);
	return 0;
}

int
br_cursor_u8(br_cursor *c, uint8_t *v)
{
	return br_cursor_read(c, v, 1);
}

int
br_cursor_be16(br_cursor *c, uint16_t *v)
{
	unsigned char b[2];

	if (br_cursor_read(c, b, sizeof(b)) < 0)
		return -1;
	*v = (uint16_t)((unsigned)b[0] << 8 | b[1]);
	return 0;
}

int
br_cursor_be32(br_cursor *c, uint32_t *v)
{
	unsigned char b[4];

	if (br_cursor_read(c, b, sizeof(b)) < 0)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

int
br_cursor_be64(br_cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (br_cursor_be32(c, &hi) < 0 || br_cursor_be32(c, &lo) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}
