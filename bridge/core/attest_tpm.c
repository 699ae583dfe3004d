/*
 * "tpm" attestation statement format (WebAuthn Level 3, section 8.3).
 * Structures from TPM 2.0 Library Part 2: TPMT_PUBLIC (12.2.4) and
 * TPMS_ATTEST (10.12.8) with TPMS_CERTIFY_INFO (10.12.3); all big-endian.
 * ECDAA (ecdaaKeyId) is not supported: Level 3 removed it.
 */
#include "attest.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "attest_common.h"

/* TPM_ALG_ID values used here (Part 2, 6.3). */
enum {
	TPM_ALG_RSA = 0x0001,
	TPM_ALG_TDES = 0x0003,
	TPM_ALG_SHA1 = 0x0004,
	TPM_ALG_AES = 0x0006,
	TPM_ALG_MGF1 = 0x0007,
	TPM_ALG_SHA256 = 0x000b,
	TPM_ALG_SHA384 = 0x000c,
	TPM_ALG_SHA512 = 0x000d,
	TPM_ALG_NULL = 0x0010,
	TPM_ALG_SM4 = 0x0013,
	TPM_ALG_RSASSA = 0x0014,
	TPM_ALG_RSAES = 0x0015,
	TPM_ALG_RSAPSS = 0x0016,
	TPM_ALG_OAEP = 0x0017,
	TPM_ALG_ECDSA = 0x0018,
	TPM_ALG_ECDH = 0x0019,
	TPM_ALG_ECDAA = 0x001a,
	TPM_ALG_SM2 = 0x001b,
	TPM_ALG_ECSCHNORR = 0x001c,
	TPM_ALG_ECMQV = 0x001d,
	TPM_ALG_KDF1_SP800_56A = 0x0020,
	TPM_ALG_KDF2 = 0x0021,
	TPM_ALG_KDF1_SP800_108 = 0x0022,
	TPM_ALG_ECC = 0x0023,
	TPM_ALG_CAMELLIA = 0x0026,
	TPM_ALG_SHA3_256 = 0x0027,
	TPM_ALG_SHA3_384 = 0x0028,
	TPM_ALG_SHA3_512 = 0x0029,
};

enum {
	TPM_ECC_NIST_P256 = 0x0003,
	TPM_ECC_NIST_P384 = 0x0004,
	TPM_ECC_NIST_P521 = 0x0005,
};

#define TPM_GENERATED_VALUE 0xff544347u
#define TPM_ST_ATTEST_CERTIFY 0x8017u
#define TPMS_CLOCK_INFO_LEN 17 /* clock u64, resetCount u32, restartCount u32, safe u8 */

/* The public key a TPMT_PUBLIC carries; spans point into pubArea. */
typedef struct tpm_pub {
	uint16_t type;
	uint16_t name_alg;
	uint32_t exponent;   /* RSA; 0 means 2^16 + 1 */
	uint16_t curve;      /* ECC */
	br_span modulus;     /* RSA */
	br_span x, y;        /* ECC */
} tpm_pub;

/* TPM2B_*: a u16 size and that many bytes. */
static int
read_sized(br_cursor *c, br_span *out)
{
	uint16_t n;

	if (br_cursor_be16(c, &n) < 0 || br_cursor_take(c, &out->ptr, n) < 0)
		return -1;
	out->len = n;
	return 0;
}

static const EVP_MD *
tpm_hash(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1: return EVP_sha1();
	case TPM_ALG_SHA256: return EVP_sha256();
	case TPM_ALG_SHA384: return EVP_sha384();
	case TPM_ALG_SHA512: return EVP_sha512();
	case TPM_ALG_SHA3_256: return EVP_sha3_256();
	case TPM_ALG_SHA3_384: return EVP_sha3_384();
	case TPM_ALG_SHA3_512: return EVP_sha3_512();
	default: return NULL;
	}
}

/* The hash the COSE signature algorithm uses; extraData is made with it. */
static const EVP_MD *
cose_hash(int alg)
{
	switch (alg) {
	case BR_COSE_RS1: return EVP_sha1();
	case BR_COSE_RS256: case BR_COSE_PS256: case BR_COSE_ES256: return EVP_sha256();
	case BR_COSE_RS384: case BR_COSE_PS384: case BR_COSE_ES384: return EVP_sha384();
	case BR_COSE_RS512: case BR_COSE_PS512: case BR_COSE_ES512: return EVP_sha512();
	default: return NULL; /* EdDSA: no TPM signs with it */
	}
}

/* TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless NULL. */
static int
skip_sym_def_object(br_cursor *c)
{
	uint16_t alg;

	if (br_cursor_be16(c, &alg) < 0)
		return -1;
	switch (alg) {
	case TPM_ALG_NULL:
		return 0;
	case TPM_ALG_TDES: case TPM_ALG_AES: case TPM_ALG_SM4: case TPM_ALG_CAMELLIA:
		return br_cursor_read(c, NULL, 4);
	default:
		return -1;
	}
}

#define KDF_SCHEME 0 /* skip_scheme selector for TPMT_KDF_SCHEME */

/* TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_KDF_SCHEME: scheme, then its details. */
static int
skip_scheme(br_cursor *c, uint16_t type)
{
	uint16_t s;
	size_t details;

	if (br_cursor_be16(c, &s) < 0)
		return -1;
	if (s == TPM_ALG_NULL)
		return 0;
	if (type == TPM_ALG_RSA) {
		switch (s) {
		case TPM_ALG_RSAES: details = 0; break;
		case TPM_ALG_RSASSA: case TPM_ALG_RSAPSS: case TPM_ALG_OAEP: details = 2; break;
		default: return -1;
		}
	} else if (type == TPM_ALG_ECC) {
		switch (s) {
		case TPM_ALG_ECDAA: details = 4; break; /* hashAlg, count */
		case TPM_ALG_ECDSA: case TPM_ALG_ECDH: case TPM_ALG_SM2:
		case TPM_ALG_ECSCHNORR: case TPM_ALG_ECMQV: details = 2; break;
		default: return -1;
		}
	} else { /* KDF */
		switch (s) {
		case TPM_ALG_MGF1: case TPM_ALG_KDF1_SP800_56A: case TPM_ALG_KDF2:
		case TPM_ALG_KDF1_SP800_108: details = 2; break;
		default: return -1;
		}
	}
	return br_cursor_read(c, NULL, details);
}

/* TPMT_PUBLIC; the whole buffer, nothing may trail. */
static br_err
parse_pub_area(br_span pa, tpm_pub *out)
{
	br_cursor c = { pa.ptr, pa.len };
	br_span auth_policy;
	uint32_t attrs;
	uint16_t key_bits;

	memset(out, 0, sizeof(*out));
	if (br_cursor_be16(&c, &out->type) < 0 ||
	    br_cursor_be16(&c, &out->name_alg) < 0 ||
	    br_cursor_be32(&c, &attrs) < 0 ||
	    read_sized(&c, &auth_policy) < 0)
		return BR_ERR_TPM_PUB_AREA;
	/* an object's Name is nameAlg || H(pubArea): the hash must be one we know */
	if (tpm_hash(out->name_alg) == NULL)
		return BR_ERR_TPM_PUB_AREA;

	if (out->type == TPM_ALG_RSA) {
		/* TPMS_RSA_PARMS, then TPM2B_PUBLIC_KEY_RSA */
		if (skip_sym_def_object(&c) < 0 ||
		    skip_scheme(&c, TPM_ALG_RSA) < 0 ||
		    br_cursor_be16(&c, &key_bits) < 0 ||
		    br_cursor_be32(&c, &out->exponent) < 0 ||
		    read_sized(&c, &out->modulus) < 0 ||
		    out->modulus.len == 0)
			return BR_ERR_TPM_PUB_AREA;
	} else if (out->type == TPM_ALG_ECC) {
		/* TPMS_ECC_PARMS, then TPMS_ECC_POINT */
		if (skip_sym_def_object(&c) < 0 ||
		    skip_scheme(&c, TPM_ALG_ECC) < 0 ||
		    br_cursor_be16(&c, &out->curve) < 0 ||
		    skip_scheme(&c, KDF_SCHEME) < 0 ||
		    read_sized(&c, &out->x) < 0 ||
		    read_sized(&c, &out->y) < 0 ||
		    out->x.len == 0 || out->y.len == 0)
			return BR_ERR_TPM_PUB_AREA;
	} else {
		/* keyedHash and symcipher objects carry no public key */
		return BR_ERR_TPM_PUB_AREA;
	}
	if (c.left != 0)
		return BR_ERR_TPM_PUB_AREA;
	return BR_OK;
}

/* An EVP_PKEY for the pubArea key, to compare with the credential key. */
static br_err
pub_to_pkey(const tpm_pub *pub, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char point[1 + 2 * 66];
	const char *group = NULL, *kt;
	size_t flen = 0;
	br_err rc = BR_ERR_INTERNAL;

	*out = NULL;
	if (pub->type == TPM_ALG_RSA) {
		kt = "RSA";
		if ((n = BN_bin2bn(pub->modulus.ptr, (int)pub->modulus.len, NULL)) == NULL ||
		    (e = BN_new()) == NULL ||
		    !BN_set_word(e, pub->exponent == 0 ? 65537 : pub->exponent))
			goto out;
	} else {
		kt = "EC";
		switch (pub->curve) {
		case TPM_ECC_NIST_P256: group = "P-256"; flen = 32; break;
		case TPM_ECC_NIST_P384: group = "P-384"; flen = 48; break;
		case TPM_ECC_NIST_P521: group = "P-521"; flen = 66; break;
		default:
			/* a curve no COSE key here can be on (BN, SM2) */
			rc = BR_ERR_PUBLIC_KEY_MISMATCH;
			goto out;
		}
		if (pub->x.len > flen || pub->y.len > flen) {
			rc = BR_ERR_TPM_PUB_AREA;
			goto out;
		}
		/* uncompressed point; coordinates left-padded to the field size */
		memset(point, 0, sizeof(point));
		point[0] = 0x04;
		memcpy(point + 1 + flen - pub->x.len, pub->x.ptr, pub->x.len);
		memcpy(point + 1 + 2 * flen - pub->y.len, pub->y.ptr, pub->y.len);
	}

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (pub->type == TPM_ALG_RSA) {
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	} else {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * flen))
			goto out;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, kt, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		/* e.g. a point not on the curve: it cannot be the credential key */
		rc = BR_ERR_PUBLIC_KEY_MISMATCH;
		goto out;
	}
	rc = BR_OK;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return rc;
}

static br_err
check_pub_key(const tpm_pub *pub, const br_cose_key *cred)
{
	EVP_PKEY *pk = NULL;
	br_err rc;

	if (cred == NULL || cred->pkey == NULL)
		return BR_ERR_INVALID_ARGUMENT;
	if ((pub->type == TPM_ALG_RSA) != (cred->kty == BR_COSE_KTY_RSA) ||
	    (pub->type == TPM_ALG_ECC) != (cred->kty == BR_COSE_KTY_EC2))
		return BR_ERR_PUBLIC_KEY_MISMATCH;
	if ((rc = pub_to_pkey(pub, &pk)) != BR_OK)
		return rc;
	rc = EVP_PKEY_eq(pk, cred->pkey) == 1 ? BR_OK : BR_ERR_PUBLIC_KEY_MISMATCH;
	EVP_PKEY_free(pk);
	return rc;
}

static int
digest(const EVP_MD *md, br_span a, br_span b, unsigned char *out, unsigned *outlen)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	ok = m != NULL && EVP_DigestInit_ex(m, md, NULL) == 1 &&
	    EVP_DigestUpdate(m, a.ptr, a.len) == 1 &&
	    (b.len == 0 || EVP_DigestUpdate(m, b.ptr, b.len) == 1) &&
	    EVP_DigestFinal_ex(m, out, outlen) == 1;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

/*
 * TPMS_ATTEST of type certify: magic, type, extraData == H_alg(attToBeSigned),
 * attested.name == the Name of pubArea. qualifiedSigner, clockInfo and
 * firmwareVersion are read for framing only (the spec ignores them).
 */
static br_err
check_cert_info(const br_attest_ctx *ctx, br_span ci, int alg, br_span pub_area,
    uint16_t name_alg)
{
	br_cursor c = { ci.ptr, ci.len };
	br_span signer, extra, name, qname;
	uint32_t magic;
	uint16_t type, nalg;
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned wlen = 0;
	br_span cdh = { ctx->client_data_hash, BR_SHA256_LEN };
	br_span none = { NULL, 0 };
	br_cursor nc;

	if (br_cursor_be32(&c, &magic) < 0 || br_cursor_be16(&c, &type) < 0 ||
	    read_sized(&c, &signer) < 0 || read_sized(&c, &extra) < 0 ||
	    br_cursor_read(&c, NULL, TPMS_CLOCK_INFO_LEN) < 0 ||
	    br_cursor_read(&c, NULL, 8) < 0 || /* firmwareVersion */
	    read_sized(&c, &name) < 0 || read_sized(&c, &qname) < 0 ||
	    c.left != 0)
		return BR_ERR_TPM_CERT_INFO;
	/* TPM_GENERATED_VALUE: the TPM made this structure, not a caller */
	if (magic != TPM_GENERATED_VALUE || type != TPM_ST_ATTEST_CERTIFY)
		return BR_ERR_TPM_CERT_INFO;

	if (digest(cose_hash(alg), ctx->auth_data, cdh, want, &wlen) < 0)
		return BR_ERR_INTERNAL;
	if (!br_ct_equal(extra.ptr, extra.len, want, wlen))
		return BR_ERR_TPM_CERT_INFO;

	/* Name = nameAlg (u16) || H_nameAlg(pubArea) (Part 1, section 16) */
	nc.p = name.ptr;
	nc.left = name.len;
	if (br_cursor_be16(&nc, &nalg) < 0 || nalg != name_alg)
		return BR_ERR_TPM_CERT_INFO;
	if (digest(tpm_hash(name_alg), pub_area, none, want, &wlen) < 0)
		return BR_ERR_INTERNAL;
	if (!br_ct_equal(nc.p, nc.left, want, wlen))
		return BR_ERR_TPM_CERT_INFO;
	return BR_OK;
}

/* The SAN holds a directoryName with TPM manufacturer, model and version (EK profile 3.2.9). */
static int
san_has_tpm_device(X509 *cert)
{
	static const char *const oids[3] = { "2.23.133.2.1", "2.23.133.2.2", "2.23.133.2.3" };
	GENERAL_NAMES *gens;
	int crit = -1, found = 0, i, j, k;

	/* NULL also when the extension occurs twice (crit == -2) */
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL)
		return 0;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		int seen = 0;

		if (g->type != GEN_DIRNAME)
			continue;
		for (k = 0; k < 3; k++) {
			ASN1_OBJECT *o = OBJ_txt2obj(oids[k], 1);

			if (o == NULL)
				break;
			for (j = 0; j < X509_NAME_entry_count(g->d.directoryName); j++) {
				const X509_NAME_ENTRY *e = X509_NAME_get_entry(g->d.directoryName, j);
				const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);

				if (OBJ_cmp(X509_NAME_ENTRY_get_object(e), o) == 0 &&
				    v != NULL && ASN1_STRING_length(v) > 0) {
					seen |= 1 << k;
					break;
				}
			}
			ASN1_OBJECT_free(o);
		}
		if (seen == 7) {
			found = 1;
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	return found;
}

static int
eku_has_aik(X509 *cert)
{
	EXTENDED_KEY_USAGE *eku;
	ASN1_OBJECT *aik;
	int crit = -1, found = 0, i;

	if ((eku = X509_get_ext_d2i(cert, NID_ext_key_usage, &crit, NULL)) == NULL)
		return 0;
	/* tcg-kp-AIKCertificate */
	if ((aik = OBJ_txt2obj("2.23.133.8.3", 1)) != NULL) {
		for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
			if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), aik) == 0)
				found = 1;
		ASN1_OBJECT_free(aik);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

/* Section 8.3.1: TPM attestation statement certificate requirements. */
static br_err
check_aik_cert(X509 *aik)
{
	/* version 3 and basicConstraints CA false */
	if (!br_cert_is_v3_leaf(aik))
		return BR_ERR_CERT_REQUIREMENTS;
	/* the identity is in the SAN, so the subject must be empty */
	if (X509_NAME_entry_count(X509_get_subject_name(aik)) != 0)
		return BR_ERR_CERT_REQUIREMENTS;
	if (!san_has_tpm_device(aik) || !eku_has_aik(aik))
		return BR_ERR_CERT_REQUIREMENTS;
	return BR_OK;
}

br_err
br_attest_tpm(const br_attest_ctx *ctx, br_att_type *type)
{
	STACK_OF(X509) *chain = NULL;
	br_span cert_info, pub_area, sig;
	tpm_pub pub;
	const cbor_item_t *it;
	X509 *aik;
	int alg;
	br_err rc;

	/* syntax: ver "2.0", alg, x5c, sig, certInfo, pubArea */
	if ((it = br_cbor_map_str(ctx->att_stmt, "ver")) == NULL || !br_cbor_text_is(it, "2.0"))
		return BR_ERR_ATT_STMT;
	if ((rc = br_att_alg(ctx, &alg)) != BR_OK || (rc = br_att_sig(ctx, &sig)) != BR_OK)
		return rc;
	if (cose_hash(alg) == NULL)
		return BR_ERR_ALGORITHM;
	if (br_cbor_map_str(ctx->att_stmt, "ecdaaKeyId") != NULL)
		return BR_ERR_ATT_STMT;
	if ((it = br_cbor_map_str(ctx->att_stmt, "certInfo")) == NULL ||
	    br_cbor_bytes(it, &cert_info) < 0 ||
	    (it = br_cbor_map_str(ctx->att_stmt, "pubArea")) == NULL ||
	    br_cbor_bytes(it, &pub_area) < 0)
		return BR_ERR_ATT_STMT;
	if ((rc = br_att_x5c(ctx, &chain)) != BR_OK)
		return rc;

	if ((rc = parse_pub_area(pub_area, &pub)) != BR_OK)
		goto out;
	if ((rc = check_pub_key(&pub, ctx->cred_key)) != BR_OK)
		goto out;
	if ((rc = check_cert_info(ctx, cert_info, alg, pub_area, pub.name_alg)) != BR_OK)
		goto out;

	aik = sk_X509_value(chain, 0);
	if (X509_get0_pubkey(aik) == NULL) {
		rc = BR_ERR_CERTIFICATE;
		goto out;
	}
	if ((rc = br_att_att_sig_err(br_sig_verify(X509_get0_pubkey(aik), alg,
	    cert_info.ptr, cert_info.len, sig.ptr, sig.len))) != BR_OK)
		goto out;
	if ((rc = check_aik_cert(aik)) != BR_OK)
		goto out;
	if ((rc = br_cert_check_aaguid(aik, ctx->ad->aaguid)) != BR_OK)
		goto out;
	if ((rc = br_chain_verify(chain, ctx->trust, ctx->now)) != BR_OK)
		goto out;
	*type = BR_ATT_ATTCA;
out:
	sk_X509_pop_free(chain, X509_free);
	return rc;
}
