/*
 * Shared by the fuzz targets and the standalone replayer: the libFuzzer entry
 * point, an invariant check that survives NDEBUG, and small helpers.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "b64url.h"
#include "buf.h"

/* The entry point every target defines (libFuzzer calls it; so does standalone.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken invariant is a finding: print it and abort so that libFuzzer (or
 * ctest, for the replayer) records the input. assert() is not used because
 * RelWithDebInfo builds define NDEBUG.
 */
_Noreturn void fz_fail(const char *file, int line, const char *what);
#define FZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/* Big-endian reads of 2 / 4 bytes (the caller checked the length). */
uint16_t fz_be16(const uint8_t *p);
uint32_t fz_be32(const uint8_t *p);

/*
 * A length-prefixed field of a framed input: a big-endian u16 length, then
 * that many bytes. Advances *p / *n. 0, or -1 when the input is too short.
 */
int fz_take16(const uint8_t **p, size_t *n, br_span *out);

/* The decoded length of an n-character base64url string (no padding); n % 4 != 1. */
size_t fz_b64url_decoded_len(size_t n);
/* 1 when ch is in the base64url alphabet. */
int fz_b64url_char(unsigned char ch);

/* 1 when needle (nlen > 0) occurs in hay. */
int fz_contains(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen);

/* Drop whatever OpenSSL queued for this input, so the next one starts clean. */
void fz_end_input(void);

#endif
