/*
 * Client certificates for certificate sign-in (My Number Card / JPKI, a
 * university CA): the header a TLS front forwards, the chain checked against
 * pinned anchors and CRLs, the usage rule, the facts a pairing records, and
 * the OpenSSH form of the key. Pure: bytes, anchors and a time in, a verdict
 * out; the caller reads the files and the clock.
 */
#ifndef BR_CLIENTCERT_H
#define BR_CLIENTCERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "buf.h"

/* NB: the names (br_cc_strerr) are in audit lines and tests. Append; never renumber. */
typedef enum br_cc_err {
	BR_CC_OK = 0,
	BR_CC_INTERNAL,          /* internal: OpenSSL or allocation failure */
	BR_CC_HEADER,            /* header_malformed: not one of the forwarded forms */
	BR_CC_CERTIFICATE,       /* certificate: not one DER certificate, or a broken extension */
	BR_CC_UNTRUSTED,         /* untrusted: no chain to a configured anchor (another CA) */
	BR_CC_EXPIRED,           /* expired */
	BR_CC_NOT_YET_VALID,     /* not_yet_valid */
	BR_CC_REVOKED,           /* revoked: listed in a configured CRL */
	BR_CC_CRL_UNAVAILABLE,   /* crl_unavailable: CRLs asked for, none current for the issuer */
	BR_CC_USAGE,             /* usage: not a certificate for client authentication */
	BR_CC_SIGNATURE_CERT,    /* signature_certificate: a signing profile (JPKI 署名用) */
	BR_CC__COUNT
} br_cc_err;

const char *br_cc_strerr(br_cc_err e);

/* Longest header value looked at; a certificate with a 4096-bit key is ~2 KB. */
#define BR_CC_HEADER_MAX 16384

/*
 * One forwarded certificate, len bytes (no NUL needed), to its DER in *der:
 *  - RFC 9440 Client-Cert: an RFC 8941 byte sequence ":BASE64:" (standard
 *    alphabet, padding optional, nothing after the closing colon);
 *  - nginx $ssl_client_escaped_cert: URL-escaped PEM (%XX, strict hex);
 *  - PEM as Apache's SSL_CLIENT_CERT or nginx's $ssl_client_cert send it, with
 *    the line breaks kept, turned into spaces, or followed by tabs.
 * Leading and trailing spaces and tabs are dropped. The DER must be exactly one
 * certificate. BR_CC_HEADER or BR_CC_CERTIFICATE on failure (*der left empty).
 */
br_cc_err br_cc_header_decode(const char *v, size_t len, br_blob *der);

/* Pinned trust anchors (CA certificates, root or issuing) and the CRLs for them. */
typedef struct br_cc_anchors br_cc_anchors;

br_cc_anchors *br_cc_anchors_new(void);
void br_cc_anchors_free(br_cc_anchors **a);
/* Every certificate / CRL in a PEM text; 0, or -1 when there is none or one is broken. */
int br_cc_anchors_add_pem(br_cc_anchors *a, const char *pem, size_t len);
int br_cc_anchors_add_crl_pem(br_cc_anchors *a, const char *pem, size_t len);
size_t br_cc_anchors_count(const br_cc_anchors *a);
size_t br_cc_anchors_crl_count(const br_cc_anchors *a);

/*
 * The leaf against the anchors at now (unix seconds), with no system store:
 * an anchor may be an issuing CA (partial chains allowed). With check_crl,
 * the leaf must be covered by a current CRL of its issuer (a missing or
 * stale CRL is BR_CC_CRL_UNAVAILABLE, never a pass).
 */
br_cc_err br_cc_verify(const br_cc_anchors *a, X509 *leaf, int check_crl, int64_t now);

/*
 * Whether the certificate is meant for client authentication. The rule, in
 * this order:
 *  1. a CA certificate, or an extension OpenSSL cannot decode: refused;
 *  2. the issuer has OU "JPKI for digital signature" (the card's signature
 *     certificate), or a certificate policy among the n_refused dotted OIDs
 *     of refused (may be NULL when n_refused is 0): BR_CC_SIGNATURE_CERT;
 *  3. keyUsage with nonRepudiation (contentCommitment) but no
 *     digitalSignature: BR_CC_SIGNATURE_CERT;
 *  4. no keyUsage, or keyUsage without digitalSignature: BR_CC_USAGE;
 *  5. an extendedKeyUsage without clientAuth: BR_CC_USAGE.
 */
br_cc_err br_cc_check_usage(X509 *cert, const char *const *refused, size_t n_refused);

/* What a pairing records about a certificate. */
#define BR_CC_HEX256 65          /* 64 lowercase hex digits and NUL */
typedef struct br_cc_facts {
	char cert_sha256[BR_CC_HEX256];  /* of the DER certificate */
	char spki_sha256[BR_CC_HEX256];  /* of the DER SubjectPublicKeyInfo */
	char issuer[512];                /* RFC 2253, UTF-8 */
	char subject[512];
	char serial[96];                 /* uppercase hex, no separators */
	int64_t not_before, not_after;   /* unix seconds */
} br_cc_facts;

/* BR_CC_CERTIFICATE when a field does not fit or a time does not decode. */
br_cc_err br_cc_facts_get(X509 *cert, br_cc_facts *f);

/*
 * The first value of a field that `mapping` can match, into out (cap bytes,
 * UTF-8): the SAN rfc822Name ("email"), the SAN otherName UPN ("upn"), or a
 * subject attribute by its short name ("CN", "serialNumber", "UID", ...).
 * 0, or -1 when absent, not valid UTF-8 without controls, or too long.
 */
int br_cc_field(X509 *cert, const char *field, char *out, size_t cap);

/*
 * The certificate's RSA key as an OpenSSH authorized_keys line
 * "ssh-rsa BASE64 COMMENT" (no newline), malloc'd; comment may be NULL and
 * any byte outside printable ASCII in it becomes '_'. NULL when the key is not
 * RSA or on OOM.
 */
char *br_cc_ssh_rsa_line(X509 *cert, const char *comment);

#endif
