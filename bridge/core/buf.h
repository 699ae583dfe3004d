/* Byte blobs and a bounds-checked read cursor: the only way parsers read input. */
#ifndef BR_BUF_H
#define BR_BUF_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed view of caller-owned bytes. */
typedef struct br_span {
	const unsigned char *ptr;
	size_t len;
} br_span;

/* An owned, heap-allocated byte string. ptr is NULL when len is 0. */
typedef struct br_blob {
	unsigned char *ptr;
	size_t len;
} br_blob;

/* Copy len bytes into b (replacing its content). 0 on success, -1 on OOM. */
int br_blob_set(br_blob *b, const unsigned char *p, size_t len);
/* Wipe and free the content; b itself stays usable (empty). */
void br_blob_reset(br_blob *b);

/* Read cursor over caller-owned bytes. */
typedef struct br_cursor {
	const unsigned char *p;
	size_t left;
} br_cursor;

/* Copy n bytes to dst (may be NULL to skip) and advance; -1 if fewer remain. */
int br_cursor_read(br_cursor *c, void *dst, size_t n);
/* Point *out at the next n bytes and advance; -1 if fewer remain. */
int br_cursor_take(br_cursor *c, const unsigned char **out, size_t n);
int br_cursor_u8(br_cursor *c, uint8_t *v);
int br_cursor_be16(br_cursor *c, uint16_t *v);
int br_cursor_be32(br_cursor *c, uint32_t *v);
int br_cursor_be64(br_cursor *c, uint64_t *v);

#endif
