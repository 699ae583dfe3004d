/* Plain TCP connections to the bridge from a chosen loopback address. */
#include "rawconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
bind_src(int fd, const char *src)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sa.sin_addr) != 1)
		return -1;
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

int
raw_can_bind(const char *src)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	ok = bind_src(fd, src) == 0;
	close(fd);
	return ok;
}

int
raw_connect(const char *src, int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (src != NULL && bind_src(fd, src) < 0) {
		close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
raw_send(int fd, const char *text)
{
	size_t n = strlen(text), off = 0;

	while (off < n) {
		ssize_t k = send(fd, text + off, n - off, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
raw_status(int fd, int ms)
{
	char buf[256];
	size_t len = 0;
	long deadline = ms_now() + ms;
	int status;

	while (len < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - ms_now();
		ssize_t k;
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -1;
		k = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break; /* closed (or reset) */
		len += (size_t)k;
		buf[len] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	buf[len] = '\0';
	if (strstr(buf, "\r\n") == NULL || sscanf(buf, "HTTP/1.%*1d %3d", &status) != 1)
		return 0;
	return status;
}

int
raw_connect_to(const char *dst, int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), e;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
raw_send_n(int fd, const char *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = send(fd, p + off, n - off, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

char *
raw_read_all(int fd, int ms, int *closed)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	long deadline = ms_now() + ms;

	*closed = 0;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - ms_now();
		ssize_t k;
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			break;
		if (len + 1024 > cap)
			buf = realloc(buf, cap *= 2);
		k = recv(fd, buf + len, cap - len - 1, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*closed = 1;
			break;
		}
		len += (size_t)k;
	}
	buf[len] = '\0';
	return buf;
}

int
raw_wait_closed(int fd, int ms)
{
	int closed;

	free(raw_read_all(fd, ms, &closed));
	return closed;
}

void
raw_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void
raw_pause(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
