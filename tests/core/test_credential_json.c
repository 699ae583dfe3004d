/*
 * PublicKeyCredential JSON (the browser's toJSON() form): id/rawId agreement,
 * type, strict base64url members, required members per ceremony.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "credential_json.h"
#include "soft_authenticator.h"
#include "unit.h"

/* "Zm9v" = "foo", "YmFy" = "bar", "YmF6" = "baz", "cXV4" = "qux", "dXNlcg" = "user" */

static int
empty(const br_credential_json *c)
{
	return c->raw_id.ptr == NULL && c->raw_id.len == 0 &&
	    c->client_data_json.ptr == NULL && c->client_data_json.len == 0 &&
	    c->attestation_object.ptr == NULL && c->attestation_object.len == 0 &&
	    c->authenticator_data.ptr == NULL && c->authenticator_data.len == 0 &&
	    c->signature.ptr == NULL && c->signature.len == 0 &&
	    c->user_handle.ptr == NULL && c->user_handle.len == 0 &&
	    c->is_registration == 0;
}

static int
blob_is(const br_blob *b, const char *s)
{
	return b->len == strlen(s) && memcmp(b->ptr, s, b->len) == 0;
}

/* Parse text; on failure the output must be empty. */
static br_err
parse(const char *text)
{
	br_credential_json c;
	br_err e;

	memset(&c, 0xa5, sizeof(c));
	e = br_credential_json_parse(text, strlen(text), &c);
	if (e != BR_OK)
		CHECK(empty(&c));
	br_credential_json_reset(&c);
	CHECK(empty(&c));
	return e;
}

#define REG(id, raw, type, resp) \
	"{\"id\":\"" id "\",\"rawId\":\"" raw "\",\"type\":\"" type "\",\"response\":" resp "}"
#define AUTH_RESP "{\"clientDataJSON\":\"YmFy\",\"authenticatorData\":\"YmF6\"," \
	"\"signature\":\"cXV4\",\"userHandle\":\"dXNlcg\"}"
#define REG_RESP "{\"clientDataJSON\":\"YmFy\",\"attestationObject\":\"YmF6\"}"

static void
registration_ok(void)
{
	static const char text[] = "{\"id\":\"Zm9v\",\"rawId\":\"Zm9v\",\"type\":\"public-key\","
	    "\"authenticatorAttachment\":\"platform\",\"clientExtensionResults\":{},"
	    "\"response\":{\"clientDataJSON\":\"YmFy\",\"attestationObject\":\"YmF6\","
	    "\"transports\":[\"internal\"]}}";
	br_credential_json c;

	CHECK_ERR(br_credential_json_parse(text, strlen(text), &c), BR_OK);
	CHECK(c.is_registration == 1);
	CHECK(blob_is(&c.raw_id, "foo"));
	CHECK(blob_is(&c.client_data_json, "bar"));
	CHECK(blob_is(&c.attestation_object, "baz"));
	CHECK(c.authenticator_data.ptr == NULL && c.signature.ptr == NULL);
	br_credential_json_reset(&c);
	CHECK(empty(&c));
}

static void
authentication_ok(void)
{
	static const char text[] = REG("Zm9v", "Zm9v", "public-key", AUTH_RESP);
	br_credential_json c;

	CHECK_ERR(br_credential_json_parse(text, strlen(text), &c), BR_OK);
	CHECK(c.is_registration == 0);
	CHECK(blob_is(&c.raw_id, "foo"));
	CHECK(blob_is(&c.client_data_json, "bar"));
	CHECK(blob_is(&c.authenticator_data, "baz"));
	CHECK(blob_is(&c.signature, "qux"));
	CHECK(blob_is(&c.user_handle, "user"));
	CHECK(c.attestation_object.ptr == NULL);
	br_credential_json_reset(&c);
}

static void
real_ceremony_round_trip(void)
{
	/* a registration from the software authenticator, through JSON, verifies */
	sa_reg_opts o;
	sa_reg r;
	br_credential_json c;
	br_reg_result res;
	char *id, *cd, *ao, *text;
	size_t n;

	memset(&o, 0, sizeof(o));
	o.fmt = SA_FMT_PACKED_SELF;
	sa_reg_build(&r, &o);
	id = br_b64url_encode_alloc(r.raw_id.ptr, r.raw_id.len);
	cd = br_b64url_encode_alloc(r.client_data.ptr, r.client_data.len);
	ao = br_b64url_encode_alloc(r.att_obj.ptr, r.att_obj.len);
	SA_REQUIRE(id != NULL && cd != NULL && ao != NULL);
	n = strlen(id) * 2 + strlen(cd) + strlen(ao) + 200;
	SA_REQUIRE((text = malloc(n)) != NULL);
	snprintf(text, n, "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
	    "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObject\":\"%s\"}}",
	    id, id, cd, ao);
	CHECK_ERR(br_credential_json_parse(text, strlen(text), &c), BR_OK);
	r.in.raw_id = (br_span){ c.raw_id.ptr, c.raw_id.len };
	r.in.client_data_json = (br_span){ c.client_data_json.ptr, c.client_data_json.len };
	r.in.attestation_object = (br_span){ c.attestation_object.ptr, c.attestation_object.len };
	CHECK_ERR(br_register_verify(&r.in, &res), BR_OK);
	br_reg_result_reset(&res);
	br_credential_json_reset(&c);
	free(id);
	free(cd);
	free(ao);
	free(text);
	sa_reg_free(&r);
}

static void
id_not_raw_id(void)
{
	CHECK_ERR(parse(REG("Zm9v", "YmFy", "public-key", AUTH_RESP)), BR_ERR_CREDENTIAL_ID_MISMATCH);
	CHECK_ERR(parse(REG("Zm9v", "Zm9vYg", "public-key", REG_RESP)), BR_ERR_CREDENTIAL_ID_MISMATCH);
	CHECK_ERR(parse(REG("", "Zm9v", "public-key", REG_RESP)), BR_ERR_CREDENTIAL_ID_MISMATCH);
}

static void
type_not_public_key(void)
{
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "foo", AUTH_RESP)), BR_ERR_CREDENTIAL_TYPE);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "Public-Key", AUTH_RESP)), BR_ERR_CREDENTIAL_TYPE);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key ", AUTH_RESP)), BR_ERR_CREDENTIAL_TYPE);
	CHECK_ERR(parse("{\"id\":\"Zm9v\",\"rawId\":\"Zm9v\",\"response\":" AUTH_RESP "}"),
	    BR_ERR_CREDENTIAL_TYPE);
	CHECK_ERR(parse("{\"id\":\"Zm9v\",\"rawId\":\"Zm9v\",\"type\":1,\"response\":" AUTH_RESP "}"),
	    BR_ERR_CREDENTIAL_TYPE);
}

static void
base64_with_padding(void)
{
	/* "Zg==" is "f" in padded base64url: refused, in the id and in every member */
	CHECK_ERR(parse(REG("Zg==", "Zg==", "public-key", AUTH_RESP)), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmE=\",\"attestationObject\":\"YmF6\"}")), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"attestationObject\":\"YmE=\"}")), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"authenticatorData\":\"YmF6\","
	    "\"signature\":\"cXU=\"}")), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"authenticatorData\":\"YmF6\","
	    "\"signature\":\"cXV4\",\"userHandle\":\"dXM=\"}")), BR_ERR_BASE64URL);
}

static void
base64_standard_alphabet(void)
{
	CHECK_ERR(parse(REG("+/8", "+/8", "public-key", AUTH_RESP)), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"Ym+y\",\"attestationObject\":\"YmF6\"}")), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"Y mFy\",\"attestationObject\":\"YmF6\"}")), BR_ERR_BASE64URL);
	CHECK_ERR(parse(REG("Z", "Z", "public-key", AUTH_RESP)), BR_ERR_BASE64URL);
}

static void
missing_response_fields(void)
{
	/* no response */
	CHECK_ERR(parse("{\"id\":\"Zm9v\",\"rawId\":\"Zm9v\",\"type\":\"public-key\"}"),
	    BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key", "[]")), BR_ERR_INVALID_ARGUMENT);
	/* no clientDataJSON */
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key", "{\"attestationObject\":\"YmF6\"}")),
	    BR_ERR_INVALID_ARGUMENT);
	/* authentication without authenticatorData / signature */
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"signature\":\"cXV4\"}")), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"authenticatorData\":\"YmF6\"}")),
	    BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key", "{\"clientDataJSON\":\"YmFy\"}")),
	    BR_ERR_INVALID_ARGUMENT);
	/* null where bytes are required */
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":null,\"attestationObject\":\"YmF6\"}")), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"attestationObject\":null}")), BR_ERR_INVALID_ARGUMENT);
	/* wrong JSON types */
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":[1],\"attestationObject\":\"YmF6\"}")), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"authenticatorData\":\"YmF6\","
	    "\"signature\":\"cXV4\",\"userHandle\":5}")), BR_ERR_INVALID_ARGUMENT);
}

static void
id_missing(void)
{
	CHECK_ERR(parse("{\"rawId\":\"Zm9v\",\"type\":\"public-key\",\"response\":" AUTH_RESP "}"),
	    BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse("{\"id\":\"Zm9v\",\"type\":\"public-key\",\"response\":" AUTH_RESP "}"),
	    BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse("{\"id\":1,\"rawId\":1,\"type\":\"public-key\",\"response\":" AUTH_RESP "}"),
	    BR_ERR_INVALID_ARGUMENT);
}

static void
user_handle_null_or_absent(void)
{
	static const char *const texts[] = {
		REG("Zm9v", "Zm9v", "public-key", "{\"clientDataJSON\":\"YmFy\","
		    "\"authenticatorData\":\"YmF6\",\"signature\":\"cXV4\",\"userHandle\":null}"),
		REG("Zm9v", "Zm9v", "public-key", "{\"clientDataJSON\":\"YmFy\","
		    "\"authenticatorData\":\"YmF6\",\"signature\":\"cXV4\"}"),
	};
	size_t i;

	for (i = 0; i < UNIT_N(texts); i++) {
		br_credential_json c;

		memset(&c, 0xa5, sizeof(c));
		CHECK_ERR(br_credential_json_parse(texts[i], strlen(texts[i]), &c), BR_OK);
		CHECK(c.user_handle.ptr == NULL && c.user_handle.len == 0);
		CHECK(blob_is(&c.signature, "qux"));
		CHECK(c.is_registration == 0);
		br_credential_json_reset(&c);
	}
}

static void
not_json_or_duplicate_members(void)
{
	CHECK_ERR(parse(""), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse("{"), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse("[]"), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key", AUTH_RESP) " trailing"),
	    BR_ERR_INVALID_ARGUMENT);
	/* a second rawId would let id and rawId disagree */
	CHECK_ERR(parse("{\"id\":\"Zm9v\",\"rawId\":\"Zm9v\",\"rawId\":\"YmFy\","
	    "\"type\":\"public-key\",\"response\":" AUTH_RESP "}"), BR_ERR_INVALID_ARGUMENT);
	CHECK_ERR(parse(REG("Zm9v", "Zm9v", "public-key",
	    "{\"clientDataJSON\":\"YmFy\",\"clientDataJSON\":\"YmFy\",\"attestationObject\":\"YmF6\"}")),
	    BR_ERR_INVALID_ARGUMENT);
}

static void
read_from_json_value(void)
{
	json_t *v;
	json_error_t je;
	br_credential_json c;

	v = json_loads(REG("Zm9v", "Zm9v", "public-key", AUTH_RESP), 0, &je);
	SA_REQUIRE(v != NULL);
	CHECK_ERR(br_credential_json_read(v, &c), BR_OK);
	CHECK(blob_is(&c.raw_id, "foo"));
	br_credential_json_reset(&c);
	json_decref(v);
	v = json_integer(1);
	CHECK_ERR(br_credential_json_read(v, &c), BR_ERR_INVALID_ARGUMENT);
	CHECK(empty(&c));
	json_decref(v);
	CHECK_ERR(br_credential_json_read(NULL, &c), BR_ERR_INVALID_ARGUMENT);

	/* "public-key" followed by a NUL and more: not the type, whatever strcmp says */
	v = json_loads(REG("Zm9v", "Zm9v", "public-key", AUTH_RESP), 0, &je);
	SA_REQUIRE(v != NULL);
	SA_REQUIRE(json_object_set_new(v, "type", json_stringn("public-key\0x", 12)) == 0);
	CHECK_ERR(br_credential_json_read(v, &c), BR_ERR_CREDENTIAL_TYPE);
	CHECK(empty(&c));
	json_decref(v);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(registration_ok),
		UNIT_CASE(authentication_ok),
		UNIT_CASE(real_ceremony_round_trip),
		UNIT_CASE(id_not_raw_id),
		UNIT_CASE(type_not_public_key),
		UNIT_CASE(base64_with_padding),
		UNIT_CASE(base64_standard_alphabet),
		UNIT_CASE(missing_response_fields),
		UNIT_CASE(id_missing),
		UNIT_CASE(user_handle_null_or_absent),
		UNIT_CASE(not_json_or_duplicate_members),
		UNIT_CASE(read_from_json_value),
	};
	int rc;

	rc = unit_run("credential_json", cases, UNIT_N(cases));
	sa_cleanup();
	return rc;
}
