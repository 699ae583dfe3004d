/*
 * Authenticator names by AAGUID, from a data file in the community
 * passkey-provider list's shape: {"<aaguid>": {"name": "...",
 * "icon_light": "data:image/...", "icon_dark": "data:image/..."}, ...}.
 * Pure: the caller reads the file.
 */
#ifndef BR_NAMES_H
#define BR_NAMES_H

#include <stddef.h>

#include "aaguid_table.h"  /* br_aaguid_parse */

#define BR_NAMES_FILE_MAX (16u << 20)
#define BR_NAMES_MAX 20000u
#define BR_NAME_CHARS_MAX 128u          /* characters of a name */
#define BR_NAMES_ICON_MAX (64u << 10)   /* larger icons (or ones data_url.h refuses) are dropped */

typedef struct br_name_entry {
	unsigned char aaguid[16];       /* first: aaguid_table.h */
	char *name;             /* UTF-8 text without control characters */
	char *icon_light;       /* an image data: URL br_data_url_image takes, or NULL */
	char *icon_dark;
} br_name_entry;

typedef struct br_names {
	br_name_entry *v;       /* sorted by aaguid */
	size_t n;
} br_names;

/*
 * Parse a names file. 0, or -1 with a reason (why, cap bytes) naming the
 * first bad member: every key a valid AAGUID (listed once, in any case),
 * every value an object with a non-empty "name".
 */
int br_names_parse(const unsigned char *p, size_t len, br_names **out, char *why, size_t cap);
void br_names_free(br_names **n);
const br_name_entry *br_names_find(const br_names *n, const unsigned char aaguid[16]);

#endif
