#include "aaguid_table.h"

#include <stdlib.h>
#include <string.h>

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
br_aaguid_parse(const char *s, size_t len, unsigned char out[16])
{
	size_t i, o = 0;
	int hi, lo;

	if (s == NULL || len != 36)
		return -1;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		if ((hi = hexval(s[i])) < 0 || (lo = hexval(s[i + 1])) < 0)
			return -1;
		out[o++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

int
br_aaguid_table_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

void
br_aaguid_table_sort(void *v, size_t n, size_t size, int (*order)(const void *, const void *))
{
	if (n > 1)  /* qsort wants a real pointer even for nothing */
		qsort(v, n, size, order != NULL ? order : br_aaguid_table_cmp);
}

const void *
br_aaguid_table_find(const void *v, size_t n, size_t size, const unsigned char aaguid[16])
{
	/* the key needs only the AAGUID: the comparison reads no further */
	return v == NULL || n == 0 ? NULL : bsearch(aaguid, v, n, size, br_aaguid_table_cmp);
}

int
br_aaguid_table_repeats(const void *v, size_t n, size_t size)
{
	const unsigned char *p = v;
	size_t i;

	for (i = 1; i < n; i++)
		if (memcmp(p + (i - 1) * size, p + i * size, 16) == 0)
			return 1;
	return 0;
}
