/* IP addresses: text, sockets, canonical text, prefixes, rate-limit buckets. */
#include "ipaddr.h"

#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* The first 12 bytes of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void
map_v4(const unsigned char v4[4], unsigned char out[16])
{
	memcpy(out, v4_mapped, sizeof(v4_mapped));
	memcpy(out + 12, v4, 4);
}

int
br_ip_parse(const char *s, size_t len, unsigned char out[16])
{
	char buf[BR_IP_TEXT_MAX];
	unsigned char v4[4];

	/* inet_pton wants a C string and checks the rest: exactly one address, nothing around it */
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len) != NULL)
		return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
	if (inet_pton(AF_INET, buf, v4) != 1)
		return -1;
	map_v4(v4, out);
	return 0;
}

int
br_ip_is_v4(const unsigned char a[16])
{
	return memcmp(a, v4_mapped, sizeof(v4_mapped)) == 0;
}

int
br_ip_from_sockaddr(const struct sockaddr *sa, unsigned char out[16])
{
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		map_v4((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr, out);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

int
br_ip_prefix_parse(const char *s, size_t len, br_ip_prefix *out, const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - s) : len, i;
	unsigned bits, max;

	if (br_ip_parse(s, alen, out->addr) < 0) {
		*why = "is not an IPv4 or IPv6 address or CIDR prefix";
		return -1;
	}
	max = br_ip_is_v4(out->addr) && memchr(s, ':', alen) == NULL ? 32 : 128;
	bits = max;
	if (slash != NULL) {
		const char *d = slash + 1, *end = s + len;
		/* decimal, no sign, no leading zero: "/8", "/0", not "/08" or "/+8" */
		if (d == end || end - d > 3 || (*d == '0' && end - d > 1)) {
			*why = "has a malformed prefix length";
			return -1;
		}
		for (bits = 0; d < end; d++) {
			if (*d < '0' || *d > '9') {
				*why = "has a malformed prefix length";
				return -1;
			}
			bits = bits * 10 + (unsigned)(*d - '0');
		}
		if (bits > max) {
			*why = max == 32 ? "has a prefix length over 32" : "has a prefix length over 128";
			return -1;
		}
	}
	if (max == 32)
		bits += 96;
	/* 10.1.2.3/8 is most likely a mistake: say so rather than guess */
	for (i = 0; i < 16; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - (unsigned)i * 8 : 0;
		unsigned char mask = (unsigned char)(keep == 0 ? 0 : 0xff << (8 - keep));
		if ((out->addr[i] & (unsigned char)~mask) != 0) {
			*why = "has address bits set after the prefix length";
			return -1;
		}
	}
	out->bits = bits;
	return 0;
}

int
br_ip_in(const br_ip_prefixes *l, const unsigned char addr[16])
{
	size_t i;

	for (i = 0; l != NULL && i < l->n; i++) {
		const br_ip_prefix *p = &l->v[i];
		unsigned full = p->bits / 8, rest = p->bits % 8;
		if (memcmp(p->addr, addr, full) != 0)
			continue;
		if (rest != 0 && ((p->addr[full] ^ addr[full]) & (unsigned char)(0xff << (8 - rest))) != 0)
			continue;
		return 1;
	}
	return 0;
}

void
br_ip_format(const unsigned char addr[16], char *out, size_t cap)
{
	const char *ok = br_ip_is_v4(addr) ? inet_ntop(AF_INET, addr + 12, out, (socklen_t)cap) :
	    inet_ntop(AF_INET6, addr, out, (socklen_t)cap);

	if (ok == NULL && cap > 0)
		out[0] = '\0';
}

const char *
br_ip_rate_bucket(const char *client_text, char *out, size_t cap)
{
	unsigned char a[16];
	size_t n;

	/* IPv4 text (it has no ':'), "unknown" and anything unparsable count as themselves */
	if (cap == 0 || strchr(client_text, ':') == NULL || inet_pton(AF_INET6, client_text, a) != 1)
		return client_text;
	if (br_ip_is_v4(a)) {
		/* mapped IPv4 is one IPv4 client, not a share of "::/64" */
		br_ip_format(a, out, cap);
		return out[0] != '\0' ? out : client_text;
	}
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL || (n = strlen(out)) + 4 > cap)
		return client_text;
	memcpy(out + n, "/64", 4);
	return out;
}
