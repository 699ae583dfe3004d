/*
 * Plain TCP connections to the bridge for the HTTP tests that need what
 * libcurl does not give: a chosen source address on loopback (127.0.0.2 is
 * another client than 127.0.0.1), many connections open at once, and
 * requests no client library would send (both framings, a slow drip).
 */
#ifndef HTTP_RAWCONN_H
#define HTTP_RAWCONN_H

#include <stddef.h>

/* A connection to 127.0.0.1:port from source address src (NULL: any); the fd, or -1. */
int raw_connect(const char *src, int port);
/* Whether src can be a source address here (bind succeeds). */
int raw_can_bind(const char *src);
/* Send all of text; 0, or -1 when the peer is gone. */
int raw_send(int fd, const char *text);
/*
 * The status of the HTTP response on fd (its first line), waiting up to ms
 * milliseconds: 0 when the server closed the connection without a response,
 * -1 on timeout.
 */
int raw_status(int fd, int ms);
/* A connection to dst:port (a numeric IPv4 address); the fd, or -1 with errno. */
int raw_connect_to(const char *dst, int port);
/* Send n bytes; 0, or -1 when the peer is gone. */
int raw_send_n(int fd, const char *p, size_t n);
/*
 * Everything the peer sends within ms milliseconds, until it closes: a new
 * NUL-terminated string (text up to the first NUL byte). *closed is 1 when
 * the peer closed (or reset) the connection, 0 when the time ran out.
 */
char *raw_read_all(int fd, int ms, int *closed);
/* Whether the peer has closed: waits up to ms milliseconds, discarding what arrives. 1, or 0. */
int raw_wait_closed(int fd, int ms);
void raw_close(int fd);
/* Sleep ms milliseconds. */
void raw_pause(int ms);

#endif
