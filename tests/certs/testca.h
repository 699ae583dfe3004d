/*
 * A test PKI made at test time (no key or certificate is committed): JPKI-like
 * user-authentication and signature CAs and leaves (RSA 2048), a university
 * CA, an expired and a revoked leaf, another CA, and CRLs. Used by the unit
 * tests in-process and, through make_test_certs, by the nginx and sshd tests.
 */
#ifndef TESTCA_H
#define TESTCA_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Leaves, in the order of tca_leaf_names. */
enum tca_leaf {
	TCA_AUTH,         /* JPKI-like user authentication: opaque CN, KU digitalSignature */
	TCA_AUTH2,        /* the same person's renewed card: new key, serial and CN; policy 1.3.6.1.4.1.55555.1.2 */
	TCA_SIGN,         /* JPKI-like signature: KU digitalSignature+nonRepudiation, personal data */
	TCA_UNI,          /* university (bob): EKU clientAuth, SAN email bob@example.edu and UPN, subject UID */
	TCA_EXPIRED,      /* JPKI-like user authentication, expired a day ago */
	TCA_REVOKED,      /* JPKI-like user authentication, in the CRL */
	TCA_OTHER,        /* from a CA nobody configured */
	TCA_SERVER_ONLY,  /* university CA, EKU serverAuth only */
	TCA_NONREP_ONLY,  /* university CA, KU nonRepudiation only */
	TCA__LEAVES
};
enum tca_ca { TCA_CA_JPKI_AUTH, TCA_CA_JPKI_SIGN, TCA_CA_UNI, TCA_CA_OTHER, TCA__CAS };

extern const char *const tca_leaf_names[TCA__LEAVES];
extern const char *const tca_ca_names[TCA__CAS];

typedef struct tca_set {
	X509 *ca[TCA__CAS];
	EVP_PKEY *ca_key[TCA__CAS];
	X509 *leaf[TCA__LEAVES];
	EVP_PKEY *key[TCA__LEAVES];
	X509_CRL *crl_jpki;   /* JPKI user-auth CA: revokes TCA_REVOKED, current at now */
	X509_CRL *crl_uni;    /* university CA: empty, current at now */
} tca_set;

/* Everything valid around now (unix seconds). 0 or -1. */
int tca_make(tca_set *s, int64_t now);
void tca_free(tca_set *s);

/* PEM of one object, malloc'd NUL-terminated (free()). */
char *tca_cert_pem(X509 *x);
char *tca_crl_pem(X509_CRL *c);

/*
 * Writes into dir: ca-<name>.pem, <leaf>.pem, <leaf>.key (mode 0600),
 * crl-jpki.pem, crl-uni.pem, anchors.pem (the JPKI user-auth, JPKI signature
 * and university CAs). 0 or -1.
 */
int tca_write(const tca_set *s, const char *dir);

#endif
