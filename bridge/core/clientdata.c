#include "clientdata.h"

#include <string.h>

#include <jansson.h>

#include "b64url.h"
#include "crypto.h"

/* Challenges are 16..64 bytes here; leave room for RPs that issue longer ones. */
#define CHALLENGE_MAX 1024
#define CHALLENGE_B64_MAX ((CHALLENGE_MAX + 2) / 3 * 4 + 1)

static int
in_list(const char *s, size_t len, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] != NULL && strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

/* A string member: 1 and its bytes, 0 when absent, -1 when not a string. */
static int
get_string(json_t *obj, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return -1;
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

br_err
br_clientdata_check(const unsigned char *json, size_t len, const br_clientdata_expect *exp)
{
	char chal[CHALLENGE_B64_MAX];
	const char *s = NULL;
	size_t slen = 0, clen;
	json_t *root = NULL, *co;
	json_error_t jerr;
	br_err r = BR_ERR_CLIENT_DATA;

	if (json == NULL || len == 0)
		return BR_ERR_CLIENT_DATA;
	root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root))
		goto out;

	if (get_string(root, "type", &s, &slen) != 1)
		goto out;
	if (strlen(exp->type) != slen || memcmp(exp->type, s, slen) != 0) {
		r = BR_ERR_TYPE;
		goto out;
	}

	/* the spec compares against the base64url encoding of the issued bytes */
	if (get_string(root, "challenge", &s, &slen) != 1)
		goto out;
	/* an RP never issues an empty challenge: a caller passing one has lost it */
	if (exp->challenge.len == 0 || exp->challenge.len > CHALLENGE_MAX) {
		r = BR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	clen = br_b64url_encode(exp->challenge.ptr, exp->challenge.len, chal);
	if (!br_ct_equal(chal, clen, s, slen)) {
		r = BR_ERR_CHALLENGE;
		goto out;
	}

	if (get_string(root, "origin", &s, &slen) != 1)
		goto out;
	if (!in_list(s, slen, exp->origins, exp->n_origins)) {
		r = BR_ERR_ORIGIN;
		goto out;
	}

	co = json_object_get(root, "crossOrigin");
	if (co != NULL && !json_is_boolean(co))
		goto out;
	if (json_is_true(co) && !exp->allow_cross_origin) {
		r = BR_ERR_CROSS_ORIGIN;
		goto out;
	}

	/* topOrigin names the top-level page of a cross-origin iframe */
	switch (get_string(root, "topOrigin", &s, &slen)) {
	case -1:
		goto out;
	case 1:
		if (!exp->allow_cross_origin || !json_is_true(co) ||
		    !in_list(s, slen, exp->top_origins, exp->n_top_origins)) {
			r = BR_ERR_TOP_ORIGIN;
			goto out;
		}
		break;
	default:
		break;
	}
	r = BR_OK;
out:
	br_wipe(chal, sizeof(chal));
	json_decref(root);
	return r;
}
