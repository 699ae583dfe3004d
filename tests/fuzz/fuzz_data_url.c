/*
 * br_data_url_image: an icon data: URL (the bytes /icons/ serves). On
 * success: one of the four Content-Types, a non-empty image within the cap
 * that starts as its type says, the input begins with "data:" and ends in
 * exactly the standard base64 of those bytes (padded, canonical); the same
 * input with a cap one byte smaller is refused. On failure nothing is
 * returned. The first byte picks the cap (0: BR_ICON_BYTES_MAX, else
 * 16 * byte) so that the cap check is reached by small inputs too.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data_url.h"
#include "fuzz_common.h"

/* Standard base64 with padding, from the base64url encoder. */
static char *
b64std(const unsigned char *p, size_t n)
{
	char *u = br_b64url_encode_alloc(p, n), *s;
	size_t i, l;

	if (u == NULL)
		return NULL;
	l = strlen(u);
	if ((s = malloc(l + 3)) == NULL) {
		free(u);
		return NULL;
	}
	for (i = 0; i < l; i++)
		s[i] = u[i] == '-' ? '+' : u[i] == '_' ? '/' : u[i];
	while (i % 4 != 0)
		s[i++] = '=';
	s[i] = '\0';
	free(u);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s, *ct = "unset";
	br_blob img = { (unsigned char *)"x", 1 }, again = { 0 };
	size_t max, n, el;
	char *enc;

	if (size < 1)
		return 0;
	max = data[0] == 0 ? BR_ICON_BYTES_MAX : 16u * data[0];
	s = (const char *)data + 1;
	n = size - 1;
	img.ptr = NULL;
	img.len = 0;
	if (br_data_url_image(s, n, max, &ct, &img) < 0) {
		FZ_CHECK(ct == NULL && img.ptr == NULL && img.len == 0);
		return 0;
	}
	FZ_CHECK(ct != NULL && (strcmp(ct, "image/png") == 0 || strcmp(ct, "image/svg+xml") == 0 ||
	    strcmp(ct, "image/webp") == 0 || strcmp(ct, "image/jpeg") == 0));
	FZ_CHECK(img.ptr != NULL && img.len > 0 && img.len <= max);
	FZ_CHECK(n > 5 && strncasecmp(s, "data:", 5) == 0);
	if (strcmp(ct, "image/png") == 0)
		FZ_CHECK(img.len >= 8 && img.ptr[0] == 0x89 && memcmp(img.ptr + 1, "PNG", 3) == 0);
	else if (strcmp(ct, "image/jpeg") == 0)
		FZ_CHECK(img.ptr[0] == 0xff && img.ptr[1] == 0xd8);
	else if (strcmp(ct, "image/webp") == 0)
		FZ_CHECK(memcmp(img.ptr, "RIFF", 4) == 0);
	else
		FZ_CHECK(memchr(img.ptr, '\0', img.len) == NULL);
	/* the base64 is the input's tail, exactly */
	FZ_CHECK((enc = b64std(img.ptr, img.len)) != NULL);
	el = strlen(enc);
	FZ_CHECK(el < n && memcmp(s + n - el, enc, el) == 0 && s[n - el - 1] == ',');
	free(enc);
	FZ_CHECK(br_data_url_image(s, n, img.len - 1, &ct, &again) < 0 && ct == NULL && again.ptr == NULL);
	br_blob_reset(&img);
	return 0;
}
