#include "mds_fixture.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "b64url.h"

char *
mds_cert_b64(X509 *x)
{
	sa_buf der = { NULL, 0 };
	char *s;

	sa_cert_der(x, &der);
	SA_REQUIRE((s = malloc(4 * ((der.len + 2) / 3) + 1)) != NULL);
	SA_REQUIRE(EVP_EncodeBlock((unsigned char *)s, der.ptr, (int)der.len) > 0);
	sa_buf_free(&der);
	return s;
}

static void
pem_of_cert(X509 *x, sa_buf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	SA_REQUIRE(b != NULL && PEM_write_bio_X509(b, x) == 1);
	n = BIO_get_mem_data(b, &p);
	sa_buf_set(out, p, (size_t)n);
	BIO_free(b);
}

static void
make_crl(mds_pki *p, const mds_pki_opts *o)
{
	X509_CRL *crl;
	X509_REVOKED *rev;
	ASN1_TIME *t;
	BIO *b;
	char *s;
	long n;

	SA_REQUIRE((crl = X509_CRL_new()) != NULL);
	SA_REQUIRE(X509_CRL_set_version(crl, 1) == 1);
	SA_REQUIRE(X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->root.cert)) == 1);
	int64_t now = o->now != 0 ? o->now : SA_NOW;

	SA_REQUIRE((t = ASN1_TIME_set(NULL, (time_t)(now - SA_DAY))) != NULL);
	SA_REQUIRE(X509_CRL_set1_lastUpdate(crl, t) == 1);
	SA_REQUIRE(ASN1_TIME_set(t, (time_t)(o->crl_next_update != 0 ? o->crl_next_update : now + 7 * SA_DAY)) != NULL);
	SA_REQUIRE(X509_CRL_set1_nextUpdate(crl, t) == 1);
	if (o->revoke_signer) {
		SA_REQUIRE((rev = X509_REVOKED_new()) != NULL);
		SA_REQUIRE(X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(p->signer)) == 1);
		SA_REQUIRE(ASN1_TIME_set(t, (time_t)(now - 2 * SA_DAY)) != NULL);
		SA_REQUIRE(X509_REVOKED_set_revocationDate(rev, t) == 1);
		SA_REQUIRE(X509_CRL_add0_revoked(crl, rev) == 1);
	}
	ASN1_TIME_free(t);
	SA_REQUIRE(X509_CRL_sort(crl) == 1);
	SA_REQUIRE(X509_CRL_sign(crl, p->root.key, EVP_sha256()) > 0);
	SA_REQUIRE((b = BIO_new(BIO_s_mem())) != NULL && PEM_write_bio_X509_CRL(b, crl) == 1);
	n = BIO_get_mem_data(b, &s);
	sa_buf_set(&p->crl_pem, s, (size_t)n);
	BIO_free(b);
	X509_CRL_free(crl);
}

void
mds_pki_make(mds_pki *p, const mds_pki_opts *o)
{
	static const mds_pki_opts none;
	sa_cert_opts co;
	sa_ca self;
	int64_t now;

	if (o == NULL)
		o = &none;
	now = o->now != 0 ? o->now : SA_NOW;
	memset(p, 0, sizeof(*p));
	memset(&co, 0, sizeof(co));
	co.org = "Example Metadata PKI";
	co.ou = "";
	co.cn = "Example MDS Root";
	co.ca = 1;
	co.not_before = now - 3650 * SA_DAY;
	co.not_after = now + 3650 * SA_DAY;
	p->root.key = sa_ec_key("P-256");
	self.key = p->root.key;
	self.cert = NULL;
	p->root.cert = sa_cert_issue(&self, p->root.key, &co);

	memset(&co, 0, sizeof(co));
	co.org = "Example Metadata PKI";
	co.ou = "";
	co.cn = "mds.example.org";
	co.not_before = now - 30 * SA_DAY;
	co.not_after = o->signer_not_after != 0 ? o->signer_not_after : now + 365 * SA_DAY;
	p->signer_key = o->rsa ? sa_rsa_key(2048) : sa_ec_key("P-256");
	p->signer = sa_cert_issue(&p->root, p->signer_key, &co);
	pem_of_cert(p->root.cert, &p->root_pem);
	make_crl(p, o);
}

void
mds_pki_free(mds_pki *p)
{
	EVP_PKEY_free(p->root.key);
	X509_free(p->root.cert);
	EVP_PKEY_free(p->signer_key);
	X509_free(p->signer);
	sa_buf_free(&p->root_pem);
	sa_buf_free(&p->crl_pem);
	memset(p, 0, sizeof(*p));
}

static void
add_b64url(sa_buf *out, const void *p, size_t n)
{
	char *s = br_b64url_encode_alloc(p, n);

	SA_REQUIRE(s != NULL);
	sa_buf_str(out, s);
	free(s);
}

/* JWS ES256 wants r || s, not DER. */
static void
ecdsa_raw(const sa_buf *der, sa_buf *raw)
{
	const unsigned char *q = der->ptr;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)der->len);
	unsigned char rs[64];

	SA_REQUIRE(es != NULL);
	SA_REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32) == 32);
	SA_REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32) == 32);
	sa_buf_set(raw, rs, 64);
	ECDSA_SIG_free(es);
}

void
mds_jwt_raw(const char *header, const char *payload, EVP_PKEY *key, int alg, sa_buf *out)
{
	sa_buf sig = { NULL, 0 }, raw = { NULL, 0 };

	sa_buf_free(out);
	add_b64url(out, header, strlen(header));
	sa_buf_str(out, ".");
	add_b64url(out, payload, strlen(payload));
	sa_sign(key, alg, out->ptr, out->len, &sig);
	if (alg == BR_COSE_ES256) {
		ecdsa_raw(&sig, &raw);
		sa_buf_set(&sig, raw.ptr, raw.len);
	}
	sa_buf_str(out, ".");
	add_b64url(out, sig.ptr, sig.len);
	sa_buf_free(&sig);
	sa_buf_free(&raw);
}

void
mds_jwt(const mds_pki *p, const char *payload, sa_buf *out)
{
	char *leaf = mds_cert_b64(p->signer);
	int rsa = EVP_PKEY_get_base_id(p->signer_key) == EVP_PKEY_RSA;
	size_t n = strlen(leaf) + 64;
	char *h = malloc(n);

	SA_REQUIRE(h != NULL);
	snprintf(h, n, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"x5c\":[\"%s\"]}", rsa ? "RS256" : "ES256", leaf);
	mds_jwt_raw(h, payload, p->signer_key, rsa ? BR_COSE_RS256 : BR_COSE_ES256, out);
	free(h);
	free(leaf);
}
