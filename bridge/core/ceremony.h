/*
 * The relying-party verifier: registration (WebAuthn section 7.1) and
 * authentication (section 7.2). Pure functions: bytes and policy in, verdict
 * out. No clock, randomness, files or network: the caller supplies `now`, the
 * issued challenge and the trust anchors.
 */
#ifndef BR_CEREMONY_H
#define BR_CEREMONY_H

#include <stdint.h>

#include "authdata.h"
#include "buf.h"
#include "enum_names.h"
#include "err.h"
#include "x509.h"

typedef enum br_uv_policy {
	BR_UV_DISCOURAGED = 0,
	BR_UV_PREFERRED,
	BR_UV_REQUIRED,
} br_uv_policy;

typedef enum br_att_type {
	BR_ATT_NONE = 0,
	BR_ATT_SELF,
	BR_ATT_BASIC,
	BR_ATT_ATTCA,
	BR_ATT_ANONCA,
} br_att_type;

/* "none", "self", "basic", "attca", "anonca". */
const char *br_att_type_name(br_att_type t);
/*
 * The policies' names, WebAuthn's UserVerificationRequirement ("required",
 * "preferred", "discouraged"): the configuration, the case files and the
 * options sent to browsers all spell them from here.
 */
extern const br_enum_name br_uv_policy_names[];
/* Parse one of the names; -1 if unknown. */
int br_uv_policy_parse(const char *s, br_uv_policy *out);
/* The name of p; NULL when p is not a policy. */
const char *br_uv_policy_name(br_uv_policy p);

/* What the relying party accepts; shared by both ceremonies. */
typedef struct br_policy {
	const char *rp_id;
	const char *const *origins;     /* exact match */
	size_t n_origins;
	int allow_cross_origin;
	const char *const *top_origins;
	size_t n_top_origins;
	br_uv_policy uv;
	const int *algs;                /* COSE algs offered in pubKeyCredParams */
	size_t n_algs;
	int refuse_safetynet;           /* android-safetynet is deprecated */
	int reject_sign_count_regression;
} br_policy;

/* ---- registration ---- */

typedef struct br_reg_input {
	const br_policy *policy;
	br_span challenge;              /* raw bytes the RP issued */
	br_span client_data_json;
	br_span attestation_object;
	br_span raw_id;                 /* response rawId (id decoded); must match */
	const br_trust *trust;          /* NULL: chains not judged against roots */
	int64_t now;                    /* unix seconds: certificate validity instant */
	/*
	 * Optional: the anchors for this model, asked once authData's AAGUID is
	 * known (the roots of its metadata entry). It sets *out (NULL: use
	 * trust) and returns 0, or -1 (BR_ERR_INTERNAL: never judge with less).
	 */
	int (*trust_for)(void *arg, const unsigned char aaguid[BR_AAGUID_LEN], const br_trust **out);
	void *trust_arg;
	/*
	 * A conditional create (WebAuthn L3 mediation "conditional", the
	 * automatic passkey upgrade): the authenticator may leave UP clear. Only
	 * for a challenge the RP issued for one.
	 */
	int user_presence_optional;
} br_reg_input;

typedef struct br_reg_result {
	char fmt[24];
	br_att_type att_type;
	unsigned char aaguid[BR_AAGUID_LEN];
	br_blob credential_id;
	br_blob public_key_cose;
	int alg;
	uint32_t sign_count;
	int uv, be, bs;
} br_reg_result;

/* On failure out holds nothing (reset). Free with br_reg_result_reset. */
br_err br_register_verify(const br_reg_input *in, br_reg_result *out);
void br_reg_result_reset(br_reg_result *r);

/* ---- authentication ---- */

struct br_cose_key;                     /* cose.h */

typedef struct br_stored_credential {
	br_span id;
	br_span public_key_cose;
	uint32_t sign_count;
	br_span user_handle;            /* the owner's handle; empty if unknown */
	int be_known;                   /* be holds the BE flag seen at registration */
	int be;
	/*
	 * Optional: public_key_cose already parsed (br_cose_key_parse or
	 * br_cose_key_new of exactly those bytes, e.g. from a key cache). When
	 * non-NULL it is used as is and public_key_cose is not parsed again; the
	 * verdicts are those of parsing. NULL: parse public_key_cose.
	 */
	const struct br_cose_key *parsed_key;
} br_stored_credential;

typedef struct br_auth_input {
	const br_policy *policy;
	br_span challenge;
	br_span client_data_json;
	br_span authenticator_data;
	br_span signature;
	br_span user_handle;            /* response userHandle; empty when null */
	br_span raw_id;
	const br_stored_credential *credential;
	const br_span *allow;           /* allowCredentials ids; n_allow 0: any */
	size_t n_allow;
	int user_handle_required;       /* discoverable flow: user not identified before */
} br_auth_input;

typedef struct br_auth_result {
	uint32_t sign_count;
	int uv, be, bs;
	int counter_regressed;          /* possible cloned authenticator */
} br_auth_result;

/*
 * A counter regression (either counter non-zero and the new one not greater)
 * sets counter_regressed and fails with BR_ERR_SIGN_COUNT only when the
 * policy says so; otherwise the caller decides (flag, log).
 */
br_err br_assert_verify(const br_auth_input *in, br_auth_result *out);

#endif
