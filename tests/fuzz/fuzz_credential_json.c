/*
 * br_credential_json_parse: the input is PublicKeyCredential JSON text.
 * On BR_OK the text is re-read with jansson: type is exactly "public-key",
 * id and rawId are the same string, response is an object, the registration
 * flag follows the presence of attestationObject, and every decoded member
 * has the length its base64url string implies (members of the other ceremony
 * stay empty). On failure nothing is left allocated and the code is one of
 * the documented ones.
 */
#include <string.h>

#include <jansson.h>

#include "credential_json.h"
#include "fuzz_common.h"

static int
blob_empty(const br_blob *b)
{
	return b->ptr == NULL && b->len == 0;
}

/* The decoded member matches the string in obj[key] (optional and absent/null: empty). */
static void
check_member(json_t *obj, const char *key, int required, const br_blob *b)
{
	json_t *v = json_object_get(obj, key);

	if (!required && (v == NULL || json_is_null(v))) {
		FZ_CHECK(blob_empty(b));
		return;
	}
	FZ_CHECK(json_is_string(v));
	FZ_CHECK(b->len == fz_b64url_decoded_len(json_string_length(v)));
	FZ_CHECK((b->ptr == NULL) == (b->len == 0));
}

static void
check_ok(const uint8_t *data, size_t size, const br_credential_json *c)
{
	json_t *root, *type, *id, *raw, *resp;

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	FZ_CHECK(json_is_object(root));
	type = json_object_get(root, "type");
	FZ_CHECK(json_is_string(type) && json_string_length(type) == strlen("public-key") &&
	    memcmp(json_string_value(type), "public-key", strlen("public-key")) == 0);
	id = json_object_get(root, "id");
	raw = json_object_get(root, "rawId");
	FZ_CHECK(json_is_string(id) && json_is_string(raw));
	FZ_CHECK(json_string_length(id) == json_string_length(raw) &&
	    memcmp(json_string_value(id), json_string_value(raw), json_string_length(id)) == 0);
	resp = json_object_get(root, "response");
	FZ_CHECK(json_is_object(resp));

	check_member(root, "rawId", 1, &c->raw_id);
	check_member(resp, "clientDataJSON", 1, &c->client_data_json);
	FZ_CHECK(c->is_registration == (json_object_get(resp, "attestationObject") != NULL));
	if (c->is_registration) {
		check_member(resp, "attestationObject", 1, &c->attestation_object);
		FZ_CHECK(blob_empty(&c->authenticator_data) && blob_empty(&c->signature) &&
		    blob_empty(&c->user_handle));
	} else {
		check_member(resp, "authenticatorData", 1, &c->authenticator_data);
		check_member(resp, "signature", 1, &c->signature);
		check_member(resp, "userHandle", 0, &c->user_handle);
		FZ_CHECK(blob_empty(&c->attestation_object));
	}
	json_decref(root);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_credential_json c;
	br_err r;

	r = br_credential_json_parse((const char *)data, size, &c);
	switch (r) {
	case BR_OK:
		check_ok(data, size, &c);
		break;
	case BR_ERR_CREDENTIAL_TYPE:
	case BR_ERR_CREDENTIAL_ID_MISMATCH:
	case BR_ERR_BASE64URL:
	case BR_ERR_INVALID_ARGUMENT:
		FZ_CHECK(blob_empty(&c.raw_id) && blob_empty(&c.client_data_json) &&
		    blob_empty(&c.attestation_object) && blob_empty(&c.authenticator_data) &&
		    blob_empty(&c.signature) && blob_empty(&c.user_handle));
		break;
	default:
		FZ_CHECK(!"unexpected error code from br_credential_json_parse");
	}
	br_credential_json_reset(&c);
	return 0;
}
