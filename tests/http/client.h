/*
 * A tiny HTTP client for the HTTP tests over libcurl: one "browser" is one
 * easy handle with its own cookie engine; redirects are never followed (the
 * tests read Location themselves). API POSTs carry Origin and
 * Content-Type: application/json like the bridge's script.
 */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#define HC_MAX_HEADERS 64

typedef struct hc_header {
	char *name;
	char *value;
} hc_header;

typedef struct hc_resp {
	long status;            /* 0: transport error (see error) */
	char *body;             /* NUL-terminated */
	size_t len;
	hc_header headers[HC_MAX_HEADERS];
	int n_headers;
	json_t *json;           /* body parsed when it is JSON, else NULL */
	char error[256];
	char url[2048];         /* what was requested */
} hc_resp;

typedef struct hc_browser hc_browser;

/*
 * origin: the value of Origin on API POSTs (may be NULL: none).
 * The browsers share one pool of keep-alive connections (never cookies), so
 * sequential requests reach the server over the same connection.
 */
hc_browser *hc_browser_new(const char *origin);
/* A browser that opens a new connection for every request (none shared, none kept). */
hc_browser *hc_browser_new_fresh(const char *origin);
/* Send from this local address (e.g. 127.0.0.4): another client for per-address limits. */
void hc_browser_source(hc_browser *b, const char *ip);
void hc_browser_free(hc_browser *b);

/* GET url. Returns r->status (0 on a transport error). The response is reset first. */
long hc_get(hc_browser *b, const char *url, hc_resp *r);
/* POST body as JSON with Origin and Content-Type. */
long hc_post_json(hc_browser *b, const char *url, const char *body, hc_resp *r);
/* POST body as a form (what a <form method="post"> sends), with Origin. */
long hc_post_form(hc_browser *b, const char *url, const char *body, hc_resp *r);
/* POST a JSON value (serialised compactly). */
long hc_post(hc_browser *b, const char *url, const json_t *body, hc_resp *r);

/*
 * Everything: method, url, body (len bytes, may be NULL), extra headers
 * ("Name: value"; "Name:" removes a default one), NULL-terminated. With
 * chunked, the body is sent with Transfer-Encoding: chunked (no Content-Length).
 */
long hc_request(hc_browser *b, const char *method, const char *url, const char *body, size_t len,
    const char *const *headers, int chunked, hc_resp *r);

void hc_resp_reset(hc_resp *r);
/* The first header of that name (case-insensitive), or NULL. */
const char *hc_header_get(const hc_resp *r, const char *name);
/* How many headers of that name. */
int hc_header_count(const hc_resp *r, const char *name);
/* The i-th header of that name, or NULL. */
const char *hc_header_nth(const hc_resp *r, const char *name, int i);
/* The Set-Cookie header that sets cookie name, or NULL. */
const char *hc_set_cookie(const hc_resp *r, const char *name);
/* A JSON string member of the response body, or NULL. */
const char *hc_json_str(const hc_resp *r, const char *key);

/* The value of a cookie in the browser's jar (malloc'd), or NULL. */
char *hc_cookie(hc_browser *b, const char *name);
/* Put a cookie for host into the jar (replacing one of that name). */
void hc_cookie_put(hc_browser *b, const char *host, const char *name, const char *value);
/* Forget every cookie. */
void hc_cookies_clear(hc_browser *b);

/* An absolute URL for a Location (which may be a path) seen on base. malloc'd. */
char *hc_resolve(const char *base, const char *location);
/* The value of query parameter name in url (decoded, malloc'd), or NULL. */
char *hc_query_param(const char *url, const char *name);
/* URL-encode (RFC 3986 unreserved kept). malloc'd. */
char *hc_urlencode(const char *s);

/* Keep a malloc'd string until exit (for values used inline in checks). */
const char *hc_tmp(char *s);

#endif
