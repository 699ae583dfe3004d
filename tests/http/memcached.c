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

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "harness.h"
#include "softkey.h"
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

/* "mg KEY v t": the value (malloc'd, NUL added) or NULL; *ttl the remaining TTL, *vlen its size. */
static char *
mc_get_len(int port, const char *key, long *ttl, size_t *vlen)
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
				if (vlen != NULL)
					*vlen = size;
				if (ttl != NULL)
					*ttl = t != NULL && t < eol ? strtol(t + 2, NULL, 10) : -2;
				break;
			}
		}
	}
	close(fd);
	return out;
}

static char *
mc_get_one(int port, const char *key, long *ttl)
{
	return mc_get_len(port, key, ttl, NULL);
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

/*
 * One request on a fresh connection with short timeouts, as a shim does: the
 * reply's first line into line (and, after "VALUE", the data into *data).
 * -1 when the server does not answer (refused, timeout, closed, garbage).
 */
#define SHIM_TIMEOUT_MS 300
static int
shim_ask(int port, const char *req, char *line, size_t cap, char **data, size_t *dlen)
{
	struct sockaddr_in sa;
	struct timeval tv = { 0, SHIM_TIMEOUT_MS * 1000 };
	char buf[65536 + 512];
	size_t len = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc = -1;
	char *eol;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			goto out; /* timeout or closed: no answer */
		len += (size_t)n;
		buf[len] = '\0';
		if ((eol = strstr(buf, "\r\n")) == NULL)
			continue;
		if (strncmp(buf, "VALUE ", 6) != 0)
			break;
		{
			/* VALUE <key> <flags> <bytes>\r\n<data>\r\nEND\r\n */
			size_t size;
			if (data == NULL || sscanf(buf, "VALUE %*s %*u %zu", &size) != 1 || size > 65536)
				goto out;
			if (len < (size_t)(eol - buf) + 2 + size + 7)
				continue;
			if (memcmp(eol + 2 + size, "\r\nEND\r\n", 7) != 0)
				goto out;
			*data = malloc(size + 1);
			memcpy(*data, eol + 2, size);
			(*data)[size] = '\0';
			*dlen = size;
			break;
		}
	}
	snprintf(line, cap, "%.*s", (int)(eol - buf), buf);
	rc = 0;
out:
	close(fd);
	return rc;
}

shim_rc
shim_take_rc(const char *key, char **value)
{
	char *full = xfmt("%s%s", E.prefix, key), line[600], *req;
	int ports[8], n = mc_ports(ports), had[8], i, failed = 0;

	*value = NULL;
	/* section 4.1: get on every configured server, in order; a server that does not answer fails the take */
	req = xfmt("get %s\r\n", full);
	for (i = 0; i < n; i++) {
		char *v = NULL;
		size_t vl = 0;
		had[i] = 0;
		if (shim_ask(ports[i], req, line, sizeof(line), &v, &vl) < 0 ||
		    (strcmp(line, "END") != 0 && strncmp(line, "VALUE ", 6) != 0)) {
			failed = 1;
			free(v);
			continue;
		}
		if (v != NULL) {
			had[i] = 1;
			if (*value == NULL)
				*value = v;
			else if (strcmp(*value, v) != 0)
				failed = 2; /* copies that differ: nobody's (and not an outage) */
			if (*value != v)
				free(v);
		}
	}
	free(req);
	if (failed == 1 || *value == NULL) {
		free(*value);
		*value = NULL;
		free(full);
		return failed == 1 ? SHIM_UNAVAILABLE : SHIM_NONE;
	}
	/* then delete each copy seen, in the same order; the first that is not DELETED ends it */
	req = xfmt("delete %s\r\n", full);
	for (i = 0; i < n; i++) {
		if (!had[i])
			continue;
		if (shim_ask(ports[i], req, line, sizeof(line), NULL, NULL) < 0 ||
		    (strcmp(line, "DELETED") != 0 && strcmp(line, "NOT_FOUND") != 0)) {
			failed = 1;
			break;
		}
		if (strcmp(line, "NOT_FOUND") == 0) {
			failed = 2;
			break;
		}
	}
	free(req);
	free(full);
	if (failed) {
		free(*value);
		*value = NULL;
		return failed == 1 ? SHIM_UNAVAILABLE : SHIM_NONE;
	}
	return SHIM_WON;
}

char *
shim_take(const char *key)
{
	char *v = NULL;

	return shim_take_rc(key, &v) == SHIM_WON ? v : NULL;
}

/* ---- the bridge's state records ---- */

char *
state_name(const char *kind, const char *id)
{
	char *path = xfmt("%s/state.key", E.dir), *secret = file_read(path), *nl;
	unsigned char nkey[32], mac[32], *msg;
	size_t klen = strlen(kind), ilen = strlen(id), n = 0;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM p[4];
	char *b64, *out;

	REQUIREF(secret != NULL, "no state key in %s", path);
	if ((nl = strpbrk(secret, "\r\n")) != NULL)
		*nl = '\0';
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret, strlen(secret));
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (char *)"fido-bridge state name v1", 25);
	p[3] = OSSL_PARAM_construct_end();
	REQUIRE(kc != NULL && EVP_KDF_derive(kc, nkey, sizeof(nkey), p) == 1);
	msg = malloc(klen + 1 + ilen);
	memcpy(msg, kind, klen + 1);
	memcpy(msg + klen + 1, id, ilen);
	REQUIRE(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, nkey, sizeof(nkey), msg, klen + 1 + ilen, mac, sizeof(mac),
	    &n) != NULL && n == 32);
	b64 = sk_b64url(mac, n);
	out = xfmt("%s:%s", kind, b64);
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	free(msg);
	free(b64);
	free(secret);
	free(path);
	return out;
}

/* memcached lists keys URL-encoded: decode in place. */
static void
url_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%' && s[1] && s[2]) {
			char h[3] = { s[1], s[2], 0 };
			*o++ = (char)strtol(h, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

void
mc_each(void (*fn)(const char *key, const char *val, size_t len, void *arg), void *arg)
{
	int ports[8], n = mc_ports(ports), i;

	for (i = 0; i < n; i++) {
		int fd = mc_connect(ports[i]);
		size_t cap = 1 << 20, len = 0;
		char *buf = malloc(cap), *line, *save = NULL;
		const char *req = "lru_crawler metadump all\r\n";

		REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
		for (;;) {
			ssize_t r = read(fd, buf + len, cap - 1 - len);
			if (r <= 0)
				break;
			len += (size_t)r;
			buf[len] = '\0';
			if (len >= 5 && strcmp(buf + len - 5, "END\r\n") == 0)
				break;
			REQUIRE(len < cap - 1);
		}
		close(fd);
		for (line = strtok_r(buf, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save)) {
			char *k, *e, *v;
			long ttl = 0;
			if (strncmp(line, "key=", 4) != 0)
				continue;
			k = line + 4;
			if ((e = strchr(k, ' ')) != NULL)
				*e = '\0';
			url_decode(k);
			size_t vl = 0;
			if ((v = mc_get_len(ports[i], k, &ttl, &vl)) == NULL)
				continue;       /* gone meanwhile */
			fn(k, v, vl, arg);
			free(v);
		}
		free(buf);
	}
}

/* "ms KEY S<n> T60": 1 stored. */
static int
mc_set_one(int port, const char *key, const void *val, size_t len)
{
	char *req = xfmt("ms %s %zu T60\r\n", key, len), buf[256];
	int fd = mc_connect(port);
	ssize_t r;

	REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	REQUIRE(write(fd, val, len) == (ssize_t)len && write(fd, "\r\n", 2) == 2);
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	free(req);
	return r >= 2 && strncmp(buf, "HD", 2) == 0;
}

int
mc_overwrite(const char *key, const void *val, size_t len)
{
	char *full = xfmt("%s%s", E.prefix, key);
	int ports[8], n = mc_ports(ports), i, done = 0;

	for (i = 0; i < n; i++) {
		char *v = mc_get_one(ports[i], full, NULL);
		if (v != NULL && mc_set_one(ports[i], full, val, len))
			done++;
		free(v);
	}
	free(full);
	return done;
}

char *
mc_raw(const char *key, size_t *len)
{
	char *full = xfmt("%s%s", E.prefix, key), *v = NULL;
	int ports[8], n = mc_ports(ports), i;

	*len = 0;
	for (i = 0; i < n && v == NULL; i++)
		v = mc_get_len(ports[i], full, NULL, len);
	free(full);
	return v;
}
