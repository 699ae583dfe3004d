/*
 * Tables keyed by authenticator model (AAGUID): the metadata entries
 * (mds.c) and the names file (names.c). Each entry type starts with its
 * unsigned char aaguid[16], so one comparison, sort and lookup serve both.
 */
#ifndef BR_AAGUID_TABLE_H
#define BR_AAGUID_TABLE_H

#include <stddef.h>

/* Text AAGUID (8-4-4-4-12 hex digits, any case; len characters) to bytes; 0 or -1. */
int br_aaguid_parse(const char *s, size_t len, unsigned char out[16]);

/* Orders two entries by the AAGUID they start with. */
int br_aaguid_table_cmp(const void *a, const void *b);
/*
 * Sort n entries of size bytes by order (NULL: br_aaguid_table_cmp, which
 * must be what order sorts by first).
 */
void br_aaguid_table_sort(void *v, size_t n, size_t size, int (*order)(const void *, const void *));
/* The entry for aaguid in a sorted table, or NULL. */
const void *br_aaguid_table_find(const void *v, size_t n, size_t size, const unsigned char aaguid[16]);
/* 1 when two neighbours of a sorted table share their AAGUID. */
int br_aaguid_table_repeats(const void *v, size_t n, size_t size);

#endif
