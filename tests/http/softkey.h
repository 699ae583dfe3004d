/*
 * A minimal software passkey for the HTTP tests: one ES256 (P-256) key with
 * a random credential id, and the browser's side of both ceremonies in the
 * toJSON() form the bridge's script posts. Written for these tests with
 * OpenSSL 3, libcbor and jansson; nothing comes from the code under test.
 */
#ifndef HTTP_SOFTKEY_H
#define HTTP_SOFTKEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

/* authenticatorData flags */
#define SK_UP 0x01
#define SK_UV 0x04
#define SK_BE 0x08
#define SK_BS 0x10
#define SK_AT 0x40
#define SK_ED 0x80

typedef struct sk_key {
	EVP_PKEY *pkey;
	unsigned char cred_id[32];
	size_t cred_id_len;
	unsigned char aaguid[16];
	unsigned char user_handle[64]; /* from the registration options */
	size_t user_handle_len;
	uint32_t sign_count;           /* the next assertion uses sign_count + 1 */
	char cred_id_b64[64];          /* base64url of cred_id */
	char aaguid_text[37];          /* 8-4-4-4-12, lower case */
} sk_key;

/* A fresh key, random credential id, fixed AAGUID; exits on OpenSSL failure. */
void sk_key_new(sk_key *k);
void sk_key_free(sk_key *k);
/* Remember the user handle (base64url) the registration options named; -1 if malformed. */
int sk_key_set_user_handle(sk_key *k, const char *b64);

typedef struct sk_reg_opts {
	const char *type;      /* NULL: "webauthn.create" */
	const char *origin;    /* required */
	const char *rp_id;     /* hashed into rpIdHash; required */
	int flags_set;         /* flags instead of UP|UV|AT */
	uint8_t flags;
	const char *challenge; /* base64url, as in the options */
	const char *transports; /* NULL: ["internal"] */
} sk_reg_opts;

/* {"id","rawId","type","response":{clientDataJSON,attestationObject,transports},...}, fmt "none". */
json_t *sk_registration(const sk_key *k, const sk_reg_opts *o);

typedef struct sk_auth_opts {
	const char *type;      /* NULL: "webauthn.get" */
	const char *origin;
	const char *rp_id;
	const char *challenge;
	int flags_set;         /* flags instead of UP|UV */
	uint8_t flags;
	int no_user_handle;    /* userHandle null (username-first sign-in) */
	const unsigned char *user_handle; /* instead of k's */
	size_t user_handle_len;
	const sk_key *signer;  /* sign with this key's private key instead */
	const unsigned char *cred_id; /* claim this credential id instead */
	size_t cred_id_len;
} sk_auth_opts;

/*
 * {"id","rawId","type","response":{clientDataJSON,authenticatorData,signature,userHandle},...}.
 * Bumps k->sign_count (const-cast: the counter lives in the authenticator).
 */
json_t *sk_assertion(sk_key *k, const sk_auth_opts *o);

/* The key's COSE_Key bytes (malloc'd into *out). */
void sk_cose_key(const sk_key *k, unsigned char **out, size_t *n);

/* base64url without padding; malloc'd. */
char *sk_b64url(const void *p, size_t n);
/* Strict base64url decode (no padding); -1 on error. *out malloc'd. */
int sk_b64url_decode(const char *s, unsigned char **out, size_t *n);
/* Fill p with n random bytes (exits on failure). */
void sk_random(void *p, size_t n);

#endif
