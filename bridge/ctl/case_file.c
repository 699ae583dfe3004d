#include "case_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../core/b64url.h"
#include "../core/timefmt.h"

static char *
dup_string(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int
fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

int
br_case_load(const char *path, br_case *c, char *err, size_t errlen)
{
	json_t *root, *v, *cred;
	json_error_t je;
	const char *s;
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (!json_is_object(root)) {
		fail(err, errlen, "not a JSON object");
		goto out;
	}
	if ((c->name = dup_string(json_object_get(root, "name"))) == NULL) {
		fail(err, errlen, "missing \"name\"");
		goto out;
	}
	s = json_string_value(json_object_get(root, "ceremony"));
	if (s != NULL && strcmp(s, "registration") == 0)
		c->is_registration = 1;
	else if (s == NULL || strcmp(s, "authentication") != 0) {
		fail(err, errlen, "\"ceremony\" must be registration or authentication");
		goto out;
	}
	if ((c->rp_id = dup_string(json_object_get(root, "rp_id"))) == NULL) {
		fail(err, errlen, "missing \"rp_id\"");
		goto out;
	}
	v = json_object_get(root, "origins");
	if (!json_is_array(v) || json_array_size(v) == 0) {
		fail(err, errlen, "\"origins\" must be a non-empty array");
		goto out;
	}
	c->n_origins = json_array_size(v);
	if ((c->origins = calloc(c->n_origins, sizeof(char *))) == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	/*
	 * gcc 12's -fanalyzer loses pointers stored at a variable index of a heap
	 * array and calls each one a leak here; br_case_free frees them all.
	 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
	for (i = 0; i < c->n_origins; i++)
		if ((c->origins[i] = dup_string(json_array_get(v, i))) == NULL) {
			fail(err, errlen, "\"origins\" holds a non-string");
			goto out;
		}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
	v = json_object_get(root, "challenge");
	if (!json_is_string(v) ||
	    br_b64url_decode(json_string_value(v), json_string_length(v), &c->challenge) < 0) {
		fail(err, errlen, "\"challenge\" is not base64url");
		goto out;
	}
	s = json_string_value(json_object_get(root, "user_verification"));
	c->uv = BR_UV_PREFERRED;
	if (s != NULL && br_uv_policy_parse(s, &c->uv) < 0) {
		char choices[64];
		br_enum_choices(br_uv_policy_names, choices, sizeof(choices));
		snprintf(err, errlen, "\"user_verification\" must be %s", choices);
		goto out;
	}
	s = json_string_value(json_object_get(root, "now"));
	if (s == NULL || br_iso_parse(s, &c->now) < 0) {
		fail(err, errlen, "\"now\" must be an RFC 3339 UTC instant like 2020-01-01T00:00:00Z");
		goto out;
	}
	v = json_object_get(root, "trust_anchors_pem");
	if (json_is_array(v) && json_array_size(v) > 0) {
		if ((c->trust = br_trust_new()) == NULL) {
			fail(err, errlen, "out of memory");
			goto out;
		}
		for (i = 0; i < json_array_size(v); i++) {
			json_t *pem = json_array_get(v, i);
			if (!json_is_string(pem) ||
			    br_trust_add_pem(c->trust, json_string_value(pem), json_string_length(pem)) < 0) {
				fail(err, errlen, "\"trust_anchors_pem\" holds something that is not a PEM certificate");
				goto out;
			}
		}
	}
	v = json_object_get(root, "response");
	if (!json_is_object(v)) {
		fail(err, errlen, "missing \"response\"");
		goto out;
	}
	/* a malformed credential is a verdict (the RP would reject it), not unreadable input */
	c->response_error = br_credential_json_read(v, &c->response);
	if (c->response_error == BR_OK && c->response.is_registration != c->is_registration) {
		fail(err, errlen, "\"response\" does not match \"ceremony\"");
		goto out;
	}
	if (!c->is_registration) {
		cred = json_object_get(root, "credential");
		v = json_object_get(cred, "sign_count");
		if (!json_is_object(cred) || !json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > UINT32_MAX) {
			fail(err, errlen, "authentication case needs \"credential\" with \"sign_count\"");
			goto out;
		}
		c->cred_sign_count = (uint32_t)json_integer_value(v);
		v = json_object_get(cred, "id");
		if (!json_is_string(v) ||
		    br_b64url_decode(json_string_value(v), json_string_length(v), &c->cred_id) < 0) {
			fail(err, errlen, "\"credential.id\" is not base64url");
			goto out;
		}
		v = json_object_get(cred, "public_key_cose");
		if (!json_is_string(v) ||
		    br_b64url_decode(json_string_value(v), json_string_length(v), &c->cred_public_key) < 0) {
			fail(err, errlen, "\"credential.public_key_cose\" is not base64url");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		br_case_free(c);
	return rc;
}

void
br_case_free(br_case *c)
{
	size_t i;

	free(c->name);
	free(c->rp_id);
	for (i = 0; c->origins != NULL && i < c->n_origins; i++)
		free(c->origins[i]);
	free(c->origins);
	br_blob_reset(&c->challenge);
	br_trust_free(&c->trust);
	br_credential_json_reset(&c->response);
	br_blob_reset(&c->cred_id);
	br_blob_reset(&c->cred_public_key);
	memset(c, 0, sizeof(*c));
}
