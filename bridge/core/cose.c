#include "cose.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

/* COSE_Key labels (RFC 9052 section 7, RFC 9053 section 7) */
#define L_KTY 1
#define L_ALG 3
#define L_CRV (-1)
#define L_X (-2)   /* EC2/OKP x */
#define L_Y (-3)   /* EC2 y */
#define L_D (-4)   /* EC2/OKP private key: never accepted */
#define L_RSA_N (-1)
#define L_RSA_E (-2)
#define L_RSA_D (-3) /* RSA private exponent: never accepted */

#define CRV_P256 1
#define CRV_P384 2
#define CRV_P521 3
#define CRV_ED25519 6

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

struct alg_info {
	int alg;
	const char *name;
	int kty;
	int crv;               /* EC2/OKP: the curve alg requires */
	const char *md;        /* NULL for EdDSA */
	int pss;
};

static const struct alg_info algs[] = {
	{ BR_COSE_ES256, "ES256", BR_COSE_KTY_EC2, CRV_P256, "SHA256", 0 },
	{ BR_COSE_ES384, "ES384", BR_COSE_KTY_EC2, CRV_P384, "SHA384", 0 },
	{ BR_COSE_ES512, "ES512", BR_COSE_KTY_EC2, CRV_P521, "SHA512", 0 },
	{ BR_COSE_EDDSA, "EdDSA", BR_COSE_KTY_OKP, CRV_ED25519, NULL, 0 },
	{ BR_COSE_RS256, "RS256", BR_COSE_KTY_RSA, 0, "SHA256", 0 },
	{ BR_COSE_RS384, "RS384", BR_COSE_KTY_RSA, 0, "SHA384", 0 },
	{ BR_COSE_RS512, "RS512", BR_COSE_KTY_RSA, 0, "SHA512", 0 },
	{ BR_COSE_PS256, "PS256", BR_COSE_KTY_RSA, 0, "SHA256", 1 },
	{ BR_COSE_PS384, "PS384", BR_COSE_KTY_RSA, 0, "SHA384", 1 },
	{ BR_COSE_PS512, "PS512", BR_COSE_KTY_RSA, 0, "SHA512", 1 },
	{ BR_COSE_RS1, "RS1", BR_COSE_KTY_RSA, 0, "SHA1", 0 },
};

static const struct alg_info *
alg_lookup(int alg)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return &algs[i];
	return NULL;
}

int
br_cose_alg_known(int alg)
{
	return alg_lookup(alg) != NULL;
}

const char *
br_cose_alg_name(int alg)
{
	const struct alg_info *a = alg_lookup(alg);

	return a == NULL ? NULL : a->name;
}

int
br_cose_alg_from_name(const char *name, int *alg)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, name) == 0) {
			*alg = algs[i].alg;
			return 0;
		}
	return -1;
}

static const char *
curve_group(int crv, size_t *coord_len)
{
	switch (crv) {
	case CRV_P256:
		*coord_len = 32;
		return "prime256v1";
	case CRV_P384:
		*coord_len = 48;
		return "secp384r1";
	case CRV_P521:
		*coord_len = 66;
		return "secp521r1";
	default:
		return NULL;
	}
}

static br_err
pkey_fromdata(const char *type, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx;
	br_err r = BR_ERR_COSE_KEY;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		return BR_ERR_INTERNAL;
	if (EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		r = BR_OK;
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/*
 * One parameters-only key per curve, made once per process: a copy of it with
 * the point set is about 3.5x cheaper than EVP_PKEY_fromdata, which builds the
 * group again for every credential. Constants only; read-only once made.
 */
static EVP_PKEY *ec_templates[CRV_P521 + 1];
static CRYPTO_ONCE ec_once = CRYPTO_ONCE_STATIC_INIT;

static void
ec_templates_make(void)
{
	int crv;

	for (crv = CRV_P256; crv <= CRV_P521; crv++) {
		size_t clen;
		OSSL_PARAM params[2];
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
		    (char *)(uintptr_t)curve_group(crv, &clen), 0);
		params[1] = OSSL_PARAM_construct_end();
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &ec_templates[crv], EVP_PKEY_KEY_PARAMETERS, params) != 1)
			ec_templates[crv] = NULL; /* the slow path below still works */
		EVP_PKEY_CTX_free(ctx);
	}
}

/* The point into a copy of the curve's template; -1 when there is none (use fromdata). */
static int
ec_from_template(int crv, const unsigned char *pub, size_t len, EVP_PKEY **out, br_err *r)
{
	EVP_PKEY *k;

	if (!CRYPTO_THREAD_run_once(&ec_once, ec_templates_make) || ec_templates[crv] == NULL ||
	    (k = EVP_PKEY_dup(ec_templates[crv])) == NULL)
		return -1;
	/* like the import, this refuses points that are not on the curve */
	if (EVP_PKEY_set1_encoded_public_key(k, pub, len) != 1) {
		EVP_PKEY_free(k);
		*r = BR_ERR_COSE_KEY;
		return 0;
	}
	*out = k;
	*r = BR_OK;
	return 0;
}

static br_err
ec2_key(const cbor_item_t *map, int crv, EVP_PKEY **out)
{
	unsigned char pub[1 + 2 * 66];
	OSSL_PARAM params[3];
	br_span x, y;
	size_t clen = 0;
	const char *group;
	br_err r;

	if ((group = curve_group(crv, &clen)) == NULL)
		return BR_ERR_COSE_KEY;
	/* y as a bool (point compression) is not used by WebAuthn authenticators */
	if (br_cbor_bytes(br_cbor_map_int(map, L_X), &x) < 0 ||
	    br_cbor_bytes(br_cbor_map_int(map, L_Y), &y) < 0 ||
	    x.len != clen || y.len != clen)
		return BR_ERR_COSE_KEY;
	pub[0] = 0x04;
	memcpy(pub + 1, x.ptr, clen);
	memcpy(pub + 1 + clen, y.ptr, clen);
	if (ec_from_template(crv, pub, 1 + 2 * clen, out, &r) == 0)
		return r;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)(uintptr_t)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pub, 1 + 2 * clen);
	params[2] = OSSL_PARAM_construct_end();
	/* the EC import refuses points that are not on the curve */
	return pkey_fromdata("EC", params, out);
}

static br_err
okp_key(const cbor_item_t *map, int crv, EVP_PKEY **out)
{
	br_span x;

	if (crv != CRV_ED25519)
		return BR_ERR_COSE_KEY;
	if (br_cbor_bytes(br_cbor_map_int(map, L_X), &x) < 0 || x.len != 32)
		return BR_ERR_COSE_KEY;
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x.ptr, x.len);
	return *out == NULL ? BR_ERR_COSE_KEY : BR_OK;
}

/* Big-endian bytes to a native-endian buffer as OSSL_PARAM_construct_BN wants. */
static void
to_native(unsigned char *dst, const unsigned char *src, size_t len)
{
	size_t i;
	const unsigned int one = 1;

	if (*(const unsigned char *)&one == 1) {
		for (i = 0; i < len; i++)
			dst[i] = src[len - 1 - i];
	} else {
		memcpy(dst, src, len);
	}
}

static br_err
rsa_key(const cbor_item_t *map, EVP_PKEY **out)
{
	OSSL_PARAM params[3];
	br_span n, e;
	unsigned char *nb = NULL, eb[8];
	size_t bits;
	br_err r;

	if (br_cbor_bytes(br_cbor_map_int(map, L_RSA_N), &n) < 0 ||
	    br_cbor_bytes(br_cbor_map_int(map, L_RSA_E), &e) < 0 ||
	    br_cbor_map_int(map, L_RSA_D) != NULL)
		return BR_ERR_COSE_KEY;
	/* minimal encodings: no leading zero bytes */
	if (n.len == 0 || n.ptr[0] == 0 || e.len == 0 || e.ptr[0] == 0 || e.len > sizeof(eb))
		return BR_ERR_COSE_KEY;
	/* the exact size: a 256-byte modulus starting 0x01 has 2041 bits, not 2048 */
	bits = n.len * 8;
	for (unsigned char top = n.ptr[0]; (top & 0x80) == 0; top = (unsigned char)(top << 1))
		bits--;
	if (bits > RSA_MAX_BITS || bits < RSA_MIN_BITS)
		return BR_ERR_COSE_KEY;
	/* an even or unit exponent is never a valid RSA public key */
	if ((e.ptr[e.len - 1] & 1) == 0 || (e.len == 1 && e.ptr[0] == 1))
		return BR_ERR_COSE_KEY;
	if ((nb = malloc(n.len)) == NULL)
		return BR_ERR_INTERNAL;
	to_native(nb, n.ptr, n.len);
	to_native(eb, e.ptr, e.len);
	params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, nb, n.len);
	params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, eb, e.len);
	params[2] = OSSL_PARAM_construct_end();
	r = pkey_fromdata("RSA", params, out);
	free(nb);
	return r;
}

br_err
br_cose_key_from_cbor(const cbor_item_t *map, br_cose_key *out)
{
	const struct alg_info *ai;
	int64_t kty, alg, crv = 0;
	EVP_PKEY *pk = NULL;
	br_err r;

	memset(out, 0, sizeof(*out));
	if (map == NULL || !cbor_isa_map(map))
		return BR_ERR_COSE_KEY;
	if (br_cbor_int(br_cbor_map_int(map, L_KTY), &kty) < 0 ||
	    br_cbor_int(br_cbor_map_int(map, L_ALG), &alg) < 0)
		return BR_ERR_COSE_KEY;
	if (alg < INT32_MIN || alg > INT32_MAX || (ai = alg_lookup((int)alg)) == NULL)
		return BR_ERR_ALGORITHM;
	if (kty != ai->kty)
		return BR_ERR_COSE_KEY;
	if (kty != BR_COSE_KTY_RSA) {
		/* a "public" key that carries its private part was made carelessly */
		if (br_cbor_map_int(map, L_D) != NULL)
			return BR_ERR_COSE_KEY;
		if (br_cbor_int(br_cbor_map_int(map, L_CRV), &crv) < 0 || crv != ai->crv)
			return BR_ERR_COSE_KEY;
	}
	switch (kty) {
	case BR_COSE_KTY_EC2:
		r = ec2_key(map, (int)crv, &pk);
		break;
	case BR_COSE_KTY_OKP:
		r = okp_key(map, (int)crv, &pk);
		break;
	default:
		r = rsa_key(map, &pk);
		break;
	}
	if (r != BR_OK)
		return r;
	out->alg = (int)alg;
	out->kty = (int)kty;
	out->pkey = pk;
	return BR_OK;
}

br_err
br_cose_key_parse(const unsigned char *p, size_t len, br_cose_key *out)
{
	cbor_item_t *it = NULL;
	br_err r;

	memset(out, 0, sizeof(*out));
	if (br_cbor_decode(p, len, &it, NULL) < 0)
		return BR_ERR_COSE_KEY;
	r = br_cose_key_from_cbor(it, out);
	cbor_decref(&it);
	return r;
}

void
br_cose_key_reset(br_cose_key *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* A shared key: the key first, so a br_cose_key pointer to it converts back. */
struct shared_key {
	br_cose_key key;
	atomic_size_t refs;
};

static struct shared_key *
shared_of(const br_cose_key *k)
{
	return (struct shared_key *)(uintptr_t)((const char *)k - offsetof(struct shared_key, key));
}

br_err
br_cose_key_new(const unsigned char *p, size_t len, const br_cose_key **out)
{
	struct shared_key *s;
	br_err r;

	*out = NULL;
	if ((s = malloc(sizeof(*s))) == NULL)
		return BR_ERR_INTERNAL;
	if ((r = br_cose_key_parse(p, len, &s->key)) != BR_OK) {
		free(s);
		return r;
	}
	atomic_init(&s->refs, 1);
	*out = &s->key;
	return BR_OK;
}

const br_cose_key *
br_cose_key_ref(const br_cose_key *k)
{
	/* the caller holds a reference, so the count cannot reach 0 meanwhile */
	atomic_fetch_add_explicit(&shared_of(k)->refs, 1, memory_order_relaxed);
	return k;
}

void
br_cose_key_unref(const br_cose_key *k)
{
	struct shared_key *s;

	if (k == NULL)
		return;
	s = shared_of(k);
	/* release our uses of the key; the last holder acquires them all before freeing */
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	br_cose_key_reset(&s->key);
	free(s);
}

/* The curve the EC key lies on, as a COSE crv, or 0. */
static int
pkey_crv(EVP_PKEY *pk)
{
	char name[32];
	size_t n = 0;

	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name,
		sizeof(name), &n) != 1)
		return 0;
	if (strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0)
		return CRV_P256;
	if (strcmp(name, "secp384r1") == 0 || strcmp(name, "P-384") == 0)
		return CRV_P384;
	if (strcmp(name, "secp521r1") == 0 || strcmp(name, "P-521") == 0)
		return CRV_P521;
	return 0;
}

static br_err
check_key_type(EVP_PKEY *pk, const struct alg_info *ai)
{
	switch (ai->kty) {
	case BR_COSE_KTY_EC2:
		if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC || pkey_crv(pk) != ai->crv)
			return BR_ERR_ALGORITHM;
		return BR_OK;
	case BR_COSE_KTY_OKP:
		return EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519 ? BR_OK : BR_ERR_ALGORITHM;
	default:
		return EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? BR_OK : BR_ERR_ALGORITHM;
	}
}

br_err
br_sig_verify2(EVP_PKEY *pkey, int alg, br_span a, br_span b, br_span sig)
{
	const struct alg_info *ai = alg_lookup(alg);
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *joined = NULL;
	br_err r;
	int v;

	if (ai == NULL || pkey == NULL)
		return BR_ERR_ALGORITHM;
	if ((r = check_key_type(pkey, ai)) != BR_OK)
		return r;
	if (sig.len == 0)
		return BR_ERR_SIGNATURE;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return BR_ERR_INTERNAL;
	r = BR_ERR_INTERNAL;
	if (EVP_DigestVerifyInit_ex(md, &pctx, ai->md, NULL, NULL, pkey, NULL) != 1)
		goto out;
	if (ai->pss &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		goto out;
	if (ai->md == NULL) {
		/* EdDSA is one-shot: it cannot stream the two parts */
		if (a.len > SIZE_MAX - b.len || (joined = malloc(a.len + b.len + 1)) == NULL)
			goto out;
		if (a.len > 0)
			memcpy(joined, a.ptr, a.len);
		if (b.len > 0)
			memcpy(joined + a.len, b.ptr, b.len);
		v = EVP_DigestVerify(md, sig.ptr, sig.len, joined, a.len + b.len);
	} else {
		if ((a.len > 0 && EVP_DigestVerifyUpdate(md, a.ptr, a.len) != 1) ||
		    (b.len > 0 && EVP_DigestVerifyUpdate(md, b.ptr, b.len) != 1))
			goto out;
		v = EVP_DigestVerifyFinal(md, sig.ptr, sig.len);
	}
	r = v == 1 ? BR_OK : BR_ERR_SIGNATURE;
out:
	free(joined);
	EVP_MD_CTX_free(md);
	return r;
}

br_err
br_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	br_span a = { msg, msglen }, b = { NULL, 0 }, s = { sig, siglen };

	return br_sig_verify2(pkey, alg, a, b, s);
}
