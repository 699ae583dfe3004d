/* PublicKeyCredential JSON (the browser's toJSON() form) to decoded bytes. */
#ifndef BR_CREDENTIAL_JSON_H
#define BR_CREDENTIAL_JSON_H

#include <jansson.h>

#include "buf.h"
#include "err.h"

typedef struct br_credential_json {
	br_blob raw_id;
	br_blob client_data_json;
	br_blob attestation_object;  /* registration */
	br_blob authenticator_data;  /* authentication */
	br_blob signature;           /* authentication */
	br_blob user_handle;         /* authentication; empty when null/absent */
	int is_registration;
} br_credential_json;

/*
 * Read {"id","rawId","type":"public-key","response":{...}}: id and rawId must
 * be the same strict base64url string; the response holds attestationObject
 * (registration) or authenticatorData + signature (authentication).
 * Errors: BR_ERR_CREDENTIAL_TYPE, BR_ERR_CREDENTIAL_ID_MISMATCH,
 * BR_ERR_BASE64URL, BR_ERR_INVALID_ARGUMENT (missing member), BR_ERR_INTERNAL.
 * On error out is left empty.
 */
br_err br_credential_json_read(const json_t *obj, br_credential_json *out);
/* Same from JSON text of len bytes (duplicate members refused). */
br_err br_credential_json_parse(const char *text, size_t len, br_credential_json *out);
void br_credential_json_reset(br_credential_json *c);

#endif
