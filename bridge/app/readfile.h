/*
 * A whole file read at startup or reload (trust anchors, CRLs, the metadata
 * table, the names file): capped, never silently cut short, NUL-terminated
 * for the text parsers.
 */
#ifndef BR_READFILE_H
#define BR_READFILE_H

#include <stddef.h>

/*
 * *out (malloc'd, len bytes + a NUL) with the file's bytes: 0. -1 with *why:
 * the open's strerror, "not a regular file", "empty", "larger than the
 * limit" (max bytes), "read failed" or "out of memory".
 */
int br_read_file(const char *path, size_t max, unsigned char **out, size_t *len, const char **why);

#endif
