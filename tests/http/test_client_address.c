/*
 * The client address behind trusted proxies: addresses, sockets, CIDR
 * prefixes and rate-limit buckets (bridge/config/ipaddr.c) and the
 * X-Forwarded-For walk of br_client_address (bridge/http/server.c). Pure
 * functions, no server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../../bridge/config/ipaddr.h"
#include "../../bridge/http/server.h"
#include "unit.h"

/* ---- addresses ---- */

static int
ip_ok(const char *s)
{
	unsigned char a[16];

	return br_ip_parse(s, strlen(s), a) == 0;
}

static void
ip_text(const char *s, const char *want)
{
	unsigned char a[16];
	char out[BR_IP_TEXT_MAX];

	if (br_ip_parse(s, strlen(s), a) != 0) {
		fprintf(stderr, "\"%s\" did not parse\n", s);
		CHECK(0);
	}
	br_ip_format(a, out, sizeof(out));
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "\"%s\" formats as \"%s\", want \"%s\"\n", s, out, want);
		CHECK(0);
	}
}

static void
ip_parse_and_format(void)
{
	unsigned char a[16];
	static const unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7 };

	CHECK(br_ip_parse("192.0.2.7", 9, a) == 0);
	CHECK(memcmp(a, mapped, 16) == 0);
	/* IPv4 and its mapped IPv6 spelling are one address */
	CHECK(br_ip_parse("::ffff:192.0.2.7", 16, a) == 0);
	CHECK(memcmp(a, mapped, 16) == 0);
	ip_text("192.0.2.7", "192.0.2.7");
	ip_text("::ffff:192.0.2.7", "192.0.2.7");
	ip_text("::FFFF:c000:0207", "192.0.2.7");
	ip_text("2001:DB8:0:0::0:1", "2001:db8::1");
	ip_text("0000:0000:0000:0000:0000:0000:0000:0001", "::1");
	ip_text("fd00::", "fd00::");
	/* the longest textual form (45 characters) */
	ip_text("0000:0000:0000:0000:0000:ffff:255.255.255.255", "255.255.255.255");
	/* exactly len bytes are read */
	CHECK(br_ip_parse("10.0.0.1garbage", 8, a) == 0);
	CHECK(a[15] == 1);
}

static void
ip_parse_rejects(void)
{
	static const char *const bad[] = {
		"", " ", " 192.0.2.7", "192.0.2.7 ", "192.0.2.7:80", "192.0.2", "192.0.2.7.1", "256.0.0.1",
		"010.0.0.1", "0x0a.0.0.1", "1e1.0.0.1", "-1.0.0.0", "[2001:db8::1]", "[2001:db8::1]:443",
		"2001:db8::1/64", "fe80::1%eth0", "2001:db8:::1", "2001:db8::g", "localhost", "unknown",
		"192.0.2.7,", "00000:0000:0000:0000:0000:ffff:255.255.255.255",
	};
	unsigned char a[16];
	size_t i;

	for (i = 0; i < UNIT_N(bad); i++) {
		if (ip_ok(bad[i])) {
			fprintf(stderr, "\"%s\" was taken for an address\n", bad[i]);
			CHECK(0);
		}
	}
	/* a NUL inside the given length is not a terminator */
	CHECK(br_ip_parse("10.0.0.1\0", 9, a) == -1);
	CHECK(br_ip_parse("10.0\0.0.1", 9, a) == -1);
}

/* ---- sockets ---- */

static void
ip_from_sockaddr(void)
{
	static const unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7 };
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr_un un;
	unsigned char a[16], want[16];
	char out[BR_IP_TEXT_MAX];

	memset(&v4, 0, sizeof(v4));
	v4.sin_family = AF_INET;
	v4.sin_port = htons(443);
	CHECK(inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr) == 1);
	CHECK(br_ip_from_sockaddr((const struct sockaddr *)(const void *)&v4, a) == 0);
	CHECK(memcmp(a, mapped, 16) == 0);
	CHECK(br_ip_is_v4(a));

	memset(&v6, 0, sizeof(v6));
	v6.sin6_family = AF_INET6;
	CHECK(inet_pton(AF_INET6, "2001:db8::7", &v6.sin6_addr) == 1);
	CHECK(br_ip_from_sockaddr((const struct sockaddr *)(const void *)&v6, a) == 0);
	CHECK(br_ip_parse("2001:db8::7", 11, want) == 0 && memcmp(a, want, 16) == 0);
	CHECK(!br_ip_is_v4(a));
	/* a dual-stack socket's mapped peer is the same address as the IPv4 one */
	CHECK(inet_pton(AF_INET6, "::ffff:192.0.2.7", &v6.sin6_addr) == 1);
	CHECK(br_ip_from_sockaddr((const struct sockaddr *)(const void *)&v6, a) == 0);
	CHECK(memcmp(a, mapped, 16) == 0);
	br_ip_format(a, out, sizeof(out));
	CHECK(strcmp(out, "192.0.2.7") == 0);

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK(br_ip_from_sockaddr((const struct sockaddr *)(const void *)&un, a) == -1);
	CHECK(br_ip_from_sockaddr(NULL, a) == -1);
}

/* ---- rate-limit buckets ---- */

/*
 * bridge/http/guard.c's address_bucket, verbatim, as it was when
 * br_ip_rate_bucket was written to replace it: the reference the new
 * function must agree with on every client text a request can have.
 */
static const char *
address_bucket(const char *client, char *out, size_t cap)
{
	unsigned char a[16];

	if (strchr(client, ':') == NULL || inet_pton(AF_INET6, client, a) != 1)
		return client;
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL)
		return client;
	strncat(out, "/64", cap - strlen(out) - 1);
	return out;
}

static void
expect_bucket(const char *client, const char *want)
{
	char out[INET6_ADDRSTRLEN + 4], ref[INET6_ADDRSTRLEN + 4];
	const char *got = br_ip_rate_bucket(client, out, sizeof(out));

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "bucket of \"%s\": \"%s\", want \"%s\"\n", client, got, want);
		CHECK(0);
	}
	/* what is not an IPv6 address is its own bucket: the same pointer back */
	CHECK((got == client) == (strcmp(want, client) == 0));
	got = address_bucket(client, ref, sizeof(ref));
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "guard.c's bucket of \"%s\" was \"%s\", not \"%s\"\n", client, got, want);
		CHECK(0);
	}
}

static void
rate_bucket_cases(void)
{
	char out[BR_IP_TEXT_MAX];

	expect_bucket("192.0.2.7", "192.0.2.7");
	expect_bucket("0.0.0.0", "0.0.0.0");
	expect_bucket("255.255.255.255", "255.255.255.255");
	expect_bucket("unknown", "unknown");
	expect_bucket("", "");
	/* one /64, whatever the interface identifier */
	expect_bucket("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64");
	expect_bucket("2001:db8:1:2::", "2001:db8:1:2::/64");
	expect_bucket("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64");
	expect_bucket("2001:db8::1", "2001:db8::/64");
	expect_bucket("2001:DB8::1", "2001:db8::/64");
	expect_bucket("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff::/64");
	expect_bucket("::1", "::/64");
	expect_bucket("::", "::/64");
	expect_bucket("fe80::1", "fe80::/64");
	/* not addresses: their own bucket, as before */
	expect_bucket("2001:db8::1%eth0", "2001:db8::1%eth0");
	expect_bucket("[2001:db8::1]", "[2001:db8::1]");
	expect_bucket(":", ":");
	expect_bucket("192.0.2.7:80", "192.0.2.7:80");

	/*
	 * The one difference from guard.c: a mapped address as text is the IPv4
	 * client it names, where guard.c put every such client in "::/64".
	 * br_client_address never writes that form, so requests never had it.
	 */
	CHECK(strcmp(br_ip_rate_bucket("::ffff:192.0.2.7", out, sizeof(out)), "192.0.2.7") == 0);
	CHECK(strcmp(br_ip_rate_bucket("::ffff:c000:207", out, sizeof(out)), "192.0.2.7") == 0);

	/* no room in out: the client's own text, never a cut bucket */
	CHECK(strcmp(br_ip_rate_bucket("2001:db8:1:2::9", out, 17), "2001:db8:1:2::9") == 0);
	CHECK(strcmp(br_ip_rate_bucket("2001:db8:1:2::9", out, 18), "2001:db8:1:2::/64") == 0);
	CHECK(strcmp(br_ip_rate_bucket("2001:db8::9", out, 0), "2001:db8::9") == 0);
	CHECK(strcmp(br_ip_rate_bucket("::ffff:192.0.2.7", out, 4), "::ffff:192.0.2.7") == 0);
}

/* Every client text br_client_address can write: the new bucket is guard.c's. */
static void
rate_bucket_matches_guard(void)
{
	unsigned long long x = 0x9e3779b97f4a7c15ull;
	unsigned char a[16];
	char text[BR_IP_TEXT_MAX], out[INET6_ADDRSTRLEN + 4], ref[INET6_ADDRSTRLEN + 4];
	const char *got, *had;
	int i, j;

	for (i = 0; i < 3000; i++) {
		for (j = 0; j < 16; j++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			a[j] = (unsigned char)(x >> 56);
		}
		/* a third IPv4 (mapped), a third with zero runs inet_ntop compresses */
		if (i % 3 == 0)
			memcpy(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
		else if (i % 3 == 1)
			memset(a + 2 + i % 5, 0, (size_t)(i % 7));
		br_ip_format(a, text, sizeof(text));
		got = br_ip_rate_bucket(text, out, sizeof(out));
		had = address_bucket(text, ref, sizeof(ref));
		if (strcmp(got, had) != 0) {
			fprintf(stderr, "\"%s\": bucket \"%s\", guard.c had \"%s\"\n", text, got, had);
			CHECK(0);
		}
	}
}

/* ---- prefixes ---- */

static br_ip_prefix
prefix(const char *s)
{
	br_ip_prefix p;
	const char *why = NULL;

	if (br_ip_prefix_parse(s, strlen(s), &p, &why) != 0) {
		fprintf(stderr, "\"%s\": %s\n", s, why);
		CHECK(0);
	}
	return p;
}

static int
in(const char *net, const char *addr)
{
	br_ip_prefix p = prefix(net);
	br_ip_prefixes l = { &p, 1 };
	unsigned char a[16];

	CHECK(br_ip_parse(addr, strlen(addr), a) == 0);
	return br_ip_in(&l, a);
}

static void
prefix_parse_and_match(void)
{
	CHECK(prefix("10.0.0.0/8").bits == 104);
	CHECK(prefix("192.0.2.7").bits == 128);
	CHECK(prefix("::1").bits == 128);
	CHECK(prefix("fd00::/8").bits == 8);
	CHECK(prefix("0.0.0.0/0").bits == 96);
	CHECK(prefix("::/0").bits == 0);

	CHECK(in("10.0.0.0/8", "10.255.1.2"));
	CHECK(!in("10.0.0.0/8", "11.0.0.0"));
	CHECK(!in("10.0.0.0/8", "9.255.255.255"));
	/* a dual-stack socket's mapped peer matches an IPv4 prefix */
	CHECK(in("10.0.0.0/8", "::ffff:10.1.2.3"));
	CHECK(in("127.0.0.1", "::ffff:127.0.0.1"));
	CHECK(!in("127.0.0.1", "127.0.0.2"));
	/* an IPv4 prefix does not match IPv6 addresses, not even /0 */
	CHECK(!in("0.0.0.0/0", "2001:db8::1"));
	CHECK(!in("0.0.0.0/0", "::1"));
	CHECK(in("0.0.0.0/0", "203.0.113.9"));
	/* and ::1 is not 127.0.0.1 */
	CHECK(!in("::1", "127.0.0.1"));
	CHECK(in("::1", "::1"));
	/* lengths that end inside a byte */
	CHECK(in("192.0.2.128/25", "192.0.2.200"));
	CHECK(!in("192.0.2.128/25", "192.0.2.127"));
	CHECK(in("172.16.0.0/12", "172.31.255.255"));
	CHECK(!in("172.16.0.0/12", "172.32.0.0"));
	CHECK(in("fd00::/8", "fd12:3456::1"));
	CHECK(!in("fd00::/8", "fe80::1"));
	CHECK(in("fc00::/7", "fdff::1"));
	CHECK(!in("fc00::/7", "fe00::1"));
	CHECK(in("2001:db8::/127", "2001:db8::1"));
	CHECK(!in("2001:db8::/127", "2001:db8::2"));
	CHECK(in("::/0", "2001:db8::1"));
}

static void
prefix_rejects(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "10.0.0.0/33", "over 32" },
		{ "fd00::/129", "over 128" },
		{ "10.0.0.1/8", "bits set after" },
		{ "fd00::1/8", "bits set after" },
		{ "10.0.0.0/", "malformed" },
		{ "10.0.0.0/08", "malformed" },
		{ "10.0.0.0/+8", "malformed" },
		{ "10.0.0.0/8/8", "malformed" },
		{ "10.0.0.0/1000", "malformed" },
		{ "/8", "not an IPv4 or IPv6" },
		{ "10.0.0/8", "not an IPv4 or IPv6" },
		{ "localhost", "not an IPv4 or IPv6" },
		{ "192.0.2.7:80", "not an IPv4 or IPv6" },
		{ "[::1]", "not an IPv4 or IPv6" },
		{ "", "not an IPv4 or IPv6" },
	};
	br_ip_prefix p;
	size_t i;

	for (i = 0; i < UNIT_N(bad); i++) {
		const char *why = NULL;
		if (br_ip_prefix_parse(bad[i].text, strlen(bad[i].text), &p, &why) == 0 || why == NULL ||
		    strstr(why, bad[i].why) == NULL) {
			fprintf(stderr, "\"%s\": %s, want \"%s\"\n", bad[i].text, why != NULL ? why : "(accepted)", bad[i].why);
			CHECK(0);
		}
	}
}

/* ---- the X-Forwarded-For walk ---- */

/* The trusted proxies of these cases. */
static br_ip_prefixes
trusted(void)
{
	static br_ip_prefix v[4];
	br_ip_prefixes l = { v, 4 };

	v[0] = prefix("127.0.0.1");
	v[1] = prefix("::1");
	v[2] = prefix("10.0.0.0/8");
	v[3] = prefix("fd00::/8");
	return l;
}

/* br_client_address with the peer as text and xff as a C string (NULL: no header). */
static int
client_of(const br_ip_prefixes *t, const char *peer, const char *xff, size_t xff_len, char out[BR_IP_TEXT_MAX])
{
	unsigned char p[16];

	CHECK(br_ip_parse(peer, strlen(peer), p) == 0);
	memset(out, 'x', BR_IP_TEXT_MAX);
	return br_client_address(t, p, xff, xff_len, out, BR_IP_TEXT_MAX);
}

static void
expect_client(const char *peer, const char *xff, const char *want, int want_from_header)
{
	br_ip_prefixes t = trusted();
	char out[BR_IP_TEXT_MAX];
	int from = client_of(&t, peer, xff, xff != NULL ? strlen(xff) : 0, out);

	if (strcmp(out, want) != 0 || from != want_from_header) {
		fprintf(stderr, "peer %s, X-Forwarded-For \"%s\": client %s (%s), want %s (%s)\n", peer,
		    xff != NULL ? xff : "(none)", out, from ? "header" : "peer", want, want_from_header ? "header" : "peer");
		CHECK(0);
	}
}

static void
xff_untrusted_peer_ignored(void)
{
	br_ip_prefixes none = { NULL, 0 };
	char out[BR_IP_TEXT_MAX];

	expect_client("192.0.2.1", "203.0.113.5", "192.0.2.1", 0);
	expect_client("192.0.2.1", "127.0.0.1", "192.0.2.1", 0);
	expect_client("2001:db8::99", "203.0.113.5", "2001:db8::99", 0);
	/* 127.0.0.2 is not 127.0.0.1 */
	expect_client("127.0.0.2", "203.0.113.5", "127.0.0.2", 0);
	/* no trusted proxies at all */
	CHECK(client_of(&none, "127.0.0.1", "203.0.113.5", 11, out) == 0);
	CHECK(strcmp(out, "127.0.0.1") == 0);
	CHECK(client_of(NULL, "127.0.0.1", "203.0.113.5", 11, out) == 0);
	CHECK(strcmp(out, "127.0.0.1") == 0);
}

static void
xff_trusted_peer(void)
{
	expect_client("127.0.0.1", "203.0.113.5", "203.0.113.5", 1);
	expect_client("::1", "203.0.113.5", "203.0.113.5", 1);
	expect_client("10.1.2.3", "2001:db8::5", "2001:db8::5", 1);
	expect_client("fd00::7", "198.51.100.1", "198.51.100.1", 1);
	/* no header, or nothing in it */
	expect_client("127.0.0.1", NULL, "127.0.0.1", 0);
	expect_client("127.0.0.1", "", "127.0.0.1", 0);
	expect_client("127.0.0.1", "  \t ", "127.0.0.1", 0);
	expect_client("127.0.0.1", ",", "127.0.0.1", 0);
}

static void
xff_chains(void)
{
	/* client -> 10.0.0.2 -> 10.0.0.3 -> (peer) 10.0.0.4 */
	expect_client("10.0.0.4", "203.0.113.5, 10.0.0.2, 10.0.0.3", "203.0.113.5", 1);
	expect_client("10.0.0.4", "203.0.113.5,10.0.0.2,10.0.0.3", "203.0.113.5", 1);
	expect_client("::1", "2001:db8::5, fd00::2, 127.0.0.1", "2001:db8::5", 1);
	/* an untrusted hop in the middle is the client: what it was told is not ours to believe */
	expect_client("10.0.0.4", "203.0.113.5, 198.51.100.9, 10.0.0.3", "198.51.100.9", 1);
	/* every hop trusted: the left-most one */
	expect_client("10.0.0.4", "10.0.0.7, 10.0.0.8", "10.0.0.7", 1);
	expect_client("127.0.0.1", "127.0.0.1", "127.0.0.1", 1);
}

static void
xff_spoofed_left_entries(void)
{
	/* what the client wrote is left of what our proxy appended */
	expect_client("127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", "10.9.9.9, 203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", "127.0.0.1, 203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", "not an address at all, 203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", "1.2.3.4:5678, [::1], , 203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", ",,203.0.113.5", "203.0.113.5", 1);
}

static void
xff_ipv6_and_mapped(void)
{
	/* canonical text: the rate limit counts one address once */
	expect_client("127.0.0.1", "2001:DB8:0::0:5", "2001:db8::5", 1);
	expect_client("127.0.0.1", "::ffff:203.0.113.5", "203.0.113.5", 1);
	expect_client("127.0.0.1", "::ffff:cb00:7105", "203.0.113.5", 1);
	/* a dual-stack socket's mapped peer matches the IPv4 prefixes */
	expect_client("::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5", 1);
	expect_client("::ffff:10.20.30.40", "203.0.113.5, ::ffff:10.0.0.1", "203.0.113.5", 1);
	expect_client("::ffff:192.0.2.1", "203.0.113.5", "192.0.2.1", 0);
	/* a mapped trusted hop in the chain */
	expect_client("127.0.0.1", "203.0.113.5, ::ffff:127.0.0.1", "203.0.113.5", 1);
}

static void
xff_garbage_falls_back_to_peer(void)
{
	static const char *const bad[] = {
		"unknown", "not-an-ip", "203.0.113.5 203.0.113.6", "203.0.113.", "203.0.113.256", "0203.0.113.5",
		"203.0.113.5/32", "2001:db8::1%eth0", "_hidden", "\"203.0.113.5\"", "for=203.0.113.5", "203.0.113.5;",
		/* ports and brackets: nginx and Apache write neither */
		"203.0.113.5:5678", "[2001:db8::1]", "[2001:db8::1]:443",
	};
	size_t i;

	for (i = 0; i < UNIT_N(bad); i++)
		expect_client("127.0.0.1", bad[i], "127.0.0.1", 0);
	/* garbage anywhere the walk looks makes the whole header worthless */
	expect_client("127.0.0.1", "203.0.113.5, bogus", "127.0.0.1", 0);
	expect_client("127.0.0.1", "bogus, 10.0.0.2", "127.0.0.1", 0);
	expect_client("127.0.0.1", "203.0.113.5:80, 127.0.0.1", "127.0.0.1", 0);
	expect_client("10.0.0.4", "bogus, 10.0.0.2, ::1", "10.0.0.4", 0);
}

static void
xff_empty_items_and_spaces(void)
{
	expect_client("127.0.0.1", "  203.0.113.5\t ,\t10.0.0.2  ", "203.0.113.5", 1);
	expect_client("127.0.0.1", "\t203.0.113.5", "203.0.113.5", 1);
	/* an empty item the walk reaches: refused */
	expect_client("127.0.0.1", "203.0.113.5,,10.0.0.2", "127.0.0.1", 0);
	expect_client("127.0.0.1", "203.0.113.5, ", "127.0.0.1", 0);
	expect_client("127.0.0.1", "203.0.113.5,", "127.0.0.1", 0);
	expect_client("127.0.0.1", "203.0.113.5, \t, 10.0.0.2", "127.0.0.1", 0);
	/* other white space is not optional white space in HTTP */
	expect_client("127.0.0.1", "203.0.113.5\n", "127.0.0.1", 0);
	expect_client("127.0.0.1", "203.0.113.5\r", "127.0.0.1", 0);
}

static void
xff_overlong(void)
{
	br_ip_prefixes t = trusted();
	char out[BR_IP_TEXT_MAX], *big, *p;
	size_t i, n = 20000;

	/* a long run of spoofed entries left of the real client costs nothing */
	big = malloc(n * 16 + 64);
	CHECK(big != NULL);
	for (p = big, i = 0; i < n; i++)
		p += sprintf(p, "6.6.6.%zu, ", i % 250);
	strcpy(p, "203.0.113.5, 10.0.0.2");
	CHECK(client_of(&t, "127.0.0.1", big, strlen(big), out) == 1);
	CHECK(strcmp(out, "203.0.113.5") == 0);
	/* a long run of trusted hops is walked to its end */
	for (p = big, i = 0; i < n; i++)
		p += sprintf(p, "10.0.%zu.%zu,", i / 250 % 250, i % 250);
	strcpy(p, "10.0.0.1");
	CHECK(client_of(&t, "127.0.0.1", big, strlen(big), out) == 1);
	CHECK(strcmp(out, "10.0.0.0") == 0);
	/* one overlong entry is no address */
	memset(big, '1', 5000);
	big[5000] = '\0';
	CHECK(client_of(&t, "127.0.0.1", big, strlen(big), out) == 0);
	CHECK(strcmp(out, "127.0.0.1") == 0);
	/* 46 characters: one more than any address has */
	expect_client("127.0.0.1", "0000:0000:0000:0000:0000:ffff:255.255.255.2550", "127.0.0.1", 0);
	expect_client("127.0.0.1", " 0000:0000:0000:0000:0000:ffff:255.255.255.255 ", "255.255.255.255", 1);
	free(big);
}

static void
xff_pointer_and_length(void)
{
	br_ip_prefixes t = trusted();
	const char *two = "203.0.113.5, 203.0.113.6";
	char out[BR_IP_TEXT_MAX];

	/* only len bytes are read: the second entry is not there */
	CHECK(client_of(&t, "127.0.0.1", two, 11, out) == 1);
	CHECK(strcmp(out, "203.0.113.5") == 0);
	CHECK(client_of(&t, "127.0.0.1", two, strlen(two), out) == 1);
	CHECK(strcmp(out, "203.0.113.6") == 0);
	/* a NUL byte inside the value is not an address character */
	CHECK(client_of(&t, "127.0.0.1", "203.0.113.5\0", 12, out) == 0);
	CHECK(strcmp(out, "127.0.0.1") == 0);
	/* length 0 with a pointer: empty */
	CHECK(client_of(&t, "127.0.0.1", two, 0, out) == 0);
	CHECK(strcmp(out, "127.0.0.1") == 0);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(ip_parse_and_format),
		UNIT_CASE(ip_parse_rejects),
		UNIT_CASE(ip_from_sockaddr),
		UNIT_CASE(rate_bucket_cases),
		UNIT_CASE(rate_bucket_matches_guard),
		UNIT_CASE(prefix_parse_and_match),
		UNIT_CASE(prefix_rejects),
		UNIT_CASE(xff_untrusted_peer_ignored),
		UNIT_CASE(xff_trusted_peer),
		UNIT_CASE(xff_chains),
		UNIT_CASE(xff_spoofed_left_entries),
		UNIT_CASE(xff_ipv6_and_mapped),
		UNIT_CASE(xff_garbage_falls_back_to_peer),
		UNIT_CASE(xff_empty_items_and_spaces),
		UNIT_CASE(xff_overlong),
		UNIT_CASE(xff_pointer_and_length),
	};

	return unit_run("client_address", cases, UNIT_N(cases));
}
