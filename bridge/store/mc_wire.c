#include "mc_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../core/crypto.h"

#define VALUE_MAX (1024 * 1024)  /* memcached's default item size limit */

int64_t
mcw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
mcw_init(mcw_conn *c, unsigned retry_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->retry_ms = retry_ms;
}

void
mcw_close(mcw_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* answers of other requests may sit here: never read them as ours */
	br_wipe(c->rbuf, sizeof(c->rbuf));
	c->rpos = c->rlen = 0;
}

static int
fail(mcw_conn *c, const char **why, const char *what)
{
	mcw_close(c);
	c->retry_at = mcw_now_ms() + c->retry_ms;
	*why = what;
	return -1;
}

/* One address, within tmo_ms: the socket, blocking with timeouts, or -1. */
static int
connect_one(const struct addrinfo *ai, unsigned tmo_ms, const char **why)
{
	struct timeval tv = { .tv_sec = tmo_ms / 1000, .tv_usec = (tmo_ms % 1000) * 1000 };
	struct pollfd pfd;
	int fd, err = 0, one = 1, flags;
	socklen_t el = sizeof(err);

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol)) < 0) {
		*why = "no socket";
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			*why = errno == ECONNREFUSED ? "connection refused" : "connect failed";
			goto bad;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)tmo_ms) != 1) {
			*why = "connect timed out";
			goto bad;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			*why = err == ECONNREFUSED ? "connection refused" : "connect failed";
			goto bad;
		}
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		*why = "socket options refused";
		goto bad;
	}
	return fd;
bad:
	close(fd);
	return -1;
}

int
mcw_ready(mcw_conn *c, const char *host, in_port_t port, unsigned tmo_ms, const char **why)
{
	struct addrinfo hints, *res = NULL, *ai;
	char p[8];
	int fd = -1;

	if (c->fd >= 0)
		return 0;
	if (c->retry_at != 0 && mcw_now_ms() < c->retry_at) {
		*why = "server skipped after a failure";
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(p, sizeof(p), "%u", (unsigned)port);
	if (getaddrinfo(host, p, &hints, &res) != 0 || res == NULL)
		return fail(c, why, "host not found");
	*why = "connect failed";
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, tmo_ms, why);
	freeaddrinfo(res);
	if (fd < 0)
		return fail(c, why, *why);
	c->fd = fd;
	c->retry_at = 0;
	return 0;
}

int
mcw_sendv(mcw_conn *c, struct iovec *iov, unsigned niov, const char **why)
{
	struct msghdr m;
	unsigned i = 0;
	ssize_t n;

	if (c->fd < 0)
		return fail(c, why, "not connected");
	memset(&m, 0, sizeof(m));
	while (i < niov) {
		if (iov[i].iov_len == 0) {
			i++;
			continue;
		}
		m.msg_iov = &iov[i];
		m.msg_iovlen = niov - i;
		n = sendmsg(c->fd, &m, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(c, why, n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "send timed out" : "send failed");
		/* a partial write: skip what went */
		while (i < niov && (size_t)n >= iov[i].iov_len) {
			n -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < niov) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
mcw_send(mcw_conn *c, const char *head, size_t hlen, const void *val, size_t vlen, const char **why)
{
	struct iovec iov[3] = {
		{ (void *)head, hlen },
		{ (void *)val, val != NULL ? vlen : 0 },
		{ (void *)"\r\n", val != NULL ? 2 : 0 },
	};

	return mcw_sendv(c, iov, 3, why);
}

/* More bytes into rbuf: 0, or -1 (connection closed by fail). */
static int
fill(mcw_conn *c, const char **why)
{
	ssize_t n;

	if (c->rpos > 0) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	if (c->rlen == sizeof(c->rbuf))
		return fail(c, why, "answer line too long");
	do
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return fail(c, why, "connection closed by server");
	if (n < 0)
		return fail(c, why, errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : "receive failed");
	c->rlen += (size_t)n;
	return 0;
}

/* Exactly n bytes into dst: from the buffer, then straight from the socket. */
static int
take_bytes(mcw_conn *c, char *dst, size_t n, const char **why)
{
	size_t have = c->rlen - c->rpos, k = have < n ? have : n;
	ssize_t r;

	memcpy(dst, c->rbuf + c->rpos, k);
	c->rpos += k;
	while (k < n) {
		do
			r = recv(c->fd, dst + k, n - k, 0);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return fail(c, why, "connection closed by server");
		if (r < 0)
			return fail(c, why, errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : "receive failed");
		k += (size_t)r;
	}
	return 0;
}

static int
is(const char *line, const char *code)
{
	return line[0] == code[0] && line[1] == code[1] && (line[2] == '\0' || line[2] == ' ');
}

mcw_ans
mcw_answer(mcw_conn *c, char **val, size_t *vlen, const char **why)
{
	char *line, *nl, *end, crlf[2];
	unsigned long long n;

	if (c->fd < 0) {
		fail(c, why, "not connected");
		return MCW_FAIL;
	}
	for (;;) {
		nl = memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos);
		if (nl != NULL)
			break;
		if (fill(c, why) < 0)
			return MCW_FAIL;
	}
	line = c->rbuf + c->rpos;
	if (nl == line || nl[-1] != '\r') {
		fail(c, why, "malformed answer");
		return MCW_FAIL;
	}
	nl[-1] = '\0';
	c->rpos = (size_t)(nl + 1 - c->rbuf);
	if (is(line, "HD") || is(line, "MN"))
		return MCW_HIT;
	if (is(line, "EN") || is(line, "NS") || is(line, "NF") || is(line, "EX"))
		return MCW_NO;
	if (strncmp(line, "SERVER_ERROR", 12) == 0) {
		/* an answer (out of memory, say): the connection is still in step, the server up */
		*why = "server error";
		return MCW_FAIL;
	}
	if (!is(line, "VA") || val == NULL) {
		/* CLIENT_ERROR, ERROR or worse: what follows may be out of step, so a new connection, but no wait */
		mcw_close(c);
		*why = strncmp(line, "CLIENT_ERROR", 12) == 0 ? "request refused by server" : "unexpected answer";
		return MCW_FAIL;
	}
	/* "VA <digits>[ flags]": the size must start right there, or strtoull would skip the line's end and read on */
	if (line[2] != ' ' || line[3] < '0' || line[3] > '9') {
		fail(c, why, "malformed answer");
		return MCW_FAIL;
	}
	errno = 0;
	n = strtoull(line + 3, &end, 10);
	if (errno != 0 || end == line + 3 || (*end != '\0' && *end != ' ') || n > VALUE_MAX) {
		fail(c, why, "malformed answer");
		return MCW_FAIL;
	}
	if ((*val = malloc((size_t)n + 1)) == NULL) {
		fail(c, why, "out of memory");
		return MCW_FAIL;
	}
	if (take_bytes(c, *val, (size_t)n, why) < 0 || take_bytes(c, crlf, 2, why) < 0 || crlf[0] != '\r' ||
	    crlf[1] != '\n') {
		if (c->fd >= 0)
			fail(c, why, "malformed answer");
		br_wipe(*val, (size_t)n);
		free(*val);
		*val = NULL;
		return MCW_FAIL;
	}
	(*val)[n] = '\0';
	*vlen = (size_t)n;
	return MCW_HIT;
}
