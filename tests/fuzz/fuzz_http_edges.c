/*
 * The HTTP layer's two small parsers of this change:
 *  - br_content_type_is_json (bridge/http/json_guard.c) over the input as
 *    len bytes, against a reference written another way: the media type is
 *    what precedes the first ';' (or all), trailing blanks dropped, and it
 *    must be exactly "application/json" in any case;
 *  - br_listen_parse (bridge/config/config.c) over the input up to its first
 *    NUL: 1 only for "off"; on 0 the port is 1-65535 and is the decimal
 *    after the last ':', the address parses on its own, and the input is
 *    "addr:port" (IPv4) or "[addr]:port" (IPv6) again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../bridge/config/config.h"
#include "../../bridge/http/json_guard.h"
#include "fuzz_common.h"

static int
reference_is_json(const char *s, size_t len)
{
	const char *semi = memchr(s, ';', len);
	size_t n = semi != NULL ? (size_t)(semi - s) : len;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == 16 && strncasecmp(s, "application/json", 16) == 0 && memchr(s, '\0', 16) == NULL;
}

static void
check_listen(const char *s)
{
	char addr[BR_IP_TEXT_MAX], again[128];
	unsigned char ip[16];
	const char *colon;
	int port = -1, r = br_listen_parse(s, addr, sizeof(addr), &port);

	FZ_CHECK(r == 1 || r == 0 || r == -1);
	FZ_CHECK((r == 1) == (strcmp(s, "off") == 0));
	if (r != 0)
		return;
	FZ_CHECK(port >= 1 && port <= 65535);
	FZ_CHECK(br_ip_parse(addr, strlen(addr), ip) == 0);
	colon = strrchr(s, ':');
	FZ_CHECK(colon != NULL && colon[1] >= '0' && colon[1] <= '9' && strspn(colon + 1, "0123456789") == strlen(colon + 1));
	FZ_CHECK(strtol(colon + 1, NULL, 10) == port);
	snprintf(again, sizeof(again), strchr(addr, ':') != NULL ? "[%s]%s" : "%s%s", addr, colon);
	FZ_CHECK(strcmp(again, s) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *z;

	FZ_CHECK(br_content_type_is_json(s, size) == reference_is_json(s, size));
	if (size > 256)
		return 0;
	if ((z = malloc(size + 1)) == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	check_listen(z);
	free(z);
	return 0;
}
