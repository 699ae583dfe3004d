/* Small, typed accessors over libcbor items; every map walk goes through here. */
#ifndef BR_CBOR_READ_H
#define BR_CBOR_READ_H

#include <stdint.h>

#include <cbor.h>

#include "buf.h"

/*
 * Decode exactly one CBOR item from p. *used gets the bytes consumed; when
 * used is NULL the item must span all len bytes. Maps anywhere in the item
 * must be definite with unique keys (indefinite strings/arrays and tags are
 * refused too). Returns 0, or -1 (nothing allocated).
 */
int br_cbor_decode(const unsigned char *p, size_t len, cbor_item_t **out, size_t *used);

/* Map lookups: the value for a text / integer key, or NULL. */
cbor_item_t *br_cbor_map_str(const cbor_item_t *map, const char *key);
cbor_item_t *br_cbor_map_int(const cbor_item_t *map, int64_t key);

/* Typed reads; 0 on success, -1 when the item has another type. */
int br_cbor_int(const cbor_item_t *it, int64_t *v);
int br_cbor_bytes(const cbor_item_t *it, br_span *out);
int br_cbor_text(const cbor_item_t *it, br_span *out);
/* 1 when it is a definite text string equal to s. */
int br_cbor_text_is(const cbor_item_t *it, const char *s);

#endif
