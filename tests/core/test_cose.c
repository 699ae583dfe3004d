/*
 * COSE_Key parsing (kty/alg/crv agreement, exact coordinates, points on the
 * curve, no private parts, RSA sizes) and signature checks per algorithm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cose.h"
#include "soft_authenticator.h"
#include "unit.h"

static const char msg[] = "authenticatorData || clientDataHash";

/* Parse the COSE_Key made from k after mutate (may be NULL) ran on its fields. */
static br_err
parse_mutated(const sa_key *k, void (*mutate)(sa_cose *), br_cose_key *out)
{
	sa_cose c;
	sa_buf b = { NULL, 0 };
	br_err r;

	sa_cose_from_key(k, &c);
	if (mutate != NULL)
		mutate(&c);
	sa_cose_encode(&c, &b);
	r = br_cose_key_parse(b.ptr, b.len, out);
	sa_cose_free(&c);
	sa_buf_free(&b);
	return r;
}

/* The error parsing a key of alg after mutate; the key struct must be left empty. */
static br_err
parse_err(int alg, void (*mutate)(sa_cose *))
{
	br_cose_key ck;
	sa_key k;
	br_err r;

	sa_key_gen(alg, &k);
	memset(&ck, 0xa5, sizeof(ck));
	r = parse_mutated(&k, mutate, &ck);
	if (r != BR_OK)
		CHECK(ck.pkey == NULL && ck.alg == 0 && ck.kty == 0);
	br_cose_key_reset(&ck);
	sa_key_free(&k);
	return r;
}

static void
every_alg_parses_and_verifies(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		int alg = sa_algs[i];
		br_cose_key ck;
		sa_key k;
		sa_buf sig = { NULL, 0 };
		br_span a = { (const unsigned char *)msg, 10 };
		br_span b = { (const unsigned char *)msg + 10, sizeof(msg) - 10 };
		br_span s;

		sa_key_gen(alg, &k);
		CHECK_ERR(parse_mutated(&k, NULL, &ck), BR_OK);
		CHECK_INT(ck.alg, alg);
		CHECK(ck.pkey != NULL);
		CHECK(EVP_PKEY_eq(ck.pkey, k.pkey) == 1);
		CHECK(br_cose_alg_known(alg));
		CHECK(br_cose_alg_name(alg) != NULL);

		sa_sign(k.pkey, alg, msg, sizeof(msg), &sig);
		CHECK_ERR(br_sig_verify(ck.pkey, alg, (const unsigned char *)msg, sizeof(msg),
		    sig.ptr, sig.len), BR_OK);
		/* the two-part form checks the same bytes */
		s = sa_span(&sig);
		CHECK_ERR(br_sig_verify2(ck.pkey, alg, a, b, s), BR_OK);
		/* a different message */
		CHECK_ERR(br_sig_verify(ck.pkey, alg, (const unsigned char *)msg, sizeof(msg) - 1,
		    sig.ptr, sig.len), BR_ERR_SIGNATURE);
		sa_flip_bit(&sig);
		CHECK_ERR(br_sig_verify(ck.pkey, alg, (const unsigned char *)msg, sizeof(msg),
		    sig.ptr, sig.len), BR_ERR_SIGNATURE);
		sa_buf_free(&sig);
		br_cose_key_reset(&ck);
		CHECK(ck.pkey == NULL);
		sa_key_free(&k);
	}
}

static void
kty_labels(void)
{
	static const struct {
		int alg, kty;
	} t[] = {
		{ BR_COSE_ES256, BR_COSE_KTY_EC2 }, { BR_COSE_EDDSA, BR_COSE_KTY_OKP },
		{ BR_COSE_RS256, BR_COSE_KTY_RSA }, { BR_COSE_PS512, BR_COSE_KTY_RSA },
	};
	size_t i;

	for (i = 0; i < UNIT_N(t); i++) {
		br_cose_key ck;
		sa_key k;

		sa_key_gen(t[i].alg, &k);
		CHECK_ERR(parse_mutated(&k, NULL, &ck), BR_OK);
		CHECK_INT(ck.kty, t[i].kty);
		br_cose_key_reset(&ck);
		sa_key_free(&k);
	}
	CHECK(strcmp(br_cose_alg_name(BR_COSE_ES256), "ES256") == 0);
	CHECK(strcmp(br_cose_alg_name(BR_COSE_EDDSA), "EdDSA") == 0);
	CHECK(strcmp(br_cose_alg_name(BR_COSE_PS256), "PS256") == 0);
	CHECK(br_cose_alg_name(-999) == NULL);
	CHECK(!br_cose_alg_known(0));
	CHECK(!br_cose_alg_known(-260));
}

/* The one table of names: both directions, every alg the soft authenticator makes. */
static void
alg_names_both_ways(void)
{
	size_t i;
	int alg;

	for (i = 0; i < sa_n_algs; i++) {
		alg = 0;
		CHECK(br_cose_alg_from_name(br_cose_alg_name(sa_algs[i]), &alg) == 0);
		CHECK_INT(alg, sa_algs[i]);
	}
	CHECK(br_cose_alg_from_name("RS1", &alg) == 0 && alg == BR_COSE_RS1);
	alg = 42;
	/* exact spelling only: a config saying "es256" is refused, not guessed at */
	CHECK(br_cose_alg_from_name("es256", &alg) == -1);
	CHECK(br_cose_alg_from_name("EDDSA", &alg) == -1);
	CHECK(br_cose_alg_from_name("ES257", &alg) == -1);
	CHECK(br_cose_alg_from_name("", &alg) == -1);
	CHECK(br_cose_alg_from_name(NULL, &alg) == -1);
	CHECK_INT(alg, 42);
}

/* ---- kty / alg / crv disagreement ---- */

static void set_crv_p384(sa_cose *c) { c->crv = 2; }
static void set_crv_p256(sa_cose *c) { c->crv = 1; }
static void set_crv_ed448(sa_cose *c) { c->crv = 7; }
static void set_crv_x25519(sa_cose *c) { c->crv = 4; }
static void set_kty_ec2(sa_cose *c) { c->kty = BR_COSE_KTY_EC2; }
static void set_kty_okp(sa_cose *c) { c->kty = BR_COSE_KTY_OKP; }
static void set_kty_rsa(sa_cose *c) { c->kty = BR_COSE_KTY_RSA; }
static void set_kty_symmetric(sa_cose *c) { c->kty = 4; }
static void set_alg_es384(sa_cose *c) { c->alg = BR_COSE_ES384; }
static void set_alg_es256(sa_cose *c) { c->alg = BR_COSE_ES256; }
static void set_alg_es256_crv_p256(sa_cose *c) { c->alg = BR_COSE_ES256; c->crv = 1; }
static void set_alg_rs256(sa_cose *c) { c->alg = BR_COSE_RS256; }
static void set_alg_eddsa(sa_cose *c) { c->alg = BR_COSE_EDDSA; }
static void drop_crv(sa_cose *c) { c->has_crv = 0; }
static void drop_alg(sa_cose *c) { c->has_alg = 0; }

static void
es256_with_p384_crv(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, set_crv_p384), BR_ERR_COSE_KEY);
}

static void
es384_key_labelled_es256_curve(void)
{
	/* a P-384 key with crv P-256: 48-byte coordinates do not fit P-256 */
	CHECK_ERR(parse_err(BR_COSE_ES384, set_crv_p256), BR_ERR_COSE_KEY);
	/* a P-384 key (crv P-384) labelled ES256 */
	CHECK_ERR(parse_err(BR_COSE_ES384, set_alg_es256), BR_ERR_COSE_KEY);
	/* and labelled ES256 with crv P-256 */
	CHECK_ERR(parse_err(BR_COSE_ES384, set_alg_es256_crv_p256), BR_ERR_COSE_KEY);
}

static void
es256_key_labelled_es384(void)
{
	/* alg ES384 with crv P-256 */
	CHECK_ERR(parse_err(BR_COSE_ES256, set_alg_es384), BR_ERR_COSE_KEY);
}

static void
eddsa_with_ec2_kty(void)
{
	CHECK_ERR(parse_err(BR_COSE_EDDSA, set_kty_ec2), BR_ERR_COSE_KEY);
}

static void
eddsa_with_other_curves(void)
{
	CHECK_ERR(parse_err(BR_COSE_EDDSA, set_crv_ed448), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_EDDSA, set_crv_x25519), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_EDDSA, drop_crv), BR_ERR_COSE_KEY);
}

static void
es256_with_okp_or_rsa_kty(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, set_kty_okp), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, set_kty_rsa), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, set_kty_symmetric), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, drop_crv), BR_ERR_COSE_KEY);
}

static void
ec_key_labelled_rsa_or_eddsa(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, set_alg_rs256), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, set_alg_eddsa), BR_ERR_COSE_KEY);
}

static void
rsa_with_ec2_kty(void)
{
	CHECK_ERR(parse_err(BR_COSE_RS256, set_kty_ec2), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_PS256, set_kty_okp), BR_ERR_COSE_KEY);
}

static void
alg_missing(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, drop_alg), BR_ERR_COSE_KEY);
}

/* ---- coordinates ---- */

static void x_short(sa_cose *c) { c->x.len--; }
static void y_short(sa_cose *c) { c->y.len--; }
static void y_long(sa_cose *c) { sa_buf_add_u8(&c->y, 0x00); }
static void y_missing(sa_cose *c) { sa_buf_free(&c->y); }
static void x_long(sa_cose *c) { sa_buf_add_u8(&c->x, 0x00); }
static void y_flip(sa_cose *c) { c->y.ptr[c->y.len - 1] ^= 0x01; }
static void x_zero(sa_cose *c) { memset(c->x.ptr, 0, c->x.len); memset(c->y.ptr, 0, c->y.len); }

static void
wrong_coordinate_length(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, x_short), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, y_short), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, y_long), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES256, y_missing), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES384, x_long), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES512, x_short), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_EDDSA, x_short), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_EDDSA, x_long), BR_ERR_COSE_KEY);
}

static void
point_not_on_curve(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, y_flip), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES384, y_flip), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_ES512, y_flip), BR_ERR_COSE_KEY);
	/* (0, 0) is not on any of them either */
	CHECK_ERR(parse_err(BR_COSE_ES256, x_zero), BR_ERR_COSE_KEY);
}

/* ---- private parts ---- */

static void add_d(sa_cose *c) { sa_buf_set(&c->d, "0123456789abcdef0123456789abcdef", 32); }

static void
private_key_member_present(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, add_d), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_EDDSA, add_d), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_RS256, add_d), BR_ERR_COSE_KEY);
}

/* ---- RSA ---- */

static void
rsa_1024_rejected(void)
{
	sa_key k;
	br_cose_key ck;

	k.alg = BR_COSE_RS256;
	k.pkey = sa_rsa_key(1024);
	CHECK_ERR(parse_mutated(&k, NULL, &ck), BR_ERR_COSE_KEY);
	CHECK(ck.pkey == NULL);
	sa_key_free(&k);
}

/* 256 bytes, but the top byte 0x7f: a 2047-bit modulus. */
static void n_2047_bits(sa_cose *c) { c->x.ptr[0] = 0x7f; }
/* 256 bytes with top byte 0x01: 2041 bits. */
static void n_2041_bits(sa_cose *c) { c->x.ptr[0] = 0x01; }
static void n_leading_zero(sa_cose *c)
{
	unsigned char z = 0;
	sa_buf n = { NULL, 0 };

	sa_buf_add(&n, &z, 1);
	sa_buf_add(&n, c->x.ptr, c->x.len);
	sa_buf_free(&c->x);
	c->x = n;
}
static void e_even(sa_cose *c) { sa_buf_set(&c->y, "\x01\x00\x00", 3); }
static void e_one(sa_cose *c) { sa_buf_set(&c->y, "\x01", 1); }
static void e_missing(sa_cose *c) { sa_buf_free(&c->y); }

static void
rsa_modulus_under_2048_bits(void)
{
	/* the modulus is 256 bytes long but has fewer than 2048 significant bits */
	CHECK_ERR(parse_err(BR_COSE_RS256, n_2047_bits), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_RS256, n_2041_bits), BR_ERR_COSE_KEY);
}

static void
rsa_malformed_numbers(void)
{
	CHECK_ERR(parse_err(BR_COSE_RS256, n_leading_zero), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_RS256, e_even), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_RS256, e_one), BR_ERR_COSE_KEY);
	CHECK_ERR(parse_err(BR_COSE_RS256, e_missing), BR_ERR_COSE_KEY);
}

/* ---- alg ---- */

static void alg_unknown(sa_cose *c) { c->alg = -999; }
static void alg_zero(sa_cose *c) { c->alg = 0; }
static void alg_huge(sa_cose *c) { c->alg = -4294967297LL; }

static void
unknown_alg(void)
{
	CHECK_ERR(parse_err(BR_COSE_ES256, alg_unknown), BR_ERR_ALGORITHM);
	CHECK_ERR(parse_err(BR_COSE_ES256, alg_zero), BR_ERR_ALGORITHM);
	CHECK_ERR(parse_err(BR_COSE_ES256, alg_huge), BR_ERR_ALGORITHM);
}

/* ---- encoding ---- */

static void
not_a_map_or_trailing(void)
{
	static const unsigned char arr[] = { 0x82, 0x01, 0x02 };
	/* {1: 2, 3: "ES256"} : alg as text */
	static const unsigned char txt_alg[] = {
		0xa2, 0x01, 0x02, 0x03, 0x65, 'E', 'S', '2', '5', '6',
	};
	br_cose_key ck;
	sa_key k;
	sa_buf b = { NULL, 0 };

	CHECK_ERR(br_cose_key_parse(arr, sizeof(arr), &ck), BR_ERR_COSE_KEY);
	CHECK_ERR(br_cose_key_parse(txt_alg, sizeof(txt_alg), &ck), BR_ERR_COSE_KEY);
	CHECK_ERR(br_cose_key_parse(arr, 0, &ck), BR_ERR_COSE_KEY);
	CHECK_ERR(br_cose_key_from_cbor(NULL, &ck), BR_ERR_COSE_KEY);

	sa_key_gen(BR_COSE_ES256, &k);
	sa_key_cose(&k, &b);
	CHECK_ERR(br_cose_key_parse(b.ptr, b.len, &ck), BR_OK);
	br_cose_key_reset(&ck);
	/* the key must span all the bytes */
	sa_buf_add_u8(&b, 0x00);
	CHECK_ERR(br_cose_key_parse(b.ptr, b.len, &ck), BR_ERR_COSE_KEY);
	CHECK(ck.pkey == NULL);
	/* and every byte of it */
	CHECK_ERR(br_cose_key_parse(b.ptr, b.len - 2, &ck), BR_ERR_COSE_KEY);
	sa_buf_free(&b);
	sa_key_free(&k);
}

static void
duplicate_label(void)
{
	/* {1: 2, 3: -7, 1: 2, ...}: a duplicate kty */
	sa_key k;
	sa_buf b = { NULL, 0 };
	br_cose_key ck;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_key_cose(&k, &b);
	CHECK(b.ptr[0] == 0xa5);
	b.ptr[0] = 0xa6;
	sa_buf_add_u8(&b, 0x01);
	sa_buf_add_u8(&b, 0x02);
	CHECK_ERR(br_cose_key_parse(b.ptr, b.len, &ck), BR_ERR_COSE_KEY);
	sa_buf_free(&b);
	sa_key_free(&k);
}

/* ---- signatures ---- */

static br_err
verify_with(const sa_key *k, int alg, const sa_buf *sig)
{
	br_cose_key ck;
	br_err r;

	CHECK_ERR(parse_mutated(k, NULL, &ck), BR_OK);
	r = br_sig_verify(ck.pkey, alg, (const unsigned char *)msg, sizeof(msg),
	    sig->ptr, sig->len);
	br_cose_key_reset(&ck);
	return r;
}

static void
signature_flipped_bit(void)
{
	sa_key k;
	sa_buf sig = { NULL, 0 };
	size_t i;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_sign(k.pkey, k.alg, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&k, k.alg, &sig), BR_OK);
	/* every single bit matters */
	for (i = 0; i < sig.len * 8; i++) {
		sig.ptr[i / 8] ^= (unsigned char)(1u << (i % 8));
		CHECK_ERR(verify_with(&k, k.alg, &sig), BR_ERR_SIGNATURE);
		sig.ptr[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	sa_buf_free(&sig);
	sa_key_free(&k);
}

static void
signature_empty_or_truncated(void)
{
	sa_key k;
	sa_buf sig = { NULL, 0 };

	sa_key_gen(BR_COSE_EDDSA, &k);
	sa_sign(k.pkey, k.alg, msg, sizeof(msg), &sig);
	sig.len--;
	CHECK_ERR(verify_with(&k, k.alg, &sig), BR_ERR_SIGNATURE);
	sig.len = 0;
	CHECK_ERR(verify_with(&k, k.alg, &sig), BR_ERR_SIGNATURE);
	sa_buf_free(&sig);
	sa_key_free(&k);
}

static void
ecdsa_raw_signature_rejected(void)
{
	/* r || s without the DER wrapping that WebAuthn requires */
	sa_key k;
	sa_buf sig = { NULL, 0 }, raw = { NULL, 0 };
	const unsigned char *p;
	size_t rl, sl;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_sign(k.pkey, k.alg, msg, sizeof(msg), &sig);
	CHECK(sig.ptr[0] == 0x30 && sig.ptr[2] == 0x02);
	p = sig.ptr + 3;
	rl = sig.ptr[3];
	sl = p[1 + rl + 1];
	sa_buf_add(&raw, p + 1 + (rl == 33), rl - (rl == 33));
	sa_buf_add(&raw, p + 1 + rl + 2 + (sl == 33), sl - (sl == 33));
	CHECK_ERR(verify_with(&k, k.alg, &raw), BR_ERR_SIGNATURE);
	/* DER with trailing junk */
	sa_buf_add_u8(&sig, 0x00);
	CHECK_ERR(verify_with(&k, k.alg, &sig), BR_ERR_SIGNATURE);
	sa_buf_free(&sig);
	sa_buf_free(&raw);
	sa_key_free(&k);
}

static void
rsa_padding_confusion(void)
{
	sa_key k;
	sa_buf sig = { NULL, 0 };

	/* PKCS#1 v1.5 signature presented as PSS, and the other way round */
	sa_key_gen(BR_COSE_RS256, &k);
	sa_sign(k.pkey, BR_COSE_RS256, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&k, BR_COSE_RS256, &sig), BR_OK);
	CHECK_ERR(verify_with(&k, BR_COSE_PS256, &sig), BR_ERR_SIGNATURE);
	CHECK_ERR(verify_with(&k, BR_COSE_RS384, &sig), BR_ERR_SIGNATURE);
	sa_sign(k.pkey, BR_COSE_PS256, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&k, BR_COSE_PS256, &sig), BR_OK);
	CHECK_ERR(verify_with(&k, BR_COSE_RS256, &sig), BR_ERR_SIGNATURE);
	CHECK_ERR(verify_with(&k, BR_COSE_PS384, &sig), BR_ERR_SIGNATURE);
	sa_buf_free(&sig);
	sa_key_free(&k);
}

static void
pss_salt_length_must_be_digest_length(void)
{
	/* a PSS signature with a 0-byte salt is valid PSS but not COSE PS256 */
	sa_key k;
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[512];
	size_t n = sizeof(sig);
	sa_buf s = { NULL, 0 };

	sa_key_gen(BR_COSE_PS256, &k);
	SA_REQUIRE((md = EVP_MD_CTX_new()) != NULL);
	SA_REQUIRE(EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, k.pkey, NULL) == 1);
	SA_REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
	SA_REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 0) == 1);
	SA_REQUIRE(EVP_DigestSign(md, sig, &n, (const unsigned char *)msg, sizeof(msg)) == 1);
	EVP_MD_CTX_free(md);
	sa_buf_set(&s, sig, n);
	CHECK_ERR(verify_with(&k, BR_COSE_PS256, &s), BR_ERR_SIGNATURE);
	sa_buf_free(&s);
	sa_key_free(&k);
}

static void
signature_from_other_key(void)
{
	sa_key k, other;
	sa_buf sig = { NULL, 0 };

	sa_key_gen(BR_COSE_ES256, &k);
	sa_key_gen(BR_COSE_ES256, &other);
	sa_sign(other.pkey, BR_COSE_ES256, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&k, BR_COSE_ES256, &sig), BR_ERR_SIGNATURE);
	sa_key_free(&other);
	sa_key_gen(BR_COSE_EDDSA, &other);
	sa_key_free(&k);
	sa_key_gen(BR_COSE_EDDSA, &k);
	sa_sign(other.pkey, BR_COSE_EDDSA, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&k, BR_COSE_EDDSA, &sig), BR_ERR_SIGNATURE);
	sa_buf_free(&sig);
	sa_key_free(&other);
	sa_key_free(&k);
}

static void
alg_does_not_fit_key(void)
{
	sa_key ec, p384, ed, rsa;
	sa_buf sig = { NULL, 0 };

	sa_key_gen(BR_COSE_ES256, &ec);
	sa_key_gen(BR_COSE_ES384, &p384);
	sa_key_gen(BR_COSE_EDDSA, &ed);
	sa_key_gen(BR_COSE_RS256, &rsa);
	sa_sign(ec.pkey, BR_COSE_ES256, msg, sizeof(msg), &sig);
	CHECK_ERR(verify_with(&ec, BR_COSE_RS256, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&ec, BR_COSE_EDDSA, &sig), BR_ERR_ALGORITHM);
	/* ES384 names P-384: a P-256 key does not do */
	CHECK_ERR(verify_with(&ec, BR_COSE_ES384, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&p384, BR_COSE_ES256, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&ed, BR_COSE_ES256, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&rsa, BR_COSE_ES256, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&rsa, BR_COSE_EDDSA, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(verify_with(&ec, -999, &sig), BR_ERR_ALGORITHM);
	CHECK_ERR(br_sig_verify(NULL, BR_COSE_ES256, (const unsigned char *)msg, 1,
	    sig.ptr, sig.len), BR_ERR_ALGORITHM);
	sa_buf_free(&sig);
	sa_key_free(&ec);
	sa_key_free(&p384);
	sa_key_free(&ed);
	sa_key_free(&rsa);
}

/* ---- shared keys (br_cose_key_new / ref / unref) ---- */

/* br_cose_key_new gives what br_cose_key_parse gives, for the key of k mutated. */
static br_err
new_and_parse_agree(const sa_key *k, void (*mutate)(sa_cose *))
{
	const br_cose_key *sk = (const br_cose_key *)(uintptr_t)1;
	br_cose_key ck;
	sa_cose c;
	sa_buf b = { NULL, 0 };
	br_err r, rp;

	sa_cose_from_key(k, &c);
	if (mutate != NULL)
		mutate(&c);
	sa_cose_encode(&c, &b);
	r = br_cose_key_new(b.ptr, b.len, &sk);
	rp = br_cose_key_parse(b.ptr, b.len, &ck);
	CHECK_ERR(r, rp);
	if (r == BR_OK) {
		CHECK(sk != NULL && sk->pkey != NULL);
		CHECK_INT(sk->alg, ck.alg);
		CHECK_INT(sk->kty, ck.kty);
		CHECK(EVP_PKEY_eq(sk->pkey, ck.pkey) == 1);
	} else {
		CHECK(sk == NULL);
	}
	br_cose_key_unref(sk);
	br_cose_key_reset(&ck);
	sa_cose_free(&c);
	sa_buf_free(&b);
	return r;
}

static void
shared_key_parses_like_parse(void)
{
	size_t i;
	sa_key k;

	for (i = 0; i < sa_n_algs; i++) {
		sa_key_gen(sa_algs[i], &k);
		CHECK_ERR(new_and_parse_agree(&k, NULL), BR_OK);
		sa_key_free(&k);
	}
	sa_key_gen(BR_COSE_ES256, &k);
	CHECK_ERR(new_and_parse_agree(&k, add_d), BR_ERR_COSE_KEY);
	CHECK_ERR(new_and_parse_agree(&k, alg_unknown), BR_ERR_ALGORITHM);
	sa_key_free(&k);
	sa_key_gen(BR_COSE_RS256, &k);
	CHECK_ERR(new_and_parse_agree(&k, e_even), BR_ERR_COSE_KEY);
	sa_key_free(&k);
}

static void
shared_key_refs(void)
{
	static const unsigned char arr[] = { 0x82, 0x01, 0x02 };
	const br_cose_key *sk = NULL, *r2;
	sa_buf sig = { NULL, 0 };
	sa_buf b = { NULL, 0 };
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_key_cose(&k, &b);
	CHECK_ERR(br_cose_key_new(b.ptr, b.len, &sk), BR_OK);
	r2 = br_cose_key_ref(sk);
	CHECK(r2 == sk);
	/* the first holder lets go; the second still verifies with it */
	br_cose_key_unref(sk);
	sa_sign(k.pkey, BR_COSE_ES256, msg, sizeof(msg), &sig);
	CHECK_ERR(br_sig_verify(r2->pkey, r2->alg, (const unsigned char *)msg, sizeof(msg),
	    sig.ptr, sig.len), BR_OK);
	br_cose_key_unref(r2);    /* the last: freed (LeakSanitizer checks) */
	br_cose_key_unref(NULL);
	CHECK_ERR(br_cose_key_new(arr, sizeof(arr), &sk), BR_ERR_COSE_KEY);
	CHECK(sk == NULL);
	CHECK_ERR(br_cose_key_new(NULL, 0, &sk), BR_ERR_COSE_KEY);
	CHECK(sk == NULL);
	sa_buf_free(&sig);
	sa_buf_free(&b);
	sa_key_free(&k);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(every_alg_parses_and_verifies),
		UNIT_CASE(kty_labels),
		UNIT_CASE(alg_names_both_ways),
		UNIT_CASE(es256_with_p384_crv),
		UNIT_CASE(es384_key_labelled_es256_curve),
		UNIT_CASE(es256_key_labelled_es384),
		UNIT_CASE(eddsa_with_ec2_kty),
		UNIT_CASE(eddsa_with_other_curves),
		UNIT_CASE(es256_with_okp_or_rsa_kty),
		UNIT_CASE(ec_key_labelled_rsa_or_eddsa),
		UNIT_CASE(rsa_with_ec2_kty),
		UNIT_CASE(alg_missing),
		UNIT_CASE(wrong_coordinate_length),
		UNIT_CASE(point_not_on_curve),
		UNIT_CASE(private_key_member_present),
		UNIT_CASE(rsa_1024_rejected),
		UNIT_CASE(rsa_modulus_under_2048_bits),
		UNIT_CASE(rsa_malformed_numbers),
		UNIT_CASE(unknown_alg),
		UNIT_CASE(not_a_map_or_trailing),
		UNIT_CASE(duplicate_label),
		UNIT_CASE(signature_flipped_bit),
		UNIT_CASE(signature_empty_or_truncated),
		UNIT_CASE(ecdsa_raw_signature_rejected),
		UNIT_CASE(rsa_padding_confusion),
		UNIT_CASE(pss_salt_length_must_be_digest_length),
		UNIT_CASE(signature_from_other_key),
		UNIT_CASE(alg_does_not_fit_key),
		UNIT_CASE(shared_key_parses_like_parse),
		UNIT_CASE(shared_key_refs),
	};
	int rc;

	sa_init();
	rc = unit_run("cose", cases, UNIT_N(cases));
	sa_cleanup();
	return rc;
}
