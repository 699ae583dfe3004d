/* Certificate sign-in's checks: the chain, revocation, the usage rule, the recorded facts. */
#include "clientcert.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "text.h"
#include "timefmt.h"

#define JPKI_SIGNATURE_OU "JPKI for digital signature"
#define OID_MS_UPN "1.3.6.1.4.1.311.20.2.3"

static const char *const cc_names[BR_CC__COUNT] = {
	[BR_CC_OK] = "ok",
	[BR_CC_INTERNAL] = "internal",
	[BR_CC_HEADER] = "header_malformed",
	[BR_CC_CERTIFICATE] = "certificate",
	[BR_CC_UNTRUSTED] = "untrusted",
	[BR_CC_EXPIRED] = "expired",
	[BR_CC_NOT_YET_VALID] = "not_yet_valid",
	[BR_CC_REVOKED] = "revoked",
	[BR_CC_CRL_UNAVAILABLE] = "crl_unavailable",
	[BR_CC_USAGE] = "usage",
	[BR_CC_SIGNATURE_CERT] = "signature_certificate",
};

const char *
br_cc_strerr(br_cc_err e)
{
	return (unsigned)e < BR_CC__COUNT ? cc_names[e] : "unknown";
}

struct br_cc_anchors {
	STACK_OF(X509) *certs;
	STACK_OF(X509_CRL) *crls;
};

br_cc_anchors *
br_cc_anchors_new(void)
{
	br_cc_anchors *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->certs = sk_X509_new_null();
	a->crls = sk_X509_CRL_new_null();
	if (a->certs == NULL || a->crls == NULL) {
		br_cc_anchors_free(&a);
		return NULL;
	}
	return a;
}

void
br_cc_anchors_free(br_cc_anchors **ap)
{
	if (ap == NULL || *ap == NULL)
		return;
	sk_X509_pop_free((*ap)->certs, X509_free);
	sk_X509_CRL_pop_free((*ap)->crls, X509_CRL_free);
	free(*ap);
	*ap = NULL;
}

/* Every object of one PEM kind in the text; a text with none, or a broken one, is -1. */
int
br_cc_anchors_add_pem(br_cc_anchors *a, const char *pem, size_t len)
{
	STACK_OF(X509_INFO) *infos;
	X509_INFO *xi;
	BIO *bio;
	int i, n = 0, bad = 0;

	if (a == NULL || pem == NULL || len == 0 || len > INT_MAX ||
	    (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (infos == NULL)
		return -1;
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		xi = sk_X509_INFO_value(infos, i);
		if (xi->x509 == NULL)
			continue;
		if (sk_X509_push(a->certs, xi->x509) <= 0) {
			bad = 1;
			break;
		}
		xi->x509 = NULL;
		n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	ERR_clear_error();
	return bad || n == 0 ? -1 : 0;
}

int
br_cc_anchors_add_crl_pem(br_cc_anchors *a, const char *pem, size_t len)
{
	X509_CRL *crl;
	BIO *bio;
	int n = 0;

	if (a == NULL || pem == NULL || len == 0 || len > INT_MAX ||
	    (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_CRL_push(a->crls, crl) <= 0) {
			X509_CRL_free(crl);
			n = -1;
			break;
		}
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	return n > 0 ? 0 : -1;
}

size_t
br_cc_anchors_count(const br_cc_anchors *a)
{
	int n = a == NULL ? 0 : sk_X509_num(a->certs);

	return n < 0 ? 0 : (size_t)n;
}

size_t
br_cc_anchors_crl_count(const br_cc_anchors *a)
{
	int n = a == NULL ? 0 : sk_X509_CRL_num(a->crls);

	return n < 0 ? 0 : (size_t)n;
}

static br_cc_err
verify_error(int code)
{
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return BR_CC_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return BR_CC_NOT_YET_VALID;
	case X509_V_ERR_CERT_REVOKED:
		return BR_CC_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
		return BR_CC_CRL_UNAVAILABLE;
	default:
		return BR_CC_UNTRUSTED;
	}
}

br_cc_err
br_cc_verify(const br_cc_anchors *a, X509 *leaf, int check_crl, int64_t now)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *vp;
	br_cc_err r = BR_CC_INTERNAL;
	unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
	int i;

	if (a == NULL || leaf == NULL)
		return BR_CC_INTERNAL;
	if (br_cc_anchors_count(a) == 0)
		return BR_CC_UNTRUSTED;
	if ((store = X509_STORE_new()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL)
		goto out;
	for (i = 0; i < sk_X509_num(a->certs); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(a->certs, i)) != 1)
			goto out;
	if (check_crl) {
		for (i = 0; i < sk_X509_CRL_num(a->crls); i++)
			if (X509_STORE_add_crl(store, sk_X509_CRL_value(a->crls, i)) != 1)
				goto out;
		flags |= X509_V_FLAG_CRL_CHECK;
	}
	/*
	 * no untrusted intermediates and no purpose check here: what is not
	 * pinned does not count, and the usage rule (br_cc_check_usage) gives
	 * its own answer
	 */
	if (X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, (time_t)now);
	X509_VERIFY_PARAM_set_flags(vp, flags);
	if (X509_verify_cert(ctx) == 1)
		r = BR_CC_OK;
	else
		r = verify_error(X509_STORE_CTX_get_error(ctx));
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return r;
}

/* 1 when the name has an OU equal (ASCII case-insensitive) to want. */
static int
name_has_ou(const X509_NAME *name, const char *want)
{
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *d;
	size_t wl = strlen(want);
	int idx = -1;

	while ((idx = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, idx)) >= 0) {
		e = X509_NAME_get_entry(name, idx);
		d = X509_NAME_ENTRY_get_data(e);
		if ((size_t)ASN1_STRING_length(d) == wl &&
		    strncasecmp((const char *)ASN1_STRING_get0_data(d), want, wl) == 0)
			return 1;
	}
	return 0;
}

/* 1 when a certificate policy is in the list, -1 when the extension is broken. */
static int
has_refused_policy(X509 *cert, const char *const *refused, size_t n_refused)
{
	CERTIFICATEPOLICIES *pols;
	char oid[128];
	int i, crit = 0, hit = 0;
	size_t k;

	if (refused == NULL || n_refused == 0)
		return 0;
	pols = X509_get_ext_d2i(cert, NID_certificate_policies, &crit, NULL);
	if (pols == NULL)
		return crit == -1 ? 0 : -1; /* -1: absent; otherwise it did not decode */
	for (i = 0; i < sk_POLICYINFO_num(pols) && !hit; i++) {
		const POLICYINFO *pi = sk_POLICYINFO_value(pols, i);

		if (OBJ_obj2txt(oid, sizeof(oid), pi->policyid, 1) <= 0)
			continue;
		for (k = 0; k < n_refused && !hit; k++)
			hit = strcmp(oid, refused[k]) == 0;
	}
	CERTIFICATEPOLICIES_free(pols);
	return hit;
}

br_cc_err
br_cc_check_usage(X509 *cert, const char *const *refused, size_t n_refused)
{
	uint32_t ef, ku, xku;
	int pol;

	if (cert == NULL)
		return BR_CC_INTERNAL;
	ef = X509_get_extension_flags(cert);
	if (ef & EXFLAG_INVALID)
		return BR_CC_CERTIFICATE;
	if (X509_check_ca(cert) != 0)
		return BR_CC_USAGE;
	if (name_has_ou(X509_get_issuer_name(cert), JPKI_SIGNATURE_OU))
		return BR_CC_SIGNATURE_CERT;
	if ((pol = has_refused_policy(cert, refused, n_refused)) < 0)
		return BR_CC_CERTIFICATE;
	if (pol)
		return BR_CC_SIGNATURE_CERT;
	if (!(ef & EXFLAG_KUSAGE))
		return BR_CC_USAGE;
	ku = X509_get_key_usage(cert);
	if ((ku & KU_NON_REPUDIATION) && !(ku & KU_DIGITAL_SIGNATURE))
		return BR_CC_SIGNATURE_CERT;
	if (!(ku & KU_DIGITAL_SIGNATURE))
		return BR_CC_USAGE;
	if (ef & EXFLAG_XKUSAGE) {
		xku = X509_get_extended_key_usage(cert);
		if (!(xku & XKU_SSL_CLIENT))
			return BR_CC_USAGE;
	}
	return BR_CC_OK;
}

static void
hex_lower(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
sha256_hex(const unsigned char *p, size_t n, char out[BR_CC_HEX256])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	hex_lower(md, 32, out);
	return 0;
}

static int
asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = br_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	    (unsigned)tm.tm_mday) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/* RFC 2253 text of a name; -1 when it does not fit. */
static int
name_text(const X509_NAME *name, char *out, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int r = -1;

	if (bio == NULL)
		return -1;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) >= 0 && (size_t)n < cap) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		r = 0;
	}
	BIO_free(bio);
	return r;
}

br_cc_err
br_cc_facts_get(X509 *cert, br_cc_facts *f)
{
	unsigned char *der = NULL;
	const ASN1_INTEGER *sn;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	br_cc_err r = BR_CC_CERTIFICATE;
	int n;

	if (cert == NULL || f == NULL)
		return BR_CC_INTERNAL;
	memset(f, 0, sizeof(*f));
	if ((n = i2d_X509(cert, &der)) <= 0 || sha256_hex(der, (size_t)n, f->cert_sha256) != 0)
		goto out;
	OPENSSL_free(der);
	der = NULL;
	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der)) <= 0 ||
	    sha256_hex(der, (size_t)n, f->spki_sha256) != 0)
		goto out;
	if (name_text(X509_get_issuer_name(cert), f->issuer, sizeof(f->issuer)) != 0 ||
	    name_text(X509_get_subject_name(cert), f->subject, sizeof(f->subject)) != 0)
		goto out;
	if ((sn = X509_get0_serialNumber(cert)) == NULL || (bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL || strlen(hex) >= sizeof(f->serial))
		goto out;
	memcpy(f->serial, hex, strlen(hex) + 1);
	if (asn1_time_unix(X509_get0_notBefore(cert), &f->not_before) != 0 ||
	    asn1_time_unix(X509_get0_notAfter(cert), &f->not_after) != 0)
		goto out;
	r = BR_CC_OK;
out:
	OPENSSL_free(der);
	OPENSSL_free(hex);
	BN_free(bn);
	ERR_clear_error();
	if (r != BR_CC_OK)
		memset(f, 0, sizeof(*f));
	return r;
}

static int
copy_text(const ASN1_STRING *s, char *out, size_t cap)
{
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, s);
	int r = -1;

	if (n > 0 && (size_t)n < cap && br_utf8_ok(utf8, (size_t)n, 1, NULL)) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
		r = 0;
	}
	OPENSSL_free(utf8);
	return r;
}

static int
san_field(X509 *cert, int want_upn, char *out, size_t cap)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	ASN1_OBJECT *upn = want_upn ? OBJ_txt2obj(OID_MS_UPN, 1) : NULL;
	int i, r = -1;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && r != 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (!want_upn && g->type == GEN_EMAIL)
			r = copy_text(g->d.rfc822Name, out, cap);
		else if (want_upn && upn != NULL && g->type == GEN_OTHERNAME &&
		    OBJ_cmp(g->d.otherName->type_id, upn) == 0 &&
		    g->d.otherName->value->type == V_ASN1_UTF8STRING)
			r = copy_text(g->d.otherName->value->value.utf8string, out, cap);
	}
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(upn);
	return r;
}

int
br_cc_field(X509 *cert, const char *field, char *out, size_t cap)
{
	const X509_NAME *name;
	int nid, idx, r;

	if (cert == NULL || field == NULL || out == NULL || cap == 0)
		return -1;
	out[0] = '\0';
	if (strcmp(field, "email") == 0)
		r = san_field(cert, 0, out, cap);
	else if (strcmp(field, "upn") == 0)
		r = san_field(cert, 1, out, cap);
	else if ((nid = OBJ_txt2nid(field)) == NID_undef)
		r = -1;
	else {
		name = X509_get_subject_name(cert);
		idx = X509_NAME_get_index_by_NID(name, nid, -1);
		r = idx < 0 ? -1 : copy_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)), out, cap);
	}
	ERR_clear_error();
	if (r != 0)
		out[0] = '\0';
	return r;
}
