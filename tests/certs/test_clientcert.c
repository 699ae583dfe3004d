/*
 * Certificate sign-in's core (core/clientcert*.c, core/ssh_key.c) against a
 * test PKI made here: the three header forms and their malformed cousins,
 * the chain at a time with CRLs, the usage rule, the pairing facts, the
 * mapping fields and the OpenSSH key line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "clientcert.h"
#include "testca.h"
#include "unit.h"

static tca_set pki;
static int64_t now;

/* made once in main, before the cases fork: RSA key generation is the slow part */
static void
setup(void)
{
	CHECK(pki.leaf[0] != NULL);
}

#define CHECK_CC(got, want) do { \
	br_cc_err g_ = (got), w_ = (want); \
	if (g_ != w_) { \
		char m_[160]; \
		snprintf(m_, sizeof(m_), "%s: got %s, want %s", #got, br_cc_strerr(g_), br_cc_strerr(w_)); \
		unit_fail(__FILE__, __LINE__, __func__, m_); \
	} \
} while (0)

static br_blob
der_of(X509 *x)
{
	br_blob b = { NULL, 0 };
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	CHECK(n > 0 && br_blob_set(&b, p, (size_t)n) == 0);
	OPENSSL_free(p);
	return b;
}

static char *
b64_std(const br_blob *b)
{
	char *s = malloc((b->len + 2) / 3 * 4 + 1);

	CHECK(s != NULL && EVP_EncodeBlock((unsigned char *)s, b->ptr, (int)b->len) > 0);
	return s;
}

/* Decodes v and checks that it is exactly the leaf's DER. */
static void
check_decodes_to(const char *v, X509 *x)
{
	br_blob want = der_of(x), got = { NULL, 0 };

	CHECK_CC(br_cc_header_decode(v, strlen(v), &got), BR_CC_OK);
	CHECK(got.len == want.len && memcmp(got.ptr, want.ptr, want.len) == 0);
	br_blob_reset(&got);
	br_blob_reset(&want);
}

static void
check_refused(const char *v, br_cc_err want)
{
	br_blob got = { NULL, 0 };

	CHECK_CC(br_cc_header_decode(v, strlen(v), &got), want);
	CHECK(got.ptr == NULL && got.len == 0);
}

/* nginx's $ssl_client_escaped_cert: what ngx_escape_uri(NGX_ESCAPE_URI_COMPONENT) leaves */
static char *
url_escape(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	CHECK(out != NULL);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

static char *
replace_newlines(const char *pem, const char *with)
{
	char *out = malloc(strlen(pem) * 2 + 1), *o = out;

	CHECK(out != NULL);
	for (; *pem != '\0'; pem++) {
		if (*pem == '\n') {
			strcpy(o, with);
			o += strlen(with);
		} else
			*o++ = *pem;
	}
	*o = '\0';
	return out;
}

static void
header_rfc9440(void)
{
	br_blob der;
	char *b64, *v;
	size_t n;

	setup();
	der = der_of(pki.leaf[TCA_AUTH]);
	b64 = b64_std(&der);
	n = strlen(b64);
	CHECK((v = malloc(n + 8)) != NULL);
	sprintf(v, ":%s:", b64);
	check_decodes_to(v, pki.leaf[TCA_AUTH]);
	sprintf(v, " \t:%s: ", b64);                  /* optional whitespace around */
	check_decodes_to(v, pki.leaf[TCA_AUTH]);
	while (n > 0 && b64[n - 1] == '=')           /* padding is optional */
		b64[--n] = '\0';
	sprintf(v, ":%s:", b64);
	check_decodes_to(v, pki.leaf[TCA_AUTH]);
	sprintf(v, ":%s:;a=1", b64);                 /* nothing after the closing colon */
	check_refused(v, BR_CC_HEADER);
	sprintf(v, ":%s", b64);                      /* unterminated */
	check_refused(v, BR_CC_HEADER);
	b64[10] = '-';                               /* base64url is not the sf-binary alphabet */
	sprintf(v, ":%s:", b64);
	check_refused(v, BR_CC_HEADER);
	free(v);
	free(b64);
	br_blob_reset(&der);
}

static void
header_pem_forms(void)
{
	char *pem, *esc, *spaced, *tabbed;

	setup();
	CHECK((pem = tca_cert_pem(pki.leaf[TCA_UNI])) != NULL);
	check_decodes_to(pem, pki.leaf[TCA_UNI]);                /* PEM as is */
	esc = url_escape(pem);                                    /* nginx $ssl_client_escaped_cert */
	CHECK(strstr(esc, "%0A") != NULL);
	check_decodes_to(esc, pki.leaf[TCA_UNI]);
	spaced = replace_newlines(pem, " ");                      /* Apache RequestHeader */
	check_decodes_to(spaced, pki.leaf[TCA_UNI]);
	tabbed = replace_newlines(pem, "\n\t");                   /* nginx $ssl_client_cert */
	check_decodes_to(tabbed, pki.leaf[TCA_UNI]);
	free(pem);
	free(esc);
	free(spaced);
	free(tabbed);
}

static void
header_malformed(void)
{
	char *pem, *two, *big, *esc;
	size_t n;

	setup();
	check_refused("", BR_CC_HEADER);
	check_refused("   ", BR_CC_HEADER);
	check_refused("::", BR_CC_HEADER);
	check_refused(":", BR_CC_HEADER);
	check_refused(":AAAA:", BR_CC_CERTIFICATE);               /* base64 fine, not a certificate */
	check_refused(":A===:", BR_CC_HEADER);
	check_refused(":AB=C:", BR_CC_HEADER);                    /* data after padding */
	check_refused(":AB:", BR_CC_HEADER);                      /* unused bits set */
	check_refused("-----BEGIN%2", BR_CC_HEADER);              /* truncated escape */
	check_refused("-----BEGIN%zz", BR_CC_HEADER);
	check_refused("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", BR_CC_HEADER);
	check_refused("garbage", BR_CC_HEADER);
	CHECK((pem = tca_cert_pem(pki.leaf[TCA_AUTH])) != NULL);
	n = strlen(pem);
	pem[n - 10] = '\0';                                        /* cut before the END line's end */
	check_refused(pem, BR_CC_HEADER);
	free(pem);
	/* two certificates in one value (a chain where one leaf belongs) */
	CHECK((pem = tca_cert_pem(pki.leaf[TCA_AUTH])) != NULL);
	CHECK((two = malloc(2 * strlen(pem) + 1)) != NULL);
	strcpy(two, pem);
	strcat(two, pem);
	check_refused(two, BR_CC_HEADER);
	esc = url_escape(two);
	check_refused(esc, BR_CC_HEADER);
	free(esc);
	free(two);
	/* a certificate with trailing bytes is not one certificate */
	{
		br_blob der = der_of(pki.leaf[TCA_AUTH]), more = { NULL, 0 };
		char *b64, *v;

		CHECK((more.ptr = malloc(der.len + 1)) != NULL);
		memcpy(more.ptr, der.ptr, der.len);
		more.ptr[der.len] = 0;
		more.len = der.len + 1;
		b64 = b64_std(&more);
		CHECK((v = malloc(strlen(b64) + 3)) != NULL);
		sprintf(v, ":%s:", b64);
		check_refused(v, BR_CC_CERTIFICATE);
		free(v);
		free(b64);
		br_blob_reset(&more);
		br_blob_reset(&der);
	}
	/* over the limit, however well formed */
	CHECK((big = malloc(BR_CC_HEADER_MAX + 8)) != NULL);
	memset(big, 'A', BR_CC_HEADER_MAX + 4);
	big[0] = ':';
	big[BR_CC_HEADER_MAX + 2] = ':';
	big[BR_CC_HEADER_MAX + 3] = '\0';
	check_refused(big, BR_CC_HEADER);
	free(big);
	free(pem);
}

static br_cc_anchors *
anchors(int with_crls)
{
	br_cc_anchors *a = br_cc_anchors_new();
	enum tca_ca ids[] = { TCA_CA_JPKI_AUTH, TCA_CA_JPKI_SIGN, TCA_CA_UNI };
	size_t i;
	char *pem;

	CHECK(a != NULL);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		CHECK((pem = tca_cert_pem(pki.ca[ids[i]])) != NULL);
		CHECK(br_cc_anchors_add_pem(a, pem, strlen(pem)) == 0);
		free(pem);
	}
	CHECK(br_cc_anchors_count(a) == 3);
	if (with_crls) {
		CHECK((pem = tca_crl_pem(pki.crl_jpki)) != NULL);
		CHECK(br_cc_anchors_add_crl_pem(a, pem, strlen(pem)) == 0);
		free(pem);
		CHECK(br_cc_anchors_crl_count(a) == 1);
	}
	return a;
}

static void
chain_at_time(void)
{
	br_cc_anchors *a, *none;

	setup();
	a = anchors(0);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_AUTH], 0, now), BR_CC_OK);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_UNI], 0, now), BR_CC_OK);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_EXPIRED], 0, now), BR_CC_EXPIRED);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_AUTH], 0, now - 2 * 86400), BR_CC_NOT_YET_VALID);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_OTHER], 0, now), BR_CC_UNTRUSTED);
	/* the expired one was good while it lasted: the time is the caller's */
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_EXPIRED], 0, now - 180 * 86400), BR_CC_OK);
	/* without revocation checking the revoked one passes: the audit line says "none" */
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_REVOKED], 0, now), BR_CC_OK);
	/* no anchors is no trust, never "anything goes" */
	CHECK((none = br_cc_anchors_new()) != NULL);
	CHECK_CC(br_cc_verify(none, pki.leaf[TCA_AUTH], 0, now), BR_CC_UNTRUSTED);
	/* a leaf is not an anchor for itself unless pinned */
	br_cc_anchors_free(&none);
	br_cc_anchors_free(&a);
	CHECK(a == NULL);
}

static void
chain_with_crls(void)
{
	br_cc_anchors *a;

	setup();
	a = anchors(1);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_AUTH], 1, now), BR_CC_OK);
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_REVOKED], 1, now), BR_CC_REVOKED);
	/* the university CA has no CRL loaded: unknown status is a refusal */
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_UNI], 1, now), BR_CC_CRL_UNAVAILABLE);
	/* a CRL past its nextUpdate (7 days) is not current */
	CHECK_CC(br_cc_verify(a, pki.leaf[TCA_AUTH], 1, now + 8 * 86400), BR_CC_CRL_UNAVAILABLE);
	br_cc_anchors_free(&a);
}

static void
anchors_loading(void)
{
	br_cc_anchors *a = br_cc_anchors_new();
	char *pem;

	setup();
	CHECK(a != NULL);
	CHECK(br_cc_anchors_add_pem(a, "", 0) == -1);
	CHECK(br_cc_anchors_add_pem(a, "not pem", 7) == -1);
	CHECK(br_cc_anchors_add_crl_pem(a, "not pem", 7) == -1);
	CHECK((pem = tca_crl_pem(pki.crl_uni)) != NULL);
	CHECK(br_cc_anchors_add_pem(a, pem, strlen(pem)) == -1);   /* a CRL is not an anchor */
	CHECK(br_cc_anchors_add_crl_pem(a, pem, strlen(pem)) == 0);
	free(pem);
	CHECK(br_cc_anchors_count(a) == 0 && br_cc_anchors_crl_count(a) == 1);
	br_cc_anchors_free(&a);
}

static void
usage_rule(void)
{
	static const char *const refused[] = { "1.3.6.1.4.1.55555.9.9", "1.3.6.1.4.1.55555.1.2" };
	static const char *const other[] = { "1.3.6.1.4.1.55555.9.9" };

	setup();
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH], NULL, 0), BR_CC_OK);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_UNI], NULL, 0), BR_CC_OK);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_SIGN], NULL, 0), BR_CC_SIGNATURE_CERT);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_NONREP_ONLY], NULL, 0), BR_CC_SIGNATURE_CERT);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_SERVER_ONLY], NULL, 0), BR_CC_USAGE);
	CHECK_CC(br_cc_check_usage(pki.ca[TCA_CA_UNI], NULL, 0), BR_CC_USAGE);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH2], NULL, 0), BR_CC_OK);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH2], other, 1), BR_CC_OK);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH2], refused, 2), BR_CC_SIGNATURE_CERT);
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH2], refused, 1), BR_CC_OK);   /* only the first n count */
	CHECK_CC(br_cc_check_usage(pki.leaf[TCA_AUTH], refused, 2), BR_CC_OK);   /* no policies at all */
}

static void
hex_sha256(const unsigned char *p, size_t n, char out[65])
{
	unsigned char md[32];
	int i;

	CHECK(EVP_Digest(p, n, md, NULL, EVP_sha256(), NULL) == 1);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void
pairing_facts(void)
{
	br_cc_facts f, g;
	br_blob der;
	unsigned char *spki = NULL;
	char want[65];
	int n;

	setup();
	CHECK_CC(br_cc_facts_get(pki.leaf[TCA_AUTH], &f), BR_CC_OK);
	der = der_of(pki.leaf[TCA_AUTH]);
	hex_sha256(der.ptr, der.len, want);
	CHECK(strcmp(f.cert_sha256, want) == 0);
	n = i2d_PUBKEY(pki.key[TCA_AUTH], &spki);
	CHECK(n > 0);
	hex_sha256(spki, (size_t)n, want);
	CHECK(strcmp(f.spki_sha256, want) == 0);
	OPENSSL_free(spki);
	br_blob_reset(&der);
	CHECK(strcmp(f.serial, "1001") == 0);
	CHECK(strstr(f.issuer, "OU=JPKI for user authentication") != NULL);
	CHECK(strstr(f.issuer, "O=JPKI") != NULL && strstr(f.issuer, "C=JP") != NULL);
	CHECK(strcmp(f.subject, "CN=20260001A7K3QX9P2M") == 0);
	CHECK(f.not_before > now - 86400 - 5 && f.not_before <= now - 86400 + 5);
	CHECK(f.not_after > now + 5 * 365LL * 86400 - 5 && f.not_after <= now + 5 * 365LL * 86400 + 5);
	/* the renewed card: every identifying fact changes */
	CHECK_CC(br_cc_facts_get(pki.leaf[TCA_AUTH2], &g), BR_CC_OK);
	CHECK(strcmp(f.cert_sha256, g.cert_sha256) != 0 && strcmp(f.spki_sha256, g.spki_sha256) != 0);
	CHECK(strcmp(f.serial, g.serial) != 0 && strcmp(f.issuer, g.issuer) == 0);
}

static void
mapping_fields(void)
{
	char v[256];

	setup();
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "email", v, sizeof(v)) == 0 && strcmp(v, "bob@example.edu") == 0);
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "upn", v, sizeof(v)) == 0 && strcmp(v, "bob@ad.example.edu") == 0);
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "UID", v, sizeof(v)) == 0 && strcmp(v, "s1234567") == 0);
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "CN", v, sizeof(v)) == 0 && strcmp(v, "bob") == 0);
	CHECK(br_cc_field(pki.leaf[TCA_AUTH], "email", v, sizeof(v)) == -1 && v[0] == '\0');
	CHECK(br_cc_field(pki.leaf[TCA_AUTH], "UID", v, sizeof(v)) == -1);
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "noSuchAttribute", v, sizeof(v)) == -1);
	CHECK(br_cc_field(pki.leaf[TCA_UNI], "email", v, 5) == -1);          /* does not fit */
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
ssh_line(void)
{
	char *line, *sp, *b64;
	unsigned char *blob;
	size_t off = 0, len;
	uint32_t l;
	BIGNUM *n = NULL, *e = NULL, *bn;
	int bl;

	setup();
	CHECK((line = br_cc_ssh_rsa_line(pki.leaf[TCA_AUTH], "alice card\n2")) != NULL);
	CHECK(strncmp(line, "ssh-rsa ", 8) == 0);
	CHECK((sp = strchr(line + 8, ' ')) != NULL);
	CHECK(strcmp(sp, " alice_card_2") == 0);                   /* one line, one comment word */
	CHECK((b64 = strndup(line + 8, (size_t)(sp - line - 8))) != NULL);
	CHECK((blob = malloc(strlen(b64))) != NULL);
	CHECK((bl = EVP_DecodeBlock(blob, (unsigned char *)b64, (int)strlen(b64))) > 0);
	len = (size_t)bl - (strlen(b64) - strlen(b64) / 4 * 4 == 0 && b64[strlen(b64) - 1] == '=' ?
	    (b64[strlen(b64) - 2] == '=' ? 2 : 1) : 0);
	/* string "ssh-rsa" */
	l = be32(blob);
	CHECK(l == 7 && memcmp(blob + 4, "ssh-rsa", 7) == 0);
	off = 11;
	/* mpint e, mpint n: minimal, positive */
	CHECK(EVP_PKEY_get_bn_param(pki.key[TCA_AUTH], OSSL_PKEY_PARAM_RSA_E, &e) == 1);
	CHECK(EVP_PKEY_get_bn_param(pki.key[TCA_AUTH], OSSL_PKEY_PARAM_RSA_N, &n) == 1);
	l = be32(blob + off);
	CHECK(l == 3 && blob[off + 4] == 0x01);                     /* 65537 */
	bn = BN_bin2bn(blob + off + 4, (int)l, NULL);
	CHECK(bn != NULL && BN_cmp(bn, e) == 0);
	BN_free(bn);
	off += 4 + l;
	l = be32(blob + off);
	CHECK(l == 257 && blob[off + 4] == 0x00 && (blob[off + 5] & 0x80));   /* 2048 bits, sign byte */
	bn = BN_bin2bn(blob + off + 4, (int)l, NULL);
	CHECK(bn != NULL && BN_cmp(bn, n) == 0);
	BN_free(bn);
	off += 4 + l;
	CHECK(off == len);
	free(blob);
	free(b64);
	free(line);
	BN_free(n);
	BN_free(e);
	/* no comment: two fields */
	CHECK((line = br_cc_ssh_rsa_line(pki.leaf[TCA_UNI], NULL)) != NULL);
	CHECK(strchr(line + 8, ' ') == NULL);
	free(line);
	CHECK(br_cc_ssh_rsa_line(NULL, "x") == NULL);
}

static void
ssh_line_not_rsa(void)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	char *line;

	CHECK(ec != NULL && x != NULL && X509_set_pubkey(x, ec) == 1);
	line = br_cc_ssh_rsa_line(x, "ec");
	CHECK(line == NULL);
	X509_free(x);
	EVP_PKEY_free(ec);
}

static void
error_names(void)
{
	CHECK(strcmp(br_cc_strerr(BR_CC_SIGNATURE_CERT), "signature_certificate") == 0);
	CHECK(strcmp(br_cc_strerr(BR_CC_CRL_UNAVAILABLE), "crl_unavailable") == 0);
	CHECK(strcmp(br_cc_strerr(BR_CC__COUNT), "unknown") == 0);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(header_rfc9440),
		UNIT_CASE(header_pem_forms),
		UNIT_CASE(header_malformed),
		UNIT_CASE(chain_at_time),
		UNIT_CASE(chain_with_crls),
		UNIT_CASE(anchors_loading),
		UNIT_CASE(usage_rule),
		UNIT_CASE(pairing_facts),
		UNIT_CASE(mapping_fields),
		UNIT_CASE(ssh_line),
		UNIT_CASE(ssh_line_not_rsa),
		UNIT_CASE(error_names),
	};
	int r;

	now = (int64_t)time(NULL);
	if (tca_make(&pki, now) != 0) {
		fprintf(stderr, "clientcert: could not make the test PKI\n");
		return 1;
	}
	r = unit_run("clientcert", cases, UNIT_N(cases));

	tca_free(&pki);
	return r;
}
