#include "text.h"

#include <stdio.h>
#include <string.h>

int
br_utf8_ok(const unsigned char *p, size_t n, int no_controls, size_t *nchars)
{
	size_t i = 0, chars = 0;

	while (i < n) {
		unsigned c = p[i], cp, need, k;

		if (c < 0x80) {
			if (c == 0 || (no_controls && (c < 0x20 || c == 0x7f)))
				return 0;
			i++;
			chars++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;       /* a continuation byte, 0xc0/0xc1 or 0xf5.. */
		}
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		if (no_controls && cp <= 0x9f)
			return 0;       /* C1: U+0085 breaks lines in some viewers */
		i += need + 1;
		chars++;
	}
	if (nchars != NULL)
		*nchars = chars;
	return 1;
}

int
br_nickname_ok(const char *s)
{
	size_t n, chars = 0;

	if (s == NULL)
		return 0;
	/* 4 bytes per character at most: no need to look further than that */
	n = strnlen(s, BR_NICKNAME_MAX * 4 + 1);
	return n > 0 && n <= BR_NICKNAME_MAX * 4 && br_utf8_ok((const unsigned char *)s, n, 1, &chars) &&
	    chars <= BR_NICKNAME_MAX;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int
br_aaguid_text_ok(const char *s)
{
	size_t i;

	if (s == NULL || strnlen(s, BR_AAGUID_TEXT_LEN + 1) != BR_AAGUID_TEXT_LEN)
		return 0;
	for (i = 0; i < BR_AAGUID_TEXT_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

void
br_aaguid_format(const unsigned char a[16], char *out)
{
	snprintf(out, BR_AAGUID_TEXT_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
}

int
br_aaguid_is_zero(const unsigned char a[16])
{
	static const unsigned char zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

int
br_fmt_ok(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strnlen(s, BR_FMT_MAX + 1)) == 0 || n > BR_FMT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

int
br_ldap_descriptor_ok(const char *s)
{
	size_t i, n = s != NULL ? strnlen(s, 65) : 0;

	if (n == 0 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}
