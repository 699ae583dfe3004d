/* A tiny libcurl client with one cookie engine per "browser". */
#include "client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct hc_browser {
	CURL *curl;
	char *origin;
};

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "client: out of memory\n");
		exit(99);
	}
	return p;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static CURLSH *pool;

static hc_browser *
browser_new(const char *origin, int fresh)
{
	hc_browser *b = xmalloc(sizeof(*b));

	memset(b, 0, sizeof(*b));
	if ((b->curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "client: curl_easy_init failed\n");
		exit(99);
	}
	/* "" turns the cookie engine on without reading a file: a fresh browser */
	curl_easy_setopt(b->curl, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(b->curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* send paths as written ("/static/../x" included) */
	curl_easy_setopt(b->curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(b->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(b->curl, CURLOPT_USERAGENT, "fido-bridge-http-tests/1");
	if (fresh) {
		curl_easy_setopt(b->curl, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(b->curl, CURLOPT_FORBID_REUSE, 1L);
	} else {
		if (pool == NULL) {
			if ((pool = curl_share_init()) == NULL) {
				fprintf(stderr, "client: curl_share_init failed\n");
				exit(99);
			}
			curl_share_setopt(pool, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
		}
		curl_easy_setopt(b->curl, CURLOPT_SHARE, pool);
	}
	b->origin = origin != NULL ? strdup(origin) : NULL;
	return b;
}

void
hc_browser_source(hc_browser *b, const char *ip)
{
	curl_easy_setopt(b->curl, CURLOPT_INTERFACE, ip);
}

hc_browser *
hc_browser_new(const char *origin)
{
	return browser_new(origin, 0);
}

hc_browser *
hc_browser_new_fresh(const char *origin)
{
	return browser_new(origin, 1);
}

void
hc_browser_free(hc_browser *b)
{
	if (b == NULL)
		return;
	curl_easy_cleanup(b->curl);
	free(b->origin);
	free(b);
}

void
hc_resp_reset(hc_resp *r)
{
	int i;

	free(r->body);
	for (i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	hc_resp *r = ctx;
	size_t k = size * n;
	char *nb = realloc(r->body, r->len + k + 1);

	if (nb == NULL)
		return 0;
	memcpy(nb + r->len, p, k);
	r->body = nb;
	r->len += k;
	r->body[r->len] = '\0';
	return k;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	hc_resp *r = ctx;
	size_t k = size * n, len = k, i;
	const char *colon;
	int j;

	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the interim one's headers */
		for (j = 0; j < r->n_headers; j++) {
			free(r->headers[j].name);
			free(r->headers[j].value);
		}
		r->n_headers = 0;
		return k;
	}
	if ((colon = memchr(p, ':', len)) == NULL || r->n_headers >= HC_MAX_HEADERS)
		return k;
	i = (size_t)(colon - p) + 1;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	r->headers[r->n_headers].name = xstrndup(p, (size_t)(colon - p));
	r->headers[r->n_headers].value = xstrndup(p + i, len - i);
	r->n_headers++;
	return k;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t k = size * n;

	if (k > u->left)
		k = u->left;
	/* small pieces: a chunked body really arrives in several chunks */
	if (k > 8192)
		k = 8192;
	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

long
hc_request(hc_browser *b, const char *method, const char *url, const char *body, size_t len,
    const char *const *headers, int chunked, hc_resp *r)
{
	struct curl_slist *hl = NULL;
	struct upload up = { body, len };
	CURLcode rc;
	size_t i;

	hc_resp_reset(r);
	snprintf(r->url, sizeof(r->url), "%s", url);
	curl_easy_setopt(b->curl, CURLOPT_URL, url);
	curl_easy_setopt(b->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(b->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(b->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(b->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(b->curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(b->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(b->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(b->curl, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		curl_easy_setopt(b->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(b->curl, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
		if (chunked) {
			curl_easy_setopt(b->curl, CURLOPT_POSTFIELDS, NULL);
			curl_easy_setopt(b->curl, CURLOPT_POSTFIELDSIZE, -1L);
			curl_easy_setopt(b->curl, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(b->curl, CURLOPT_READDATA, &up);
			hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(b->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
			curl_easy_setopt(b->curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		}
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(b->curl, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(b->curl);
	curl_easy_setopt(b->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
		/* a response may still have arrived before the connection broke (413 early) */
		curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &r->status);
	} else {
		curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &r->status);
	}
	if (r->body == NULL) {
		r->body = xmalloc(1);
		r->body[0] = '\0';
	}
	{
		const char *ct = hc_header_get(r, "Content-Type");
		if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0) {
			json_error_t je;
			r->json = json_loadb(r->body, r->len, 0, &je);
		}
	}
	return r->status;
}

long
hc_get(hc_browser *b, const char *url, hc_resp *r)
{
	return hc_request(b, "GET", url, NULL, 0, NULL, 0, r);
}

long
hc_post_json(hc_browser *b, const char *url, const char *body, hc_resp *r)
{
	char origin[512];
	const char *h[4];
	int n = 0;

	h[n++] = "Content-Type: application/json";
	h[n++] = "Expect:";
	if (b->origin != NULL) {
		snprintf(origin, sizeof(origin), "Origin: %s", b->origin);
		h[n++] = origin;
	}
	h[n] = NULL;
	return hc_request(b, "POST", url, body, strlen(body), h, 0, r);
}

long
hc_post_form(hc_browser *b, const char *url, const char *body, hc_resp *r)
{
	char origin[512];
	const char *h[4];
	int n = 0;

	h[n++] = "Content-Type: application/x-www-form-urlencoded";
	h[n++] = "Expect:";
	if (b->origin != NULL) {
		snprintf(origin, sizeof(origin), "Origin: %s", b->origin);
		h[n++] = origin;
	}
	h[n] = NULL;
	return hc_request(b, "POST", url, body, strlen(body), h, 0, r);
}

long
hc_post(hc_browser *b, const char *url, const json_t *body, hc_resp *r)
{
	char *s = json_dumps(body, JSON_COMPACT);
	long st;

	if (s == NULL) {
		fprintf(stderr, "client: json_dumps failed\n");
		exit(99);
	}
	st = hc_post_json(b, url, s, r);
	free(s);
	return st;
}

const char *
hc_header_nth(const hc_resp *r, const char *name, int nth)
{
	int i;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0 && nth-- == 0)
			return r->headers[i].value;
	return NULL;
}

const char *
hc_header_get(const hc_resp *r, const char *name)
{
	return hc_header_nth(r, name, 0);
}

int
hc_header_count(const hc_resp *r, const char *name)
{
	int i, n = 0;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			n++;
	return n;
}

const char *
hc_set_cookie(const hc_resp *r, const char *name)
{
	size_t n = strlen(name);
	const char *v;
	int i;

	for (i = 0; (v = hc_header_nth(r, "Set-Cookie", i)) != NULL; i++)
		if (strncmp(v, name, n) == 0 && v[n] == '=')
			return v;
	return NULL;
}

const char *
hc_json_str(const hc_resp *r, const char *key)
{
	return json_string_value(json_object_get(r->json, key));
}

char *
hc_cookie(hc_browser *b, const char *name)
{
	struct curl_slist *list = NULL, *l;
	char *found = NULL;

	if (curl_easy_getinfo(b->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return NULL;
	/* Netscape format: domain, tailmatch, path, secure, expires, name, value */
	for (l = list; l != NULL && found == NULL; l = l->next) {
		const char *f[7], *p = l->data;
		int i;
		for (i = 0; i < 7; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			p++;
		}
		if (i < 6)
			continue;
		if (strncmp(f[5], name, strlen(name)) == 0 && f[5][strlen(name)] == '\t')
			found = strdup(f[6]);
	}
	curl_slist_free_all(list);
	return found;
}

void
hc_cookie_put(hc_browser *b, const char *host, const char *name, const char *value)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s\tFALSE\t/\tFALSE\t0\t%s\t%s", host, name, value);
	curl_easy_setopt(b->curl, CURLOPT_COOKIELIST, line);
}

void
hc_cookies_clear(hc_browser *b)
{
	curl_easy_setopt(b->curl, CURLOPT_COOKIELIST, "ALL");
}

char *
hc_resolve(const char *base, const char *location)
{
	const char *p;
	size_t n;
	char *out;

	if (location == NULL)
		return NULL;
	if (strncmp(location, "http://", 7) == 0 || strncmp(location, "https://", 8) == 0)
		return strdup(location);
	/* scheme://host[:port] of base, then the path */
	p = strstr(base, "://");
	p = p != NULL ? strchr(p + 3, '/') : NULL;
	n = p != NULL ? (size_t)(p - base) : strlen(base);
	out = xmalloc(n + strlen(location) + 2);
	memcpy(out, base, n);
	out[n] = '\0';
	if (location[0] != '/')
		strcat(out, "/");
	strcat(out, location);
	return out;
}

static int
hexv(int c)
{
	return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

char *
hc_query_param(const char *url, const char *name)
{
	const char *q = strchr(url, '?'), *p;
	size_t n = strlen(name);

	if (q == NULL)
		return NULL;
	for (p = q + 1; p != NULL && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1, *end = v + strcspn(v, "&#");
			char *out = xmalloc((size_t)(end - v) + 1), *o = out;
			for (; v < end; v++) {
				if (*v == '%' && v + 2 < end && hexv(v[1]) >= 0 && hexv(v[2]) >= 0) {
					*o++ = (char)(hexv(v[1]) * 16 + hexv(v[2]));
					v += 2;
				} else if (*v == '+') {
					*o++ = ' ';
				} else {
					*o++ = *v;
				}
			}
			*o = '\0';
			return out;
		}
	}
	return NULL;
}

char *
hc_urlencode(const char *s)
{
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* Temporaries used inline in checks: freed at exit, before LeakSanitizer looks. */
static char **tmp_list;
static size_t tmp_n, tmp_cap;

static void
tmp_free_all(void)
{
	size_t i;

	for (i = 0; i < tmp_n; i++)
		free(tmp_list[i]);
	free(tmp_list);
	tmp_list = NULL;
	tmp_n = tmp_cap = 0;
}

const char *
hc_tmp(char *s)
{
	if (s == NULL)
		return NULL;
	if (tmp_n == tmp_cap) {
		char **n;
		if (tmp_cap == 0)
			atexit(tmp_free_all);
		tmp_cap = tmp_cap ? tmp_cap * 2 : 64;
		if ((n = realloc(tmp_list, tmp_cap * sizeof(*n))) == NULL)
			abort();
		tmp_list = n;
	}
	tmp_list[tmp_n++] = s;
	return s;
}
