/* The HTTP server: libmicrohttpd with a worker pool, limits and graceful stop. */
#ifndef BR_SERVER_H
#define BR_SERVER_H

#include "http.h"

typedef void (*br_handler)(void *app, const br_request *req, br_response *res);

typedef struct br_route {
	const char *method;            /* "GET" / "POST" */
	const char *path;              /* exact, or a prefix when it ends in '/' (but is not "/") */
	br_handler fn;
	const char *metric;            /* name in /metrics */
} br_route;

typedef struct br_server_options {
	const char *address;           /* numeric IPv4 or IPv6 */
	int port;                      /* 0: any free port (see br_server_port) */
	int threads;                   /* worker pool size; 0: eight per core */
	size_t max_body;
	int timeout_s;
	int https;                     /* public URL scheme */
	const br_route *routes;
	size_t n_routes;
	void *app;
	/* called after each response with the route's metric name, status and seconds taken */
	void (*observe)(void *app, const char *metric, int status, double seconds);
} br_server_options;

typedef struct br_server br_server;

br_server *br_server_start(const br_server_options *o, char *err, size_t errlen);
int br_server_port(const br_server *s);
/* Stops accepting, finishes requests in flight, frees. */
void br_server_stop(br_server **s);

#endif
