/*
 * A software WebAuthn authenticator (and client) for the unit tests: keys,
 * COSE_Key encoding, authenticatorData, clientDataJSON, signatures,
 * attestation objects in the formats that can be made in software, and
 * certificates from a test CA created at run time. Everything here is
 * written for the tests with OpenSSL 3 and libcbor; nothing is borrowed from
 * the verifier under test except its public types.
 *
 * The harness treats its own failures (OpenSSL or allocation errors) as
 * fatal: SA_REQUIRE prints file:line and exits non-zero.
 */
#ifndef SOFT_AUTHENTICATOR_H
#define SOFT_AUTHENTICATOR_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ceremony.h"
#include "cose.h"
#include "unit.h"

#define SA_RP_ID "login.example.edu"
#define SA_ORIGIN "https://login.example.edu"
#define SA_TOP_ORIGIN "https://portal.example.edu"
/* The instant the ceremonies happen at (2025-06-15); certificates are valid around it. */
#define SA_NOW ((int64_t)1750000000)
#define SA_DAY ((int64_t)86400)

#define SA_REQUIRE(c) do { \
	if (!(c)) \
		sa_die(__FILE__, __LINE__, #c); \
} while (0)

UNIT_NORETURN void sa_die(const char *file, int line, const char *what);

/* ---- byte buffers ---- */

typedef struct sa_buf {
	unsigned char *ptr;
	size_t len;
} sa_buf;

void sa_buf_add(sa_buf *b, const void *p, size_t n);
void sa_buf_add_u8(sa_buf *b, uint8_t v);
void sa_buf_set(sa_buf *b, const void *p, size_t n);
void sa_buf_str(sa_buf *b, const char *s);
void sa_buf_free(sa_buf *b);
br_span sa_span(const sa_buf *b);
br_span sa_span_str(const char *s);

void sa_rand(void *p, size_t n);
void sa_sha256(const void *p, size_t n, unsigned char out[32]);

/* ---- process-wide fixtures ---- */

/*
 * Create the shared fixtures once, before the cases fork: the 2048-bit RSA
 * key (slow to make), the packed/fido-u2f attestation key and the two test
 * roots. Lazily created otherwise. sa_cleanup frees them.
 */
void sa_init(void);
void sa_cleanup(void);

/* ---- credential keys ---- */

typedef struct sa_key {
	int alg;        /* the COSE alg the key is used with */
	EVP_PKEY *pkey;
} sa_key;

/* Every COSE algorithm the verifier implements. */
extern const int sa_algs[];
extern const size_t sa_n_algs;

/*
 * A key for alg. EC and EdDSA keys are fresh; the RSA algorithms share one
 * 2048-bit key per process (a second RSA key is never needed here).
 */
void sa_key_gen(int alg, sa_key *k);
void sa_key_free(sa_key *k);
/* A fresh EC key on the named curve ("P-256", "secp256k1", ...). */
EVP_PKEY *sa_ec_key(const char *curve);
/* A fresh RSA key of bits (for the small-modulus tests; not cached). */
EVP_PKEY *sa_rsa_key(unsigned bits);

/* ---- COSE_Key ---- */

/* A COSE_Key as fields, so tests can corrupt one member before encoding. */
typedef struct sa_cose {
	int64_t kty;
	int64_t alg;
	int has_alg;
	int64_t crv;
	int has_crv;
	sa_buf x;       /* EC2/OKP x; RSA n (label -1) */
	sa_buf y;       /* EC2 y; RSA e (label -2) */
	sa_buf d;       /* private part (EC2/OKP -4, RSA -3): written when non-empty */
} sa_cose;

void sa_cose_from_key(const sa_key *k, sa_cose *c);
void sa_cose_encode(const sa_cose *c, sa_buf *out);
void sa_cose_free(sa_cose *c);
/* The COSE_Key bytes of k. */
void sa_key_cose(const sa_key *k, sa_buf *out);

/* A CBOR integer item in its shortest encoding. */
cbor_item_t *sa_cbor_int(int64_t v);
/* Serialize it (the item is not released). */
void sa_cbor_serialize(const cbor_item_t *it, sa_buf *out);
/* Add key (text) -> value to a map; value is moved (its reference is handed over). */
void sa_map_put(cbor_item_t *map, const char *key, cbor_item_t *value);

/* ---- signatures ---- */

/*
 * Sign a || b with pk as COSE alg: ECDSA DER, EdDSA raw, RSA PKCS#1 v1.5 or
 * PSS with a salt as long as the digest.
 */
void sa_sign2(EVP_PKEY *pk, int alg, br_span a, br_span b, sa_buf *sig);
void sa_sign(EVP_PKEY *pk, int alg, const void *msg, size_t len, sa_buf *sig);
/* Flip one bit in the middle of a signature (DER stays well formed). */
void sa_flip_bit(sa_buf *sig);

/* ---- authenticatorData and clientDataJSON ---- */

/*
 * rpIdHash || flags || signCount, then attestedCredentialData when cose_key is
 * non-empty and the extensions CBOR when ext is non-empty -- whatever the
 * flags say, so tests can make them disagree.
 */
void sa_authdata(const char *rp_id, uint8_t flags, uint32_t sign_count,
    const unsigned char aaguid[16], br_span cred_id, br_span cose_key, br_span ext,
    sa_buf *out);

/* {"type":..,"challenge":b64url(challenge),"origin":..<extra>} */
void sa_client_data(const char *type, br_span challenge, const char *origin,
    const char *extra, sa_buf *out);

/* ---- certificates ---- */

typedef struct sa_ca {
	EVP_PKEY *key;
	X509 *cert;
} sa_ca;

/* The root the tests trust, and one they never trust. */
const sa_ca *sa_test_ca(void);
const sa_ca *sa_rogue_ca(void);
/* The P-256 key of the packed x5c / fido-u2f attestation certificates. */
EVP_PKEY *sa_attestation_key(void);

typedef struct sa_cert_opts {
	const char *country;          /* NULL: "US" */
	const char *org;              /* NULL: "Example Authenticators" */
	const char *ou;               /* NULL: "Authenticator Attestation"; "" leaves it out */
	const char *cn;               /* NULL: "Example Attestation" */
	int ca;                       /* basicConstraints CA:TRUE instead of CA:FALSE */
	int no_basic_constraints;
	int version1;                 /* an X.509 v1 certificate (no extensions) */
	const unsigned char *aaguid;  /* id-fido-gen-ce-aaguid extension when non-NULL */
	int aaguid_critical;
	int64_t not_before;           /* 0: SA_NOW - 365 days */
	int64_t not_after;            /* 0: SA_NOW + 3650 days */
	const char *ext_oid;          /* one more extension (non-critical) ... */
	br_span ext_der;              /* ... with these DER contents */
} sa_cert_opts;

/* A certificate for subject's public key issued (signed) by ca. */
X509 *sa_cert_issue(const sa_ca *ca, EVP_PKEY *subject, const sa_cert_opts *o);
void sa_cert_der(X509 *x, sa_buf *out);
/* New trust anchors holding the test root. */
br_trust *sa_trust_test_ca(void);

/* DER extension contents for the apple nonce and the android key description. */
void sa_apple_nonce_ext(const unsigned char nonce[32], sa_buf *out);
enum {
	SA_AK_ALL_APPLICATIONS = 1,   /* allApplications [600] in teeEnforced */
	SA_AK_NO_SIGN_PURPOSE = 2,    /* purpose {3} (verify) instead of {2} (sign) */
	SA_AK_IMPORTED = 4,           /* origin 2 (imported) instead of 0 (generated) */
	SA_AK_SOFTWARE_ONLY = 8,      /* purpose and origin in softwareEnforced only */
	SA_AK_NO_EXTENSION = 16,      /* (sa_reg_build) leave the extension out */
};
void sa_android_key_description(br_span challenge, int flags, sa_buf *out);

/* ---- attestation objects ---- */

/* {"fmt": fmt, "attStmt": stmt (moved), "authData": auth_data} */
void sa_att_obj(const char *fmt, cbor_item_t *stmt, br_span auth_data, sa_buf *out);

/* ---- policy ---- */

/*
 * rp id SA_RP_ID, origin SA_ORIGIN, every algorithm offered, uv preferred,
 * no cross-origin, safetynet accepted, counter regressions only flagged.
 */
void sa_policy_default(br_policy *p);

/* ---- registration ceremonies ---- */

typedef enum sa_fmt {
	SA_FMT_NONE = 0,
	SA_FMT_PACKED_SELF,
	SA_FMT_PACKED_X5C,
	SA_FMT_FIDO_U2F,
	SA_FMT_APPLE,
	SA_FMT_ANDROID_KEY,
} sa_fmt;

/* What to build; a zeroed struct is a valid ES256 "none" registration. */
typedef struct sa_reg_opts {
	int alg;                      /* credential algorithm; 0: ES256 */
	sa_fmt fmt;
	const char *fmt_name;         /* written instead of the format's own name */
	/* clientDataJSON */
	const char *type;             /* NULL: "webauthn.create" */
	const char *origin;           /* NULL: SA_ORIGIN */
	const char *client_extra;     /* members appended, e.g. ",\"crossOrigin\":true" */
	const char *client_json;      /* the whole clientDataJSON, verbatim */
	int wrong_challenge;          /* clientDataJSON carries another challenge */
	/* authenticatorData */
	const char *rp_id;            /* hashed into rpIdHash; NULL: SA_RP_ID */
	int flags_set;                /* use flags instead of UP|UV|AT */
	uint8_t flags;
	uint32_t sign_count;
	size_t cred_id_len;           /* 0: 32 */
	int no_attested;              /* no attestedCredentialData bytes */
	br_span ext;                  /* extensions CBOR bytes */
	size_t trailing;              /* zero bytes appended to authData */
	size_t truncate;              /* bytes cut from the end of authData */
	void (*mutate_cose)(sa_cose *c);  /* corrupt the credential key's COSE_Key */
	/* attestation statement */
	int stmt_alg;                 /* alg written in attStmt; 0: the signer's */
	int flip_sig;                 /* flip a bit of the attestation signature */
	int stmt_extra;               /* one more member in attStmt */
	sa_cert_opts cert;            /* the x5c leaf */
	int no_cert_aaguid;           /* packed x5c: leave the AAGUID extension out */
	int untrusted_ca;             /* the leaf is issued by the rogue root */
	const char *att_curve;        /* fido-u2f: curve of the attestation cert key */
	int apple_wrong_nonce;
	int leaf_other_key;           /* apple/android-key: leaf key is not the credential's */
	int android_wrong_challenge;
	int android_flags;            /* SA_AK_* */
	/* response */
	int raw_id_mismatch;          /* rawId differs from the attested id in one byte */
} sa_reg_opts;

typedef struct sa_reg {
	br_policy policy;             /* in.policy points here: tests may edit it */
	br_reg_input in;
	br_trust *trust;              /* the test root for the x5c formats, else NULL */
	sa_key cred;
	unsigned char challenge[32];
	unsigned char aaguid[16];
	sa_buf cred_id, raw_id, cose, client_data, auth_data, att_obj;
} sa_reg;

void sa_reg_build(sa_reg *r, const sa_reg_opts *o);
void sa_reg_free(sa_reg *r);

/* The AAGUID every software authenticator here reports (fido-u2f: zeros). */
extern const unsigned char sa_aaguid[16];

/* ---- authentication ceremonies ---- */

typedef struct sa_auth_opts {
	const char *type;             /* NULL: "webauthn.get" */
	const char *origin;
	const char *client_extra;
	int wrong_challenge;
	const char *rp_id;
	int flags_set;                /* use flags instead of UP|UV */
	uint8_t flags;
	uint32_t sign_count;          /* the authenticator's new counter */
	uint32_t stored_count;        /* the counter the RP stored */
	br_span ext;
	size_t trailing;
	size_t truncate;
	int flip_sig;
	const sa_key *signer;         /* sign with this key instead of the credential's */
} sa_auth_opts;

typedef struct sa_auth {
	br_policy policy;
	br_stored_credential stored;
	br_auth_input in;
	unsigned char challenge[32];
	unsigned char user_handle[16];
	sa_buf cred_id, cose, client_data, auth_data, sig;
} sa_auth;

/*
 * An assertion by cred: the stored credential (id, COSE key, counter, user
 * handle) and the response, with the response's userHandle set and no
 * allow list.
 */
void sa_auth_build(sa_auth *a, const sa_key *cred, const sa_auth_opts *o);
void sa_auth_free(sa_auth *a);

#endif
