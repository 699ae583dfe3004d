/*
 * "apple" anonymous attestation statement format (WebAuthn Level 3, section 8.8).
 * The credential certificate binds the ceremony through a nonce extension
 * instead of a signature: the anonymization CA issued it for this key only.
 */
#include "attest.h"

#include "attest_common.h"

#define OID_APPLE_NONCE "1.2.840.113635.100.8.2"

/* The extension value: SEQUENCE { [1] EXPLICIT OCTET STRING nonce }. */
static int
parse_nonce_ext(br_span ext, br_span *nonce)
{
	br_der_tlv seq, tagged, os;

	if (br_att_der_single(ext, &seq) < 0 ||
	    !br_att_der_is(&seq, BR_DER_UNIVERSAL, 1, BR_DER_SEQUENCE) ||
	    br_att_der_single(seq.val, &tagged) < 0 ||
	    !br_att_der_is(&tagged, BR_DER_CONTEXT, 1, 1) ||
	    br_att_der_single(tagged.val, &os) < 0 ||
	    !br_att_der_is(&os, BR_DER_UNIVERSAL, 0, BR_DER_OCTET_STRING))
		return -1;
	*nonce = os.val;
	return 0;
}

br_err
br_attest_apple(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	unsigned char nonce[BR_SHA256_LEN];
	br_span ext, got;
	X509 *leaf;
	br_err rc;

	/* syntax: x5c (credCert first); other members (Apple sends alg) are ignored */
	if ((rc = br_att_x5c(ctx, &chain)) != BR_OK)
		return rc;
	leaf = sk_X509_value(chain, 0);

	/* nonce = SHA-256(authenticatorData || clientDataHash) */
	if (br_att_sha256_tbs(ctx, nonce) < 0) {
		rc = BR_ERR_INTERNAL;
		goto out;
	}
	if (br_att_cert_ext_once(leaf, OID_APPLE_NONCE, &ext) != 1 ||
	    parse_nonce_ext(ext, &got) < 0 ||
	    !br_ct_equal(got.ptr, got.len, nonce, sizeof(nonce))) {
		rc = BR_ERR_APPLE_NONCE;
		goto out;
	}
	if ((rc = br_att_cert_key_eq(leaf, ctx->cred_key)) != BR_OK)
		goto out;
	if ((rc = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;
	*type = BR_ATT_ANONCA;
out:
	sk_X509_pop_free(chain, X509_free);
	return rc;
}
