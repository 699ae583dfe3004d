/*
 * The forwarded-certificate header: three forms in, one DER certificate out.
 * Every read is bounded by the caller's length; nothing is NUL-terminated.
 */
#include "clientcert.h"

#include <stdlib.h>
#include <string.h>

#include "x509.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

static int
b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int
pem_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * Standard base64 (RFC 4648 section 4) of s[0..len) into a new blob. With
 * skip_space, the PEM line breaks (and what proxies turn them into) are
 * skipped. Padding is optional but, when present, must close the text and be
 * right for its length. 0 or -1.
 */
static int
b64_decode(const unsigned char *s, size_t len, int skip_space, br_blob *out)
{
	unsigned char *buf;
	size_t i, n = 0, digits = 0, pad = 0;
	uint32_t acc = 0;
	int v;

	if ((buf = malloc(len / 4 * 3 + 3)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (skip_space && pem_space(s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_value(s[i])) < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		if (++digits % 4 == 0) {
			buf[n++] = (unsigned char)(acc >> 16);
			buf[n++] = (unsigned char)(acc >> 8);
			buf[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	switch (digits % 4) {
	case 0:
		if (pad != 0)
			goto bad;
		break;
	case 1:
		goto bad;
	case 2:
		if ((pad != 0 && pad != 2) || (acc & 0x0f) != 0)
			goto bad;
		buf[n++] = (unsigned char)(acc >> 4);
		break;
	default: /* 3 */
		if ((pad != 0 && pad != 1) || (acc & 0x03) != 0)
			goto bad;
		buf[n++] = (unsigned char)(acc >> 10);
		buf[n++] = (unsigned char)(acc >> 2);
		break;
	}
	if (n == 0)
		goto bad;
	out->ptr = buf;
	out->len = n;
	return 0;
bad:
	free(buf);
	return -1;
}

static int
hex_value(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* %XX unescaped into a new buffer of *outlen bytes; a bad escape is -1. */
static unsigned char *
url_unescape(const unsigned char *s, size_t len, size_t *outlen)
{
	unsigned char *buf;
	size_t i, n = 0;
	int hi, lo;

	if ((buf = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf[n++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = hex_value(s[i + 1])) < 0 || (lo = hex_value(s[i + 2])) < 0) {
			free(buf);
			return NULL;
		}
		buf[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	*outlen = n;
	return buf;
}

/* One PEM certificate, nothing but whitespace around it. */
static int
pem_decode(const unsigned char *s, size_t len, br_blob *out)
{
	const size_t bl = sizeof(PEM_BEGIN) - 1, el = sizeof(PEM_END) - 1;
	size_t end;

	while (len > 0 && pem_space(s[len - 1]))
		len--;
	if (len < bl + el || memcmp(s, PEM_BEGIN, bl) != 0 || memcmp(s + len - el, PEM_END, el) != 0)
		return -1;
	end = len - el;
	return b64_decode(s + bl, end - bl, 1, out);
}

static int
ows(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

br_cc_err
br_cc_header_decode(const char *v, size_t len, br_blob *der)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned char *plain = NULL;
	br_blob raw = { NULL, 0 };
	size_t plen = 0;
	X509 *x;
	int r;

	if (der == NULL)
		return BR_CC_INTERNAL;
	der->ptr = NULL;
	der->len = 0;
	if (v == NULL || len > BR_CC_HEADER_MAX)
		return BR_CC_HEADER;
	while (len > 0 && ows(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && ows(s[len - 1]))
		len--;
	if (len == 0)
		return BR_CC_HEADER;

	if (s[0] == ':') {
		/* RFC 8941 sf-binary: ":" *base64 ":"; no parameters are defined for Client-Cert */
		if (len < 2 || s[len - 1] != ':')
			return BR_CC_HEADER;
		r = b64_decode(s + 1, len - 2, 0, &raw);
	} else if (memchr(s, '%', len) != NULL) {
		if ((plain = url_unescape(s, len, &plen)) == NULL)
			return BR_CC_HEADER;
		r = pem_decode(plain, plen, &raw);
		free(plain);
	} else {
		r = pem_decode(s, len, &raw);
	}
	if (r != 0)
		return BR_CC_HEADER;
	if ((x = br_x509_from_der(raw.ptr, raw.len)) == NULL) {
		br_blob_reset(&raw);
		return BR_CC_CERTIFICATE;
	}
	X509_free(x);
	*der = raw;
	return BR_CC_OK;
}
