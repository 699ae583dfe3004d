#include "guard.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const page_strings[] = {
	"page.start.title", "page.start", "page.unavailable.title", "page.unavailable",
	"page.expired.title", "page.expired", "page.rate_limited.title", "page.rate_limited",
	"page.enroll_help.title", "page.enroll_help", "page.enroll_link.title", "page.enroll_link",
	"err.forbidden", "err.bad_request", "err.expired", "err.unknown_account", "err.no_credentials",
	"err.unknown_credential", "err.account_disabled", "err.failed", "err.rate_limited",
	"err.last_passkey", "err.unavailable", "err.already_registered", "err.has_passkeys",
};

int
br_guard_check_strings(const br_templates *t, char *err, size_t errlen)
{
	static const char *const langs[] = { "en", "ja" };
	size_t i, l;

	for (i = 0; i < sizeof(page_strings) / sizeof(page_strings[0]); i++)
		for (l = 0; l < 2; l++)
			if (*br_t(t, langs[l], page_strings[i]) == '\0') {
				snprintf(err, errlen, "templates: string \"%s\" missing from i18n/%s.json", page_strings[i], langs[l]);
				return -1;
			}
	return 0;
}

const char *
br_req_lang(const br_request *req)
{
	return br_lang_pick(br_req_query(req, "lang", NULL), br_req_cookie(req, "fb_lang"),
	    br_req_header(req, "Accept-Language"));
}

static int
origin_allowed(const br_app *app, const char *origin)
{
	size_t i;

	for (i = 0; origin != NULL && i < app->cfg.origins.n; i++)
		if (strcmp(app->cfg.origins.v[i], origin) == 0)
			return 1;
	return 0;
}

void
br_reply_error(br_app *app, const br_request *req, br_response *res, int status, const char *code)
{
	char key[64];

	snprintf(key, sizeof(key), "err.%s", code);
	br_res_json(res, status, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", code,
	    "message", app->tpl != NULL ? br_t(app->tpl, br_req_lang(req), key) : ""));
}

void
br_reply_page_error(br_app *app, const br_request *req, br_response *res, int status,
    const char *title_key, const char *message_key)
{
	const char *lang = br_req_lang(req);
	br_var v[] = {
		{ "title", br_t(app->tpl, lang, title_key) },
		{ "message", br_t(app->tpl, lang, message_key) },
	};
	char *html = br_render(app->tpl, "error", lang, v, 2);

	if (html == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	br_res_text(res, status, "text/html; charset=utf-8", html);
	free(html);
}

json_t *
br_guard_json(br_app *app, const br_request *req, br_response *res)
{
	const char *ct = br_req_header(req, "Content-Type");
	json_error_t je;
	json_t *body;

	/* cross-site requests carry a foreign Origin (or none from old forms) */
	if (!origin_allowed(app, br_req_header(req, "Origin"))) {
		br_reply_error(app, req, res, 403, "forbidden");
		return NULL;
	}
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
		br_reply_error(app, req, res, 400, "bad_request");
		return NULL;
	}
	body = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(body)) {
		json_decref(body);
		br_reply_error(app, req, res, 400, "bad_request");
		return NULL;
	}
	return body;
}

int
br_guard_counter_key(const char *tag, const char *what, char *out, size_t cap)
{
	char norm[256];
	size_t i, n0 = 0;

	/* the directory matches "ALICE" and " alice" to alice: count them as one */
	while (*what == ' ' || *what == '\t')
		what++;
	for (i = 0; what[i] != '\0' && n0 < sizeof(norm) - 1; i++)
		norm[n0++] = (char)((what[i] >= 'A' && what[i] <= 'Z') ? what[i] + 32 : what[i]);
	while (n0 > 0 && (norm[n0 - 1] == ' ' || norm[n0 - 1] == '\t'))
		n0--;
	norm[n0] = '\0';
	/* hashed: neither addresses nor usernames go into keys as typed */
	return br_cache_key_hash(tag, norm, n0, out, cap);
}

static int
over(br_app *app, const char *tag, const char *what, int64_t now, int limit)
{
	char key[128], slot[160];
	uint64_t n = 0;

	if (br_guard_counter_key(tag, what, key, sizeof(key)) < 0)
		return 0;
	snprintf(slot, sizeof(slot), "%s:%lld", key, (long long)(now / 60));
	if (br_cache_incr(app->cache, slot, 120, &n) != BR_CACHE_OK) {
		br_metrics_event(app->metrics, "rate_limit", "cache_error");
		return 0;
	}
	return n > (uint64_t)limit;
}

/*
 * The per-address counter's bucket: an IPv6 client counts by its /64, which
 * one subscriber usually holds whole and could otherwise walk through.
 */
static const char *
address_bucket(const char *client, char *out, size_t cap)
{
	unsigned char a[16];

	if (strchr(client, ':') == NULL || inet_pton(AF_INET6, client, a) != 1)
		return client;
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL)
		return client;
	strncat(out, "/64", cap - strlen(out) - 1);
	return out;
}

int
br_guard_rate(br_app *app, const br_request *req, br_response *res, const char *account, int json)
{
	char bucket[INET6_ADDRSTRLEN + 4];
	int hit = over(app, "rl:ip", address_bucket(req->client, bucket, sizeof(bucket)), req->now,
	    app->cfg.limit_per_address);

	if (!hit && account != NULL)
		hit = over(app, "rl:acct", account, req->now, app->cfg.limit_per_account);
	if (!hit)
		return 0;
	br_event(app, req, "rate_limited", account != NULL ? "account" : "address",
	    account != NULL ? json_pack("{s:s}", "username", account) : NULL);
	if (json)
		br_reply_error(app, req, res, 429, "rate_limited");
	else
		br_reply_page_error(app, req, res, 429, "page.rate_limited.title", "page.rate_limited");
	return -1;
}

void
br_event(br_app *app, const br_request *req, const char *event, const char *reason, json_t *fields)
{
	if (fields == NULL)
		fields = json_object();
	if (reason != NULL)
		json_object_set_new(fields, "reason", json_string(reason));
	json_object_set_new(fields, "client", json_string(req->client));
	br_metrics_event(app->metrics, event, reason);
	br_audit_event(app->audit, event, fields);
}
