#include "enrolment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "random.h"
#include "../core/timefmt.h"

#define SALT_LEN 16

/* 32 symbols, no 0/O, 1/I/L: read aloud over the phone without mistakes */
static const char symbols[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

static int
hash_code(const unsigned char *salt, size_t salt_len, const char *code, unsigned char out[BR_SHA256_LEN])
{
	unsigned char buf[SALT_LEN + 64];
	size_t n = strlen(code);
	int rc;

	if (salt_len != SALT_LEN || n > 64)
		return -1;
	memcpy(buf, salt, SALT_LEN);
	memcpy(buf + SALT_LEN, code, n);
	rc = br_sha256(buf, SALT_LEN + n, out);
	br_wipe(buf, sizeof(buf));
	return rc;
}

int
br_enrol_make(int64_t expires, char code[BR_ENROL_CODE_LEN + 1], char *value, size_t cap)
{
	unsigned char rnd[BR_ENROL_CODE_LEN], salt[SALT_LEN], h[BR_SHA256_LEN];
	char salt64[32], h64[48], when[20];
	size_t i;

	if (br_random_bytes(rnd, sizeof(rnd)) < 0 || br_random_bytes(salt, sizeof(salt)) < 0)
		return -1;
	/* 31 symbols: reject bytes >= 248 to keep the choice uniform */
	for (i = 0; i < BR_ENROL_CODE_LEN; i++) {
		while (rnd[i] >= 248)
			if (br_random_bytes(&rnd[i], 1) < 0)
				return -1;
		code[i] = symbols[rnd[i] % 31];
	}
	code[BR_ENROL_CODE_LEN] = '\0';
	if (hash_code(salt, sizeof(salt), code, h) < 0 || br_gentime_write(expires, when, sizeof(when)) < 0)
		return -1;
	br_b64url_encode(salt, sizeof(salt), salt64);
	br_b64url_encode(h, sizeof(h), h64);
	if ((size_t)snprintf(value, cap, "v1$%s$%s$%s", salt64, h64, when) >= cap)
		return -1;
	br_wipe(rnd, sizeof(rnd));
	br_wipe(h, sizeof(h));
	return 0;
}

/* Split a stored value; -1 when it is not ours. */
static int
parse_value(const char *v, unsigned char salt[SALT_LEN], unsigned char hash[BR_SHA256_LEN], int64_t *expiry)
{
	const char *p1, *p2, *p3;
	size_t n;

	if (strncmp(v, "v1$", 3) != 0 || (p1 = v + 3, p2 = strchr(p1, '$')) == NULL || (p3 = strchr(p2 + 1, '$')) == NULL)
		return -1;
	if (br_b64url_decode_buf(p1, (size_t)(p2 - p1), salt, SALT_LEN, &n) < 0 || n != SALT_LEN)
		return -1;
	if (br_b64url_decode_buf(p2 + 1, (size_t)(p3 - p2 - 1), hash, BR_SHA256_LEN, &n) < 0 || n != BR_SHA256_LEN)
		return -1;
	return br_gentime_parse(p3 + 1, strlen(p3 + 1), expiry);
}

int64_t
br_enrol_expiry(const char *value)
{
	unsigned char salt[SALT_LEN], hash[BR_SHA256_LEN];
	int64_t e;

	return parse_value(value, salt, hash, &e) < 0 ? -1 : e;
}

int
br_enrol_find(const char *code, char *const *values, size_t n, int64_t now, int *expired)
{
	unsigned char salt[SALT_LEN], want[BR_SHA256_LEN], got[BR_SHA256_LEN];
	int64_t expiry;
	size_t i, len = strlen(code);
	int found = -1, stale = 0;

	if (expired != NULL)
		*expired = 0;
	if (len == 0 || len > 64)
		return -1;
	/* every value is hashed and compared, expired or not: the time taken says nothing */
	for (i = 0; i < n; i++) {
		int same;

		if (parse_value(values[i], salt, want, &expiry) < 0 || hash_code(salt, SALT_LEN, code, got) < 0)
			continue;
		same = br_ct_equal(want, sizeof(want), got, sizeof(got));
		if (same && expiry > now && found < 0)
			found = (int)i;
		else if (same)
			stale = 1;
	}
	br_wipe(got, sizeof(got));
	if (found < 0 && expired != NULL)
		*expired = stale;
	return found;
}

int
br_enrol_match(const char *code, char *const *values, size_t n, int64_t now)
{
	return br_enrol_find(code, values, n, now, NULL);
}
