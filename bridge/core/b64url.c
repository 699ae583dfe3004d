#include "b64url.h"

#include <stdlib.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63, or 0xff for anything outside the alphabet (padding included). */
static unsigned char
sextet(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (unsigned char)(ch - 'A');
	if (ch >= 'a' && ch <= 'z')
		return (unsigned char)(ch - 'a' + 26);
	if (ch >= '0' && ch <= '9')
		return (unsigned char)(ch - '0' + 52);
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return 0xff;
}

size_t
br_b64url_encoded_size(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1) + 1;
}

size_t
br_b64url_encode(const unsigned char *p, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 3 <= len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		unsigned long v = (unsigned long)p[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

char *
br_b64url_encode_alloc(const unsigned char *p, size_t len)
{
	char *s = malloc(br_b64url_encoded_size(len));

	if (s != NULL)
		br_b64url_encode(p, len, s);
	return s;
}

int
br_b64url_decode_buf(const char *s, size_t len, unsigned char *out, size_t cap,
    size_t *outlen)
{
	size_t i, o = 0, need;
	unsigned long acc = 0;
	unsigned bits = 0;

	if (len % 4 == 1)
		return -1;
	need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	if (need > cap)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char v = sextet((unsigned char)s[i]);
		if (v == 0xff)
			return -1;
		acc = (acc << 6 | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/*
	 * Leftover low bits are ignored, as RFC 4648 decoders commonly do;
	 * anything compared as text (the challenge) is compared re-encoded.
	 */
	*outlen = o;
	return 0;
}

int
br_b64url_decode(const char *s, size_t len, br_blob *out)
{
	size_t cap = len / 4 * 3 + 3, n;
	unsigned char *p;

	br_blob_reset(out);
	if ((p = malloc(cap)) == NULL)
		return -1;
	if (br_b64url_decode_buf(s, len, p, cap, &n) < 0) {
		free(p);
		return -1;
	}
	if (n == 0) {
		free(p);
		p = NULL;
	}
	out->ptr = p;
	out->len = n;
	return 0;
}

static unsigned char
b64_sextet(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (unsigned char)(ch - 'A');
	if (ch >= 'a' && ch <= 'z')
		return (unsigned char)(ch - 'a' + 26);
	if (ch >= '0' && ch <= '9')
		return (unsigned char)(ch - '0' + 52);
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return 0xff;
}

/*
 * Strict standard base64 (RFC 4648 section 4) with padding: whole quads,
 * '=' only as the final one or two characters, no whitespace, zero unused
 * bits. Returns 0, or -1 (out is left empty).
 */
int
br_b64std_decode(const char *s, size_t len, br_blob *out)
{
	size_t pad = 0, i, o = 0, n;
	unsigned long acc = 0;
	unsigned bits = 0;
	unsigned char *p, v;

	br_blob_reset(out);
	if (len == 0 || len % 4 != 0)
		return -1;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	n = len / 4 * 3 - pad;
	if ((p = malloc(n)) == NULL)
		return -1;
	for (i = 0; i < len - pad; i++) {
		if ((v = b64_sextet((unsigned char)s[i])) == 0xff)
			goto fail;
		acc = (acc << 6 | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[o++] = (unsigned char)(acc >> bits);
		}
	}
	if ((acc & ((1UL << bits) - 1)) != 0)
		goto fail;
	out->ptr = p;
	out->len = o;
	return 0;
fail:
	free(p);
	return -1;
}
