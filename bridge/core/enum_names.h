/*
 * Enumerations spelled as words (in the configuration, in WebAuthn's JSON):
 * one table of names per enumeration, and the same three lookups for all.
 */
#ifndef BR_ENUM_NAMES_H
#define BR_ENUM_NAMES_H

#include <stddef.h>

/* A name and the value it stands for; a table of them ends with { NULL, 0 }. */
typedef struct br_enum_name {
	const char *name;
	int value;
} br_enum_name;

/* The value named s (exact case); 0, or -1 when t has no such name (or s is NULL). */
int br_enum_parse(const br_enum_name *t, const char *s, int *value);
/* The name of value; NULL when t has none. */
const char *br_enum_name_of(const br_enum_name *t, int value);
/* The names in table order for a message: "a", "a or b", "a, b or c" (cut to fit cap). */
void br_enum_choices(const br_enum_name *t, char *out, size_t cap);

#endif
