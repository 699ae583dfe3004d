/* Operations: /healthz (public and admin), /metrics (admin), /.well-known/webauthn, static files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handler.h"

/* NULL when memcached and LDAP answer, else the failing part (in text). */
static const char *
health(br_app *app, char *text, size_t cap)
{
	br_user *u = NULL;
	char err[256];
	br_dir_rc rc;

	if (br_cache_check(app->cache, err, sizeof(err)) < 0) {
		snprintf(text, cap, "memcached: %s\n", err);
		return text;
	}
	/* a search that finds nobody still proves LDAP answers */
	rc = br_dir_find_user(app->dir, "healthcheck.nonexistent", &u);
	br_user_free(&u);
	if (rc == BR_DIR_ERROR) {
		snprintf(text, cap, "ldap: unreachable\n");
		return text;
	}
	return NULL;
}

void
h_healthz(void *ctx, const br_request *req, br_response *res)
{
	char text[320];

	(void)req;
	/* public: whether, not why (server names and errors are for the admin listener) */
	if (health(ctx, text, sizeof(text)) != NULL)
		br_res_text(res, 503, "text/plain; charset=utf-8", "not ok\n");
	else
		br_res_text(res, 200, "text/plain; charset=utf-8", "ok\n");
}

void
h_healthz_detail(void *ctx, const br_request *req, br_response *res)
{
	char text[320];
	const char *bad = health(ctx, text, sizeof(text));

	(void)req;
	br_res_text(res, bad != NULL ? 503 : 200, "text/plain; charset=utf-8", bad != NULL ? bad : "ok\n");
}

void
h_metrics(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	char *text = br_metrics_render(app->metrics), *all, tail[768];
	br_keycache_stats ks;
	size_t n;

	(void)req;
	if (text != NULL && app->keys != NULL) {
		/* sizing [webauthn] key_cache: evictions with few hits mean it is too small for the crowd */
		br_keycache_stats_get(app->keys, &ks);
		snprintf(tail, sizeof(tail), "# HELP fidobridge_key_cache_hits_total Parsed public keys found in this process's cache.\n"
		    "# TYPE fidobridge_key_cache_hits_total counter\nfidobridge_key_cache_hits_total %llu\n"
		    "# TYPE fidobridge_key_cache_misses_total counter\nfidobridge_key_cache_misses_total %llu\n"
		    "# TYPE fidobridge_key_cache_evictions_total counter\nfidobridge_key_cache_evictions_total %llu\n"
		    "# TYPE fidobridge_key_cache_entries gauge\nfidobridge_key_cache_entries %zu\n"
		    "# TYPE fidobridge_key_cache_capacity gauge\nfidobridge_key_cache_capacity %zu\n",
		    (unsigned long long)ks.hits, (unsigned long long)ks.misses, (unsigned long long)ks.evictions,
		    ks.entries, ks.capacity);
		n = strlen(text);
		if ((all = realloc(text, n + strlen(tail) + 1)) == NULL)
			free(text);
		else
			memcpy(all + n, tail, strlen(tail) + 1);
		text = all;
	}
	if (text == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	br_res_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", text);
	free(text);
}

void
h_well_known(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *host = br_req_header(req, "Host");
	size_t i, hl = host != NULL ? strcspn(host, ":") : 0;
	json_t *origins;

	/* browsers fetch it from https://<rp id>/.well-known/webauthn: answer only there */
	if (app->cfg.related_origins.n == 0 || host == NULL || hl != strlen(app->cfg.rp_id) ||
	    strncasecmp(host, app->cfg.rp_id, hl) != 0) {
		br_res_text(res, 404, "text/plain; charset=utf-8", "not found\n");
		return;
	}
	origins = json_array();
	for (i = 0; i < app->cfg.related_origins.n; i++)
		json_array_append_new(origins, json_string(app->cfg.related_origins.v[i]));
	br_res_json(res, 200, json_pack("{s:o}", "origins", origins));
	res->cache_seconds = 3600;
}

void
h_static(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *ctype = NULL, *text;
	size_t len = 0;

	if ((text = br_static_file(app->tpl, req->path, &len, &ctype)) == NULL) {
		br_res_text(res, 404, "text/plain; charset=utf-8", "not found\n");
		return;
	}
	free(res->body);
	if ((res->body = malloc(len + 1)) == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	memcpy(res->body, text, len);
	res->body[len] = '\0';
	res->body_len = len;
	res->status = 200;
	res->content_type = ctype;
	/* the pages name branding files with ?v=<digest>: a new file is a new URL */
	res->cache_seconds = strncmp(req->path, "/branding/", 10) == 0 ? 86400 : 300;
}

void
h_favicon(void *ctx, const br_request *req, br_response *res)
{
	(void)ctx;
	(void)req;
	/* no icon: an empty answer keeps browsers from logging a 404 on every page */
	br_res_text(res, 204, "text/plain; charset=utf-8", "");
	res->cache_seconds = 86400;
}
