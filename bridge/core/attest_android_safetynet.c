/*
 * "android-safetynet" attestation statement format (WebAuthn Level 3,
 * section 8.5). The response is a compact JWS (RFC 7515) signed by the
 * SafetyNet service; its x5c header holds standard base64 (with padding) DER
 * certificates, leaf first. Google has shut the API down, so new
 * registrations should not carry it: a policy may refuse the format.
 */
#include "attest.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "attest_common.h"
#include "b64url.h"

#define SN_HOSTNAME "attest.android.com"
/*
 * timestampMs must be recent: the service signs at the end of the ceremony,
 * so the response reaches the RP within moments. `now` has whole seconds
 * and clocks drift, hence a minute either side.
 */
#define SN_MAX_AGE_MS 60000
#define SN_MAX_SKEW_MS 60000

/* JWS algorithms (RFC 7518) and the COSE ones that verify them; "none" is not here. */
static const struct jws_alg {
	const char *name;
	int cose;
	size_t ec_len;      /* ECDSA: bytes of r and of s; 0 for RSA */
} jws_algs[] = {
	{ "RS256", BR_COSE_RS256, 0 },
	{ "RS384", BR_COSE_RS384, 0 },
	{ "RS512", BR_COSE_RS512, 0 },
	{ "PS256", BR_COSE_PS256, 0 },
	{ "PS384", BR_COSE_PS384, 0 },
	{ "PS512", BR_COSE_PS512, 0 },
	{ "ES256", BR_COSE_ES256, 32 },
	{ "ES384", BR_COSE_ES384, 48 },
	{ "ES512", BR_COSE_ES512, 66 },
};

/* JWS ECDSA signatures are r || s (RFC 7518 3.4); br_sig_verify wants DER. */
static br_err
ec_raw_to_der(const br_blob *raw, size_t half, br_blob *der)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = NULL;
	int n;
	br_err rc = BR_ERR_INTERNAL;

	if (raw->len != 2 * half)
		return BR_ERR_ATTESTATION_SIGNATURE;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw->ptr, (int)half, NULL)) == NULL ||
	    (s = BN_bin2bn(raw->ptr + half, (int)half, NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL; /* owned by es now */
	if ((n = i2d_ECDSA_SIG(es, &p)) <= 0)
		goto out;
	if (br_blob_set(der, p, (size_t)n) < 0)
		goto out;
	rc = BR_OK;
out:
	OPENSSL_free(p);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

/* The JWS protected header: {"alg": ..., "x5c": [...]}, no "crit" we would have to honour. */
static br_err
parse_header(const br_blob *hb, const struct jws_alg **alg, STACK_OF(X509) **chain)
{
	json_t *h;
	const char *name;
	size_t i;
	br_err rc = BR_ERR_SAFETYNET_RESPONSE;

	*alg = NULL;
	*chain = NULL;
	if ((h = json_loadb((const char *)hb->ptr, hb->len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return BR_ERR_SAFETYNET_RESPONSE;
	if (!json_is_object(h) || json_object_get(h, "crit") != NULL)
		goto out;
	if ((name = json_string_value(json_object_get(h, "alg"))) == NULL)
		goto out;
	for (i = 0; i < sizeof(jws_algs) / sizeof(jws_algs[0]); i++)
		if (strcmp(name, jws_algs[i].name) == 0)
			*alg = &jws_algs[i];
	if (*alg == NULL)
		goto out;
	/* a malformed x5c is a malformed response; a bad certificate is named as one */
	if ((rc = br_x5c_decode_json(json_object_get(h, "x5c"), chain)) == BR_ERR_ATT_STMT)
		rc = BR_ERR_SAFETYNET_RESPONSE;
out:
	if (rc != BR_OK) {
		sk_X509_pop_free(*chain, X509_free);
		*chain = NULL;
		*alg = NULL;
	}
	json_decref(h);
	return rc;
}

/* nonce == base64(SHA-256(authenticatorData || clientDataHash)), standard alphabet, padded. */
static br_err
check_nonce(const br_attest_ctx *ctx, json_t *payload)
{
	unsigned char h[BR_SHA256_LEN];
	char want[4 * ((BR_SHA256_LEN + 2) / 3) + 1];
	json_t *v = json_object_get(payload, "nonce");
	int n;

	if (br_att_sha256_tbs(ctx, h) < 0)
		return BR_ERR_INTERNAL;
	n = EVP_EncodeBlock((unsigned char *)want, h, BR_SHA256_LEN);
	if (n <= 0)
		return BR_ERR_INTERNAL;
	if (!json_is_string(v) ||
	    !br_ct_equal(json_string_value(v), json_string_length(v), want, (size_t)n))
		return BR_ERR_SAFETYNET_NONCE;
	return BR_OK;
}

static br_err
check_timestamp(const br_attest_ctx *ctx, json_t *payload)
{
	json_t *v = json_object_get(payload, "timestampMs");
	int64_t ts, now_ms;

	if (!json_is_integer(v))
		return BR_ERR_SAFETYNET_TIMESTAMP;
	ts = (int64_t)json_integer_value(v);
	if (ctx->now < 0 || ctx->now > INT64_MAX / 1000 - SN_MAX_SKEW_MS)
		return BR_ERR_SAFETYNET_TIMESTAMP;
	now_ms = ctx->now * 1000;
	if (ts > now_ms + SN_MAX_SKEW_MS || ts < now_ms - SN_MAX_AGE_MS)
		return BR_ERR_SAFETYNET_TIMESTAMP;
	return BR_OK;
}

br_err
br_attest_android_safetynet(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	const struct jws_alg *alg = NULL;
	const cbor_item_t *it;
	const unsigned char *d1, *d2, *end;
	br_span ver, resp;
	br_blob hb = { NULL, 0 }, pb = { NULL, 0 }, sb = { NULL, 0 }, der = { NULL, 0 };
	const br_blob *sig;
	json_t *payload = NULL;
	X509 *leaf;
	EVP_PKEY *pk;
	br_err rc;

	if (ctx->policy != NULL && ctx->policy->refuse_safetynet)
		return BR_ERR_FMT_REFUSED;

	/* syntax: ver (non-empty text), response (bytes) */
	if ((it = br_cbor_map_str(ctx->att_stmt, "ver")) == NULL ||
	    br_cbor_text(it, &ver) < 0 || ver.len == 0 ||
	    (it = br_cbor_map_str(ctx->att_stmt, "response")) == NULL ||
	    br_cbor_bytes(it, &resp) < 0 || resp.len == 0)
		return BR_ERR_ATT_STMT;

	/* compact serialization: three non-empty base64url parts */
	end = resp.ptr + resp.len;
	if ((d1 = memchr(resp.ptr, '.', resp.len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL ||
	    d1 == resp.ptr || d2 == d1 + 1 || d2 + 1 == end)
		return BR_ERR_SAFETYNET_RESPONSE;
	if (br_b64url_decode((const char *)resp.ptr, (size_t)(d1 - resp.ptr), &hb) < 0 ||
	    br_b64url_decode((const char *)d1 + 1, (size_t)(d2 - d1 - 1), &pb) < 0 ||
	    br_b64url_decode((const char *)d2 + 1, (size_t)(end - d2 - 1), &sb) < 0 ||
	    hb.len == 0 || pb.len == 0 || sb.len == 0) {
		rc = BR_ERR_SAFETYNET_RESPONSE;
		goto out;
	}
	if ((rc = parse_header(&hb, &alg, &chain)) != BR_OK)
		goto out;
	payload = json_loadb((const char *)pb.ptr, pb.len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(payload)) {
		rc = BR_ERR_SAFETYNET_RESPONSE;
		goto out;
	}

	/* the response is bound to this ceremony */
	if ((rc = check_nonce(ctx, payload)) != BR_OK)
		goto out;

	/* and comes from the SafetyNet service: signature, host name, chain */
	leaf = sk_X509_value(chain, 0);
	if ((pk = X509_get0_pubkey(leaf)) == NULL) {
		rc = BR_ERR_CERTIFICATE;
		goto out;
	}
	sig = &sb;
	if (alg->ec_len != 0) {
		if ((rc = ec_raw_to_der(&sb, alg->ec_len, &der)) != BR_OK)
			goto out;
		sig = &der;
	}
	/* the signing input is the ASCII "header.payload" exactly as sent */
	if ((rc = br_att_att_sig_err(br_sig_verify(pk, alg->cose, resp.ptr,
	    (size_t)(d2 - resp.ptr), sig->ptr, sig->len))) != BR_OK)
		goto out;
	if (X509_check_host(leaf, SN_HOSTNAME, strlen(SN_HOSTNAME),
	    X509_CHECK_FLAG_NO_WILDCARDS, NULL) != 1) {
		rc = BR_ERR_SAFETYNET_HOSTNAME;
		goto out;
	}
	if ((rc = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;

	/* the device passed the compatibility checks, recently */
	if (!json_is_true(json_object_get(payload, "ctsProfileMatch"))) {
		rc = BR_ERR_SAFETYNET_CTS_PROFILE;
		goto out;
	}
	if ((rc = check_timestamp(ctx, payload)) != BR_OK)
		goto out;
	*type = BR_ATT_BASIC;
out:
	json_decref(payload);
	br_blob_reset(&hb);
	br_blob_reset(&pb);
	br_blob_reset(&sb);
	br_blob_reset(&der);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}
