#include "attest_common.h"

#include <limits.h>

#include <openssl/evp.h>

int
br_att_der_next(br_cursor *c, br_der_tlv *t)
{
	uint8_t b, n;
	uint32_t tag;
	size_t len;
	const unsigned char *p;

	if (br_cursor_u8(c, &b) < 0)
		return -1;
	t->cls = (uint8_t)(b >> 6);
	t->cons = (b & 0x20) != 0;
	tag = b & 0x1f;
	if (tag == 0x1f) {
		/* high tag number form: base 128, no leading 0x80, at least 31 */
		tag = 0;
		do {
			if (br_cursor_u8(c, &b) < 0)
				return -1;
			if (tag == 0 && b == 0x80)
				return -1;
			if (tag > (UINT32_MAX >> 7))
				return -1;
			tag = tag << 7 | (b & 0x7f);
		} while (b & 0x80);
		if (tag < 0x1f)
			return -1;
	}
	t->tag = tag;

	if (br_cursor_u8(c, &b) < 0)
		return -1;
	if (b < 0x80) {
		len = b;
	} else {
		/* 0x80 is the indefinite form, which DER forbids */
		n = b & 0x7f;
		if (n == 0 || n > 4)
			return -1;
		len = 0;
		while (n-- > 0) {
			if (br_cursor_u8(c, &b) < 0)
				return -1;
			if (len == 0 && b == 0)
				return -1; /* leading zero: not minimal */
			len = len << 8 | b;
		}
		if (len < 0x80)
			return -1; /* fits the short form */
	}
	if (br_cursor_take(c, &p, len) < 0)
		return -1;
	t->val.ptr = p;
	t->val.len = len;
	return 0;
}

int
br_att_der_single(br_span in, br_der_tlv *t)
{
	br_cursor c = { in.ptr, in.len };

	if (br_att_der_next(&c, t) < 0 || c.left != 0)
		return -1;
	return 0;
}

int
br_att_der_is(const br_der_tlv *t, uint8_t cls, int cons, uint32_t tag)
{
	return t->cls == cls && (t->cons != 0) == (cons != 0) && t->tag == tag;
}

int
br_att_der_int(const br_der_tlv *t, int64_t *v)
{
	const unsigned char *p = t->val.ptr;
	size_t i, n = t->val.len;
	uint64_t u;

	if (t->cons || n == 0 || n > 8)
		return -1;
	/* two's complement, minimal: the first 9 bits are not all equal */
	if (n > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) ||
	    (p[0] == 0xff && (p[1] & 0x80))))
		return -1;
	u = (p[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < n; i++)
		u = u << 8 | p[i];
	*v = (int64_t)u;
	return 0;
}

int
br_att_sha256_tbs(const br_attest_ctx *ctx, unsigned char out[BR_SHA256_LEN])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok;

	ok = m != NULL && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
	    (ctx->auth_data.len == 0 ||
	     EVP_DigestUpdate(m, ctx->auth_data.ptr, ctx->auth_data.len) == 1) &&
	    EVP_DigestUpdate(m, ctx->client_data_hash, BR_SHA256_LEN) == 1 &&
	    EVP_DigestFinal_ex(m, out, &n) == 1 && n == BR_SHA256_LEN;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

int
br_att_cert_ext_once(X509 *cert, const char *oid, br_span *val)
{
	ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *os;
	X509_EXTENSION *ext;
	int idx, again, len;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL)
		return -1;
	idx = X509_get_ext_by_OBJ(cert, obj, -1);
	again = idx < 0 ? -1 : X509_get_ext_by_OBJ(cert, obj, idx);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return 0;
	if (again >= 0 || (ext = X509_get_ext(cert, idx)) == NULL ||
	    (os = X509_EXTENSION_get_data(ext)) == NULL ||
	    (len = ASN1_STRING_length(os)) < 0)
		return -1;
	val->ptr = ASN1_STRING_get0_data(os);
	val->len = (size_t)len;
	return 1;
}

br_err
br_att_cert_key_eq(X509 *cert, const br_cose_key *key)
{
	EVP_PKEY *pk;

	if (key == NULL || key->pkey == NULL)
		return BR_ERR_INVALID_ARGUMENT;
	if ((pk = X509_get0_pubkey(cert)) == NULL)
		return BR_ERR_CERTIFICATE;
	/* 1 equal; 0 differ; negative: other key types or not comparable */
	return EVP_PKEY_eq(pk, key->pkey) == 1 ? BR_OK : BR_ERR_PUBLIC_KEY_MISMATCH;
}

br_err
br_att_att_sig_err(br_err e)
{
	return e == BR_ERR_SIGNATURE ? BR_ERR_ATTESTATION_SIGNATURE : e;
}

br_err
br_att_x5c(const br_attest_ctx *ctx, STACK_OF(X509) **chain)
{
	const cbor_item_t *x5c = br_cbor_map_str(ctx->att_stmt, "x5c");

	*chain = NULL;
	if (x5c == NULL)
		return BR_ERR_ATT_STMT;
	return br_x5c_decode(x5c, chain);
}

br_err
br_att_alg(const br_attest_ctx *ctx, int *alg)
{
	const cbor_item_t *it = br_cbor_map_str(ctx->att_stmt, "alg");
	int64_t v;

	/* the typed readers are not promised to take NULL */
	if (it == NULL || br_cbor_int(it, &v) < 0)
		return BR_ERR_ATT_STMT;
	if (v < INT_MIN || v > INT_MAX || !br_cose_alg_known((int)v))
		return BR_ERR_ALGORITHM;
	*alg = (int)v;
	return BR_OK;
}

br_err
br_att_sig(const br_attest_ctx *ctx, br_span *sig)
{
	const cbor_item_t *it = br_cbor_map_str(ctx->att_stmt, "sig");

	if (it == NULL || br_cbor_bytes(it, sig) < 0 || sig->len == 0)
		return BR_ERR_ATT_STMT;
	return BR_OK;
}
