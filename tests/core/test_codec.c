/*
 * Codecs under the verifier: strict base64url, constant-time compare, SHA-256,
 * the bounds-checked cursor and the strict CBOR decoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "b64url.h"
#include "buf.h"
#include "cbor_read.h"
#include "crypto.h"
#include "soft_authenticator.h"
#include "unit.h"

/* ---- base64url ---- */

static int
b64_rejects(const char *s)
{
	br_blob out = { NULL, 0 };
	unsigned char buf[64];
	size_t n = 0;
	int r1 = br_b64url_decode(s, strlen(s), &out);
	int r2 = br_b64url_decode_buf(s, strlen(s), buf, sizeof(buf), &n);

	/* on failure the blob is left empty */
	return r1 == -1 && r2 == -1 && out.ptr == NULL && out.len == 0;
}

static void
b64_round_trip_all_lengths(void)
{
	unsigned char in[64], dec[64];
	br_blob out = { NULL, 0 };
	char enc[128];
	size_t len, n, i;

	for (len = 0; len <= sizeof(in); len++) {
		sa_rand(in, len);
		n = br_b64url_encode(in, len, enc);
		CHECK_INT(n, br_b64url_encoded_size(len) - 1);
		CHECK_INT(n, (len * 4 + 2) / 3);       /* no padding */
		CHECK(enc[n] == '\0');
		for (i = 0; i < n; i++)
			CHECK(strchr("+/=", enc[i]) == NULL);
		CHECK(br_b64url_decode(enc, n, &out) == 0);
		CHECK_INT(out.len, len);
		CHECK(len == 0 ? out.ptr == NULL : memcmp(out.ptr, in, len) == 0);
		br_blob_reset(&out);
		n = 0;
		CHECK(br_b64url_decode_buf(enc, strlen(enc), dec, sizeof(dec), &n) == 0);
		CHECK_INT(n, len);
		CHECK(len == 0 || memcmp(dec, in, len) == 0);
	}
}

static void
b64_known_answers(void)
{
	static const struct {
		const char *plain, *enc;
	} kat[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	static const unsigned char url[] = { 0xfb, 0xff, 0xbf };
	char enc[16];
	size_t i;
	br_blob out = { NULL, 0 };

	for (i = 0; i < UNIT_N(kat); i++) {
		br_b64url_encode((const unsigned char *)kat[i].plain, strlen(kat[i].plain), enc);
		CHECK(strcmp(enc, kat[i].enc) == 0);
	}
	/* 62 and 63 are '-' and '_' */
	br_b64url_encode(url, sizeof(url), enc);
	CHECK(strcmp(enc, "-_-_") == 0);
	CHECK(br_b64url_decode("-_-_", 4, &out) == 0);
	CHECK(out.len == 3 && memcmp(out.ptr, url, 3) == 0);
	br_blob_reset(&out);
}

static void
b64_padding_rejected(void)
{
	CHECK(b64_rejects("Zg=="));
	CHECK(b64_rejects("Zg="));
	CHECK(b64_rejects("Zm8="));
	CHECK(b64_rejects("===="));
	CHECK(b64_rejects("Zm9v===="));
}

static void
b64_standard_alphabet_rejected(void)
{
	CHECK(b64_rejects("+/+/"));
	CHECK(b64_rejects("Zm9+"));
	CHECK(b64_rejects("Zm9/"));
}

static void
b64_length_1_mod_4_rejected(void)
{
	CHECK(b64_rejects("Z"));
	CHECK(b64_rejects("Zm9vY"));
	CHECK(b64_rejects("Zm9vYmFyZ"));
}

static void
b64_whitespace_rejected(void)
{
	CHECK(b64_rejects(" Zm9v"));
	CHECK(b64_rejects("Zm9v "));
	CHECK(b64_rejects("Zm\n9v"));
	CHECK(b64_rejects("Zm\t9v"));
	CHECK(b64_rejects("Zm9v\r\n"));
}

static void
b64_junk_bytes_rejected(void)
{
	br_blob out = { NULL, 0 };
	const char nul[] = { 'Z', 'm', '\0', 'v' };
	const char hi[] = { 'Z', 'm', (char)0xc3, (char)0xa9 };

	CHECK(br_b64url_decode(nul, sizeof(nul), &out) == -1 && out.ptr == NULL);
	CHECK(br_b64url_decode(hi, sizeof(hi), &out) == -1 && out.ptr == NULL);
	CHECK(b64_rejects("Zm.v"));
	CHECK(b64_rejects("Zm%v"));
}

static void
b64_buf_too_small(void)
{
	unsigned char buf[3];
	size_t n = 0;

	CHECK(br_b64url_decode_buf("Zm9v", 4, buf, 3, &n) == 0 && n == 3);
	CHECK(br_b64url_decode_buf("Zm9vYg", 6, buf, 3, &n) == -1);
	CHECK(br_b64url_decode_buf("Zg", 2, buf, 0, &n) == -1);
}

static void
b64_decode_replaces_blob(void)
{
	br_blob out = { NULL, 0 };

	CHECK(br_blob_set(&out, (const unsigned char *)"stale", 5) == 0);
	CHECK(br_b64url_decode("Zm9v", 4, &out) == 0);
	CHECK(out.len == 3 && memcmp(out.ptr, "foo", 3) == 0);
	/* a failed decode leaves it empty, not stale */
	CHECK(br_b64url_decode("Zm9v=", 5, &out) == -1);
	CHECK(out.ptr == NULL && out.len == 0);
}

/* ---- br_ct_equal / br_sha256 ---- */

static void
ct_equal_cases(void)
{
	CHECK(br_ct_equal("abc", 3, "abc", 3) == 1);
	CHECK(br_ct_equal("abc", 3, "abd", 3) == 0);
	CHECK(br_ct_equal("xbc", 3, "abc", 3) == 0);
	CHECK(br_ct_equal("abc", 3, "abcd", 4) == 0);
	CHECK(br_ct_equal("abcd", 4, "abc", 3) == 0);
	CHECK(br_ct_equal("abc", 0, "abc", 3) == 0);
	CHECK(br_ct_equal(NULL, 0, NULL, 0) == 1);
	CHECK(br_ct_equal("a\0b", 3, "a\0c", 3) == 0);
}

static void
sha256_known_answers(void)
{
	static const unsigned char abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const unsigned char empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8,
		0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
		0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	/* SHA-256("login.example.edu"), the rpIdHash of every ceremony here */
	unsigned char h[32], h2[32];

	CHECK(br_sha256("abc", 3, h) == 0);
	CHECK(memcmp(h, abc, 32) == 0);
	CHECK(br_sha256("", 0, h) == 0);
	CHECK(memcmp(h, empty, 32) == 0);
	CHECK(br_sha256(SA_RP_ID, strlen(SA_RP_ID), h) == 0);
	sa_sha256(SA_RP_ID, strlen(SA_RP_ID), h2);
	CHECK(memcmp(h, h2, 32) == 0);
}

static void
wipe_zeroes(void)
{
	unsigned char b[16];

	memset(b, 0xa5, sizeof(b));
	br_wipe(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		CHECK(b[i] == 0);
	br_wipe(NULL, 0);
}

/* ---- br_cursor ---- */

static void
cursor_bounds(void)
{
	static const unsigned char d[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x0d, 0x0e, 0x0f,
	};
	br_cursor c = { d, sizeof(d) };
	const unsigned char *p = NULL;
	unsigned char two[2];
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;

	CHECK(br_cursor_u8(&c, &u8) == 0 && u8 == 0x01);
	CHECK(br_cursor_be16(&c, &u16) == 0 && u16 == 0x0203);
	CHECK(br_cursor_be32(&c, &u32) == 0 && u32 == 0x04050607u);
	CHECK(c.left == 8 && c.p == d + 7);
	CHECK(br_cursor_be64(&c, &u64) == 0 && u64 == 0x08090a0b0c0d0e0fULL);
	CHECK(c.left == 0);
	/* nothing left: every read fails and moves nothing */
	CHECK(br_cursor_u8(&c, &u8) == -1);
	CHECK(br_cursor_be16(&c, &u16) == -1);
	CHECK(br_cursor_take(&c, &p, 1) == -1);
	CHECK(c.left == 0 && c.p == d + sizeof(d));
	CHECK(br_cursor_take(&c, &p, 0) == 0 && p == d + sizeof(d));

	/* one byte short */
	c.p = d;
	c.left = 3;
	CHECK(br_cursor_be32(&c, &u32) == -1);
	CHECK(c.p == d && c.left == 3);
	c.left = 7;
	CHECK(br_cursor_be64(&c, &u64) == -1);
	c.p = d;
	c.left = 1;
	CHECK(br_cursor_read(&c, two, 2) == -1 && c.left == 1);
	CHECK(br_cursor_read(&c, NULL, 1) == 0 && c.left == 0);

	/* a huge length does not wrap */
	c.p = d;
	c.left = sizeof(d);
	CHECK(br_cursor_take(&c, &p, SIZE_MAX) == -1);
	CHECK(br_cursor_read(&c, NULL, SIZE_MAX) == -1);
	CHECK(c.p == d && c.left == sizeof(d));
}

/* ---- br_cbor_decode ---- */

static int
decodes(const unsigned char *p, size_t len)
{
	cbor_item_t *it = (cbor_item_t *)(uintptr_t)1;
	int r = br_cbor_decode(p, len, &it, NULL);

	if (r == 0)
		cbor_decref(&it);
	else if (it != NULL)
		return -2; /* failure must leave *out NULL */
	return r;
}

static void
cbor_valid_items(void)
{
	static const unsigned char map[] = { 0xa2, 0x01, 0x02, 0x20, 0x41, 0x00 };
	static const unsigned char arr[] = { 0x83, 0x01, 0x02, 0x03 };
	static const unsigned char txt[] = { 0x63, 'a', 'b', 'c' };

	CHECK(decodes(map, sizeof(map)) == 0);
	CHECK(decodes(arr, sizeof(arr)) == 0);
	CHECK(decodes(txt, sizeof(txt)) == 0);
}

static void
cbor_duplicate_map_keys(void)
{
	/* {1: 0, 1: 0} */
	static const unsigned char a[] = { 0xa2, 0x01, 0x00, 0x01, 0x00 };
	/* {1: 0, 1 (as a one-byte uint): 0} */
	static const unsigned char b[] = { 0xa2, 0x01, 0x00, 0x18, 0x01, 0x00 };
	/* {1: 0, 1 (as a two-byte uint): 0}: non-minimal, still the same key */
	static const unsigned char b2[] = { 0xa2, 0x01, 0x00, 0x19, 0x00, 0x01, 0x00 };
	/* {-1: 0, -1: 1} */
	static const unsigned char c[] = { 0xa2, 0x20, 0x00, 0x20, 0x01 };
	/* {"fmt": 0, "fmt": 1} */
	static const unsigned char d[] = {
		0xa2, 0x63, 'f', 'm', 't', 0x00, 0x63, 'f', 'm', 't', 0x01,
	};
	/* {h'01': 0, h'01': 1} */
	static const unsigned char e[] = { 0xa2, 0x41, 0x01, 0x00, 0x41, 0x01, 0x01 };
	/* a duplicate inside a nested map: [{1: 0, 1: 0}] */
	static const unsigned char f[] = { 0x81, 0xa2, 0x01, 0x00, 0x01, 0x00 };
	/* distinct keys: 1 and -2, "a" and "b" */
	static const unsigned char ok1[] = { 0xa2, 0x01, 0x00, 0x21, 0x00 };
	static const unsigned char ok2[] = { 0xa2, 0x61, 'a', 0x00, 0x61, 'b', 0x00 };

	CHECK(decodes(a, sizeof(a)) == -1);
	CHECK(decodes(b, sizeof(b)) == -1);
	CHECK(decodes(b2, sizeof(b2)) == -1);
	CHECK(decodes(c, sizeof(c)) == -1);
	CHECK(decodes(d, sizeof(d)) == -1);
	CHECK(decodes(e, sizeof(e)) == -1);
	CHECK(decodes(f, sizeof(f)) == -1);
	CHECK(decodes(ok1, sizeof(ok1)) == 0);
	CHECK(decodes(ok2, sizeof(ok2)) == 0);
}

static void
cbor_indefinite_rejected(void)
{
	static const unsigned char map[] = { 0xbf, 0x01, 0x02, 0xff };
	static const unsigned char arr[] = { 0x9f, 0x01, 0xff };
	static const unsigned char bytes[] = { 0x5f, 0x41, 0x00, 0xff };
	static const unsigned char text[] = { 0x7f, 0x61, 'a', 0xff };
	/* nested: {1: [_ 1]} */
	static const unsigned char nested[] = { 0xa1, 0x01, 0x9f, 0x01, 0xff };

	CHECK(decodes(map, sizeof(map)) == -1);
	CHECK(decodes(arr, sizeof(arr)) == -1);
	CHECK(decodes(bytes, sizeof(bytes)) == -1);
	CHECK(decodes(text, sizeof(text)) == -1);
	CHECK(decodes(nested, sizeof(nested)) == -1);
}

static void
cbor_trailing_bytes(void)
{
	static const unsigned char d[] = { 0xa1, 0x01, 0x02, 0x00, 0x00 };
	cbor_item_t *it = NULL;
	size_t used = 0;

	CHECK(decodes(d, sizeof(d)) == -1);
	/* with used, one item is read and its length reported */
	CHECK(br_cbor_decode(d, sizeof(d), &it, &used) == 0);
	CHECK(used == 3 && it != NULL && cbor_isa_map(it));
	cbor_decref(&it);
}

static void
cbor_truncated_and_empty(void)
{
	static const unsigned char d[] = { 0xa2, 0x01, 0x02, 0x03 };
	static const unsigned char s[] = { 0x45, 0x01, 0x02 };
	cbor_item_t *it = NULL;
	size_t used = 0;

	CHECK(decodes(d, sizeof(d)) == -1);
	CHECK(decodes(s, sizeof(s)) == -1);
	CHECK(br_cbor_decode(d, 0, &it, &used) == -1 && it == NULL);
	CHECK(br_cbor_decode(NULL, 4, &it, &used) == -1 && it == NULL);
}

static void
cbor_deep_nesting(void)
{
	unsigned char d[200];
	size_t depth;

	/* [[[...[]...]]] with 100 levels */
	memset(d, 0x81, 99);
	d[99] = 0x80;
	CHECK(decodes(d, 100) == -1);
	/* {1: {1: ... {}}} with 60 levels */
	for (depth = 0; depth < 59; depth++) {
		d[2 * depth] = 0xa1;
		d[2 * depth + 1] = 0x01;
	}
	d[2 * depth] = 0xa0;
	CHECK(decodes(d, 2 * depth + 1) == -1);
	/* a few levels, as WebAuthn uses, are fine */
	memset(d, 0x81, 4);
	d[4] = 0x80;
	CHECK(decodes(d, 5) == 0);
}

/* A tag must not hide what the decoder refuses elsewhere. */
static void
cbor_tag_hides_duplicate_keys(void)
{
	/* 1({1: 0, 1: 0}) */
	static const unsigned char a[] = { 0xc1, 0xa2, 0x01, 0x00, 0x01, 0x00 };
	/* 1({_ 1: 0}) */
	static const unsigned char b[] = { 0xc1, 0xbf, 0x01, 0x00, 0xff };

	CHECK(decodes(a, sizeof(a)) == -1);
	CHECK(decodes(b, sizeof(b)) == -1);
}

/*
 * Tags never occur in CTAP2 canonical CBOR: a tagged item anywhere is refused,
 * with nothing allocated left behind (LeakSanitizer checks this case).
 */
static void
cbor_tags_refused(void)
{
	/* 1(1750000256), {1: 1(h'00')}, [0, 1("x")] */
	static const unsigned char top[] = { 0xc1, 0x1a, 0x68, 0x4e, 0xd2, 0x80 };
	static const unsigned char in_map[] = { 0xa1, 0x01, 0xc1, 0x41, 0x00 };
	static const unsigned char in_array[] = { 0x82, 0x00, 0xc1, 0x61, 0x78 };
	cbor_item_t *it = (cbor_item_t *)1;

	CHECK(br_cbor_decode(top, sizeof(top), &it, NULL) == -1);
	CHECK(it == NULL);
	CHECK(decodes(in_map, sizeof(in_map)) == -1);
	CHECK(decodes(in_array, sizeof(in_array)) == -1);
}

/* A header may not promise more than the input holds: libcbor would allocate for it first. */
static void
cbor_counts_beyond_input(void)
{
	static const unsigned char arr28[] = { 0x9a, 0x10, 0x00, 0x00, 0x00 };      /* array of 2^28 */
	static const unsigned char arr32[] = { 0x9a, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char map31[] = { 0xba, 0x7f, 0xff, 0xff, 0xff };
	static const unsigned char bytes4g[] = { 0x5a, 0xff, 0xff, 0xff, 0xff, 0x00 };
	static const unsigned char arr64[] = { 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* {1: [0, 0]} with the array claiming 3 items */
	static const unsigned char short_arr[] = { 0xa1, 0x01, 0x83, 0x00, 0x00 };
	static const unsigned char reserved[] = { 0x1c };
	static const unsigned char stray_break[] = { 0xff };

	CHECK(decodes(arr28, sizeof(arr28)) == -1);
	CHECK(decodes(arr32, sizeof(arr32)) == -1);
	CHECK(decodes(map31, sizeof(map31)) == -1);
	CHECK(decodes(bytes4g, sizeof(bytes4g)) == -1);
	CHECK(decodes(arr64, sizeof(arr64)) == -1);
	CHECK(decodes(short_arr, sizeof(short_arr)) == -1);
	CHECK(decodes(reserved, sizeof(reserved)) == -1);
	CHECK(decodes(stray_break, sizeof(stray_break)) == -1);
}

static void
cbor_typed_reads(void)
{
	/* {1: 2, -1: -3, "t": "x", 4: h'0102'} */
	static const unsigned char d[] = {
		0xa4, 0x01, 0x02, 0x20, 0x22, 0x61, 't', 0x61, 'x', 0x04, 0x42, 0x01, 0x02,
	};
	/* 2^63 and -2^63 - 1 do not fit int64_t */
	static const unsigned char big[] = { 0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char nbig[] = { 0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char maxneg[] = { 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	cbor_item_t *it = NULL;
	int64_t v = 0;
	br_span s;

	CHECK(br_cbor_decode(d, sizeof(d), &it, NULL) == 0);
	CHECK(br_cbor_int(br_cbor_map_int(it, 1), &v) == 0 && v == 2);
	CHECK(br_cbor_int(br_cbor_map_int(it, -1), &v) == 0 && v == -3);
	CHECK(br_cbor_map_int(it, 2) == NULL);
	CHECK(br_cbor_text_is(br_cbor_map_str(it, "t"), "x"));
	CHECK(!br_cbor_text_is(br_cbor_map_str(it, "t"), "xy"));
	CHECK(br_cbor_bytes(br_cbor_map_int(it, 4), &s) == 0 && s.len == 2 && s.ptr[1] == 2);
	CHECK(br_cbor_bytes(br_cbor_map_str(it, "t"), &s) == -1);
	CHECK(br_cbor_text(br_cbor_map_int(it, 4), &s) == -1);
	CHECK(br_cbor_int(br_cbor_map_str(it, "t"), &v) == -1);
	CHECK(br_cbor_int(NULL, &v) == -1);
	CHECK(br_cbor_map_str(NULL, "t") == NULL);
	cbor_decref(&it);

	CHECK(br_cbor_decode(big, sizeof(big), &it, NULL) == 0);
	CHECK(br_cbor_int(it, &v) == -1);
	cbor_decref(&it);
	CHECK(br_cbor_decode(nbig, sizeof(nbig), &it, NULL) == 0);
	CHECK(br_cbor_int(it, &v) == -1);
	cbor_decref(&it);
	CHECK(br_cbor_decode(maxneg, sizeof(maxneg), &it, NULL) == 0);
	CHECK(br_cbor_int(it, &v) == 0 && v == INT64_MIN);
	cbor_decref(&it);
}

static void
strerr_names(void)
{
	int e;

	CHECK(strcmp(br_strerr(BR_OK), "ok") == 0);
	CHECK(strcmp(br_strerr(BR_ERR_SIGN_COUNT), "sign_count") == 0);
	CHECK(strcmp(br_strerr(BR_ERR_ATTESTED_DATA), "attested_credential_data") == 0);
	CHECK(strcmp(br_strerr(BR_ERR__COUNT), "unknown") == 0);
	CHECK(strcmp(br_strerr((br_err)-1), "unknown") == 0);
	/* every code has its own name */
	for (e = 0; e < BR_ERR__COUNT; e++) {
		CHECK(strcmp(br_strerr((br_err)e), "unknown") != 0);
		for (int f = 0; f < e; f++)
			CHECK(strcmp(br_strerr((br_err)e), br_strerr((br_err)f)) != 0);
	}
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(b64_round_trip_all_lengths),
		UNIT_CASE(b64_known_answers),
		UNIT_CASE(b64_padding_rejected),
		UNIT_CASE(b64_standard_alphabet_rejected),
		UNIT_CASE(b64_length_1_mod_4_rejected),
		UNIT_CASE(b64_whitespace_rejected),
		UNIT_CASE(b64_junk_bytes_rejected),
		UNIT_CASE(b64_buf_too_small),
		UNIT_CASE(b64_decode_replaces_blob),
		UNIT_CASE(ct_equal_cases),
		UNIT_CASE(sha256_known_answers),
		UNIT_CASE(wipe_zeroes),
		UNIT_CASE(cursor_bounds),
		UNIT_CASE(cbor_valid_items),
		UNIT_CASE(cbor_duplicate_map_keys),
		UNIT_CASE(cbor_indefinite_rejected),
		UNIT_CASE(cbor_trailing_bytes),
		UNIT_CASE(cbor_truncated_and_empty),
		UNIT_CASE(cbor_deep_nesting),
		UNIT_CASE(cbor_tag_hides_duplicate_keys),
		UNIT_CASE(cbor_tags_refused),
		UNIT_CASE(cbor_counts_beyond_input),
		UNIT_CASE(cbor_typed_reads),
		UNIT_CASE(strerr_names),
	};

	return unit_run("codec", cases, UNIT_N(cases));
}
