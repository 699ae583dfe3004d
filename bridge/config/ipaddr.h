/*
 * IP addresses, for the trusted proxies, the client address and the rate
 * limits: text and sockets in, canonical text out, CIDR prefixes, and the
 * per-address rate-limit bucket. The one place that knows IPv4-mapped IPv6.
 *
 * An address is 16 bytes with IPv4 held IPv4-mapped (::ffff:a.b.c.d), so an
 * IPv4 peer, a dual-stack socket's mapped peer and "a.b.c.d" in a header are
 * one value; its text shows a mapped address as plain IPv4. Pure functions.
 */
#ifndef BR_IPADDR_H
#define BR_IPADDR_H

#include <stddef.h>

struct sockaddr;

/* An IP address or CIDR prefix; an IPv4 prefix's length is + 96, so it also matches mapped peers. */
typedef struct br_ip_prefix {
	unsigned char addr[16];
	unsigned bits;               /* 0..128 */
} br_ip_prefix;

typedef struct br_ip_prefixes {
	br_ip_prefix *v;
	size_t n;
} br_ip_prefixes;

/* Room for an address as text (INET6_ADDRSTRLEN), and for any br_ip_rate_bucket. */
#define BR_IP_TEXT_MAX 46

/*
 * Exactly len bytes of s as one IPv4 (dotted quad) or IPv6 address, nothing
 * else (no port, brackets, zone or spaces); IPv4 comes out mapped. 0 or -1.
 */
int br_ip_parse(const char *s, size_t len, unsigned char out[16]);
/* A socket's address (AF_INET comes out mapped, AF_INET6 as it is); -1 for NULL or another family. */
int br_ip_from_sockaddr(const struct sockaddr *sa, unsigned char out[16]);
/* 1 when addr is IPv4 (mapped). */
int br_ip_is_v4(const unsigned char addr[16]);
/* Canonical text (inet_ntop; an IPv4-mapped address as plain IPv4); cap >= BR_IP_TEXT_MAX, else "" when it does not fit. */
void br_ip_format(const unsigned char addr[16], char *out, size_t cap);

/* "address" or "address/bits" (bits 0-32 for IPv4, 0-128 for IPv6, no bits set after them); 0 or -1 with why. */
int br_ip_prefix_parse(const char *s, size_t len, br_ip_prefix *out, const char **why);
/* Whether addr (16 bytes, IPv4 mapped) is in one of the prefixes (l may be NULL: none). */
int br_ip_in(const br_ip_prefixes *l, const unsigned char addr[16]);

/*
 * The per-address rate limit's bucket for a client address as text (a
 * request's client, from br_client_address): an IPv6 client counts by its
 * /64, which one subscriber usually holds whole and could otherwise walk
 * through, as "2001:db8:1:2::/64" written to out; IPv4 text ("a.b.c.d") and
 * anything that is not an address ("unknown") are their own bucket, and
 * client_text itself is returned. An IPv4-mapped IPv6 text is the IPv4
 * client it names ("a.b.c.d" in out). Also client_text when out (cap >=
 * BR_IP_TEXT_MAX) has no room.
 */
const char *br_ip_rate_bucket(const char *client_text, char *out, size_t cap);

#endif
