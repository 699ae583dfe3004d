/* The HTTP server: libmicrohttpd with a worker pool, limits and graceful stop. */
#ifndef BR_SERVER_H
#define BR_SERVER_H

#include "../config/config.h"
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
	int threads;                   /* worker pool size; 0: eight per core (16 if the count is unknown) */
	size_t max_body;
	int timeout_s;                 /* idle: no byte for this long */
	/*
	 * A whole request (line, headers, body) must arrive within this many
	 * seconds of the connection's start or of the previous reply, else the
	 * connection is dropped; 0: no deadline.
	 */
	int header_timeout_s;
	int https;                     /* public URL scheme */
	const br_route *routes;
	size_t n_routes;
	void *app;
	/* called after each response with the route's metric name, status and seconds taken */
	void (*observe)(void *app, const char *metric, int status, double seconds);
	/*
	 * Peers whose X-Forwarded-For names the client (br_client_address); not
	 * counted by the per-address connection limit. NULL or empty: none.
	 */
	const br_ip_prefixes *trusted_proxies;
	/* Open connections per client address; 0: no limit (as in the configuration). */
	unsigned max_connections_per_address;
	/* A path no route has (any method): this handler answers; NULL: a plain-text 404. */
	br_handler not_found;
} br_server_options;

typedef struct br_server br_server;

/*
 * The client address of a request, as canonical text in out (cap >=
 * BR_IP_TEXT_MAX; an IPv4-mapped address as plain IPv4). peer is the TCP
 * peer (16 bytes, IPv4 mapped). When the peer is in trusted, xff (xff_len
 * bytes; NULL: no header) is the X-Forwarded-For value, several header lines
 * joined by commas in order: its entries are walked from the right, those
 * that are trusted proxies themselves are skipped, and the first one that is
 * not is the client (every one trusted: the left-most). An entry that is not
 * exactly one IPv4/IPv6 address (empty, a port, brackets, a name, too long)
 * makes the header worthless: the peer is the client. Returns 1 when the
 * address came from the header, 0 when it is the peer's. Pure: no I/O.
 */
int br_client_address(const br_ip_prefixes *trusted, const unsigned char peer[16], const char *xff,
    size_t xff_len, char *out, size_t cap);

br_server *br_server_start(const br_server_options *o, char *err, size_t errlen);
int br_server_port(const br_server *s);
/* Stops accepting, finishes requests in flight, frees. */
void br_server_stop(br_server **s);

#endif
