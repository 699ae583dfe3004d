#include "ceremony_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/flow.h"
#include "../app/random.h"
#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../core/transport.h"

char *
br_b64(const br_blob *b)
{
	return br_b64url_encode_alloc(b->ptr, b->len);
}

int
br_challenge_issue(br_app *app, const char *purpose, const char *bound_to, json_t *extra, char out[64])
{
	char key[96];
	json_t *rec = extra != NULL ? extra : json_object();
	br_cache_rc rc;

	if (br_random_b64url(32, out, 64) < 0) {
		json_decref(rec);
		return -1;
	}
	json_object_set_new(rec, "purpose", json_string(purpose));
	json_object_set_new(rec, "bound_to", json_string(bound_to));
	snprintf(key, sizeof(key), "challenge:%s", out);
	rc = br_cache_set_json(app->cache, key, rec, (unsigned)app->cfg.challenge_ttl_s);
	json_decref(rec);
	return rc == BR_CACHE_OK ? 0 : -1;
}

json_t *
br_challenge_take(br_app *app, const br_credential_json *cred, const char *purpose,
    const char *bound_to, br_blob *raw, const char **why)
{
	json_t *cd, *rec = NULL;
	json_error_t je;
	const char *chal, *p, *b;

	*why = "failed";
	cd = json_loadb((const char *)cred->client_data_json.ptr, cred->client_data_json.len, 0, &je);
	chal = json_string_value(json_object_get(cd, "challenge"));
	/* only our own challenges have this shape; nothing else reaches the cache key */
	if (chal == NULL || br_flow_take(app->cache, "challenge", chal, &rec) != BR_CACHE_OK) {
		if (chal != NULL && br_flow_id_ok(chal))
			*why = "expired";
		json_decref(cd);
		return NULL;
	}
	p = json_string_value(json_object_get(rec, "purpose"));
	b = json_string_value(json_object_get(rec, "bound_to"));
	if (p == NULL || b == NULL || strcmp(p, purpose) != 0 || !br_ct_equal(b, strlen(b), bound_to, strlen(bound_to)) ||
	    br_b64url_decode(chal, strlen(chal), raw) < 0) {
		/* someone else's challenge: refuse, it is gone for them too */
		json_decref(rec);
		json_decref(cd);
		return NULL;
	}
	json_decref(cd);
	return rec;
}

json_t *
br_credential_descriptors(const br_user *u)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < u->n_creds; i++) {
		char *id = br_b64(&u->creds[i].id);
		json_t *d = json_pack("{s:s, s:s?}", "type", "public-key", "id", id);

		if (u->creds[i].transports != 0)
			json_object_set_new(d, "transports", br_transports_to_json(u->creds[i].transports));
		json_array_append_new(arr, d);
		free(id);
	}
	return arr;
}
