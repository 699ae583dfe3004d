/* memcached for the HTTP tests: its text protocol (meta commands), spoken here and not with the bridge's code. */
#include "memcached.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"
#include "stack.h"

static int
mc_connect(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	REQUIRE(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIREF(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "memcached on port %d: %s", port, strerror(errno));
	return fd;
}

/* "mg KEY v t": the value (malloc'd) or NULL; *ttl the remaining TTL. */
static char *
mc_get_one(int port, const char *key, long *ttl)
{
	char req[512], buf[65536 + 512];
	size_t len = 0;
	int fd = mc_connect(port);
	char *out = NULL;

	snprintf(req, sizeof(req), "mg %s v t\r\n", key);
	REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *eol;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if ((eol = strstr(buf, "\r\n")) == NULL)
			continue;
		if (strncmp(buf, "VA ", 3) != 0)
			break; /* EN (miss) or an error line */
		{
			size_t size = strtoul(buf + 3, NULL, 10);
			char *t = strstr(buf, " t");
			if (len >= (size_t)(eol - buf) + 2 + size + 2) {
				out = malloc(size + 1);
				memcpy(out, eol + 2, size);
				out[size] = '\0';
				if (ttl != NULL)
					*ttl = t != NULL && t < eol ? strtol(t + 2, NULL, 10) : -2;
				break;
			}
		}
	}
	close(fd);
	return out;
}

/* "md KEY": 1 deleted, 0 not found. */
static int
mc_delete_one(int port, const char *key)
{
	char req[512], buf[256];
	size_t len = 0;
	int fd = mc_connect(port);

	snprintf(req, sizeof(req), "md %s\r\n", key);
	REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	REQUIREF(strncmp(buf, "HD", 2) == 0 || strncmp(buf, "NF", 2) == 0, "memcached md %s: %s", key, buf);
	return strncmp(buf, "HD", 2) == 0;
}

static int
mc_ports(int out[8])
{
	char *ports = strdup(E.mc_ports), *save = NULL, *p;
	int n = 0;

	for (p = strtok_r(ports, " ,", &save); p != NULL && n < 8; p = strtok_r(NULL, " ,", &save))
		out[n++] = atoi(p);
	free(ports);
	return n;
}

char *
mc_lookup(const char *key, int *copies, long *ttl)
{
	char *full = xfmt("%s%s", E.prefix, key), *found = NULL;
	int ports[8], n = mc_ports(ports), i;

	*copies = 0;
	for (i = 0; i < n; i++) {
		long t = -2;
		char *v = mc_get_one(ports[i], full, &t);
		if (v == NULL)
			continue;
		(*copies)++;
		if (found == NULL) {
			found = v;
			if (ttl != NULL)
				*ttl = t;
		} else {
			free(v);
		}
	}
	free(full);
	return found;
}

char *
shim_take(const char *key)
{
	char *full = xfmt("%s%s", E.prefix, key), *found = NULL;
	int ports[8], n = mc_ports(ports), had[8], i, won = 1, any = 0;

	/* every server first, then delete wherever it was: the winner deletes them all */
	for (i = 0; i < n; i++) {
		char *v = mc_get_one(ports[i], full, NULL);
		had[i] = v != NULL;
		any |= had[i];
		if (v != NULL && found == NULL)
			found = v;
		else
			free(v);
	}
	for (i = 0; i < n; i++)
		if (had[i] && !mc_delete_one(ports[i], full))
			won = 0;
	free(full);
	if (!any || !won) {
		free(found);
		return NULL;
	}
	return found;
}
