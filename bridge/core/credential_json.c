#include "credential_json.h"

#include <string.h>

#include "b64url.h"

void
br_credential_json_reset(br_credential_json *c)
{
	br_blob_reset(&c->raw_id);
	br_blob_reset(&c->client_data_json);
	br_blob_reset(&c->attestation_object);
	br_blob_reset(&c->authenticator_data);
	br_blob_reset(&c->signature);
	br_blob_reset(&c->user_handle);
	c->is_registration = 0;
}

/* Decode member key of obj. Absent: 1 (out empty) unless required. */
static br_err
b64_member(const json_t *obj, const char *key, int required, br_blob *out)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return required ? BR_ERR_INVALID_ARGUMENT : BR_OK;
	if (!json_is_string(v))
		return BR_ERR_INVALID_ARGUMENT;
	if (br_b64url_decode(json_string_value(v), json_string_length(v), out) < 0)
		return BR_ERR_BASE64URL;
	return BR_OK;
}

br_err
br_credential_json_read(const json_t *obj, br_credential_json *out)
{
	const json_t *id, *raw, *type, *resp;
	br_err r = BR_ERR_INVALID_ARGUMENT;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return BR_ERR_INVALID_ARGUMENT;
	type = json_object_get(obj, "type");
	if (!json_is_string(type) || strcmp(json_string_value(type), "public-key") != 0 ||
	    json_string_length(type) != strlen("public-key"))
		return BR_ERR_CREDENTIAL_TYPE;
	id = json_object_get(obj, "id");
	raw = json_object_get(obj, "rawId");
	if (!json_is_string(id) || !json_is_string(raw))
		return BR_ERR_INVALID_ARGUMENT;
	if (json_string_length(id) != json_string_length(raw) ||
	    memcmp(json_string_value(id), json_string_value(raw), json_string_length(id)) != 0)
		return BR_ERR_CREDENTIAL_ID_MISMATCH;
	resp = json_object_get(obj, "response");
	if (!json_is_object(resp))
		return BR_ERR_INVALID_ARGUMENT;

	if ((r = b64_member(obj, "rawId", 1, &out->raw_id)) != BR_OK ||
	    (r = b64_member(resp, "clientDataJSON", 1, &out->client_data_json)) != BR_OK)
		goto fail;
	if (json_object_get(resp, "attestationObject") != NULL) {
		out->is_registration = 1;
		if ((r = b64_member(resp, "attestationObject", 1, &out->attestation_object)) != BR_OK)
			goto fail;
	} else {
		if ((r = b64_member(resp, "authenticatorData", 1, &out->authenticator_data)) != BR_OK ||
		    (r = b64_member(resp, "signature", 1, &out->signature)) != BR_OK ||
		    (r = b64_member(resp, "userHandle", 0, &out->user_handle)) != BR_OK)
			goto fail;
	}
	return BR_OK;
fail:
	br_credential_json_reset(out);
	return r;
}

br_err
br_credential_json_parse(const char *text, size_t len, br_credential_json *out)
{
	json_error_t e;
	json_t *root;
	br_err r;

	memset(out, 0, sizeof(*out));
	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e)) == NULL)
		return BR_ERR_INVALID_ARGUMENT;
	r = br_credential_json_read(root, out);
	json_decref(root);
	return r;
}
