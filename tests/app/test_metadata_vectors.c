/*
 * Registration judged by FIDO metadata, on the shared recorded ceremonies
 * (../shared/vectors/cases) of the packed, tpm, android-key and apple formats
 * with a certificate chain: for each, a metadata payload with an entry for
 * the case's AAGUID whose attestationRootCertificates is the case's root (its
 * trust anchor, or else the last certificate of its x5c) is parsed
 * (core/mds.c), and the registration is verified with the entry's roots as
 * the anchors (app/metadata.c br_mds_trust_for, core register.c trust_for).
 * The same case must then fail against an entry holding another root, and
 * the entry's status reports and level must decide br_mds_refusal.
 *   test_metadata_vectors CASES_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../bridge/app/metadata.h"
#include "../../bridge/ctl/case_file.h"
#include "../../bridge/ctl/case_run.h"
#include "../../bridge/core/b64url.h"
#include "../../bridge/core/cbor_read.h"
#include "../../bridge/core/text.h"

static int failures, judged;

#define EXPECT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s: ", name); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		failures++; \
		goto out; \
	} \
} while (0)

static char *
b64_of(const unsigned char *p, size_t n)
{
	char *s = malloc(4 * ((n + 2) / 3) + 1);

	if (s != NULL)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

/* The root for the entry, standard base64 of its DER: the case's anchor, else the end of its x5c. */
static char *
case_root(json_t *j, const br_case *c)
{
	json_t *pem = json_array_get(json_object_get(j, "trust_anchors_pem"), 0);
	struct cbor_load_result res;
	cbor_item_t *obj = NULL, *x5c;
	unsigned char *der = NULL;
	char *out = NULL;
	br_span last;
	BIO *bio;
	X509 *x;
	int n;

	if (json_is_string(pem)) {
		bio = BIO_new_mem_buf(json_string_value(pem), (int)json_string_length(pem));
		x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (x != NULL && (n = i2d_X509(x, &der)) > 0)
			out = b64_of(der, (size_t)n);
		OPENSSL_free(der);
		X509_free(x);
		return out;
	}
	obj = cbor_load(c->response.attestation_object.ptr, c->response.attestation_object.len, &res);
	if (obj != NULL && (x5c = br_cbor_map_str(br_cbor_map_str(obj, "attStmt"), "x5c")) != NULL &&
	    cbor_isa_array(x5c) && cbor_array_size(x5c) > 0 &&
	    br_cbor_bytes(cbor_array_handle(x5c)[cbor_array_size(x5c) - 1], &last) == 0)
		out = b64_of(last.ptr, last.len);
	if (obj != NULL)
		cbor_decref(&obj);
	return out;
}

static br_mds *
metadata_for(const char *aaguid, const char *root_b64, const char *statuses)
{
	char *p;
	size_t n = strlen(root_b64) + strlen(statuses) + 512;
	br_mds *m = NULL;

	if ((p = malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "{\"no\":1,\"nextUpdate\":\"2030-01-01\",\"entries\":[{\"aaguid\":\"%s\","
	    "\"metadataStatement\":{\"description\":\"Vector model\",\"attestationRootCertificates\":[\"%s\"]},"
	    "\"statusReports\":[%s]}]}", aaguid, root_b64, statuses);
	if (br_mds_payload_parse((const unsigned char *)p, strlen(p), &m) != BR_MDS_OK)
		m = NULL;
	free(p);
	return m;
}

struct lookup {
	const br_mds *m;
	br_trust *owned;
};

static int
trust_for(void *arg, const unsigned char aaguid[16], const br_trust **out)
{
	struct lookup *l = arg;

	br_trust_free(&l->owned);
	return br_mds_trust_for(NULL, br_mds_find(l->m, aaguid), out, &l->owned);
}

static br_err
verify_with(const br_case *c, const br_mds *m, br_reg_result *rr)
{
	br_policy pol;
	struct lookup l = { m, NULL };
	br_err e;

	br_case_policy(c, &pol);
	{
		br_reg_input in = {
			.policy = &pol,
			.challenge = { c->challenge.ptr, c->challenge.len },
			.client_data_json = { c->response.client_data_json.ptr, c->response.client_data_json.len },
			.attestation_object = { c->response.attestation_object.ptr, c->response.attestation_object.len },
			.raw_id = { c->response.raw_id.ptr, c->response.raw_id.len },
			.trust = NULL,
			.now = c->now,
			.trust_for = trust_for,
			.trust_arg = &l,
		};
		e = br_register_verify(&in, rr);
	}
	br_trust_free(&l.owned);
	return e;
}

static void
run_case(const char *path, const char *name, const char *foreign_root)
{
	json_t *j = json_load_file(path, 0, NULL), *ex;
	br_case c;
	br_reg_result rr;
	br_mds *good = NULL, *wrong = NULL, *revoked = NULL;
	br_mds_rules rules = { BR_MDS_REFUSE_DEFAULT, 0, 0 };
	const char *fmt, *aaguid, *why;
	char err[256], buf[64], *root = NULL;
	br_err e;

	memset(&c, 0, sizeof(c));
	memset(&rr, 0, sizeof(rr));
	ex = json_object_get(j, "expect");
	fmt = json_string_value(json_object_get(ex, "fmt"));
	aaguid = json_string_value(json_object_get(ex, "aaguid"));
	/* recorded registrations with a chain, of the four formats, that a verifier accepts */
	if (!json_is_true(json_object_get(ex, "ok")) || fmt == NULL || aaguid == NULL ||
	    (strcmp(fmt, "packed") != 0 && strcmp(fmt, "tpm") != 0 && strcmp(fmt, "android-key") != 0 &&
		strcmp(fmt, "apple") != 0))
		goto out;
	if (br_case_load(path, &c, err, sizeof(err)) < 0 || (root = case_root(j, &c)) == NULL)
		goto out;   /* packed self attestation: no chain, nothing for metadata roots to judge */
	judged++;
	EXPECT((good = metadata_for(aaguid, root, "{\"status\":\"FIDO_CERTIFIED_L1\"}")) != NULL, "payload");
	EXPECT((e = verify_with(&c, good, &rr)) == BR_OK, "with the entry's root: %s", br_strerr(e));
	EXPECT(strcmp(rr.fmt, fmt) == 0, "fmt %s", rr.fmt);
	EXPECT(br_mds_refusal(br_mds_find(good, rr.aaguid), &rules, buf, sizeof(buf)) == NULL, "certified model refused");
	rules.min_level = br_mds_level_parse("L2");
	why = br_mds_refusal(br_mds_find(good, rr.aaguid), &rules, buf, sizeof(buf));
	EXPECT(why != NULL && strcmp(why, "mds_certification_level") == 0, "L1 model under min L2: %s", why ? why : "allowed");
	rules.min_level = 0;
	br_reg_result_reset(&rr);

	EXPECT((wrong = metadata_for(aaguid, foreign_root, "")) != NULL, "payload");
	EXPECT((e = verify_with(&c, wrong, &rr)) == BR_ERR_CERTIFICATE_CHAIN, "with another root: %s", br_strerr(e));

	EXPECT((revoked = metadata_for(aaguid, root, "{\"status\":\"FIDO_CERTIFIED\"},{\"status\":\"REVOKED\"}")) != NULL, "payload");
	EXPECT((e = verify_with(&c, revoked, &rr)) == BR_OK, "revoked entry, chain: %s", br_strerr(e));
	why = br_mds_refusal(br_mds_find(revoked, rr.aaguid), &rules, buf, sizeof(buf));
	EXPECT(why != NULL && strcmp(why, "mds_status_REVOKED") == 0, "revoked model: %s", why ? why : "allowed");
	printf("ok %s (%s)\n", name, fmt);
out:
	br_reg_result_reset(&rr);
	br_mds_free(&good);
	br_mds_free(&wrong);
	br_mds_free(&revoked);
	free(root);
	br_case_free(&c);
	json_decref(j);
}

/* A self-signed certificate no recorded chain reaches. */
static char *
foreign(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	char *s = NULL;
	int len;

	if (k == NULL || x == NULL || n == NULL)
		return NULL;
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Foreign Root", -1, -1, 0);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	ASN1_TIME_set(X509_getm_notBefore(x), 0);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)4102444800);
	X509_set_pubkey(x, k);
	if (X509_sign(x, k, EVP_sha256()) > 0 && (len = i2d_X509(x, &der)) > 0)
		s = b64_of(der, (size_t)len);
	OPENSSL_free(der);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return s;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	struct dirent **ents;
	char path[4096], *other;
	int n, i;
	const char *name = "setup";

	if (argc != 2 || (n = scandir(argv[1], &ents, NULL, by_name)) < 0) {
		fprintf(stderr, "usage: test_metadata_vectors CASES_DIR\n");
		return 2;
	}
	if ((other = foreign()) == NULL) {
		fprintf(stderr, "FAIL %s: cannot make the foreign root\n", name);
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);

		if (l > 5 && strcmp(ents[i]->d_name + l - 5, ".json") == 0 && strstr(ents[i]->d_name, "-reg-") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", argv[1], ents[i]->d_name);
			run_case(path, ents[i]->d_name, other);
		}
		free(ents[i]);
	}
	free(ents);
	free(other);
	printf("%d cases judged against metadata, %d failed\n", judged, failures);
	/* the four formats must all be there: a vector set that lost them would pass vacuously */
	return failures == 0 && judged >= 8 ? 0 : 1;
}
