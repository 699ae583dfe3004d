/*
 * The HTTP layer the routes see: a parsed request in, a response out.
 * server.c (with mhd_replies.c, the only files that include microhttpd.h) fills one and sends
 * the other with the security headers every response carries.
 */
#ifndef BR_HTTP_H
#define BR_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct br_request {
	const char *method;
	const char *path;
	const char *client;            /* peer address, text */
	const unsigned char *body;     /* NUL-terminated copy; body_len bytes */
	size_t body_len;
	int https;                     /* the public URL is https: Secure cookies */
	int64_t now;                   /* unix seconds when the request arrived */
	char ref[10];                  /* reference id ("K7Q2-M9XD"): on an error page and in its audit lines */
	void *conn;                    /* for the lookups below */
	int from_trusted_proxy;        /* the TCP peer is in [server] trusted_proxies */
} br_request;

/* The value of a query parameter; *count gets how often it occurs (0: NULL). */
const char *br_req_query(const br_request *r, const char *name, int *count);
const char *br_req_header(const br_request *r, const char *name);
/* A header by name (case-insensitive), with how many times it came in *count (0: NULL). */
const char *br_req_header_n(const br_request *r, const char *name, int *count);
/* A cookie by its base name: "fb_flow" also finds "__Host-fb_flow" on https. */
const char *br_req_cookie(const br_request *r, const char *name);

#define BR_RES_MAX_COOKIES 4

typedef struct br_response {
	int status;
	char *body;                    /* owned */
	size_t body_len;
	const char *content_type;      /* static string */
	char *location;                /* owned; 303 target */
	char *cookies[BR_RES_MAX_COOKIES]; /* owned Set-Cookie values */
	int n_cookies;
	int cache_seconds;             /* 0: Cache-Control: no-store */
	int close;                     /* Connection: close (the rest of the stream is not trusted) */
	int csp_image;                 /* an image: the sandboxing CSP (BR_CSP_IMAGE) instead of the pages' */
	const char *metric;            /* route name for /metrics */
} br_response;

void br_res_text(br_response *res, int status, const char *content_type, const char *text);
/* Takes the reference to body. */
void br_res_json(br_response *res, int status, json_t *body);
/* Takes ownership of url. */
void br_res_redirect(br_response *res, char *url);
/* Adds Set-Cookie; max_age < 0 deletes. HttpOnly unless readable; Secure and __Host- on https. */
void br_res_cookie(br_response *res, const br_request *req, const char *name, const char *value,
    int max_age, int readable);
void br_res_reset(br_response *res);

#endif
