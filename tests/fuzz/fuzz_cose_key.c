/*
 * br_cose_key_parse: the input is one COSE_Key (CBOR map).
 * On BR_OK: the algorithm is known, kty matches it, the OpenSSL key has the
 * type (and curve) the algorithm needs, a garbage signature is refused as a
 * bad signature (not as an algorithm/key mismatch), and the key must span the
 * input exactly (a truncated copy or one with a trailing byte fails).
 * On failure no key is left behind.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cose.h"
#include "fuzz_common.h"

static int
kty_for(int alg)
{
	switch (alg) {
	case BR_COSE_ES256:
	case BR_COSE_ES384:
	case BR_COSE_ES512:
		return BR_COSE_KTY_EC2;
	case BR_COSE_EDDSA:
		return BR_COSE_KTY_OKP;
	default:
		return BR_COSE_KTY_RSA;
	}
}

static int
ec_bits_for(int alg)
{
	switch (alg) {
	case BR_COSE_ES256:
		return 256;
	case BR_COSE_ES384:
		return 384;
	default:
		return 521;
	}
}

static void
check_key(const br_cose_key *k)
{
	static const unsigned char msg[] = "fuzz";
	/* DER-looking but not a valid signature for any key */
	static const unsigned char sig[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
	br_err r;

	FZ_CHECK(k->pkey != NULL);
	FZ_CHECK(br_cose_alg_known(k->alg));
	FZ_CHECK(br_cose_alg_name(k->alg) != NULL);
	FZ_CHECK(k->kty == kty_for(k->alg));
	switch (k->kty) {
	case BR_COSE_KTY_EC2:
		FZ_CHECK(EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_EC);
		FZ_CHECK(EVP_PKEY_get_bits(k->pkey) == ec_bits_for(k->alg));
		break;
	case BR_COSE_KTY_OKP:
		FZ_CHECK(EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_ED25519);
		break;
	default:
		FZ_CHECK(EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA);
		FZ_CHECK(EVP_PKEY_get_bits(k->pkey) >= 2048 && EVP_PKEY_get_bits(k->pkey) <= 16384);
		break;
	}
	r = br_sig_verify(k->pkey, k->alg, msg, sizeof(msg) - 1, sig, sizeof(sig));
	FZ_CHECK(r == BR_ERR_SIGNATURE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_cose_key k;
	unsigned char *longer;
	br_err r;

	r = br_cose_key_parse(data, size, &k);
	FZ_CHECK(r == BR_OK || r == BR_ERR_COSE_KEY || r == BR_ERR_ALGORITHM);
	if (r != BR_OK) {
		FZ_CHECK(k.pkey == NULL);
		fz_end_input();
		return 0;
	}
	check_key(&k);
	br_cose_key_reset(&k);
	FZ_CHECK(k.pkey == NULL);

	/* the key spans all the bytes: neither a prefix nor a longer input is a key */
	FZ_CHECK(br_cose_key_parse(data, size - 1, &k) != BR_OK);
	FZ_CHECK(k.pkey == NULL);
	FZ_CHECK((longer = malloc(size + 1)) != NULL);
	memcpy(longer, data, size);
	longer[size] = 0x00;
	FZ_CHECK(br_cose_key_parse(longer, size + 1, &k) != BR_OK);
	FZ_CHECK(k.pkey == NULL);
	free(longer);
	fz_end_input();
	return 0;
}
