#include "testca.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/conf.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

const char *const tca_leaf_names[TCA__LEAVES] = {
	"auth", "auth2", "sign", "uni", "expired", "revoked", "other", "server-only", "nonrep-only",
};
const char *const tca_ca_names[TCA__CAS] = { "jpki-auth", "jpki-sign", "uni", "other" };

static EVP_PKEY *
rsa2048(void)
{
	return EVP_RSA_gen(2048);
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	CONF *conf = NCONF_new(NULL);   /* empty: some values (otherName, policies) want one */
	int r;

	if (conf == NULL)
		return -1;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509V3_set_nconf(&ctx, conf);
	ext = X509V3_EXT_nconf_nid(conf, &ctx, nid, value);
	NCONF_free(conf);
	if (ext == NULL)
		return -1;
	r = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return r;
}

/* "C=JP/O=JPKI/OU=..." entries separated by '/', UTF-8 values. */
static X509_NAME *
make_name(const char *spec)
{
	X509_NAME *n = X509_NAME_new();
	char *copy = strdup(spec), *save = NULL, *tok, *eq;

	if (n == NULL || copy == NULL)
		goto bad;
	for (tok = strtok_r(copy, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			goto bad;
		*eq = '\0';
		if (X509_NAME_add_entry_by_txt(n, tok, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1, 0) != 1)
			goto bad;
	}
	free(copy);
	return n;
bad:
	free(copy);
	X509_NAME_free(n);
	return NULL;
}

typedef struct profile {
	const char *subject;
	int64_t from, to;          /* relative to now */
	long serial;
	const char *ku, *eku, *san, *policies;
} profile;

static X509 *
issue(const profile *p, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca, int64_t now)
{
	X509 *x = X509_new();
	X509_NAME *subj = make_name(p->subject);

	if (x == NULL || subj == NULL)
		goto bad;
	if (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), p->serial) != 1 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, issuer == NULL ? subj : X509_get_subject_name(issuer)) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now + p->from)) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + p->to)) == NULL ||
	    X509_set_pubkey(x, key) != 1)
		goto bad;
	if (issuer == NULL)
		issuer = x;
	if (add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") != 0 ||
	    add_ext(x, issuer, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") != 0 ||
	    (p->ku != NULL && add_ext(x, issuer, NID_key_usage, p->ku) != 0) ||
	    (p->eku != NULL && add_ext(x, issuer, NID_ext_key_usage, p->eku) != 0) ||
	    (p->san != NULL && add_ext(x, issuer, NID_subject_alt_name, p->san) != 0) ||
	    (p->policies != NULL && add_ext(x, issuer, NID_certificate_policies, p->policies) != 0))
		goto bad;
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
		goto bad;
	X509_NAME_free(subj);
	return x;
bad:
	X509_NAME_free(subj);
	X509_free(x);
	return NULL;
}

static X509_CRL *
make_crl(X509 *ca, EVP_PKEY *ca_key, X509 *revoked, int64_t now)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rv = NULL;
	ASN1_TIME *t = ASN1_TIME_new();

	if (crl == NULL || t == NULL || X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    ASN1_TIME_set(t, (time_t)(now - 3600)) == NULL || X509_CRL_set1_lastUpdate(crl, t) != 1 ||
	    ASN1_TIME_set(t, (time_t)(now + 7 * 86400)) == NULL || X509_CRL_set1_nextUpdate(crl, t) != 1)
		goto bad;
	if (revoked != NULL) {
		if ((rv = X509_REVOKED_new()) == NULL ||
		    X509_REVOKED_set_serialNumber(rv, X509_get_serialNumber(revoked)) != 1 ||
		    ASN1_TIME_set(t, (time_t)(now - 600)) == NULL || X509_REVOKED_set_revocationDate(rv, t) != 1 ||
		    X509_CRL_add0_revoked(crl, rv) != 1)
			goto bad;
		rv = NULL;
	}
	if (X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0)
		goto bad;
	ASN1_TIME_free(t);
	return crl;
bad:
	X509_REVOKED_free(rv);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return NULL;
}

#define YEAR (365LL * 86400)
#define CA_KU "critical,keyCertSign,cRLSign"
#define JPKI_AUTH_CA "C=JP/O=JPKI/OU=JPKI for user authentication/OU=Test Agency for Local Authority Information Systems"
#define JPKI_SIGN_CA "C=JP/O=JPKI/OU=JPKI for digital signature/OU=Test Agency for Local Authority Information Systems"

int
tca_make(tca_set *s, int64_t now)
{
	static const profile cas[TCA__CAS] = {
		{ JPKI_AUTH_CA, -YEAR, 10 * YEAR, 1, CA_KU, NULL, NULL, NULL },
		{ JPKI_SIGN_CA, -YEAR, 10 * YEAR, 2, CA_KU, NULL, NULL, NULL },
		{ "C=JP/O=Example University/CN=Example University Client CA", -YEAR, 10 * YEAR, 3, CA_KU, NULL, NULL, NULL },
		{ "C=JP/O=Elsewhere/CN=Elsewhere Client CA", -YEAR, 10 * YEAR, 4, CA_KU, NULL, NULL, NULL },
	};
	static const struct { enum tca_ca ca; profile p; } leaves[TCA__LEAVES] = {
		[TCA_AUTH] = { TCA_CA_JPKI_AUTH, { "CN=20260001A7K3QX9P2M", -86400, 5 * YEAR, 0x1001,
		    "critical,digitalSignature", NULL, NULL, NULL } },
		[TCA_AUTH2] = { TCA_CA_JPKI_AUTH, { "CN=20310001Z8R2WD4N6B", -3600, 5 * YEAR, 0x1002,
		    "critical,digitalSignature", NULL, NULL, "1.3.6.1.4.1.55555.1.2" } },
		[TCA_SIGN] = { TCA_CA_JPKI_SIGN, { "C=JP/L=Tokyo/CN=Hanako Yamada", -86400, 5 * YEAR, 0x2001,
		    "critical,digitalSignature,nonRepudiation", NULL, NULL, NULL } },
		[TCA_UNI] = { TCA_CA_UNI, { "C=JP/O=Example University/UID=s1234567/CN=bob", -86400, YEAR, 0x3001,
		    "critical,digitalSignature,keyEncipherment", "clientAuth",
		    "email:bob@example.edu,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:bob@ad.example.edu", NULL } },
		[TCA_EXPIRED] = { TCA_CA_JPKI_AUTH, { "CN=20210001EXPIREDXX01", -5 * YEAR, -86400, 0x1003,
		    "critical,digitalSignature", NULL, NULL, NULL } },
		[TCA_REVOKED] = { TCA_CA_JPKI_AUTH, { "CN=20260001REVOKEDXX01", -86400, 5 * YEAR, 0x1004,
		    "critical,digitalSignature", NULL, NULL, NULL } },
		[TCA_OTHER] = { TCA_CA_OTHER, { "CN=mallory", -86400, YEAR, 0x4001,
		    "critical,digitalSignature", "clientAuth", NULL, NULL } },
		[TCA_SERVER_ONLY] = { TCA_CA_UNI, { "C=JP/O=Example University/CN=www", -86400, YEAR, 0x3002,
		    "critical,digitalSignature", "serverAuth", NULL, NULL } },
		[TCA_NONREP_ONLY] = { TCA_CA_UNI, { "C=JP/O=Example University/CN=notary", -86400, YEAR, 0x3003,
		    "critical,nonRepudiation", NULL, NULL, NULL } },
	};
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < TCA__CAS; i++)
		if ((s->ca_key[i] = rsa2048()) == NULL ||
		    (s->ca[i] = issue(&cas[i], s->ca_key[i], NULL, s->ca_key[i], 1, now)) == NULL)
			goto bad;
	for (i = 0; i < TCA__LEAVES; i++)
		if ((s->key[i] = rsa2048()) == NULL ||
		    (s->leaf[i] = issue(&leaves[i].p, s->key[i], s->ca[leaves[i].ca],
		        s->ca_key[leaves[i].ca], 0, now)) == NULL)
			goto bad;
	if ((s->crl_jpki = make_crl(s->ca[TCA_CA_JPKI_AUTH], s->ca_key[TCA_CA_JPKI_AUTH], s->leaf[TCA_REVOKED], now)) == NULL ||
	    (s->crl_uni = make_crl(s->ca[TCA_CA_UNI], s->ca_key[TCA_CA_UNI], NULL, now)) == NULL)
		goto bad;
	return 0;
bad:
	tca_free(s);
	return -1;
}

void
tca_free(tca_set *s)
{
	int i;

	for (i = 0; i < TCA__CAS; i++) {
		X509_free(s->ca[i]);
		EVP_PKEY_free(s->ca_key[i]);
	}
	for (i = 0; i < TCA__LEAVES; i++) {
		X509_free(s->leaf[i]);
		EVP_PKEY_free(s->key[i]);
	}
	X509_CRL_free(s->crl_jpki);
	X509_CRL_free(s->crl_uni);
	memset(s, 0, sizeof(*s));
}

static char *
bio_text(BIO *bio)
{
	char *p, *out;
	long n = BIO_get_mem_data(bio, &p);

	if (n < 0 || (out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return out;
}

char *
tca_cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;

	if (bio != NULL && PEM_write_bio_X509(bio, x) == 1)
		out = bio_text(bio);
	BIO_free(bio);
	return out;
}

char *
tca_crl_pem(X509_CRL *c)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;

	if (bio != NULL && PEM_write_bio_X509_CRL(bio, c) == 1)
		out = bio_text(bio);
	BIO_free(bio);
	return out;
}

static int
write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4096];
	size_t n = strlen(text);
	int fd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) < 0)
		return -1;
	r = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	return close(fd) == 0 ? r : -1;
}

static int
write_key(const char *dir, const char *name, EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *text = NULL;
	int r = -1;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (text = bio_text(bio)) != NULL)
		r = write_text(dir, name, text, 0600);
	free(text);
	BIO_free(bio);
	return r;
}

static int
write_pem(const char *dir, const char *name, char *text)
{
	int r = text == NULL ? -1 : write_text(dir, name, text, 0644);

	free(text);
	return r;
}

int
tca_write(const tca_set *s, const char *dir)
{
	char name[128], *a = NULL, *b = NULL, *c = NULL, *all = NULL;
	int i, r = -1;

	for (i = 0; i < TCA__CAS; i++) {
		snprintf(name, sizeof(name), "ca-%s.pem", tca_ca_names[i]);
		if (write_pem(dir, name, tca_cert_pem(s->ca[i])) != 0)
			return -1;
	}
	for (i = 0; i < TCA__LEAVES; i++) {
		snprintf(name, sizeof(name), "%s.pem", tca_leaf_names[i]);
		if (write_pem(dir, name, tca_cert_pem(s->leaf[i])) != 0)
			return -1;
		snprintf(name, sizeof(name), "%s.key", tca_leaf_names[i]);
		if (write_key(dir, name, s->key[i]) != 0)
			return -1;
	}
	if (write_pem(dir, "crl-jpki.pem", tca_crl_pem(s->crl_jpki)) != 0 ||
	    write_pem(dir, "crl-uni.pem", tca_crl_pem(s->crl_uni)) != 0)
		return -1;
	a = tca_cert_pem(s->ca[TCA_CA_JPKI_AUTH]);
	b = tca_cert_pem(s->ca[TCA_CA_JPKI_SIGN]);
	c = tca_cert_pem(s->ca[TCA_CA_UNI]);
	if (a != NULL && b != NULL && c != NULL &&
	    (all = malloc(strlen(a) + strlen(b) + strlen(c) + 1)) != NULL) {
		strcpy(all, a);
		strcat(all, b);
		strcat(all, c);
		r = write_text(dir, "anchors.pem", all, 0644);
	}
	free(a);
	free(b);
	free(c);
	free(all);
	return r;
}
