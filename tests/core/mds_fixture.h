/*
 * MDS3 blobs for the tests, made at run time: a test root, a blob signer it
 * certifies, the root's CRL, and compact JWS blobs signed by the signer. No
 * key or certificate is checked in.
 */
#ifndef MDS_FIXTURE_H
#define MDS_FIXTURE_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "soft_authenticator.h"

typedef struct mds_pki {
	sa_ca root;
	EVP_PKEY *signer_key;
	X509 *signer;
	sa_buf root_pem;        /* the pinned root, PEM */
	sa_buf crl_pem;         /* the root's CRL (empty, or revoking the signer) */
} mds_pki;

typedef struct mds_pki_opts {
	int rsa;                /* RS256 signer instead of ES256 */
	int64_t signer_not_after;  /* 0: SA_NOW + 365 days */
	int revoke_signer;
	int64_t crl_next_update;   /* 0: SA_NOW + 7 days */
	int64_t now;               /* the instant everything is valid around; 0: SA_NOW */
} mds_pki_opts;

/* A fresh root, signer and CRL (opts may be NULL). */
void mds_pki_make(mds_pki *p, const mds_pki_opts *o);
void mds_pki_free(mds_pki *p);

/* The compact JWS of payload (JSON text) with x5c = [signer], signed by key. */
void mds_jwt(const mds_pki *p, const char *payload, sa_buf *out);
/* The same with any header JSON and signing key (for the refusal cases). */
void mds_jwt_raw(const char *header, const char *payload, EVP_PKEY *key, int alg, sa_buf *out);
/* Standard base64 (padded) of a certificate's DER; free(). */
char *mds_cert_b64(X509 *x);

#endif
