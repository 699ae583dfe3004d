#include "cbor_read.h"

#include "buf.h"

#include <string.h>

/* WebAuthn structures nest three or four levels; refuse anything far deeper. */
#define MAX_DEPTH 16
/* Keeps the pairwise duplicate check cheap; real maps have a handful of keys. */
#define MAX_MAP_PAIRS 128

static int
keys_equal(const cbor_item_t *a, const cbor_item_t *b)
{
	cbor_type t = cbor_typeof(a);

	if (t != cbor_typeof(b))
		return 0;
	switch (t) {
	case CBOR_TYPE_UINT:
	case CBOR_TYPE_NEGINT:
		return cbor_get_int(a) == cbor_get_int(b);
	case CBOR_TYPE_BYTESTRING:
		return cbor_bytestring_length(a) == cbor_bytestring_length(b) &&
		    memcmp(cbor_bytestring_handle(a), cbor_bytestring_handle(b),
			cbor_bytestring_length(a)) == 0;
	case CBOR_TYPE_STRING:
		return cbor_string_length(a) == cbor_string_length(b) &&
		    memcmp(cbor_string_handle(a), cbor_string_handle(b),
			cbor_string_length(a)) == 0;
	default:
		/* keys of other types never occur in WebAuthn: treat as clashing */
		return 1;
	}
}

static int
check_item(const cbor_item_t *it, int depth)
{
	size_t i, j, n;

	if (depth > MAX_DEPTH)
		return -1;
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_BYTESTRING:
		return cbor_bytestring_is_definite(it) ? 0 : -1;
	case CBOR_TYPE_STRING:
		return cbor_string_is_definite(it) ? 0 : -1;
	case CBOR_TYPE_ARRAY: {
		cbor_item_t **h = cbor_array_handle(it);
		if (!cbor_array_is_definite(it))
			return -1;
		n = cbor_array_size(it);
		for (i = 0; i < n; i++)
			if (h[i] == NULL || check_item(h[i], depth + 1) < 0)
				return -1;
		return 0;
	}
	case CBOR_TYPE_MAP: {
		struct cbor_pair *h = cbor_map_handle(it);
		if (!cbor_map_is_definite(it))
			return -1;
		n = cbor_map_size(it);
		if (n > MAX_MAP_PAIRS)
			return -1;
		for (i = 0; i < n; i++) {
			if (h[i].key == NULL || h[i].value == NULL)
				return -1;
			if (check_item(h[i].key, depth + 1) < 0 ||
			    check_item(h[i].value, depth + 1) < 0)
				return -1;
			for (j = 0; j < i; j++)
				if (keys_equal(h[i].key, h[j].key))
					return -1;
		}
		return 0;
	}
	case CBOR_TYPE_TAG:
		/* CTAP2 canonical CBOR has no tags: one would only hide its content from these checks */
		return -1;
	default:
		return 0;
	}
}

/*
 * Walk one item's headers without allocating: every declared length must fit
 * in the bytes left (an element takes at least one byte, a map pair two).
 * libcbor allocates an array's slots from its header alone, so five bytes
 * (9a 10 00 00 00) would otherwise cost 2 GiB. Tags, indefinite lengths and
 * reserved encodings are refused here too. Returns the item's length or 0.
 */
static size_t
prescan(const unsigned char *p, size_t len, int depth)
{
	br_cursor c = { p, len };
	uint8_t ib, major, info;
	uint64_t arg = 0, i, n;

	if (depth > MAX_DEPTH || br_cursor_u8(&c, &ib) < 0)
		return 0;
	major = ib >> 5;
	info = ib & 0x1f;
	if (info < 24) {
		arg = info;
	} else if (info == 24) {
		uint8_t v;
		if (br_cursor_u8(&c, &v) < 0)
			return 0;
		arg = v;
	} else if (info == 25) {
		uint16_t v;
		if (br_cursor_be16(&c, &v) < 0)
			return 0;
		arg = v;
	} else if (info == 26) {
		uint32_t v;
		if (br_cursor_be32(&c, &v) < 0)
			return 0;
		arg = v;
	} else if (info == 27) {
		if (br_cursor_be64(&c, &arg) < 0)
			return 0;
	} else {
		return 0; /* 28-30 reserved, 31 indefinite or a stray break */
	}
	switch (major) {
	case 0: /* unsigned */
	case 1: /* negative */
	case 7: /* simple values and floats: the argument was the whole payload */
		break;
	case 2: /* byte string */
	case 3: /* text string */
		if (arg > c.left || br_cursor_read(&c, NULL, (size_t)arg) < 0)
			return 0;
		break;
	case 4: /* array */
	case 5: /* map */
		n = major == 5 ? arg * 2 : arg;
		if (arg > c.left || n > c.left)
			return 0;
		for (i = 0; i < n; i++) {
			size_t k = prescan(c.p, c.left, depth + 1);
			if (k == 0)
				return 0;
			(void)br_cursor_read(&c, NULL, k);
		}
		break;
	default: /* 6: tags never occur in CTAP2 canonical CBOR */
		return 0;
	}
	return len - c.left;
}

int
br_cbor_decode(const unsigned char *p, size_t len, cbor_item_t **out, size_t *used)
{
	struct cbor_load_result res;
	cbor_item_t *it;
	size_t n;

	*out = NULL;
	if (p == NULL || len == 0)
		return -1;
	if ((n = prescan(p, len, 0)) == 0 || (used == NULL && n != len))
		return -1;
	it = cbor_load(p, n, &res);
	if (it == NULL || res.error.code != CBOR_ERR_NONE)
		goto fail;
	if (res.read != n)
		goto fail;
	if (check_item(it, 0) < 0)
		goto fail;
	if (used != NULL)
		*used = res.read;
	*out = it;
	return 0;
fail:
	if (it != NULL)
		cbor_decref(&it);
	return -1;
}

cbor_item_t *
br_cbor_map_str(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *h;
	size_t i, n, klen = strlen(key);

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	h = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_string(h[i].key) || !cbor_string_is_definite(h[i].key))
			continue;
		if (cbor_string_length(h[i].key) == klen &&
		    memcmp(cbor_string_handle(h[i].key), key, klen) == 0)
			return h[i].value;
	}
	return NULL;
}

int
br_cbor_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t u;

	if (it == NULL)
		return -1;
	if (cbor_isa_uint(it)) {
		u = cbor_get_int(it);
		if (u > INT64_MAX)
			return -1;
		*v = (int64_t)u;
		return 0;
	}
	if (cbor_isa_negint(it)) {
		/* value is -1 - n */
		u = cbor_get_int(it);
		if (u > INT64_MAX)
			return -1;
		*v = -1 - (int64_t)u;
		return 0;
	}
	return -1;
}

cbor_item_t *
br_cbor_map_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair *h;
	size_t i, n;
	int64_t k;

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	h = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (i = 0; i < n; i++)
		if (br_cbor_int(h[i].key, &k) == 0 && k == key)
			return h[i].value;
	return NULL;
}

int
br_cbor_bytes(const cbor_item_t *it, br_span *out)
{
	if (it == NULL || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return -1;
	out->ptr = cbor_bytestring_handle(it);
	out->len = cbor_bytestring_length(it);
	return 0;
}

int
br_cbor_text(const cbor_item_t *it, br_span *out)
{
	if (it == NULL || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return -1;
	out->ptr = cbor_string_handle(it);
	out->len = cbor_string_length(it);
	return 0;
}

int
br_cbor_text_is(const cbor_item_t *it, const char *s)
{
	br_span t;
	size_t n = strlen(s);

	if (br_cbor_text(it, &t) < 0)
		return 0;
	return t.len == n && (n == 0 || memcmp(t.ptr, s, n) == 0);
}
