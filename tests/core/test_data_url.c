/*
 * Icon data: URLs (core/data_url.c): the four image types decode to their
 * bytes with the canonical Content-Type; every other shape, a bad base64,
 * an oversized image and bytes that are not of the stated type are refused
 * with nothing decoded.
 */
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "data_url.h"
#include "unit.h"

/* 8-byte PNG signature, "<svg/>", a minimal RIFF....WEBP and a JPEG SOI: enough for the type checks */
#define PNG_B64 "iVBORw0KGgoAAAANSUhEUg=="
#define SVG_B64 "PHN2Zy8+"
#define WEBP_B64 "UklGRgAAAABXRUJQVlA4IA=="
#define JPEG_B64 "/9j/4AAQSkZJRg=="

static int
take(const char *s, size_t max, const char **ct, br_blob *b)
{
	return br_data_url_image(s, strlen(s), max, ct, b);
}

/* s must be refused with nothing decoded; a failure names the caller's line and s */
static void
refused_at(int line, const char *s, size_t max)
{
	const char *ct = "x";
	br_blob b = { 0 };

	if (take(s, max, &ct, &b) != -1 || ct != NULL || b.ptr != NULL || b.len != 0)
		unit_fail(__FILE__, line, "refused", s);
}
#define refused(s, max) refused_at(__LINE__, (s), (max))

static void
four_types(void)
{
	static const struct { const char *url, *ctype; size_t len; unsigned char first; } ok[] = {
		{ "data:image/png;base64," PNG_B64, "image/png", 16, 0x89 },
		{ "DATA:Image/PNG;BASE64," PNG_B64, "image/png", 16, 0x89 },
		{ "data:image/svg+xml;base64," SVG_B64, "image/svg+xml", 6, '<' },
		{ "data:image/svg+xml;charset=utf-8;base64," SVG_B64, "image/svg+xml", 6, '<' },
		{ "data:image/webp;base64," WEBP_B64, "image/webp", 16, 'R' },
		{ "data:image/jpeg;base64," JPEG_B64, "image/jpeg", 10, 0xff },
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *ct = NULL;
		br_blob b = { 0 };

		CHECK_INT(take(ok[i].url, BR_ICON_BYTES_MAX, &ct, &b), 0);
		CHECK(ct != NULL && strcmp(ct, ok[i].ctype) == 0);
		CHECK(b.len == ok[i].len && b.ptr[0] == ok[i].first);
		CHECK_INT(br_data_url_image_ok(ok[i].url), 1);
		br_blob_reset(&b);
	}
}

static void
shapes_refused(void)
{
	refused("", BR_ICON_BYTES_MAX);
	refused("data:", BR_ICON_BYTES_MAX);
	refused("https://example.org/x.png", BR_ICON_BYTES_MAX);
	refused("data:image/gif;base64,R0lGODlh", BR_ICON_BYTES_MAX);
	refused("data:text/html;base64," SVG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/pngx;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/png," PNG_B64, BR_ICON_BYTES_MAX);           /* not base64 */
	refused("data:image/svg+xml,%3Csvg%2F%3E", BR_ICON_BYTES_MAX);   /* percent-encoded */
	refused("data:image/png;base64,", BR_ICON_BYTES_MAX);            /* empty */
	refused("data:image/png;charset;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/png;a=;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/png;a=\"b\";base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/png;base64", BR_ICON_BYTES_MAX);
	refused("data:image/png", BR_ICON_BYTES_MAX);
	refused("data:image/png;", BR_ICON_BYTES_MAX);
	refused("data:image/png;x=y", BR_ICON_BYTES_MAX);
}

static void
base64_strict(void)
{
	refused("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg", BR_ICON_BYTES_MAX);    /* no padding */
	refused("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=", BR_ICON_BYTES_MAX);
	refused("data:image/png;base64,iVBORw0KGgo AAAANSUhEUg==", BR_ICON_BYTES_MAX); /* space */
	refused("data:image/png;base64,iVBORw0KGgoAAAANSUhEUh==", BR_ICON_BYTES_MAX);  /* stray bits */
	refused("data:image/png;base64,iVBORw0K_goAAAANSUhEUg==", BR_ICON_BYTES_MAX);  /* base64url */
	refused("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==\n", BR_ICON_BYTES_MAX);
}

static void
type_must_match(void)
{
	refused("data:image/png;base64," JPEG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/jpeg;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/webp;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/svg+xml;base64," PNG_B64, BR_ICON_BYTES_MAX);
	refused("data:image/svg+xml;base64,PHN2AGc+", BR_ICON_BYTES_MAX);       /* "<sv\0g>" */
}

static void
size_capped(void)
{
	size_t n = 1000, i;
	unsigned char *raw = malloc(n);
	char *b64, *url;
	const char *ct;
	br_blob b = { 0 };

	CHECK(raw != NULL);
	memcpy(raw, "\x89PNG\r\n\x1a\n", 8);
	for (i = 8; i < n; i++)
		raw[i] = (unsigned char)i;
	/* standard base64 from the url alphabet with padding added */
	b64 = br_b64url_encode_alloc(raw, n);
	CHECK(b64 != NULL);
	url = malloc(strlen(b64) + 32);
	CHECK(url != NULL);
	for (i = 0; b64[i] != '\0'; i++)
		b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
	strcpy(url, "data:image/png;base64,");
	strcat(url, b64);
	while ((strlen(url) - 22) % 4 != 0)
		strcat(url, "=");
	CHECK_INT(take(url, n, &ct, &b), 0);
	CHECK(b.len == n && memcmp(b.ptr, raw, n) == 0);
	br_blob_reset(&b);
	refused(url, n - 1);
	refused(url, 8);
	/* a length check only: the URL is not NUL-terminated where len says it ends */
	CHECK_INT(br_data_url_image(url, 22 + 12, n, &ct, &b), 0);
	CHECK(b.len == 9);
	br_blob_reset(&b);
	free(url);
	free(b64);
	free(raw);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(four_types),
		UNIT_CASE(shapes_refused),
		UNIT_CASE(base64_strict),
		UNIT_CASE(type_must_match),
		UNIT_CASE(size_capped),
	};

	return unit_run("data_url", cases, UNIT_N(cases));
}
