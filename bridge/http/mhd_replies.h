/*
 * The security headers every reply carries, ours and libmicrohttpd's own
 * error replies (mhd_replies.c says how those get them). Included by
 * server.c and mhd_replies.c only: the files that see microhttpd.h.
 */
#ifndef BR_MHD_REPLIES_H
#define BR_MHD_REPLIES_H

#include <sys/socket.h>

#include <microhttpd.h>

/* No inline script or style, no framing, no referrer. */
#define BR_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/*
 * A served image (an authenticator's icon; SVG can hold script): nothing
 * loads or runs, even when opened on its own.
 */
#define BR_CSP_IMAGE "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"

/* CSP (csp, or BR_CSP when NULL), nosniff, no framing, no referrer, COOP; HSTS when https. */
void br_mhd_security_headers(struct MHD_Response *r, int https, const char *csp);
/* An https server started: the library's own replies carry HSTS from now on. */
void br_mhd_replies_https(int https);

#endif
