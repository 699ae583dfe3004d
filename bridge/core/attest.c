#include "attest.h"

#include <string.h>

static const struct {
	const char *fmt;
	br_attest_fn fn;
} formats[] = {
	{ "none", br_attest_none },
	{ "packed", br_attest_packed },
	{ "fido-u2f", br_attest_fido_u2f },
	{ "tpm", br_attest_tpm },
	{ "android-key", br_attest_android_key },
	{ "android-safetynet", br_attest_android_safetynet },
	{ "apple", br_attest_apple },
};

br_attest_fn
br_attest_lookup(const char *fmt, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strlen(formats[i].fmt) == len && memcmp(formats[i].fmt, fmt, len) == 0)
			return formats[i].fn;
	return NULL;
}

br_err
br_attest_none(const br_attest_ctx *ctx, br_att_type *type)
{
	/* "none" carries an empty statement; anything in it is a malformed object */
	if (cbor_map_size(ctx->att_stmt) != 0)
		return BR_ERR_ATT_STMT;
	*type = BR_ATT_NONE;
	return BR_OK;
}
