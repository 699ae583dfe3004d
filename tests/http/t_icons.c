/*
 * HTTP tests: /icons/<aaguid>[.dark], the authenticator icons My passkeys
 * draws. The stack's names file (tests/stack/aaguid-names-virtual.json,
 * STACK_EXTRA_CONF in CMakeLists.txt) gives one AAGUID a PNG light and an
 * SVG dark icon; the bytes served are the data: URLs' decoded, with the type,
 * the sandboxing CSP, nosniff and a day's caching; anything else is a 404.
 */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "client.h"
#include "harness.h"
#include "stack.h"

#define ICON_AAGUID "01020304-0506-0708-0102-030405060708"
#define ICON_CSP "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"

static void
expect_icon(hc_browser *b, const char *path, const char *ctype, const void *magic, size_t magic_len)
{
	hc_resp r = { 0 };
	char *url = xfmt("%s%s", E.bridge, path);

	hc_get(b, url, &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(hc_header_get(&r, "Content-Type"), ctype);
	CHECK_STR(hc_header_get(&r, "Content-Security-Policy"), ICON_CSP);
	CHECK_INT(hc_header_count(&r, "Content-Security-Policy"), 1);
	CHECK_STR(hc_header_get(&r, "X-Content-Type-Options"), "nosniff");
	CHECK_STR(hc_header_get(&r, "Cache-Control"), "public, max-age=86400");
	CHECKF(r.len > magic_len && memcmp(r.body, magic, magic_len) == 0, "%s: %zu bytes, not %s", path, r.len, ctype);
	hc_resp_reset(&r);
	free(url);
}

void
t_icons(void)
{
	static const char *const missing[] = {
		"/icons/00000000-0000-0000-0000-000000000001",  /* no model named */
		"/icons/" ICON_AAGUID ".light",
		"/icons/" ICON_AAGUID "x",
		"/icons/" ICON_AAGUID "/",
		"/icons/0102030405060708010203040506070801020304",
		"/icons/",
		"/icons/..%2F..%2Fbridge.conf",
	};
	hc_browser *b = browser();
	hc_resp r = { 0 };
	size_t i;

	expect_icon(b, "/icons/" ICON_AAGUID, "image/png", "\x89PNG\r\n\x1a\n", 8);
	expect_icon(b, "/icons/" ICON_AAGUID ".dark", "image/svg+xml", "<svg ", 5);
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		bget(b, missing[i], &r);
		CHECKF(r.status == 404, "%s answered %ld", missing[i], r.status);
	}
	bpost(b, "/icons/" ICON_AAGUID, "{}", &r);
	EXPECT_STATUS(&r, 405);
	hc_resp_reset(&r);
	hc_browser_free(b);
}
