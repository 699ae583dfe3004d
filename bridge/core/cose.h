/* COSE_Key (RFC 9052/9053) to OpenSSL keys, and signature checks per COSE alg. */
#ifndef BR_COSE_H
#define BR_COSE_H

#include <openssl/evp.h>

#include "buf.h"
#include "cbor_read.h"
#include "err.h"

enum {
	BR_COSE_ES256 = -7,
	BR_COSE_EDDSA = -8,
	BR_COSE_ES384 = -35,
	BR_COSE_ES512 = -36,
	BR_COSE_PS256 = -37,
	BR_COSE_PS384 = -38,
	BR_COSE_PS512 = -39,
	BR_COSE_RS256 = -257,
	BR_COSE_RS384 = -258,
	BR_COSE_RS512 = -259,
	BR_COSE_RS1 = -65535,
};

enum {
	BR_COSE_KTY_OKP = 1,
	BR_COSE_KTY_EC2 = 2,
	BR_COSE_KTY_RSA = 3,
};

/* A credential public key: the algorithm it is bound to and the OpenSSL key. */
typedef struct br_cose_key {
	int alg;
	int kty;
	EVP_PKEY *pkey;
} br_cose_key;

/*
 * Parse a COSE_Key from a decoded CBOR map. kty, alg and crv must agree
 * (ES256 needs EC2/P-256, EdDSA OKP/Ed25519, RSA for RS/PS); coordinates have
 * their exact lengths and EC points lie on the curve. The key is built with
 * EVP_PKEY_fromdata. Returns BR_OK or BR_ERR_COSE_KEY (BR_ERR_INTERNAL on OOM).
 */
br_err br_cose_key_from_cbor(const cbor_item_t *map, br_cose_key *out);
/* Same from bytes; the key must span all len bytes. */
br_err br_cose_key_parse(const unsigned char *p, size_t len, br_cose_key *out);
void br_cose_key_reset(br_cose_key *k);

/*
 * Shared keys: a parsed key on the heap with an atomic reference count, for a
 * caller that keeps keys between ceremonies and across threads (a cache).
 * br_cose_key_new parses exactly as br_cose_key_parse (same checks, same
 * errors) and hands out the first reference; br_cose_key_ref takes one more
 * and returns k; br_cose_key_unref drops one and frees the key with the last
 * (NULL is ignored). A shared key is never modified after br_cose_key_new, so
 * any number of threads may verify with it at once (OpenSSL allows concurrent
 * read-only use of an EVP_PKEY). ref and unref accept only keys made by
 * br_cose_key_new, never a br_cose_key filled by br_cose_key_parse.
 */
br_err br_cose_key_new(const unsigned char *p, size_t len, const br_cose_key **out);
const br_cose_key *br_cose_key_ref(const br_cose_key *k);
void br_cose_key_unref(const br_cose_key *k);

/* 1 for a COSE alg this verifier implements. */
int br_cose_alg_known(int alg);
/* Short name ("ES256", ...) or NULL. */
const char *br_cose_alg_name(int alg);
/* The alg a short name stands for (exact case: "EdDSA", not "EDDSA"); 0, or -1 if none. */
int br_cose_alg_from_name(const char *name, int *alg);

/*
 * Verify sig over msg with pkey using COSE algorithm alg. ECDSA signatures
 * are DER (as WebAuthn sends them), EdDSA raw, RSA PKCS#1 v1.5 or PSS.
 * For EC algorithms the key's curve must be the one alg names.
 * Returns BR_OK, BR_ERR_SIGNATURE, BR_ERR_ALGORITHM (alg/key type mismatch)
 * or BR_ERR_INTERNAL.
 */
br_err br_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg,
    size_t msglen, const unsigned char *sig, size_t siglen);

/*
 * Same over two concatenated parts (authenticatorData || clientDataHash)
 * without copying them.
 */
br_err br_sig_verify2(EVP_PKEY *pkey, int alg, br_span a, br_span b, br_span sig);

#endif
