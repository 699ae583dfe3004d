/*
 * One connection to one memcached server, speaking the meta text protocol
 * (mg/ms/md/ma/mn, memcached 1.6). Blocking sockets with send and receive
 * timeouts: a request is one sendmsg, its answer usually one recv, with no
 * EAGAIN-and-poll in between. The caller sends to several servers before it
 * reads any answer, which is how replicas cost one round trip instead of
 * one each. Used only by cache_memcached.c, one connection per thread per
 * server (a connection is not thread-safe).
 *
 * Every call returns 0, or -1 with a short reason in *why (a static
 * string); after -1 the connection is closed, because an answer that did
 * not arrive may still come and would put the next request out of step,
 * and the server is skipped for retry_ms.
 */
#ifndef BR_MC_WIRE_H
#define BR_MC_WIRE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define MCW_BUF 4096

typedef struct mcw_conn {
	int fd;              /* -1 when closed */
	int64_t retry_at;    /* monotonic ms: after a failure the server is skipped until then */
	unsigned retry_ms;   /* that wait */
	size_t rpos, rlen;   /* unread answer bytes in rbuf */
	char rbuf[MCW_BUF];
} mcw_conn;

typedef enum mcw_ans {
	MCW_HIT,     /* VA (value), HD (stored, deleted) */
	MCW_NO,      /* EN (miss), NS (not stored), NF (not found), EX (exists) */
	MCW_FAIL,    /* no answer, or one that is not ours: why says which */
} mcw_ans;

void mcw_init(mcw_conn *c, unsigned retry_ms);
void mcw_close(mcw_conn *c);
int64_t mcw_now_ms(void);

/* Connected (or connect now, within tmo_ms), unless the server is waiting out a retry. */
int mcw_ready(mcw_conn *c, const char *host, in_port_t port, unsigned tmo_ms, const char **why);

/* Send the iovs (several requests, pipelined) in as few system calls as the socket takes; iov is consumed. */
int mcw_sendv(mcw_conn *c, struct iovec *iov, unsigned niov, const char **why);

/* Send head, then val (may be NULL/0), then "\r\n" after val when val is given; one system call. */
int mcw_send(mcw_conn *c, const char *head, size_t hlen, const void *val, size_t vlen, const char **why);

/*
 * Read one answer. With val != NULL a VA answer's data is returned in
 * *val (malloc'd, NUL-terminated, *vlen bytes); otherwise a VA is refused.
 * MCW_FAIL closes the connection and starts its retry wait, as every
 * failing call does, except for the server's own error answers:
 * SERVER_ERROR leaves the connection as it is, CLIENT_ERROR closes it
 * without a wait.
 */
mcw_ans mcw_answer(mcw_conn *c, char **val, size_t *vlen, const char **why);

#endif
