/*
 * Private helpers shared by the tpm, android-key, apple and android-safetynet
 * verifiers: a strict DER reader over br_cursor and a few checks they repeat.
 */
#ifndef BR_ATTEST_COMMON_H
#define BR_ATTEST_COMMON_H

#include <stdint.h>

#include <openssl/x509.h>

#include "attest.h"
#include "buf.h"
#include "err.h"

enum {
	BR_DER_UNIVERSAL = 0,
	BR_DER_CONTEXT = 2,
};

enum {
	BR_DER_INTEGER = 2,
	BR_DER_OCTET_STRING = 4,
	BR_DER_NULL = 5,
	BR_DER_ENUMERATED = 10,
	BR_DER_SEQUENCE = 16,
	BR_DER_SET = 17,
};

/* One DER TLV; val points into the input. */
typedef struct br_der_tlv {
	uint8_t cls;    /* BR_DER_UNIVERSAL, BR_DER_CONTEXT, ... */
	int cons;       /* constructed */
	uint32_t tag;
	br_span val;
} br_der_tlv;

/*
 * Read one TLV: definite, minimally encoded lengths and tag numbers only (DER).
 * 0, or -1 on malformed or truncated input.
 */
int br_att_der_next(br_cursor *c, br_der_tlv *t);
/* Exactly one TLV spanning all of in. 0 or -1. */
int br_att_der_single(br_span in, br_der_tlv *t);
/* 1 when t has this class, form and tag number. */
int br_att_der_is(const br_der_tlv *t, uint8_t cls, int cons, uint32_t tag);
/* Value of a minimally encoded INTEGER / ENUMERATED of at most 8 bytes. 0 or -1. */
int br_att_der_int(const br_der_tlv *t, int64_t *v);

/*
 * The DER contents of extension oid, which cert must carry exactly once (a
 * repeated extension would make "the" value ambiguous). 1 found, 0 absent,
 * -1 repeated or unusable.
 */
int br_att_cert_ext_once(X509 *cert, const char *oid, br_span *val);

/* out = SHA-256(authenticatorData || clientDataHash), without copying them. 0 or -1. */
int br_att_sha256_tbs(const br_attest_ctx *ctx, unsigned char out[BR_SHA256_LEN]);

/* cert's subject public key equals the credential public key. */
br_err br_att_cert_key_eq(X509 *cert, const br_cose_key *key);

/*
 * Map a br_sig_verify result for an attestation signature: a bad signature is
 * BR_ERR_ATTESTATION_SIGNATURE; BR_ERR_ALGORITHM (alg does not fit the key)
 * and BR_ERR_INTERNAL stay, as in the packed verifier.
 */
br_err br_att_att_sig_err(br_err e);

/* The required attStmt "x5c" member, decoded (leaf first). */
br_err br_att_x5c(const br_attest_ctx *ctx, STACK_OF(X509) **chain);

/* The required attStmt "alg" member: BR_ERR_ATT_STMT if absent or not an int, BR_ERR_ALGORITHM if unknown. */
br_err br_att_alg(const br_attest_ctx *ctx, int *alg);

/* The required attStmt "sig" member: a non-empty byte string. */
br_err br_att_sig(const br_attest_ctx *ctx, br_span *sig);

#endif
