/*
 * br_clientdata_check. Input: [sel][clientDataJSON...]
 *   sel & 0x7f picks a recorded case (fixtures.c, all cases): its type
 *   (webauthn.create / webauthn.get), challenge and origins are expected;
 *   sel & 0x80 allows cross-origin use, with https://top.example.org as the
 *   only allowed topOrigin.
 * The verdict (accept or refuse) is compared with an independent reading of
 * the JSON (jansson) against WebAuthn section 5.8.1; a refusal must carry a
 * clientDataJSON error code.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "b64url.h"
#include "clientdata.h"
#include "fixtures.h"
#include "fuzz_common.h"

static const char *const top_origins[] = { "https://top.example.org" };

static int
str_in(const char *s, size_t len, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

static int
str_is(json_t *v, const char *s, size_t len)
{
	return json_is_string(v) && json_string_length(v) == len &&
	    memcmp(json_string_value(v), s, len) == 0;
}

/* 1 when a correct verifier accepts the clientDataJSON. */
static int
oracle_accepts(const uint8_t *p, size_t n, const br_clientdata_expect *exp)
{
	json_t *root, *v, *co, *top;
	char *chal;
	int ok = 0;

	if (n == 0 ||
	    (root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return 0;
	FZ_CHECK((chal = br_b64url_encode_alloc(exp->challenge.ptr, exp->challenge.len)) != NULL);
	if (!json_is_object(root) || !str_is(json_object_get(root, "type"), exp->type, strlen(exp->type)))
		goto out;
	if (!str_is(json_object_get(root, "challenge"), chal, strlen(chal)))
		goto out;
	v = json_object_get(root, "origin");
	if (!json_is_string(v) ||
	    !str_in(json_string_value(v), json_string_length(v), exp->origins, exp->n_origins))
		goto out;
	co = json_object_get(root, "crossOrigin");
	if (co != NULL && !json_is_boolean(co))
		goto out;
	if (json_is_true(co) && !exp->allow_cross_origin)
		goto out;
	top = json_object_get(root, "topOrigin");
	if (top != NULL) {
		/* only a cross-origin iframe has a top origin, and it must be allowed */
		if (!json_is_string(top) || !json_is_true(co) || !exp->allow_cross_origin ||
		    !str_in(json_string_value(top), json_string_length(top),
			exp->top_origins, exp->n_top_origins))
			goto out;
	}
	ok = 1;
out:
	free(chal);
	json_decref(root);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_ctx *x;
	br_clientdata_expect exp;
	br_err r;

	if (size < 1)
		return 0;
	x = fz_any_ctx(data[0] & 0x7fu);
	memset(&exp, 0, sizeof(exp));
	exp.type = x->c->registration ? "webauthn.create" : "webauthn.get";
	exp.challenge.ptr = x->challenge.ptr;
	exp.challenge.len = x->challenge.len;
	exp.origins = x->policy.origins;
	exp.n_origins = x->policy.n_origins;
	exp.allow_cross_origin = (data[0] & 0x80u) != 0;
	exp.top_origins = top_origins;
	exp.n_top_origins = 1;

	r = br_clientdata_check(data + 1, size - 1, &exp);
	switch (r) {
	case BR_OK:
	case BR_ERR_CLIENT_DATA:
	case BR_ERR_TYPE:
	case BR_ERR_CHALLENGE:
	case BR_ERR_ORIGIN:
	case BR_ERR_CROSS_ORIGIN:
	case BR_ERR_TOP_ORIGIN:
		break;
	default:
		FZ_CHECK(!"unexpected error code from br_clientdata_check");
	}
	FZ_CHECK((r == BR_OK) == oracle_accepts(data + 1, size - 1, &exp));
	fz_end_input();
	return 0;
}
