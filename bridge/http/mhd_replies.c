/*
 * The security headers on every reply, including the ones libmicrohttpd
 * writes by itself (400 for a malformed request, 413, 414, 431, 505, ...).
 *
 * libmicrohttpd 0.9.75 (Debian 12) has no option or callback for its own
 * error replies: it builds them from a static HTML string with no header at
 * all and queues them with MHD_queue_response, through the library's PLT.
 * So this file defines MHD_queue_response: the executable's definition
 * interposes the library's, for our replies and for the library's own, and
 * adds what a reply lacks before handing it to the library's function.
 * Ours already carry the headers (send_response); the library's get them
 * here. tests/http t_edges checks the library's replies on the wire, so a
 * platform where the interposition does not take (a library linked with
 * -Bsymbolic, or statically) fails that test instead of passing silently.
 */
#define _GNU_SOURCE
#include "mhd_replies.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);

static queue_fn library_queue;
static pthread_once_t library_once = PTHREAD_ONCE_INIT;
/* Strict-Transport-Security on the library's replies: set when an https server starts. */
static atomic_int library_hsts;

static void
find_library_queue(void)
{
	library_queue = (queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
	if (library_queue == NULL)
		fprintf(stderr, "fido-bridge: libmicrohttpd's MHD_queue_response not found: %s\n", dlerror());
}

void
br_mhd_security_headers(struct MHD_Response *r, int https, const char *csp)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp != NULL ? csp : BR_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	if (https)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

void
br_mhd_replies_https(int https)
{
	if (https)
		atomic_store(&library_hsts, 1);
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code, struct MHD_Response *response)
{
	pthread_once(&library_once, find_library_queue);
	if (library_queue == NULL)
		return MHD_NO; /* the connection is closed without a reply */
	if (response != NULL && MHD_get_response_header(response, "Content-Security-Policy") == NULL) {
		/* one of the library's own: its body is a short static HTML page */
		if (MHD_get_response_header(response, "Content-Type") == NULL)
			MHD_add_response_header(response, "Content-Type", "text/html; charset=utf-8");
		if (MHD_get_response_header(response, "Cache-Control") == NULL)
			MHD_add_response_header(response, "Cache-Control", "no-store");
		br_mhd_security_headers(response, atomic_load(&library_hsts), NULL);
	}
	return library_queue(connection, status_code, response);
}
