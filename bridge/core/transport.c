#include "transport.h"

#include <string.h>

static const char *const names[BR_TRANSPORT_COUNT] = {
	"usb", "nfc", "ble", "internal", "hybrid", "smart-card",
};

const char *
br_transport_name(size_t i)
{
	return i < BR_TRANSPORT_COUNT ? names[i] : NULL;
}

unsigned
br_transport_bit(size_t i)
{
	return i < BR_TRANSPORT_COUNT ? 1u << i : 0;
}

unsigned
br_transport_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; name != NULL && i < BR_TRANSPORT_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return 1u << i;
	return 0;
}

unsigned
br_transports_from_json(const json_t *array)
{
	unsigned mask = 0;
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v))
			mask |= br_transport_from_name(json_string_value(v), json_string_length(v));
	return mask;
}

json_t *
br_transports_to_json(unsigned mask)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < BR_TRANSPORT_COUNT; i++)
		if ((mask & (1u << i)) != 0 && json_array_append_new(a, json_string(names[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

void
br_transports_to_text(unsigned mask, char *out, size_t cap)
{
	size_t i, n = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < BR_TRANSPORT_COUNT; i++) {
		size_t l = strlen(names[i]);
		if ((mask & (1u << i)) == 0 || n + l + (n > 0) + 1 > cap)
			continue;
		if (n > 0)
			out[n++] = ',';
		memcpy(out + n, names[i], l + 1);
		n += l;
	}
}
