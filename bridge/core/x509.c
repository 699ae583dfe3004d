#include "x509.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define OID_FIDO_AAGUID "1.3.6.1.4.1.45724.1.1.4"
/* Attestation chains are short; a long one is an attack on the verifier. */
#define X5C_MAX 8

struct br_trust {
	STACK_OF(X509) *certs;
};

br_trust *
br_trust_new(void)
{
	br_trust *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if ((t->certs = sk_X509_new_null()) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
br_trust_free(br_trust **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	sk_X509_pop_free((*tp)->certs, X509_free);
	free(*tp);
	*tp = NULL;
}

X509 *
br_x509_from_der(const unsigned char *p, size_t len)
{
	const unsigned char *q = p;
	X509 *x;

	if (p == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	if ((x = d2i_X509(NULL, &q, (long)len)) == NULL)
		return NULL;
	if ((size_t)(q - p) != len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int
br_trust_add_der(br_trust *t, const unsigned char *p, size_t len)
{
	X509 *x = br_x509_from_der(p, len);

	if (x == NULL)
		return -1;
	if (sk_X509_push(t->certs, x) <= 0) {
		X509_free(x);
		return -1;
	}
	return 0;
}

int
br_trust_add_pem(br_trust *t, const char *pem, size_t len)
{
	BIO *bio;
	X509 *x;
	int n = 0;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(t->certs, x) <= 0) {
			X509_free(x);
			BIO_free(bio);
			return -1;
		}
		n++;
	}
	BIO_free(bio);
	return n > 0 ? 0 : -1;
}

size_t
br_trust_count(const br_trust *t)
{
	int n = t == NULL ? 0 : sk_X509_num(t->certs);

	return n < 0 ? 0 : (size_t)n;
}

int
br_trust_add_all(br_trust *t, const br_trust *from)
{
	X509 *x;
	int i;

	for (i = 0; from != NULL && i < sk_X509_num(from->certs); i++) {
		x = sk_X509_value(from->certs, i);
		if (X509_up_ref(x) != 1)
			return -1;
		if (sk_X509_push(t->certs, x) <= 0) {
			X509_free(x);
			return -1;
		}
	}
	return 0;
}

br_err
br_x5c_decode(const cbor_item_t *x5c, STACK_OF(X509) **out)
{
	STACK_OF(X509) *chain = NULL;
	cbor_item_t **h;
	size_t i, n;
	br_span der;
	X509 *x;

	*out = NULL;
	if (x5c == NULL || !cbor_isa_array(x5c) || (n = cbor_array_size(x5c)) == 0 || n > X5C_MAX)
		return BR_ERR_ATT_STMT;
	h = cbor_array_handle(x5c);
	for (i = 0; i < n; i++)
		if (br_cbor_bytes(h[i], &der) < 0)
			return BR_ERR_ATT_STMT;
	if ((chain = sk_X509_new_null()) == NULL)
		return BR_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		(void)br_cbor_bytes(h[i], &der);
		if ((x = br_x509_from_der(der.ptr, der.len)) == NULL) {
			sk_X509_pop_free(chain, X509_free);
			return BR_ERR_CERTIFICATE;
		}
		if (sk_X509_push(chain, x) <= 0) {
			X509_free(x);
			sk_X509_pop_free(chain, X509_free);
			return BR_ERR_INTERNAL;
		}
	}
	*out = chain;
	return BR_OK;
}

br_err
br_x5c_decode_json(const json_t *x5c, STACK_OF(X509) **out)
{
	STACK_OF(X509) *chain = NULL;
	br_blob der = { NULL, 0 };
	const json_t *v;
	size_t i, n;
	X509 *x;
	br_err r = BR_ERR_ATT_STMT;

	*out = NULL;
	if (!json_is_array(x5c) || (n = json_array_size(x5c)) == 0 || n > X5C_MAX)
		return BR_ERR_ATT_STMT;
	if ((chain = sk_X509_new_null()) == NULL)
		return BR_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		v = json_array_get(x5c, i);
		if (!json_is_string(v) || br_b64std_decode(json_string_value(v), json_string_length(v), &der) < 0)
			goto fail;
		x = br_x509_from_der(der.ptr, der.len);
		br_blob_reset(&der);
		if (x == NULL) {
			r = BR_ERR_CERTIFICATE;
			goto fail;
		}
		if (sk_X509_push(chain, x) <= 0) {
			X509_free(x);
			r = BR_ERR_INTERNAL;
			goto fail;
		}
	}
	*out = chain;
	return BR_OK;
fail:
	sk_X509_pop_free(chain, X509_free);
	return r;
}

br_err
br_chain_verify(STACK_OF(X509) *chain, const br_trust *trust, int64_t now)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509_VERIFY_PARAM *vp;
	br_err r = BR_ERR_INTERNAL;
	int i;

	if (trust == NULL || br_trust_count(trust) == 0)
		return BR_OK;
	if (chain == NULL || sk_X509_num(chain) < 1)
		return BR_ERR_CERTIFICATE_CHAIN;
	if ((store = X509_STORE_new()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL ||
	    (untrusted = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 0; i < sk_X509_num(trust->certs); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(trust->certs, i)) != 1)
			goto out;
	for (i = 1; i < sk_X509_num(chain); i++)
		if (sk_X509_push(untrusted, sk_X509_value(chain, i)) <= 0)
			goto out;
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), untrusted) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, (time_t)now);
	/* an anchor may be an intermediate the vendor publishes, not only a root */
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	r = X509_verify_cert(ctx) == 1 ? BR_OK : BR_ERR_CERTIFICATE_CHAIN;
out:
	sk_X509_free(untrusted); /* borrowed certificates: free the stack only */
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return r;
}

const ASN1_OCTET_STRING *
br_cert_ext_data(X509 *cert, const char *oid, int *critical)
{
	ASN1_OBJECT *obj;
	X509_EXTENSION *ext;
	int idx;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL)
		return NULL;
	idx = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0 || (ext = X509_get_ext(cert, idx)) == NULL)
		return NULL;
	if (critical != NULL)
		*critical = X509_EXTENSION_get_critical(ext);
	return X509_EXTENSION_get_data(ext);
}

br_err
br_cert_check_aaguid(X509 *cert, const unsigned char aaguid[16])
{
	const ASN1_OCTET_STRING *os;
	const unsigned char *d;
	int critical = 0;

	if ((os = br_cert_ext_data(cert, OID_FIDO_AAGUID, &critical)) == NULL)
		return BR_OK;
	d = ASN1_STRING_get0_data(os);
	/* the extension value is itself an OCTET STRING of 16 bytes: 04 10 ... */
	if (critical || ASN1_STRING_length(os) != 18 || d[0] != 0x04 || d[1] != 0x10)
		return BR_ERR_AAGUID_MISMATCH;
	if (memcmp(d + 2, aaguid, 16) != 0)
		return BR_ERR_AAGUID_MISMATCH;
	return BR_OK;
}

int
br_cert_is_v3_leaf(X509 *cert)
{
	BASIC_CONSTRAINTS *bc;
	int crit = 0, ca = 0;

	if (X509_get_version(cert) != 2)
		return 0;
	bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);
	if (bc == NULL && crit != -1)
		return 0; /* present but unparsable, or repeated */
	if (bc != NULL) {
		ca = bc->ca != 0;
		BASIC_CONSTRAINTS_free(bc);
	}
	return !ca;
}
