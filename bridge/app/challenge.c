#include "challenge.h"

#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "random.h"

#define KIND "challenge"

static const char *const purposes[] = {
	[BR_CHALLENGE_SIGNIN] = "authn",
	[BR_CHALLENGE_REGISTER] = "register",
	[BR_CHALLENGE_REGISTER_CONDITIONAL] = "register-conditional",
};

void
br_challenge_reset(br_challenge *c)
{
	br_blob_reset(&c->raw);
	free(c->username);
	c->username = NULL;
}

br_result
br_challenge_issue(br_app *app, br_challenge_purpose purpose, const char *bound_to, const char *username, int64_t now,
    char out[BR_ID_LEN + 1])
{
	json_t *rec;
	br_cache_rc rc;
	char id[BR_ID_LEN + 1];

	if (bound_to == NULL)
		return BR_RESULT_INTERNAL;
	rec = json_pack("{s:s, s:s, s:s?}", "purpose", purposes[purpose], "bound_to", bound_to, "username", username);
	if (rec == NULL)
		return BR_RESULT_INTERNAL;
	/* the challenge itself names the record: the browser sends it back in clientDataJSON */
	rc = br_record_create(app, KIND, rec, (unsigned)app->cfg.challenge_ttl_s, now, id);
	memcpy(out, id, sizeof(id));
	json_decref(rec);
	return rc == BR_CACHE_OK ? BR_RESULT_OK : BR_RESULT_UNAVAILABLE;
}

br_result
br_challenge_take(br_app *app, const br_blob *client_data_json, br_challenge_purpose purpose,
    const char *bound_to, int64_t now, br_challenge *out)
{
	json_t *cd, *rec = NULL;
	json_error_t je;
	const char *chal, *p, *b;
	br_cache_rc rc;
	br_result r = BR_RESULT_NOT_OURS;

	memset(out, 0, sizeof(*out));
	cd = json_loadb((const char *)client_data_json->ptr, client_data_json->len, 0, &je);
	chal = json_string_value(json_object_get(cd, "challenge"));
	/* only our own challenges have this shape; nothing else reaches a cache key */
	if (!br_record_id_ok(chal))
		goto out;
	rc = br_record_take(app, KIND, chal, now, &rec);
	if (rc != BR_CACHE_OK) {
		r = rc == BR_CACHE_ERROR ? BR_RESULT_UNAVAILABLE : BR_RESULT_EXPIRED;
		goto out;
	}
	p = json_string_value(json_object_get(rec, "purpose"));
	b = json_string_value(json_object_get(rec, "bound_to"));
	/* someone else's challenge: refused, and gone for them too */
	if (p == NULL || b == NULL || bound_to == NULL || strcmp(p, purposes[purpose]) != 0 ||
	    !br_ct_equal(b, strlen(b), bound_to, strlen(bound_to)) ||
	    br_record_str(rec, "username", &out->username) < 0 || br_b64url_decode(chal, strlen(chal), &out->raw) < 0) {
		br_challenge_reset(out);
		goto out;
	}
	r = BR_RESULT_OK;
out:
	json_decref(rec);
	json_decref(cd);
	return r;
}
