/* "fido-u2f" attestation (WebAuthn section 8.6). */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>

#include "attest.h"
#include "attest_common.h"

/* Uncompressed P-256 point (0x04 || x || y) of an EC key, or -1. */
static int
p256_point(EVP_PKEY *pk, unsigned char out[65])
{
	char group[32];
	size_t n = 0;

	/* by name: secp256k1 has 256 bits too */
	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n) != 1 ||
	    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0))
		return -1;
	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
		out, 65, &n) != 1 || n != 65 || out[0] != 0x04)
		return -1;
	return 0;
}

br_err
br_attest_fido_u2f(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	unsigned char point[65], *vd = NULL;
	size_t vdlen, off = 0;
	br_span sig;
	X509 *cert;
	br_err r;

	if (br_cbor_bytes(br_cbor_map_str(ctx->att_stmt, "sig"), &sig) < 0)
		return BR_ERR_ATT_STMT;
	if ((r = br_x5c_decode(br_cbor_map_str(ctx->att_stmt, "x5c"), &chain)) != BR_OK)
		return r;
	if (sk_X509_num(chain) != 1) {
		r = BR_ERR_ATT_STMT;
		goto out;
	}
	cert = sk_X509_value(chain, 0);
	/* the attestation key is P-256 too; point is overwritten below */
	if (p256_point(X509_get0_pubkey(cert), point) < 0) {
		r = BR_ERR_CERT_REQUIREMENTS;
		goto out;
	}
	/* U2F keys are P-256 only */
	if (ctx->cred_key->alg != BR_COSE_ES256 || p256_point(ctx->cred_key->pkey, point) < 0) {
		r = BR_ERR_COSE_KEY;
		goto out;
	}
	/* 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F */
	vdlen = 1 + BR_SHA256_LEN + BR_SHA256_LEN + ctx->ad->cred_id.len + sizeof(point);
	if ((vd = malloc(vdlen)) == NULL) {
		r = BR_ERR_INTERNAL;
		goto out;
	}
	vd[off++] = 0x00;
	memcpy(vd + off, ctx->ad->rp_id_hash.ptr, BR_SHA256_LEN);
	off += BR_SHA256_LEN;
	memcpy(vd + off, ctx->client_data_hash, BR_SHA256_LEN);
	off += BR_SHA256_LEN;
	memcpy(vd + off, ctx->ad->cred_id.ptr, ctx->ad->cred_id.len);
	off += ctx->ad->cred_id.len;
	memcpy(vd + off, point, sizeof(point));
	r = br_att_att_sig_err(br_sig_verify(X509_get0_pubkey(cert), BR_COSE_ES256, vd, vdlen, sig.ptr, sig.len));
	if (r != BR_OK)
		goto out;
	if ((r = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;
	*type = BR_ATT_BASIC;
out:
	free(vd);
	sk_X509_pop_free(chain, X509_free);
	return r;
}
