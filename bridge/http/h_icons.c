/*
 * GET /icons/<aaguid>[.dark]: an authenticator's icon for My passkeys. The
 * names file and the FIDO metadata carry icons as data: URLs, which the
 * pages' CSP (img-src 'self') does not draw; the bridge decodes them and
 * serves the bytes itself, under a sandboxing CSP (an SVG is a document).
 */
#include <stdlib.h>
#include <string.h>

#include "../app/aaguid_names.h"
#include "handler.h"

#define PREFIX "/icons/"
#define AAGUID_LEN 36

void
h_icon(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *rest = req->path + strlen(PREFIX), *ctype = NULL;
	size_t n = strlen(rest);
	br_blob img = { 0 };
	int dark;

	if (n == AAGUID_LEN)
		dark = 0;
	else if (n == AAGUID_LEN + 5 && strcmp(rest + AAGUID_LEN, ".dark") == 0)
		dark = 1;
	else
		dark = -1;
	if (dark < 0 || br_app_icon(app, rest, AAGUID_LEN, dark, &ctype, &img) < 0) {
		br_res_text(res, 404, "text/plain; charset=utf-8", "not found\n");
		return;
	}
	free(res->body);
	if ((res->body = malloc(img.len)) == NULL) {
		br_blob_reset(&img);
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	memcpy(res->body, img.ptr, img.len);
	res->body_len = img.len;
	br_blob_reset(&img);
	res->status = 200;
	res->content_type = ctype;
	res->csp_image = 1;
	/* a model's icon changes only with a new names file or metadata blob */
	res->cache_seconds = 86400;
}
