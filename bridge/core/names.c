#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "data_url.h"
#include "text.h"

static void
entry_free(br_name_entry *e)
{
	free(e->name);
	free(e->icon_light);
	free(e->icon_dark);
	memset(e, 0, sizeof(*e));
}

void
br_names_free(br_names **np)
{
	size_t i;

	if (np == NULL || *np == NULL)
		return;
	for (i = 0; i < (*np)->n; i++)
		entry_free(&(*np)->v[i]);
	free((*np)->v);
	free(*np);
	*np = NULL;
}

/*
 * An icon is decoration: one that is too big, or not an image the bridge
 * would serve (data_url.h), is left out, so the page never asks for a
 * broken one.
 */
static char *
icon(json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) > BR_NAMES_ICON_MAX ||
	    memchr(json_string_value(v), '\0', json_string_length(v)) != NULL ||
	    !br_data_url_image_ok(json_string_value(v)))
		return NULL;
	return strdup(json_string_value(v));
}

int
br_names_parse(const unsigned char *p, size_t len, br_names **out, char *why, size_t cap)
{
	json_t *root, *val, *nm;
	br_names *n = NULL;
	const char *key;
	size_t count, chars;
	int rc = -1;

	*out = NULL;
	if (p == NULL || len == 0 || len > BR_NAMES_FILE_MAX) {
		snprintf(why, cap, "empty or larger than %u bytes", BR_NAMES_FILE_MAX);
		return -1;
	}
	if ((root = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(root)) {
		snprintf(why, cap, "not a JSON object (without repeated keys)");
		goto out;
	}
	if ((count = json_object_size(root)) > BR_NAMES_MAX) {
		snprintf(why, cap, "more than %u entries", BR_NAMES_MAX);
		goto out;
	}
	/* never a NULL table, even for no entries: the loop below indexes it */
	if ((n = calloc(1, sizeof(*n))) == NULL || (n->v = calloc(count > 0 ? count : 1, sizeof(*n->v))) == NULL) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	json_object_foreach(root, key, val) {
		br_name_entry *e;

		if (n->n >= count)
			break;  /* the object held count members; never write past the table */
		e = &n->v[n->n];

		if (br_aaguid_parse(key, strlen(key), e->aaguid) < 0) {
			snprintf(why, cap, "\"%.40s\" is not an AAGUID", key);
			goto out;
		}
		nm = json_object_get(val, "name");
		if (!json_is_object(val) || !json_is_string(nm) || json_string_length(nm) == 0 ||
		    !br_utf8_ok((const unsigned char *)json_string_value(nm), json_string_length(nm), 1, &chars) ||
		    chars > BR_NAME_CHARS_MAX) {
			snprintf(why, cap, "%.36s: \"name\" must be 1..%u characters of text", key, BR_NAME_CHARS_MAX);
			goto out;
		}
		/*
		 * gcc's analyzer loses the entries it stored into the table after
		 * a few rounds and calls each one a leak here; n->n counts them and
		 * br_names_free frees them all.
		 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
		if ((e->name = strdup(json_string_value(nm))) == NULL) {
			snprintf(why, cap, "out of memory");
			goto out;
		}
		e->icon_light = icon(json_object_get(val, "icon_light"));
		e->icon_dark = icon(json_object_get(val, "icon_dark"));
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
		n->n++;
	}
	br_aaguid_table_sort(n->v, n->n, sizeof(*n->v), NULL);
	if (br_aaguid_table_repeats(n->v, n->n, sizeof(*n->v))) {
		snprintf(why, cap, "an AAGUID is listed twice (in different case)");
		goto out;
	}
	*out = n;
	n = NULL;
	rc = 0;
out:
	br_names_free(&n);
	json_decref(root);
	return rc;
}

const br_name_entry *
br_names_find(const br_names *n, const unsigned char aaguid[16])
{
	return n == NULL ? NULL : br_aaguid_table_find(n->v, n->n, sizeof(*n->v), aaguid);
}
