/* "packed" attestation (WebAuthn section 8.2): self or x5c; ECDAA is not supported. */
#include <string.h>

#include <openssl/x509v3.h>

#include "attest.h"
#include "attest_common.h"

/* Section 8.2.1: C, O, OU "Authenticator Attestation", CN in the subject. */
static int
subject_ok(X509 *cert)
{
	X509_NAME *n = X509_get_subject_name(cert);
	char ou[64];
	int len;

	if (n == NULL)
		return 0;
	if (X509_NAME_get_index_by_NID(n, NID_countryName, -1) < 0 ||
	    X509_NAME_get_index_by_NID(n, NID_organizationName, -1) < 0 ||
	    X509_NAME_get_index_by_NID(n, NID_commonName, -1) < 0)
		return 0;
	len = X509_NAME_get_text_by_NID(n, NID_organizationalUnitName, ou, sizeof(ou));
	return len == (int)strlen("Authenticator Attestation") &&
	    strcmp(ou, "Authenticator Attestation") == 0;
}

br_err
br_attest_packed(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	const cbor_item_t *x5c;
	br_span sig, cdh = { ctx->client_data_hash, BR_SHA256_LEN };
	X509 *leaf;
	EVP_PKEY *pk;
	int64_t alg;
	br_err r;

	if (br_cbor_int(br_cbor_map_str(ctx->att_stmt, "alg"), &alg) < 0 ||
	    br_cbor_bytes(br_cbor_map_str(ctx->att_stmt, "sig"), &sig) < 0)
		return BR_ERR_ATT_STMT;
	if (br_cbor_map_str(ctx->att_stmt, "ecdaaKeyId") != NULL)
		return BR_ERR_ATT_STMT;
	if (alg < INT32_MIN || alg > INT32_MAX || !br_cose_alg_known((int)alg))
		return BR_ERR_ALGORITHM;

	if ((x5c = br_cbor_map_str(ctx->att_stmt, "x5c")) == NULL) {
		/* self attestation: signed by the credential key itself */
		if (alg != ctx->cred_key->alg)
			return BR_ERR_ALGORITHM;
		r = br_att_att_sig_err(br_sig_verify2(ctx->cred_key->pkey, (int)alg, ctx->auth_data, cdh, sig));
		if (r == BR_OK)
			*type = BR_ATT_SELF;
		return r;
	}

	if ((r = br_x5c_decode(x5c, &chain)) != BR_OK)
		return r;
	leaf = sk_X509_value(chain, 0);
	if ((pk = X509_get0_pubkey(leaf)) == NULL) {
		r = BR_ERR_CERTIFICATE;
		goto out;
	}
	r = br_att_att_sig_err(br_sig_verify2(pk, (int)alg, ctx->auth_data, cdh, sig));
	if (r != BR_OK)
		goto out;
	if (!br_cert_is_v3_leaf(leaf) || !subject_ok(leaf)) {
		r = BR_ERR_CERT_REQUIREMENTS;
		goto out;
	}
	if ((r = br_cert_check_aaguid(leaf, ctx->ad->aaguid)) != BR_OK)
		goto out;
	if ((r = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;
	/* basic and attCA look alike without metadata; report the common case */
	*type = BR_ATT_BASIC;
out:
	sk_X509_pop_free(chain, X509_free);
	return r;
}
