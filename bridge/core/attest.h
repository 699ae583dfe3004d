/* Attestation statement formats (WebAuthn section 8); one file per format. */
#ifndef BR_ATTEST_H
#define BR_ATTEST_H

#include <stdint.h>

#include "authdata.h"
#include "cbor_read.h"
#include "ceremony.h"
#include "cose.h"
#include "crypto.h"
#include "x509.h"

/* Everything a format verifier may look at; all of it already parsed and owned by the caller. */
typedef struct br_attest_ctx {
	const cbor_item_t *att_stmt;          /* a definite map */
	const br_authdata *ad;                /* parsed authData (has_attested is set) */
	br_span auth_data;                    /* raw authData bytes */
	const unsigned char *client_data_hash;/* BR_SHA256_LEN bytes */
	const br_cose_key *cred_key;          /* the credential public key */
	const br_policy *policy;
	const br_trust *trust;                /* may be NULL */
	int64_t now;
} br_attest_ctx;

/*
 * A format verifier checks the statement and sets *type. It returns BR_OK or
 * the code of the first failed check.
 */
typedef br_err (*br_attest_fn)(const br_attest_ctx *ctx, br_att_type *type);

br_err br_attest_none(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_packed(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_fido_u2f(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_tpm(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_android_key(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_android_safetynet(const br_attest_ctx *ctx, br_att_type *type);
br_err br_attest_apple(const br_attest_ctx *ctx, br_att_type *type);

/* The verifier for fmt, or NULL when the format is unknown. */
br_attest_fn br_attest_lookup(const char *fmt, size_t len);

#endif
