/* Certificate helpers shared by the attestation formats. */
#ifndef BR_X509_H
#define BR_X509_H

#include <stdint.h>

#include <openssl/x509.h>

#include "cbor_read.h"
#include "err.h"

/* Caller-supplied trust anchors (root certificates). */
typedef struct br_trust br_trust;

br_trust *br_trust_new(void);
void br_trust_free(br_trust **t);
/* Add one DER certificate / every certificate in a PEM text. 0 or -1. */
int br_trust_add_der(br_trust *t, const unsigned char *p, size_t len);
int br_trust_add_pem(br_trust *t, const char *pem, size_t len);
size_t br_trust_count(const br_trust *t);
/* Add every anchor of from to t (references, not copies). 0 or -1. */
int br_trust_add_all(br_trust *t, const br_trust *from);

/*
 * x5c: a non-empty CBOR array of DER certificates, leaf first.
 * BR_ERR_ATT_STMT when not an array of byte strings, BR_ERR_CERTIFICATE when a
 * certificate does not parse (or has trailing bytes).
 */
br_err br_x5c_decode(const cbor_item_t *x5c, STACK_OF(X509) **out);
/*
 * The x5c of a JWS header (RFC 7515 4.1.6: the SafetyNet response, the MDS
 * blob): a non-empty JSON array of at most 8 strings, each the standard
 * base64 (padded) of one DER certificate, leaf first. BR_ERR_ATT_STMT when not
 * that shape, BR_ERR_CERTIFICATE when a certificate does not parse,
 * BR_ERR_INTERNAL; each caller names the error in its own terms.
 */
struct json_t;
br_err br_x5c_decode_json(const struct json_t *x5c, STACK_OF(X509) **out);
/* Decode one DER certificate that must span all len bytes; NULL on error. */
X509 *br_x509_from_der(const unsigned char *p, size_t len);

/*
 * Judge chain (leaf first, then intermediates) against trust at the instant
 * now (unix seconds). A trust of NULL or with no anchors judges nothing and
 * returns BR_OK. A self-signed root sent in the chain is not trusted unless
 * it is also an anchor. BR_ERR_CERTIFICATE_CHAIN on failure.
 */
br_err br_chain_verify(STACK_OF(X509) *chain, const br_trust *trust, int64_t now);

/*
 * id-fido-gen-ce-aaguid (1.3.6.1.4.1.45724.1.1.4): when the certificate has
 * it, it must be non-critical and hold an OCTET STRING equal to aaguid.
 * BR_OK when absent or equal, BR_ERR_AAGUID_MISMATCH otherwise.
 */
br_err br_cert_check_aaguid(X509 *cert, const unsigned char aaguid[16]);

/* 1 when the certificate is X.509 v3 and basicConstraints CA is false (or absent). */
int br_cert_is_v3_leaf(X509 *cert);

/* The DER contents (the bytes inside the OCTET STRING) of an extension by OID text, or NULL. */
const ASN1_OCTET_STRING *br_cert_ext_data(X509 *cert, const char *oid, int *critical);

#endif
