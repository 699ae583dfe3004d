/*
 * Sealed state records (app/seal.c), tried as someone with read and write
 * access to memcached would: names that reveal nothing, records that cannot
 * be forged, moved to another id or kind, altered, or written back after
 * their time, and a rotation that keeps open flows working.
 */
#include <stdio.h>
#include <string.h>

#include "../../bridge/app/seal.h"
#include "unit.h"

#define NOW 1767225600

static const unsigned char secret_a[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char secret_b[32] = "fedcba9876543210fedcba9876543210";
static const unsigned char nonce[BR_SEAL_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const char id[] = "Zr2Kx0b9vS3hV0X1y8wQm7eT6uR5tY4iO3pA2sD1fG0";
static const char payload[] = "{\"kind\":\"signin\",\"username\":\"alice\"}";

static size_t
seal(const br_seal *s, const char *kind, const char *name, int64_t exp, unsigned char *out)
{
	size_t n = 0;

	CHECK(br_seal_close(s, kind, name, exp, nonce, payload, strlen(payload), out, 512, &n) == 0);
	CHECK(n == strlen(payload) + BR_SEAL_OVERHEAD);
	return n;
}

static int
opens(const br_seal *s, const char *kind, const char *name, int64_t now, const unsigned char *in, size_t n)
{
	unsigned char pt[512];
	size_t len = 0;

	if (br_seal_open(s, kind, name, now, in, n, pt, sizeof(pt), &len) < 0)
		return 0;
	return len == strlen(payload) && memcmp(pt, payload, len) == 0;
}

static void
round_trip(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0);
	char name[BR_SEAL_NAME_MAX];
	unsigned char box[512];
	size_t n;

	CHECK(s != NULL && br_seal_generations(s) == 1);
	CHECK(br_seal_name(s, 0, "session", id, name, sizeof(name)) == 0);
	n = seal(s, "session", name, NOW + 900, box);
	CHECK(opens(s, "session", name, NOW, box, n));
	CHECK(opens(s, "session", name, NOW + 900, box, n));
	br_seal_free(&s);
	CHECK(s == NULL);
}

static void
names_reveal_nothing(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0), *t = br_seal_new(secret_b, sizeof(secret_b), NULL, 0);
	char a[BR_SEAL_NAME_MAX], b[BR_SEAL_NAME_MAX], c[BR_SEAL_NAME_MAX], d[BR_SEAL_NAME_MAX];

	CHECK(br_seal_name(s, 0, "session", id, a, sizeof(a)) == 0);
	CHECK(strncmp(a, "session:", 8) == 0 && strlen(a) == 8 + 43);
	CHECK(strstr(a, id) == NULL);
	/* the same id as another kind, or under another secret, is another name */
	CHECK(br_seal_name(s, 0, "flow", id, b, sizeof(b)) == 0 && strcmp(a + 8, b + 5) != 0);
	CHECK(br_seal_name(t, 0, "session", id, c, sizeof(c)) == 0 && strcmp(a, c) != 0);
	/* stable, so every node finds the record */
	CHECK(br_seal_name(s, 0, "session", id, d, sizeof(d)) == 0 && strcmp(a, d) == 0);
	/* "ab" + "c" must not name what "a" + "bc" names */
	CHECK(br_seal_name(s, 0, "ab", "cdef", c, sizeof(c)) == 0 && br_seal_name(s, 0, "a", "bcdef", d, sizeof(d)) == 0 &&
	    strcmp(c + 3, d + 2) != 0);
	CHECK(br_seal_name(s, 1, "session", id, c, sizeof(c)) < 0);     /* no previous generation */
	CHECK(br_seal_name(s, 0, "session", id, c, 20) < 0);
	br_seal_free(&s);
	br_seal_free(&t);
}

static void
forged_record_refused(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0), *t = br_seal_new(secret_b, sizeof(secret_b), NULL, 0);
	char name[BR_SEAL_NAME_MAX];
	unsigned char box[512];
	size_t n;

	CHECK(br_seal_name(s, 0, "session", id, name, sizeof(name)) == 0);
	/* what an attacker can write: plain JSON, or a record sealed under a key of their own */
	memcpy(box, payload, strlen(payload));
	CHECK(!opens(s, "session", name, NOW, box, strlen(payload)));
	n = seal(t, "session", name, NOW + 900, box);
	CHECK(!opens(s, "session", name, NOW, box, n));
	/* the right key id in front of someone else's box */
	n = seal(s, "session", name, NOW + 900, box);
	{
		unsigned char other[512];
		size_t m = seal(t, "session", name, NOW + 900, other);
		memcpy(other + 2, box + 2, 8);
		CHECK(!opens(s, "session", name, NOW, other, m));
	}
	br_seal_free(&s);
	br_seal_free(&t);
}

static void
altered_record_refused(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0);
	char name[BR_SEAL_NAME_MAX];
	unsigned char box[512];
	size_t n, i;

	CHECK(br_seal_name(s, 0, "flow", id, name, sizeof(name)) == 0);
	n = seal(s, "flow", name, NOW + 900, box);
	for (i = 0; i < n; i++) {
		box[i] ^= 0x01;
		CHECK(!opens(s, "flow", name, NOW, box, n));
		box[i] ^= 0x01;
	}
	CHECK(opens(s, "flow", name, NOW, box, n));
	CHECK(!opens(s, "flow", name, NOW, box, n - 1));     /* cut short */
	CHECK(!opens(s, "flow", name, NOW, box, 10));
	CHECK(!opens(s, "flow", name, NOW, box, 0));
	br_seal_free(&s);
}

static void
moved_record_refused(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0);
	char mine[BR_SEAL_NAME_MAX], victim[BR_SEAL_NAME_MAX], as_flow[BR_SEAL_NAME_MAX];
	unsigned char box[512];
	size_t n;

	CHECK(br_seal_name(s, 0, "session", id, mine, sizeof(mine)) == 0);
	CHECK(br_seal_name(s, 0, "session", "another-cookie-value-of-43-characters-xxxx", victim, sizeof(victim)) == 0);
	CHECK(br_seal_name(s, 0, "flow", id, as_flow, sizeof(as_flow)) == 0);
	n = seal(s, "session", mine, NOW + 900, box);
	/* copied to another session's name, or read as another kind */
	CHECK(!opens(s, "session", victim, NOW, box, n));
	CHECK(!opens(s, "flow", mine, NOW, box, n));
	CHECK(!opens(s, "flow", as_flow, NOW, box, n));
	br_seal_free(&s);
}

static void
replayed_after_expiry_refused(void)
{
	br_seal *s = br_seal_new(secret_a, sizeof(secret_a), NULL, 0);
	char name[BR_SEAL_NAME_MAX];
	unsigned char box[512];
	size_t n;

	CHECK(br_seal_name(s, 0, "challenge", id, name, sizeof(name)) == 0);
	n = seal(s, "challenge", name, NOW + 300, box);
	CHECK(opens(s, "challenge", name, NOW + 300, box, n));
	CHECK(!opens(s, "challenge", name, NOW + 301, box, n));
	CHECK(br_seal_close(s, "challenge", name, -1, nonce, payload, 3, box, sizeof(box), &n) < 0);
	br_seal_free(&s);
}

static void
rotation(void)
{
	br_seal *old = br_seal_new(secret_a, sizeof(secret_a), NULL, 0);
	br_seal *both = br_seal_new(secret_b, sizeof(secret_b), secret_a, sizeof(secret_a));
	br_seal *after = br_seal_new(secret_b, sizeof(secret_b), NULL, 0);
	char name_old[BR_SEAL_NAME_MAX], name_prev[BR_SEAL_NAME_MAX], name_new[BR_SEAL_NAME_MAX];
	unsigned char box[512], fresh[512];
	size_t n, m;

	CHECK(old != NULL && both != NULL && after != NULL && br_seal_generations(both) == 2);
	CHECK(br_seal_name(old, 0, "flow", id, name_old, sizeof(name_old)) == 0);
	CHECK(br_seal_name(both, 1, "flow", id, name_prev, sizeof(name_prev)) == 0 && strcmp(name_old, name_prev) == 0);
	CHECK(br_seal_name(both, 0, "flow", id, name_new, sizeof(name_new)) == 0 && strcmp(name_old, name_new) != 0);
	/* a flow sealed before the rotation still opens during it; new ones are sealed with the new key */
	n = seal(old, "flow", name_old, NOW + 900, box);
	CHECK(opens(both, "flow", name_old, NOW, box, n));
	m = seal(both, "flow", name_new, NOW + 900, fresh);
	CHECK(opens(after, "flow", name_new, NOW, fresh, m) && !opens(old, "flow", name_new, NOW, fresh, m));
	/* once the previous secret is dropped, its records are gone */
	CHECK(!opens(after, "flow", name_old, NOW, box, n));
	br_seal_free(&old);
	br_seal_free(&both);
	br_seal_free(&after);
}

static void
short_secret_refused(void)
{
	CHECK(br_seal_new(secret_a, BR_SEAL_SECRET_MIN - 1, NULL, 0) == NULL);
	CHECK(br_seal_new(secret_a, sizeof(secret_a), secret_b, 31) == NULL);
	CHECK(br_seal_new(NULL, 0, NULL, 0) == NULL);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(round_trip),
		UNIT_CASE(names_reveal_nothing),
		UNIT_CASE(forged_record_refused),
		UNIT_CASE(altered_record_refused),
		UNIT_CASE(moved_record_refused),
		UNIT_CASE(replayed_after_expiry_refused),
		UNIT_CASE(rotation),
		UNIT_CASE(short_secret_refused),
	};

	return unit_run("seal", cases, UNIT_N(cases));
}
