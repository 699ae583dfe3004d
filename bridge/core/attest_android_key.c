/*
 * "android-key" attestation statement format (WebAuthn Level 3, section 8.4).
 * The leaf certificate carries the Android Keystore key description
 * (extension 1.3.6.1.4.1.11129.2.1.17, schema in the Android key attestation
 * documentation), read here with the strict DER reader of attest_common.
 */
#include "attest.h"

#include <string.h>

#include "attest_common.h"

#define OID_KEY_DESCRIPTION "1.3.6.1.4.1.11129.2.1.17"

/* Keymaster / KeyMint values (keymaster_defs.h, KeyMint Tag.aidl). */
#define KM_ORIGIN_GENERATED 0
#define KM_PURPOSE_SIGN 2
#define KM_TAG_PURPOSE 1
#define KM_TAG_ALL_APPLICATIONS 600
#define KM_TAG_ORIGIN 702

/* What this verifier reads from one AuthorizationList. */
typedef struct auth_list {
	int has_purpose;
	int purpose_sign;      /* the purpose set holds KM_PURPOSE_SIGN */
	int has_origin;
	int64_t origin;
	int all_applications;
} auth_list;

/* purpose [1] EXPLICIT SET OF INTEGER */
static int
read_purpose(const br_der_tlv *set, auth_list *al)
{
	br_cursor c = { set->val.ptr, set->val.len };
	br_der_tlv t;
	int64_t v;

	if (!br_att_der_is(set, BR_DER_UNIVERSAL, 1, BR_DER_SET))
		return -1;
	while (c.left > 0) {
		if (br_att_der_next(&c, &t) < 0 ||
		    !br_att_der_is(&t, BR_DER_UNIVERSAL, 0, BR_DER_INTEGER) ||
		    br_att_der_int(&t, &v) < 0)
			return -1;
		if (v == KM_PURPOSE_SIGN)
			al->purpose_sign = 1;
	}
	al->has_purpose = 1;
	return 0;
}

/*
 * AuthorizationList ::= SEQUENCE of optional [n] EXPLICIT members. Every
 * member must be well formed; the ones judged here may occur only once, so
 * a second copy cannot override the first.
 */
static int
parse_auth_list(const br_der_tlv *seq, auth_list *al)
{
	br_cursor c = { seq->val.ptr, seq->val.len };
	br_der_tlv m, inner;

	memset(al, 0, sizeof(*al));
	if (!br_att_der_is(seq, BR_DER_UNIVERSAL, 1, BR_DER_SEQUENCE))
		return -1;
	while (c.left > 0) {
		if (br_att_der_next(&c, &m) < 0 || m.cls != BR_DER_CONTEXT || !m.cons ||
		    br_att_der_single(m.val, &inner) < 0)
			return -1;
		switch (m.tag) {
		case KM_TAG_PURPOSE:
			if (al->has_purpose || read_purpose(&inner, al) < 0)
				return -1;
			break;
		case KM_TAG_ALL_APPLICATIONS:
			if (al->all_applications ||
			    !br_att_der_is(&inner, BR_DER_UNIVERSAL, 0, BR_DER_NULL) ||
			    inner.val.len != 0)
				return -1;
			al->all_applications = 1;
			break;
		case KM_TAG_ORIGIN:
			if (al->has_origin ||
			    !br_att_der_is(&inner, BR_DER_UNIVERSAL, 0, BR_DER_INTEGER) ||
			    br_att_der_int(&inner, &al->origin) < 0)
				return -1;
			al->has_origin = 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * KeyDescription ::= SEQUENCE {
 *   attestationVersion INTEGER, attestationSecurityLevel ENUMERATED,
 *   keymasterVersion INTEGER, keymasterSecurityLevel ENUMERATED,
 *   attestationChallenge OCTET STRING, uniqueId OCTET STRING,
 *   softwareEnforced AuthorizationList, teeEnforced AuthorizationList }
 */
static int
parse_key_description(br_span ext, br_span *challenge, auth_list *sw, auth_list *tee)
{
	static const struct { uint8_t cons; uint32_t tag; } schema[8] = {
		{ 0, BR_DER_INTEGER }, { 0, BR_DER_ENUMERATED },
		{ 0, BR_DER_INTEGER }, { 0, BR_DER_ENUMERATED },
		{ 0, BR_DER_OCTET_STRING }, { 0, BR_DER_OCTET_STRING },
		{ 1, BR_DER_SEQUENCE }, { 1, BR_DER_SEQUENCE },
	};
	br_der_tlv kd, f[8];
	br_cursor c;
	int64_t v;
	size_t i;

	if (br_att_der_single(ext, &kd) < 0 ||
	    !br_att_der_is(&kd, BR_DER_UNIVERSAL, 1, BR_DER_SEQUENCE))
		return -1;
	c.p = kd.val.ptr;
	c.left = kd.val.len;
	for (i = 0; i < 8; i++) {
		if (br_att_der_next(&c, &f[i]) < 0 ||
		    !br_att_der_is(&f[i], BR_DER_UNIVERSAL, schema[i].cons, schema[i].tag))
			return -1;
		if (schema[i].tag == BR_DER_INTEGER || schema[i].tag == BR_DER_ENUMERATED)
			if (br_att_der_int(&f[i], &v) < 0)
				return -1;
	}
	if (c.left != 0)
		return -1;
	*challenge = f[4].val;
	if (parse_auth_list(&f[6], sw) < 0 || parse_auth_list(&f[7], tee) < 0)
		return -1;
	return 0;
}

static br_err
check_key_description(const br_attest_ctx *ctx, X509 *leaf)
{
	br_span ext, challenge;
	auth_list sw, tee;
	int64_t origin;
	int sign;

	if (br_att_cert_ext_once(leaf, OID_KEY_DESCRIPTION, &ext) != 1 ||
	    parse_key_description(ext, &challenge, &sw, &tee) < 0)
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	if (!br_ct_equal(challenge.ptr, challenge.len, ctx->client_data_hash, BR_SHA256_LEN))
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	/* a credential is scoped to one RP ID: a key for all applications is not */
	if (sw.all_applications || tee.all_applications)
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	/*
	 * No policy asks for TEE-only keys, so the software list counts too
	 * (the spec's union); a property the TEE enforces takes precedence.
	 */
	if (tee.has_origin)
		origin = tee.origin;
	else if (sw.has_origin)
		origin = sw.origin;
	else
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	if (tee.has_purpose)
		sign = tee.purpose_sign;
	else if (sw.has_purpose)
		sign = sw.purpose_sign;
	else
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	if (origin != KM_ORIGIN_GENERATED || !sign)
		return BR_ERR_ANDROID_KEY_DESCRIPTION;
	return BR_OK;
}

br_err
br_attest_android_key(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	br_span sig, cdh = { ctx->client_data_hash, BR_SHA256_LEN };
	X509 *leaf;
	EVP_PKEY *pk;
	int alg;
	br_err rc;

	/* syntax: alg, sig, x5c (credCert first) */
	if ((rc = br_att_alg(ctx, &alg)) != BR_OK || (rc = br_att_sig(ctx, &sig)) != BR_OK)
		return rc;
	if ((rc = br_att_x5c(ctx, &chain)) != BR_OK)
		return rc;
	leaf = sk_X509_value(chain, 0);
	if ((pk = X509_get0_pubkey(leaf)) == NULL) {
		rc = BR_ERR_CERTIFICATE;
		goto out;
	}
	if ((rc = br_att_att_sig_err(br_sig_verify2(pk, alg, ctx->auth_data, cdh, sig))) != BR_OK)
		goto out;
	if ((rc = br_att_cert_key_eq(leaf, ctx->cred_key)) != BR_OK)
		goto out;
	if ((rc = check_key_description(ctx, leaf)) != BR_OK)
		goto out;
	if ((rc = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;
	*type = BR_ATT_BASIC;
out:
	sk_X509_pop_free(chain, X509_free);
	return rc;
}
