/*
 * br_b64url_decode / br_b64url_decode_buf / br_b64url_encode.
 * The input is used twice:
 *  - as a string to decode: accepted exactly when every character is in
 *    [A-Za-z0-9_-] and the length is not 1 mod 4; the decoded length is the
 *    exact one; re-encoding gives the input back when it is canonical (unused
 *    low bits zero) and otherwise differs only in those bits; the buffer
 *    variant agrees and refuses a buffer one byte short;
 *  - as bytes to encode: the encoding has the advertised size, only alphabet
 *    characters, and decodes back to the input.
 */
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "fuzz_common.h"

static unsigned
sextet(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (unsigned)(ch - 'A');
	if (ch >= 'a' && ch <= 'z')
		return (unsigned)(ch - 'a' + 26);
	if (ch >= '0' && ch <= '9')
		return (unsigned)(ch - '0' + 52);
	return ch == '-' ? 62u : 63u;
}

static void
check_decode(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	br_blob out = { NULL, 0 };
	unsigned char *buf;
	size_t i, want, got = 0;
	int valid = size % 4 != 1, r;
	unsigned mask = 0;
	char *enc;

	for (i = 0; i < size && valid; i++)
		valid = fz_b64url_char(data[i]);
	r = br_b64url_decode(s, size, &out);
	FZ_CHECK((r == 0) == valid);
	if (r != 0) {
		FZ_CHECK(out.ptr == NULL && out.len == 0);
		return;
	}
	want = fz_b64url_decoded_len(size);
	FZ_CHECK(out.len == want);
	FZ_CHECK((out.ptr == NULL) == (out.len == 0));

	/* round trip: identical but for the unused low bits of the last character */
	FZ_CHECK((enc = br_b64url_encode_alloc(out.ptr, out.len)) != NULL);
	FZ_CHECK(strlen(enc) == size);
	if (size > 0) {
		FZ_CHECK(memcmp(enc, s, size - 1) == 0);
		if (size % 4 == 2)
			mask = 0x0f;
		else if (size % 4 == 3)
			mask = 0x03;
		FZ_CHECK(sextet((unsigned char)enc[size - 1]) ==
		    (sextet(data[size - 1]) & ~mask & 63u));
		if ((sextet(data[size - 1]) & mask) == 0)
			FZ_CHECK(enc[size - 1] == s[size - 1]);
	}
	free(enc);

	/* the caller-buffer variant: same bytes into an exact buffer; one short fails */
	FZ_CHECK((buf = malloc(want + 1)) != NULL);
	FZ_CHECK(br_b64url_decode_buf(s, size, buf, want, &got) == 0);
	FZ_CHECK(got == want && (want == 0 || memcmp(buf, out.ptr, want) == 0));
	if (want > 0)
		FZ_CHECK(br_b64url_decode_buf(s, size, buf, want - 1, &got) != 0);
	free(buf);
	br_blob_reset(&out);
}

static void
check_encode(const uint8_t *data, size_t size)
{
	br_blob back = { NULL, 0 };
	size_t n, i, esz = br_b64url_encoded_size(size);
	char *enc;

	FZ_CHECK(esz == (size * 4 + 2) / 3 + 1);
	FZ_CHECK((enc = malloc(esz)) != NULL);
	n = br_b64url_encode(data, size, enc);
	FZ_CHECK(n == esz - 1 && enc[n] == '\0');
	for (i = 0; i < n; i++)
		FZ_CHECK(fz_b64url_char((unsigned char)enc[i]));
	FZ_CHECK(br_b64url_decode(enc, n, &back) == 0);
	FZ_CHECK(back.len == size && (size == 0 || memcmp(back.ptr, data, size) == 0));
	br_blob_reset(&back);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_encode(data, size);
	return 0;
}
