#include "data_url.h"

#include <string.h>
#include <strings.h>

#include "b64url.h"

static const struct {
	const char *type;     /* as written after "data:", compared without case */
	const char *ctype;    /* what is served */
} image_types[] = {
	{ "image/png", "image/png" },
	{ "image/svg+xml", "image/svg+xml" },
	{ "image/webp", "image/webp" },
	{ "image/jpeg", "image/jpeg" },
};

/* RFC 2045 token characters: what a parameter's name and value may hold here. */
static int
token_char(char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* The bytes must be what the type says: a mislabelled file is not served. */
static int
magic_ok(const char *ctype, const unsigned char *p, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t i;

	if (strcmp(ctype, "image/png") == 0)
		return n >= 8 && memcmp(p, png, 8) == 0;
	if (strcmp(ctype, "image/jpeg") == 0)
		return n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff;
	if (strcmp(ctype, "image/webp") == 0)
		return n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0;
	/* SVG is text: it must hold an <svg element and no NUL */
	if (memchr(p, '\0', n) != NULL)
		return 0;
	for (i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, "<svg", 4) == 0)
			return 1;
	return 0;
}

int
br_data_url_image(const char *s, size_t len, size_t max, const char **ctype, br_blob *out)
{
	size_t i = 5, t, start;
	const char *found = NULL;

	*ctype = NULL;
	br_blob_reset(out);
	if (s == NULL || len < 5 || strncasecmp(s, "data:", 5) != 0)
		return -1;
	for (t = 0; t < sizeof(image_types) / sizeof(image_types[0]); t++) {
		size_t tl = strlen(image_types[t].type);
		if (len - i > tl && strncasecmp(s + i, image_types[t].type, tl) == 0 && s[i + tl] == ';') {
			found = image_types[t].ctype;
			i += tl;
			break;
		}
	}
	if (found == NULL)
		return -1;
	/* ;name=value parameters, then ;base64, (the only encoding taken) */
	for (;;) {
		if (i >= len || s[i] != ';')
			return -1;
		i++;
		if (len - i >= 7 && strncasecmp(s + i, "base64,", 7) == 0) {
			i += 7;
			break;
		}
		for (start = i; i < len && token_char(s[i]); i++)
			;
		if (i == start || i >= len || s[i] != '=')
			return -1;
		for (start = ++i; i < len && token_char(s[i]); i++)
			;
		if (i == start)
			return -1;
	}
	/* base64 is 4 chars for 3 bytes: refuse an oversized one before decoding it */
	if ((len - i) / 4 > max / 3 + 1)
		return -1;
	if (br_b64std_decode(s + i, len - i, out) < 0)
		return -1;
	if (out->len > max || !magic_ok(found, out->ptr, out->len)) {
		br_blob_reset(out);
		return -1;
	}
	*ctype = found;
	return 0;
}

int
br_data_url_image_ok(const char *s)
{
	br_blob b = { 0 };
	const char *ct;
	int ok = s != NULL && br_data_url_image(s, strlen(s), BR_ICON_BYTES_MAX, &ct, &b) == 0;

	br_blob_reset(&b);
	return ok;
}
