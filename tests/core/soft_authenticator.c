#include "soft_authenticator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "b64url.h"

#define OID_FIDO_AAGUID "1.3.6.1.4.1.45724.1.1.4"
#define OID_APPLE_NONCE "1.2.840.113635.100.8.2"
#define OID_ANDROID_KEY "1.3.6.1.4.1.11129.2.1.17"

const int sa_algs[] = {
	BR_COSE_ES256, BR_COSE_ES384, BR_COSE_ES512, BR_COSE_EDDSA,
	BR_COSE_RS256, BR_COSE_RS384, BR_COSE_RS512,
	BR_COSE_PS256, BR_COSE_PS384, BR_COSE_PS512, BR_COSE_RS1,
};
const size_t sa_n_algs = sizeof(sa_algs) / sizeof(sa_algs[0]);

const unsigned char sa_aaguid[16] = {
	0x5a, 0x0f, 0x7e, 0x11, 0x2c, 0x3d, 0x4e, 0x5f,
	0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7,
};

void
sa_die(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: test harness failure: %s\n", file, line, what);
	fflush(stderr);
	exit(2);
}

/* ---- buffers ---- */

void
sa_buf_add(sa_buf *b, const void *p, size_t n)
{
	unsigned char *q;

	if (n == 0)
		return;
	SA_REQUIRE((q = realloc(b->ptr, b->len + n)) != NULL);
	memcpy(q + b->len, p, n);
	b->ptr = q;
	b->len += n;
}

void
sa_buf_add_u8(sa_buf *b, uint8_t v)
{
	sa_buf_add(b, &v, 1);
}

void
sa_buf_set(sa_buf *b, const void *p, size_t n)
{
	sa_buf_free(b);
	sa_buf_add(b, p, n);
}

void
sa_buf_str(sa_buf *b, const char *s)
{
	sa_buf_add(b, s, strlen(s));
}

void
sa_buf_free(sa_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
}

br_span
sa_span(const sa_buf *b)
{
	br_span s = { b->ptr, b->len };

	return s;
}

br_span
sa_span_str(const char *s)
{
	br_span r = { (const unsigned char *)s, strlen(s) };

	return r;
}

void
sa_rand(void *p, size_t n)
{
	SA_REQUIRE(n <= INT32_MAX && RAND_bytes(p, (int)n) == 1);
}

void
sa_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	SA_REQUIRE(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32);
}

/* ---- fixtures ---- */

static EVP_PKEY *g_rsa;      /* the shared 2048-bit RSA credential key */
static EVP_PKEY *g_att;      /* packed x5c / fido-u2f attestation key */
static sa_ca g_ca, g_rogue;

static EVP_PKEY *
rsa2048(void)
{
	if (g_rsa == NULL)
		g_rsa = sa_rsa_key(2048);
	return g_rsa;
}

EVP_PKEY *
sa_attestation_key(void)
{
	if (g_att == NULL)
		g_att = sa_ec_key("P-256");
	return g_att;
}

static void
make_root(sa_ca *ca, const char *cn)
{
	sa_cert_opts o;
	sa_ca self;

	memset(&o, 0, sizeof(o));
	o.org = "Example Test PKI";
	o.ou = "";
	o.cn = cn;
	o.ca = 1;
	o.not_before = SA_NOW - 3650 * SA_DAY;
	o.not_after = SA_NOW + 7300 * SA_DAY;
	ca->key = sa_ec_key("P-256");
	self.key = ca->key;
	self.cert = NULL; /* self-signed: issuer name = subject name */
	ca->cert = sa_cert_issue(&self, ca->key, &o);
}

const sa_ca *
sa_test_ca(void)
{
	if (g_ca.cert == NULL)
		make_root(&g_ca, "Example Attestation Root");
	return &g_ca;
}

const sa_ca *
sa_rogue_ca(void)
{
	if (g_rogue.cert == NULL)
		make_root(&g_rogue, "Rogue Attestation Root");
	return &g_rogue;
}

void
sa_init(void)
{
	(void)rsa2048();
	(void)sa_attestation_key();
	(void)sa_test_ca();
	(void)sa_rogue_ca();
}

static void
ca_free(sa_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	memset(ca, 0, sizeof(*ca));
}

void
sa_cleanup(void)
{
	EVP_PKEY_free(g_rsa);
	EVP_PKEY_free(g_att);
	g_rsa = g_att = NULL;
	ca_free(&g_ca);
	ca_free(&g_rogue);
}

/* ---- keys ---- */

EVP_PKEY *
sa_ec_key(const char *curve)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	SA_REQUIRE(pk != NULL);
	return pk;
}

EVP_PKEY *
sa_rsa_key(unsigned bits)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);

	SA_REQUIRE(pk != NULL);
	return pk;
}

void
sa_key_gen(int alg, sa_key *k)
{
	k->alg = alg;
	switch (alg) {
	case BR_COSE_ES256:
		k->pkey = sa_ec_key("P-256");
		break;
	case BR_COSE_ES384:
		k->pkey = sa_ec_key("P-384");
		break;
	case BR_COSE_ES512:
		k->pkey = sa_ec_key("P-521");
		break;
	case BR_COSE_EDDSA:
		SA_REQUIRE((k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) != NULL);
		break;
	case BR_COSE_RS256:
	case BR_COSE_RS384:
	case BR_COSE_RS512:
	case BR_COSE_PS256:
	case BR_COSE_PS384:
	case BR_COSE_PS512:
	case BR_COSE_RS1:
		k->pkey = rsa2048();
		SA_REQUIRE(EVP_PKEY_up_ref(k->pkey) == 1);
		break;
	default:
		SA_REQUIRE(!"unknown alg");
	}
}

void
sa_key_free(sa_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	k->alg = 0;
}

/* ---- COSE ---- */

static void
bn_param(EVP_PKEY *pk, const char *name, sa_buf *out)
{
	BIGNUM *bn = NULL;
	int n;

	SA_REQUIRE(EVP_PKEY_get_bn_param(pk, name, &bn) == 1);
	n = BN_num_bytes(bn);
	SA_REQUIRE(n > 0);
	sa_buf_free(out);
	SA_REQUIRE((out->ptr = malloc((size_t)n)) != NULL);
	out->len = (size_t)n;
	SA_REQUIRE(BN_bn2bin(bn, out->ptr) == n);
	BN_free(bn);
}

void
sa_cose_from_key(const sa_key *k, sa_cose *c)
{
	unsigned char pt[1 + 2 * 66];
	char group[32];
	size_t n = 0, clen;

	memset(c, 0, sizeof(*c));
	c->alg = k->alg;
	c->has_alg = 1;
	switch (EVP_PKEY_get_base_id(k->pkey)) {
	case EVP_PKEY_EC:
		c->kty = BR_COSE_KTY_EC2;
		c->has_crv = 1;
		SA_REQUIRE(EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME,
		    group, sizeof(group), &n) == 1);
		if (strcmp(group, "prime256v1") == 0)
			c->crv = 1;
		else if (strcmp(group, "secp384r1") == 0)
			c->crv = 2;
		else if (strcmp(group, "secp521r1") == 0)
			c->crv = 3;
		else
			c->crv = 0; /* a curve COSE has no number for here */
		SA_REQUIRE(EVP_PKEY_get_octet_string_param(k->pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &n) == 1);
		SA_REQUIRE(n % 2 == 1 && pt[0] == 0x04);
		clen = (n - 1) / 2;
		sa_buf_set(&c->x, pt + 1, clen);
		sa_buf_set(&c->y, pt + 1 + clen, clen);
		break;
	case EVP_PKEY_ED25519:
		c->kty = BR_COSE_KTY_OKP;
		c->has_crv = 1;
		c->crv = 6;
		n = sizeof(pt);
		SA_REQUIRE(EVP_PKEY_get_raw_public_key(k->pkey, pt, &n) == 1 && n == 32);
		sa_buf_set(&c->x, pt, n);
		break;
	case EVP_PKEY_RSA:
		c->kty = BR_COSE_KTY_RSA;
		bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &c->x);
		bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &c->y);
		break;
	default:
		SA_REQUIRE(!"unsupported key type");
	}
}

cbor_item_t *
sa_cbor_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
	cbor_item_t *it;

	if (u <= UINT8_MAX)
		it = v >= 0 ? cbor_build_uint8((uint8_t)u) : cbor_build_negint8((uint8_t)u);
	else if (u <= UINT16_MAX)
		it = v >= 0 ? cbor_build_uint16((uint16_t)u) : cbor_build_negint16((uint16_t)u);
	else if (u <= UINT32_MAX)
		it = v >= 0 ? cbor_build_uint32((uint32_t)u) : cbor_build_negint32((uint32_t)u);
	else
		it = v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
	SA_REQUIRE(it != NULL);
	return it;
}

static cbor_item_t *
cbor_bytes(const void *p, size_t n)
{
	cbor_item_t *it = cbor_build_bytestring(p, n);

	SA_REQUIRE(it != NULL);
	return it;
}

static void
map_put_int(cbor_item_t *map, int64_t key, cbor_item_t *value)
{
	struct cbor_pair pr;

	pr.key = cbor_move(sa_cbor_int(key));
	pr.value = cbor_move(value);
	SA_REQUIRE(cbor_map_add(map, pr));
}

void
sa_map_put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	struct cbor_pair pr;

	SA_REQUIRE((pr.key = cbor_build_string(key)) != NULL);
	pr.key = cbor_move(pr.key);
	pr.value = cbor_move(value);
	SA_REQUIRE(cbor_map_add(map, pr));
}

void
sa_cbor_serialize(const cbor_item_t *it, sa_buf *out)
{
	unsigned char *p = NULL;
	size_t cap = 0, n;

	n = cbor_serialize_alloc(it, &p, &cap);
	SA_REQUIRE(n > 0 && p != NULL);
	sa_buf_set(out, p, n);
	free(p);
}

void
sa_cose_encode(const sa_cose *c, sa_buf *out)
{
	cbor_item_t *m;
	int rsa = c->kty == BR_COSE_KTY_RSA;

	SA_REQUIRE((m = cbor_new_definite_map(8)) != NULL);
	/* CTAP2 canonical order: 1, 3, -1, -2, -3, -4 */
	map_put_int(m, 1, sa_cbor_int(c->kty));
	if (c->has_alg)
		map_put_int(m, 3, sa_cbor_int(c->alg));
	if (c->has_crv && !rsa)
		map_put_int(m, -1, sa_cbor_int(c->crv));
	if (rsa) {
		map_put_int(m, -1, cbor_bytes(c->x.ptr, c->x.len));
		map_put_int(m, -2, cbor_bytes(c->y.ptr, c->y.len));
		if (c->d.len > 0)
			map_put_int(m, -3, cbor_bytes(c->d.ptr, c->d.len));
	} else {
		map_put_int(m, -2, cbor_bytes(c->x.ptr, c->x.len));
		if (c->y.len > 0)
			map_put_int(m, -3, cbor_bytes(c->y.ptr, c->y.len));
		if (c->d.len > 0)
			map_put_int(m, -4, cbor_bytes(c->d.ptr, c->d.len));
	}
	sa_cbor_serialize(m, out);
	cbor_decref(&m);
}

void
sa_cose_free(sa_cose *c)
{
	sa_buf_free(&c->x);
	sa_buf_free(&c->y);
	sa_buf_free(&c->d);
}

void
sa_key_cose(const sa_key *k, sa_buf *out)
{
	sa_cose c;

	sa_cose_from_key(k, &c);
	sa_cose_encode(&c, out);
	sa_cose_free(&c);
}

/* ---- signatures ---- */

static const char *
alg_md(int alg, int *pss)
{
	*pss = 0;
	switch (alg) {
	case BR_COSE_ES256:
	case BR_COSE_RS256:
		return "SHA256";
	case BR_COSE_ES384:
	case BR_COSE_RS384:
		return "SHA384";
	case BR_COSE_ES512:
	case BR_COSE_RS512:
		return "SHA512";
	case BR_COSE_PS256:
		*pss = 1;
		return "SHA256";
	case BR_COSE_PS384:
		*pss = 1;
		return "SHA384";
	case BR_COSE_PS512:
		*pss = 1;
		return "SHA512";
	case BR_COSE_RS1:
		return "SHA1";
	case BR_COSE_EDDSA:
		return NULL;
	default:
		SA_REQUIRE(!"unknown alg");
	}
	return NULL;
}

void
sa_sign2(EVP_PKEY *pk, int alg, br_span a, br_span b, sa_buf *sig)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	const char *mdname;
	sa_buf msg = { NULL, 0 };
	size_t n = 0;
	int pss;

	mdname = alg_md(alg, &pss);
	sa_buf_add(&msg, a.ptr, a.len);
	sa_buf_add(&msg, b.ptr, b.len);
	SA_REQUIRE((md = EVP_MD_CTX_new()) != NULL);
	SA_REQUIRE(EVP_DigestSignInit_ex(md, &pctx, mdname, NULL, NULL, pk, NULL) == 1);
	if (pss) {
		SA_REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
		SA_REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
	}
	SA_REQUIRE(EVP_DigestSign(md, NULL, &n, msg.ptr, msg.len) == 1);
	sa_buf_free(sig);
	SA_REQUIRE((sig->ptr = malloc(n)) != NULL);
	SA_REQUIRE(EVP_DigestSign(md, sig->ptr, &n, msg.ptr, msg.len) == 1);
	sig->len = n;
	EVP_MD_CTX_free(md);
	sa_buf_free(&msg);
}

void
sa_sign(EVP_PKEY *pk, int alg, const void *msg, size_t len, sa_buf *sig)
{
	br_span a = { msg, len }, b = { NULL, 0 };

	sa_sign2(pk, alg, a, b, sig);
}

void
sa_flip_bit(sa_buf *sig)
{
	SA_REQUIRE(sig->len > 0);
	sig->ptr[sig->len / 2] ^= 0x01;
}

/* ---- authData / clientData ---- */

void
sa_authdata(const char *rp_id, uint8_t flags, uint32_t sign_count,
    const unsigned char aaguid[16], br_span cred_id, br_span cose_key, br_span ext,
    sa_buf *out)
{
	unsigned char h[32];
	unsigned char be[4];

	sa_buf_free(out);
	sa_sha256(rp_id, strlen(rp_id), h);
	sa_buf_add(out, h, sizeof(h));
	sa_buf_add_u8(out, flags);
	be[0] = (unsigned char)(sign_count >> 24);
	be[1] = (unsigned char)(sign_count >> 16);
	be[2] = (unsigned char)(sign_count >> 8);
	be[3] = (unsigned char)sign_count;
	sa_buf_add(out, be, 4);
	if (cose_key.len > 0) {
		sa_buf_add(out, aaguid, 16);
		sa_buf_add_u8(out, (uint8_t)(cred_id.len >> 8));
		sa_buf_add_u8(out, (uint8_t)cred_id.len);
		sa_buf_add(out, cred_id.ptr, cred_id.len);
		sa_buf_add(out, cose_key.ptr, cose_key.len);
	}
	sa_buf_add(out, ext.ptr, ext.len);
}

void
sa_client_data(const char *type, br_span challenge, const char *origin,
    const char *extra, sa_buf *out)
{
	char *b64 = br_b64url_encode_alloc(challenge.ptr, challenge.len);
	char *s;
	size_t n;

	SA_REQUIRE(b64 != NULL);
	if (extra == NULL)
		extra = "";
	n = strlen(type) + strlen(b64) + strlen(origin) + strlen(extra) + 64;
	SA_REQUIRE((s = malloc(n)) != NULL);
	snprintf(s, n, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\"%s}",
	    type, b64, origin, extra);
	sa_buf_set(out, s, strlen(s));
	free(s);
	free(b64);
}

/* ---- certificates ---- */

static void
name_add(X509_NAME *n, const char *field, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	SA_REQUIRE(X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
	    (const unsigned char *)v, -1, -1, 0) == 1);
}

static void
add_ext_der(X509 *x, const char *oid, int critical, const unsigned char *der, size_t len)
{
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os;
	X509_EXTENSION *e;

	SA_REQUIRE((obj = OBJ_txt2obj(oid, 1)) != NULL);
	SA_REQUIRE((os = ASN1_OCTET_STRING_new()) != NULL);
	SA_REQUIRE(len <= INT32_MAX && ASN1_OCTET_STRING_set(os, der, (int)len) == 1);
	SA_REQUIRE((e = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os)) != NULL);
	SA_REQUIRE(X509_add_ext(x, e, -1) == 1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

X509 *
sa_cert_issue(const sa_ca *ca, EVP_PKEY *subject, const sa_cert_opts *o)
{
	static uint64_t serial = 1000;
	BASIC_CONSTRAINTS *bc;
	X509_NAME *n;
	X509 *x;
	int64_t nb, na;

	SA_REQUIRE((x = X509_new()) != NULL);
	SA_REQUIRE(X509_set_version(x, o->version1 ? X509_VERSION_1 : X509_VERSION_3) == 1);
	SA_REQUIRE(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial++) == 1);
	SA_REQUIRE((n = X509_NAME_new()) != NULL);
	name_add(n, "C", o->country != NULL ? o->country : "US");
	name_add(n, "O", o->org != NULL ? o->org : "Example Authenticators");
	name_add(n, "OU", o->ou != NULL ? o->ou : "Authenticator Attestation");
	name_add(n, "CN", o->cn != NULL ? o->cn : "Example Attestation");
	SA_REQUIRE(X509_set_subject_name(x, n) == 1);
	SA_REQUIRE(X509_set_issuer_name(x, ca->cert != NULL ?
	    X509_get_subject_name(ca->cert) : n) == 1);
	X509_NAME_free(n);
	nb = o->not_before != 0 ? o->not_before : SA_NOW - 365 * SA_DAY;
	na = o->not_after != 0 ? o->not_after : SA_NOW + 3650 * SA_DAY;
	SA_REQUIRE(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) != NULL);
	SA_REQUIRE(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) != NULL);
	SA_REQUIRE(X509_set_pubkey(x, subject) == 1);
	if (!o->version1) {
		if (!o->no_basic_constraints) {
			SA_REQUIRE((bc = BASIC_CONSTRAINTS_new()) != NULL);
			bc->ca = o->ca ? 0xff : 0;
			SA_REQUIRE(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1,
			    X509V3_ADD_DEFAULT) == 1);
			BASIC_CONSTRAINTS_free(bc);
		}
		if (o->aaguid != NULL) {
			unsigned char v[18] = { 0x04, 0x10 };

			memcpy(v + 2, o->aaguid, 16);
			add_ext_der(x, OID_FIDO_AAGUID, o->aaguid_critical, v, sizeof(v));
		}
		if (o->ext_oid != NULL)
			add_ext_der(x, o->ext_oid, 0, o->ext_der.ptr, o->ext_der.len);
	}
	SA_REQUIRE(X509_sign(x, ca->key, EVP_sha256()) > 0);
	return x;
}

void
sa_cert_der(X509 *x, sa_buf *out)
{
	unsigned char *p = NULL;
	int n;

	SA_REQUIRE((n = i2d_X509(x, &p)) > 0);
	sa_buf_set(out, p, (size_t)n);
	OPENSSL_free(p);
}

br_trust *
sa_trust_test_ca(void)
{
	br_trust *t;
	sa_buf der = { NULL, 0 };

	SA_REQUIRE((t = br_trust_new()) != NULL);
	sa_cert_der(sa_test_ca()->cert, &der);
	SA_REQUIRE(br_trust_add_der(t, der.ptr, der.len) == 0);
	sa_buf_free(&der);
	return t;
}

/* ---- DER for the extensions ---- */

static void
der_len(sa_buf *b, size_t n)
{
	SA_REQUIRE(n <= 0xffff);
	if (n < 0x80) {
		sa_buf_add_u8(b, (uint8_t)n);
	} else if (n <= 0xff) {
		sa_buf_add_u8(b, 0x81);
		sa_buf_add_u8(b, (uint8_t)n);
	} else {
		sa_buf_add_u8(b, 0x82);
		sa_buf_add_u8(b, (uint8_t)(n >> 8));
		sa_buf_add_u8(b, (uint8_t)n);
	}
}

/* Append tag bytes, length and content. */
static void
der_tlv(sa_buf *b, const unsigned char *tag, size_t taglen, const void *p, size_t n)
{
	sa_buf_add(b, tag, taglen);
	der_len(b, n);
	sa_buf_add(b, p, n);
}

static void
der_tlv1(sa_buf *b, unsigned char tag, const void *p, size_t n)
{
	der_tlv(b, &tag, 1, p, n);
}

static void
der_small_int(sa_buf *b, unsigned char tag, uint8_t v)
{
	unsigned char c[2] = { 0x00, v };

	/* a leading zero only when the high bit would make it negative */
	if (v & 0x80)
		der_tlv1(b, tag, c, 2);
	else
		der_tlv1(b, tag, c + 1, 1);
}

void
sa_apple_nonce_ext(const unsigned char nonce[32], sa_buf *out)
{
	sa_buf os = { NULL, 0 }, tagged = { NULL, 0 };

	sa_buf_free(out);
	der_tlv1(&os, 0x04, nonce, 32);                   /* OCTET STRING */
	der_tlv1(&tagged, 0xa1, os.ptr, os.len);          /* [1] EXPLICIT */
	der_tlv1(out, 0x30, tagged.ptr, tagged.len);      /* SEQUENCE */
	sa_buf_free(&os);
	sa_buf_free(&tagged);
}

/* AuthorizationList holding purpose and origin (and allApplications). */
static void
auth_list(sa_buf *out, int with_purpose_origin, int flags)
{
	static const unsigned char tag_origin[] = { 0xbf, 0x85, 0x3e };      /* [702] */
	static const unsigned char tag_all_apps[] = { 0xbf, 0x84, 0x58 };    /* [600] */
	sa_buf body = { NULL, 0 }, tmp = { NULL, 0 }, set = { NULL, 0 };

	if (with_purpose_origin) {
		der_small_int(&tmp, 0x02, (flags & SA_AK_NO_SIGN_PURPOSE) ? 3 : 2);
		der_tlv1(&set, 0x31, tmp.ptr, tmp.len);               /* SET OF INTEGER */
		der_tlv1(&body, 0xa1, set.ptr, set.len);              /* purpose [1] */
		sa_buf_free(&tmp);
		sa_buf_free(&set);
		if (flags & SA_AK_ALL_APPLICATIONS) {
			der_tlv1(&tmp, 0x05, NULL, 0);                /* NULL */
			der_tlv(&body, tag_all_apps, sizeof(tag_all_apps), tmp.ptr, tmp.len);
			sa_buf_free(&tmp);
		}
		der_small_int(&tmp, 0x02, (flags & SA_AK_IMPORTED) ? 2 : 0);
		der_tlv(&body, tag_origin, sizeof(tag_origin), tmp.ptr, tmp.len);
		sa_buf_free(&tmp);
	}
	der_tlv1(out, 0x30, body.ptr, body.len);
	sa_buf_free(&body);
}

void
sa_android_key_description(br_span challenge, int flags, sa_buf *out)
{
	sa_buf kd = { NULL, 0 };
	int sw_only = (flags & SA_AK_SOFTWARE_ONLY) != 0;

	sa_buf_free(out);
	der_small_int(&kd, 0x02, 3);          /* attestationVersion */
	der_small_int(&kd, 0x0a, 1);          /* attestationSecurityLevel: TrustedEnvironment */
	der_small_int(&kd, 0x02, 4);          /* keymasterVersion */
	der_small_int(&kd, 0x0a, 1);          /* keymasterSecurityLevel */
	der_tlv1(&kd, 0x04, challenge.ptr, challenge.len);  /* attestationChallenge */
	der_tlv1(&kd, 0x04, NULL, 0);         /* uniqueId */
	auth_list(&kd, sw_only, flags);       /* softwareEnforced */
	auth_list(&kd, !sw_only, flags);      /* teeEnforced */
	der_tlv1(out, 0x30, kd.ptr, kd.len);
	sa_buf_free(&kd);
}

/* ---- attestation object ---- */

void
sa_att_obj(const char *fmt, cbor_item_t *stmt, br_span auth_data, sa_buf *out)
{
	cbor_item_t *m;

	SA_REQUIRE((m = cbor_new_definite_map(3)) != NULL);
	sa_map_put(m, "fmt", cbor_build_string(fmt));
	sa_map_put(m, "attStmt", stmt);
	sa_map_put(m, "authData", cbor_bytes(auth_data.ptr, auth_data.len));
	sa_cbor_serialize(m, out);
	cbor_decref(&m);
}

/* ---- policy ---- */

static const char *const default_origins[] = { SA_ORIGIN };

void
sa_policy_default(br_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->rp_id = SA_RP_ID;
	p->origins = default_origins;
	p->n_origins = 1;
	p->allow_cross_origin = 0;
	p->top_origins = NULL;
	p->n_top_origins = 0;
	p->uv = BR_UV_PREFERRED;
	p->algs = sa_algs;
	p->n_algs = sa_n_algs;
	p->refuse_safetynet = 0;
	p->reject_sign_count_regression = 0;
}

/* ---- registration ---- */

static const char *
fmt_name(sa_fmt f)
{
	switch (f) {
	case SA_FMT_NONE:
		return "none";
	case SA_FMT_PACKED_SELF:
	case SA_FMT_PACKED_X5C:
		return "packed";
	case SA_FMT_FIDO_U2F:
		return "fido-u2f";
	case SA_FMT_APPLE:
		return "apple";
	case SA_FMT_ANDROID_KEY:
		return "android-key";
	}
	return "?";
}

static cbor_item_t *
x5c_of(X509 *leaf)
{
	cbor_item_t *a;
	sa_buf der = { NULL, 0 };

	sa_cert_der(leaf, &der);
	SA_REQUIRE((a = cbor_new_definite_array(1)) != NULL);
	SA_REQUIRE(cbor_array_push(a, cbor_move(cbor_bytes(der.ptr, der.len))));
	sa_buf_free(&der);
	return a;
}

/* Build the statement for o->fmt over authData and clientDataHash. */
static cbor_item_t *
make_stmt(sa_reg *r, const sa_reg_opts *o, const unsigned char cdh[32])
{
	const sa_ca *ca = o->untrusted_ca ? sa_rogue_ca() : sa_test_ca();
	br_span ad = sa_span(&r->auth_data), cd = { cdh, 32 };
	cbor_item_t *m;
	sa_buf sig = { NULL, 0 }, ext = { NULL, 0 }, tbs = { NULL, 0 };
	sa_cert_opts co = o->cert;
	EVP_PKEY *leaf_key = NULL, *own = NULL;
	X509 *leaf = NULL;
	unsigned char nonce[32], h[32], pt[1 + 2 * 66];
	size_t n = 0;
	int alg = r->cred.alg;

	SA_REQUIRE((m = cbor_new_definite_map(8)) != NULL);
	switch (o->fmt) {
	case SA_FMT_NONE:
		break;
	case SA_FMT_PACKED_SELF:
		sa_sign2(r->cred.pkey, alg, ad, cd, &sig);
		break;
	case SA_FMT_PACKED_X5C:
		alg = BR_COSE_ES256;
		if (co.aaguid == NULL && !o->no_cert_aaguid)
			co.aaguid = r->aaguid;
		leaf = sa_cert_issue(ca, sa_attestation_key(), &co);
		sa_sign2(sa_attestation_key(), alg, ad, cd, &sig);
		break;
	case SA_FMT_FIDO_U2F:
		alg = BR_COSE_ES256;
		leaf_key = sa_attestation_key();
		if (o->att_curve != NULL)
			leaf_key = own = sa_ec_key(o->att_curve);
		leaf = sa_cert_issue(ca, leaf_key, &co);
		/* 0x00 || rpIdHash || clientDataHash || credentialId || 04 x y */
		SA_REQUIRE(EVP_PKEY_get_octet_string_param(r->cred.pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &n) == 1);
		sa_buf_add_u8(&tbs, 0x00);
		sa_sha256(o->rp_id != NULL ? o->rp_id : SA_RP_ID,
		    strlen(o->rp_id != NULL ? o->rp_id : SA_RP_ID), h);
		sa_buf_add(&tbs, h, 32);
		sa_buf_add(&tbs, cdh, 32);
		sa_buf_add(&tbs, r->cred_id.ptr, r->cred_id.len);
		sa_buf_add(&tbs, pt, n);
		sa_sign(leaf_key, BR_COSE_ES256, tbs.ptr, tbs.len, &sig);
		break;
	case SA_FMT_APPLE:
		/* nonce = SHA-256(authData || clientDataHash) */
		sa_buf_add(&tbs, ad.ptr, ad.len);
		sa_buf_add(&tbs, cdh, 32);
		sa_sha256(tbs.ptr, tbs.len, nonce);
		if (o->apple_wrong_nonce)
			nonce[0] ^= 0x80;
		sa_apple_nonce_ext(nonce, &ext);
		co.ext_oid = OID_APPLE_NONCE;
		co.ext_der = sa_span(&ext);
		if (co.ou == NULL)
			co.ou = "";
		leaf_key = r->cred.pkey;
		if (o->leaf_other_key)
			leaf_key = own = sa_ec_key("P-256");
		leaf = sa_cert_issue(ca, leaf_key, &co);
		break;
	case SA_FMT_ANDROID_KEY:
		memcpy(h, cdh, 32);
		if (o->android_wrong_challenge)
			h[31] ^= 0x01;
		sa_android_key_description((br_span){ h, 32 }, o->android_flags, &ext);
		if (!(o->android_flags & SA_AK_NO_EXTENSION)) {
			co.ext_oid = OID_ANDROID_KEY;
			co.ext_der = sa_span(&ext);
		}
		if (co.ou == NULL)
			co.ou = "";
		leaf_key = r->cred.pkey;
		if (o->leaf_other_key) {
			/* the signature still verifies under the leaf: only the key differs */
			leaf_key = own = sa_ec_key("P-256");
			alg = BR_COSE_ES256;
		}
		leaf = sa_cert_issue(ca, leaf_key, &co);
		sa_sign2(leaf_key, alg, ad, cd, &sig);
		break;
	}

	if (o->flip_sig)
		sa_flip_bit(&sig);
	if (o->stmt_alg != 0)
		alg = o->stmt_alg;
	if (o->fmt == SA_FMT_PACKED_SELF || o->fmt == SA_FMT_PACKED_X5C ||
	    o->fmt == SA_FMT_ANDROID_KEY)
		sa_map_put(m, "alg", sa_cbor_int(alg));
	if (sig.len > 0)
		sa_map_put(m, "sig", cbor_bytes(sig.ptr, sig.len));
	if (leaf != NULL)
		sa_map_put(m, "x5c", x5c_of(leaf));
	if (o->stmt_extra)
		sa_map_put(m, "extra", sa_cbor_int(1));

	X509_free(leaf);
	EVP_PKEY_free(own);
	sa_buf_free(&sig);
	sa_buf_free(&ext);
	sa_buf_free(&tbs);
	return m;
}

void
sa_reg_build(sa_reg *r, const sa_reg_opts *o)
{
	unsigned char cdh[32], other[32];
	sa_cose c;
	uint8_t flags;
	size_t idlen = o->cred_id_len != 0 ? o->cred_id_len : 32;
	int alg = o->alg != 0 ? o->alg : BR_COSE_ES256;
	br_span none = { NULL, 0 };

	memset(r, 0, sizeof(*r));
	sa_policy_default(&r->policy);
	sa_key_gen(alg, &r->cred);
	sa_rand(r->challenge, sizeof(r->challenge));
	if (o->fmt == SA_FMT_FIDO_U2F)
		memset(r->aaguid, 0, sizeof(r->aaguid));
	else
		memcpy(r->aaguid, sa_aaguid, sizeof(r->aaguid));

	SA_REQUIRE((r->cred_id.ptr = malloc(idlen)) != NULL);
	r->cred_id.len = idlen;
	sa_rand(r->cred_id.ptr, idlen);
	sa_buf_set(&r->raw_id, r->cred_id.ptr, r->cred_id.len);
	if (o->raw_id_mismatch)
		r->raw_id.ptr[0] ^= 0x01;

	sa_cose_from_key(&r->cred, &c);
	if (o->mutate_cose != NULL)
		o->mutate_cose(&c);
	sa_cose_encode(&c, &r->cose);
	sa_cose_free(&c);

	if (o->client_json != NULL) {
		sa_buf_str(&r->client_data, o->client_json);
	} else {
		sa_rand(other, sizeof(other));
		sa_client_data(o->type != NULL ? o->type : "webauthn.create",
		    o->wrong_challenge ? (br_span){ other, 32 } : (br_span){ r->challenge, 32 },
		    o->origin != NULL ? o->origin : SA_ORIGIN, o->client_extra, &r->client_data);
	}
	sa_sha256(r->client_data.ptr, r->client_data.len, cdh);

	flags = o->flags_set ? o->flags : (BR_AD_UP | BR_AD_UV | BR_AD_AT);
	sa_authdata(o->rp_id != NULL ? o->rp_id : SA_RP_ID, flags, o->sign_count, r->aaguid,
	    sa_span(&r->cred_id), o->no_attested ? none : sa_span(&r->cose), o->ext,
	    &r->auth_data);
	if (o->trailing > 0) {
		unsigned char *z = calloc(1, o->trailing);

		SA_REQUIRE(z != NULL);
		sa_buf_add(&r->auth_data, z, o->trailing);
		free(z);
	}
	SA_REQUIRE(o->truncate <= r->auth_data.len);
	r->auth_data.len -= o->truncate;

	sa_att_obj(o->fmt_name != NULL ? o->fmt_name : fmt_name(o->fmt),
	    make_stmt(r, o, cdh), sa_span(&r->auth_data), &r->att_obj);

	if (o->fmt != SA_FMT_NONE && o->fmt != SA_FMT_PACKED_SELF)
		r->trust = sa_trust_test_ca();
	r->in.policy = &r->policy;
	r->in.challenge = (br_span){ r->challenge, sizeof(r->challenge) };
	r->in.client_data_json = sa_span(&r->client_data);
	r->in.attestation_object = sa_span(&r->att_obj);
	r->in.raw_id = sa_span(&r->raw_id);
	r->in.trust = r->trust;
	r->in.now = SA_NOW;
}

void
sa_reg_free(sa_reg *r)
{
	sa_key_free(&r->cred);
	br_trust_free(&r->trust);
	sa_buf_free(&r->cred_id);
	sa_buf_free(&r->raw_id);
	sa_buf_free(&r->cose);
	sa_buf_free(&r->client_data);
	sa_buf_free(&r->auth_data);
	sa_buf_free(&r->att_obj);
	memset(r, 0, sizeof(*r));
}

/* ---- authentication ---- */

void
sa_auth_build(sa_auth *a, const sa_key *cred, const sa_auth_opts *o)
{
	unsigned char cdh[32], other[32];
	const sa_key *signer = o->signer != NULL ? o->signer : cred;
	br_span none = { NULL, 0 };
	uint8_t flags;

	memset(a, 0, sizeof(*a));
	sa_policy_default(&a->policy);
	sa_rand(a->challenge, sizeof(a->challenge));
	sa_rand(a->user_handle, sizeof(a->user_handle));
	SA_REQUIRE((a->cred_id.ptr = malloc(32)) != NULL);
	a->cred_id.len = 32;
	sa_rand(a->cred_id.ptr, 32);
	sa_key_cose(cred, &a->cose);

	sa_rand(other, sizeof(other));
	sa_client_data(o->type != NULL ? o->type : "webauthn.get",
	    o->wrong_challenge ? (br_span){ other, 32 } : (br_span){ a->challenge, 32 },
	    o->origin != NULL ? o->origin : SA_ORIGIN, o->client_extra, &a->client_data);
	sa_sha256(a->client_data.ptr, a->client_data.len, cdh);

	flags = o->flags_set ? o->flags : (BR_AD_UP | BR_AD_UV);
	sa_authdata(o->rp_id != NULL ? o->rp_id : SA_RP_ID, flags, o->sign_count, NULL,
	    none, none, o->ext, &a->auth_data);
	if (o->trailing > 0) {
		unsigned char *z = calloc(1, o->trailing);

		SA_REQUIRE(z != NULL);
		sa_buf_add(&a->auth_data, z, o->trailing);
		free(z);
	}
	SA_REQUIRE(o->truncate <= a->auth_data.len);
	a->auth_data.len -= o->truncate;

	sa_sign2(signer->pkey, signer->alg, sa_span(&a->auth_data), (br_span){ cdh, 32 },
	    &a->sig);
	if (o->flip_sig)
		sa_flip_bit(&a->sig);

	a->stored.id = sa_span(&a->cred_id);
	a->stored.public_key_cose = sa_span(&a->cose);
	a->stored.sign_count = o->stored_count;
	a->stored.user_handle = (br_span){ a->user_handle, sizeof(a->user_handle) };
	a->stored.be_known = 0;
	a->stored.be = 0;

	a->in.policy = &a->policy;
	a->in.challenge = (br_span){ a->challenge, sizeof(a->challenge) };
	a->in.client_data_json = sa_span(&a->client_data);
	a->in.authenticator_data = sa_span(&a->auth_data);
	a->in.signature = sa_span(&a->sig);
	a->in.user_handle = (br_span){ a->user_handle, sizeof(a->user_handle) };
	a->in.raw_id = sa_span(&a->cred_id);
	a->in.credential = &a->stored;
	a->in.allow = NULL;
	a->in.n_allow = 0;
	a->in.user_handle_required = 0;
}

void
sa_auth_free(sa_auth *a)
{
	sa_buf_free(&a->cred_id);
	sa_buf_free(&a->cose);
	sa_buf_free(&a->client_data);
	sa_buf_free(&a->auth_data);
	sa_buf_free(&a->sig);
	memset(a, 0, sizeof(*a));
}
