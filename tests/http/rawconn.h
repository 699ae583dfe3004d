/*
 * Plain TCP connections to the bridge for the HTTP tests that need what
 * libcurl does not give: a chosen source address on loopback (127.0.0.2 is
 * another client than 127.0.0.1) and many connections open at once.
 */
#ifndef HTTP_RAWCONN_H
#define HTTP_RAWCONN_H

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
void raw_close(int fd);
/* Sleep ms milliseconds. */
void raw_pause(int ms);

#endif
