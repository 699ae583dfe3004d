#include "enum_names.h"

#include <stdio.h>
#include <string.h>

int
br_enum_parse(const br_enum_name *t, const char *s, int *value)
{
	for (; s != NULL && t->name != NULL; t++)
		if (strcmp(t->name, s) == 0) {
			*value = t->value;
			return 0;
		}
	return -1;
}

const char *
br_enum_name_of(const br_enum_name *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

void
br_enum_choices(const br_enum_name *t, char *out, size_t cap)
{
	size_t len = 0;
	int n;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (; t->name != NULL && len < cap; t++) {
		const char *sep = len == 0 ? "" : t[1].name == NULL ? " or " : ", ";
		if ((n = snprintf(out + len, cap - len, "%s%s", sep, t->name)) < 0)
			return;
		len += (size_t)n;
	}
}
