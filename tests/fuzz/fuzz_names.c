/*
 * br_names_parse: an authenticator names file (JSON). On success: entries
 * sorted by AAGUID without repeats, each found by br_names_find, every name
 * non-empty text without control characters, icons only images /icons/ would serve.
 */
#include <string.h>

#include "data_url.h"
#include "fuzz_common.h"
#include "names.h"
#include "text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_names *n = NULL;
	char why[160];
	size_t i;
	int rc = br_names_parse(data, size, &n, why, sizeof(why));

	FZ_CHECK((rc == 0) == (n != NULL));
	for (i = 0; n != NULL && i < n->n; i++) {
		const br_name_entry *e = &n->v[i];

		if (i > 0)
			FZ_CHECK(memcmp(n->v[i - 1].aaguid, e->aaguid, 16) < 0);
		FZ_CHECK(br_names_find(n, e->aaguid) == e);
		FZ_CHECK(e->name != NULL && e->name[0] != '\0' &&
		    br_utf8_ok((const unsigned char *)e->name, strlen(e->name), 1, NULL));
		FZ_CHECK(e->icon_light == NULL || br_data_url_image_ok(e->icon_light));
		FZ_CHECK(e->icon_dark == NULL || br_data_url_image_ok(e->icon_dark));
	}
	br_names_free(&n);
	return 0;
}
