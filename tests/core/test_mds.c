/*
 * MDS3 blobs (core/mds.c): a blob signed by a signer the test root certifies,
 * with the root's CRL, is accepted; each way a blob can be wrong is refused
 * with its own code. Every key, certificate and CRL is made at run time
 * (mds_fixture.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mds.h"
#include "mds_fixture.h"
#include "names.h"
#include "unit.h"

#define AAGUID_A "ee882879-721c-4913-9775-3dfcce97072a"
#define AAGUID_B "fa2b99dc-9e39-4257-8f92-4a30d23c4118"

static const unsigned char aaguid_a[16] = { 0xee, 0x88, 0x28, 0x79, 0x72, 0x1c, 0x49, 0x13,
	0x97, 0x75, 0x3d, 0xfc, 0xce, 0x97, 0x07, 0x2a };
static const unsigned char aaguid_b[16] = { 0xfa, 0x2b, 0x99, 0xdc, 0x9e, 0x39, 0x42, 0x57,
	0x8f, 0x92, 0x4a, 0x30, 0xd2, 0x3c, 0x41, 0x18 };

/* A payload with two FIDO2 entries (B revoked) and one U2F entry; the root cert b64 inside A. */
static char *
payload(long no, const char *next_update, const char *root_b64)
{
	static const char fmt[] =
	    "{\"legalHeader\":\"test\",\"no\":%ld,\"nextUpdate\":\"%s\",\"entries\":["
	    "{\"aaguid\":\"" AAGUID_A "\",\"metadataStatement\":{\"description\":\"Example Key 5\","
	    "\"icon\":\"data:image/png;base64,iVBORw0KGgo=\",\"attestationRootCertificates\":[\"%s\"]},"
	    "\"statusReports\":[{\"status\":\"FIDO_CERTIFIED_L1\",\"effectiveDate\":\"2024-01-02\"},"
	    "{\"status\":\"FIDO_CERTIFIED_L2\",\"effectiveDate\":\"2024-06-01\"}]},"
	    "{\"aaguid\":\"" AAGUID_B "\",\"metadataStatement\":{\"description\":\"Leaky Key\"},"
	    "\"statusReports\":[{\"status\":\"FIDO_CERTIFIED\",\"effectiveDate\":\"2023-01-01\"},"
	    "{\"status\":\"REVOKED\",\"effectiveDate\":\"2025-03-01\"},{\"status\":\"SOMETHING_NEW\"}]},"
	    "{\"attestationCertificateKeyIdentifiers\":[\"bf7bcaa0d0c6187a8c6abbdd16a15640e7c7bde2\"],"
	    "\"metadataStatement\":{\"description\":\"A U2F key\"}}]}";
	size_t n = sizeof(fmt) + strlen(root_b64) + 64;
	char *s = malloc(n);

	CHECK(s != NULL);
	snprintf(s, n, fmt, no, next_update, root_b64);
	return s;
}

typedef struct run {
	mds_pki pki;
	sa_buf blob;
	br_span crl;
	br_mds_check chk;
} run;

static void
run_make(run *r, const mds_pki_opts *o, long no, const char *next_update)
{
	char *rb, *pl;

	memset(r, 0, sizeof(*r));
	mds_pki_make(&r->pki, o);
	rb = mds_cert_b64(r->pki.root.cert);
	pl = payload(no, next_update, rb);
	mds_jwt(&r->pki, pl, &r->blob);
	free(pl);
	free(rb);
	r->crl = sa_span(&r->pki.crl_pem);
	r->chk.root_pem = sa_span(&r->pki.root_pem);
	r->chk.crls = &r->crl;
	r->chk.n_crls = 1;
	r->chk.now = SA_NOW;
	r->chk.stored_no = -1;
	r->chk.grace_s = 30 * SA_DAY;
}

static void
run_free(run *r)
{
	sa_buf_free(&r->blob);
	mds_pki_free(&r->pki);
}

static br_mds_err
verify(run *r)
{
	br_mds *m = NULL;
	br_blob pl = { NULL, 0 };
	br_mds_err e = br_mds_blob_verify(r->blob.ptr, r->blob.len, &r->chk, &m, &pl);

	/* a refusal returns nothing */
	CHECK((e == BR_MDS_OK) == (m != NULL));
	CHECK((e == BR_MDS_OK) == (pl.ptr != NULL));
	br_mds_free(&m);
	br_blob_reset(&pl);
	return e;
}

/* 2025-06-15 is SA_NOW; nextUpdate a week later. */
#define NEXT "2025-06-22"

static void
valid_blob(void)
{
	run r;
	br_mds *m = NULL, *again = NULL;
	br_blob pl = { NULL, 0 };
	const br_mds_entry *a, *b;

	run_make(&r, NULL, 42, NEXT);
	CHECK_INT(br_mds_blob_verify(r.blob.ptr, r.blob.len, &r.chk, &m, &pl), BR_MDS_OK);
	CHECK_INT(m->no, 42);
	CHECK_INT(m->n, 2);
	CHECK_INT(m->skipped, 1);
	CHECK((a = br_mds_find(m, aaguid_a)) != NULL && (b = br_mds_find(m, aaguid_b)) != NULL);
	CHECK(strcmp(a->description, "Example Key 5") == 0);
	CHECK(a->icon != NULL && strncmp(a->icon, "data:image/png", 14) == 0);
	CHECK_INT(a->n_roots, 1);
	CHECK_INT(a->latest, BR_MDS_S_FIDO_CERTIFIED_L2);
	CHECK_INT(a->level, br_mds_level_parse("L2"));
	CHECK((a->statuses & BR_MDS_REFUSE_DEFAULT) == 0);
	/* the stored payload loads to the same table */
	CHECK_INT(br_mds_payload_parse(pl.ptr, pl.len, &again), BR_MDS_OK);
	CHECK_INT(again->n, 2);
	CHECK_INT(again->no, 42);
	br_mds_free(&again);
	br_mds_free(&m);
	br_blob_reset(&pl);
	run_free(&r);
}

static void
valid_blob_rs256(void)
{
	run r;
	mds_pki_opts o = { .rsa = 1 };

	run_make(&r, &o, 7, NEXT);
	CHECK_INT(verify(&r), BR_MDS_OK);
	run_free(&r);
}

static void
entry_with_revoked_status(void)
{
	run r;
	br_mds *m = NULL;
	const br_mds_entry *b;

	run_make(&r, NULL, 42, NEXT);
	CHECK_INT(br_mds_blob_verify(r.blob.ptr, r.blob.len, &r.chk, &m, NULL), BR_MDS_OK);
	CHECK((b = br_mds_find(m, aaguid_b)) != NULL);
	CHECK_INT(b->latest, BR_MDS_S_REVOKED);
	CHECK((b->statuses & BR_MDS_STATUS_BIT(BR_MDS_S_REVOKED)) != 0);
	CHECK((b->statuses & BR_MDS_REFUSE_DEFAULT) != 0);
	CHECK_INT(b->level, 1);
	CHECK(strcmp(b->description, "Leaky Key") == 0 && b->icon == NULL && b->n_roots == 0);
	br_mds_free(&m);
	run_free(&r);
}

static void
tampered_payload(void)
{
	run r;
	unsigned char *d1, *mid;

	run_make(&r, NULL, 42, NEXT);
	/* one character of the payload part changed: still base64url, no longer signed */
	d1 = memchr(r.blob.ptr, '.', r.blob.len);
	mid = d1 + 40;
	*mid = *mid == 'A' ? 'B' : 'A';
	CHECK_INT(verify(&r), BR_MDS_SIGNATURE);
	run_free(&r);
}

static void
wrong_root(void)
{
	run r;
	mds_pki other;

	run_make(&r, NULL, 42, NEXT);
	mds_pki_make(&other, NULL);
	r.chk.root_pem = sa_span(&other.root_pem);
	CHECK_INT(verify(&r), BR_MDS_CHAIN);
	mds_pki_free(&other);
	run_free(&r);
}

static void
expired_signer(void)
{
	run r;
	mds_pki_opts o = { .signer_not_after = SA_NOW - SA_DAY };

	run_make(&r, &o, 42, NEXT);
	CHECK_INT(verify(&r), BR_MDS_CHAIN);
	run_free(&r);
}

static void
revoked_signer(void)
{
	run r;
	mds_pki_opts o = { .revoke_signer = 1 };

	run_make(&r, &o, 42, NEXT);
	CHECK_INT(verify(&r), BR_MDS_REVOKED);
	run_free(&r);
}

static void
crl_missing_or_expired(void)
{
	run r;
	mds_pki_opts o = { .crl_next_update = SA_NOW - 3600 };

	run_make(&r, NULL, 42, NEXT);
	r.chk.n_crls = 0;
	CHECK_INT(verify(&r), BR_MDS_CRL);
	run_free(&r);
	run_make(&r, &o, 42, NEXT);
	CHECK_INT(verify(&r), BR_MDS_CRL);
	run_free(&r);
}

static void
older_no_replayed(void)
{
	run r;

	run_make(&r, NULL, 42, NEXT);
	r.chk.stored_no = 42;
	CHECK_INT(verify(&r), BR_MDS_NOT_NEWER);
	r.chk.stored_no = 43;
	CHECK_INT(verify(&r), BR_MDS_NOT_NEWER);
	r.chk.stored_no = 41;
	CHECK_INT(verify(&r), BR_MDS_OK);
	run_free(&r);
}

static void
next_update_long_past(void)
{
	run r;

	/* 2025-05-01: 45 days before SA_NOW */
	run_make(&r, NULL, 42, "2025-05-01");
	CHECK_INT(verify(&r), BR_MDS_STALE);
	r.chk.grace_s = 60 * SA_DAY;
	CHECK_INT(verify(&r), BR_MDS_OK);
	run_free(&r);
}

static void
header_refusals(void)
{
	run r;
	char *leaf, h[4096];
	const char *pl = "{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[]}";

	run_make(&r, NULL, 42, NEXT);
	leaf = mds_cert_b64(r.pki.signer);
	snprintf(h, sizeof(h), "{\"alg\":\"ES384\",\"x5c\":[\"%s\"]}", leaf);
	mds_jwt_raw(h, pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK_INT(verify(&r), BR_MDS_ALGORITHM);
	snprintf(h, sizeof(h), "{\"alg\":\"none\",\"x5c\":[\"%s\"]}", leaf);
	mds_jwt_raw(h, pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK_INT(verify(&r), BR_MDS_ALGORITHM);
	/* RS256 named for an EC key */
	snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"x5c\":[\"%s\"]}", leaf);
	mds_jwt_raw(h, pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK(verify(&r) != BR_MDS_OK);
	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"crit\":[\"x\"],\"x5c\":[\"%s\"]}", leaf);
	mds_jwt_raw(h, pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK_INT(verify(&r), BR_MDS_MALFORMED);
	mds_jwt_raw("{\"alg\":\"ES256\",\"x5c\":[\"AAAA\"]}", pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK_INT(verify(&r), BR_MDS_CERTIFICATE);
	mds_jwt_raw("{\"alg\":\"ES256\"}", pl, r.pki.signer_key, BR_COSE_ES256, &r.blob);
	CHECK_INT(verify(&r), BR_MDS_MALFORMED);
	sa_buf_set(&r.blob, "a.b", 3);
	CHECK_INT(verify(&r), BR_MDS_MALFORMED);
	sa_buf_set(&r.blob, "a.b.c.d", 7);
	CHECK_INT(verify(&r), BR_MDS_MALFORMED);
	free(leaf);
	run_free(&r);
}

static br_mds_err
parse(const char *json)
{
	br_mds *m = NULL;
	br_mds_err e = br_mds_payload_parse((const unsigned char *)json, strlen(json), &m);

	CHECK((e == BR_MDS_OK) == (m != NULL));
	br_mds_free(&m);
	return e;
}

static void
payload_refusals(void)
{
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[]}"), BR_MDS_OK);
	CHECK_INT(parse("{\"no\":-1,\"nextUpdate\":\"2025-06-22\",\"entries\":[]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-02-30\",\"entries\":[]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"no\":2,\"nextUpdate\":\"2025-06-22\",\"entries\":[]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[{\"aaguid\":\"xx\"}]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[{\"aaguid\":\"" AAGUID_A "\","
	    "\"timeOfLastStatusChange\":\"2025-13-01\"}]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[{\"aaguid\":\"" AAGUID_A "\","
	    "\"metadataStatement\":{\"attestationRootCertificates\":[\"AAAA\"]}}]}"), BR_MDS_CERTIFICATE);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[{\"aaguid\":\"" AAGUID_A "\","
	    "\"metadataStatement\":{\"attestationRootCertificates\":[\"A=A=\"]}}]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":[{\"aaguid\":\"" AAGUID_A "\","
	    "\"statusReports\":[{\"effectiveDate\":\"2024-01-01\"}]}]}"), BR_MDS_MALFORMED);
	CHECK_INT(parse("[]"), BR_MDS_MALFORMED);
	CHECK_INT(br_mds_payload_parse(NULL, 0, &(br_mds *){ NULL }), BR_MDS_MALFORMED);
}

/* Two entries for AAGUID_A (the second written in upper case), then one for AAGUID_B. */
static br_mds_err
parse_two(const char *first, const char *second, br_mds **out)
{
	char json[2048];
	char upper[sizeof(AAGUID_A)];
	size_t i;

	for (i = 0; i < sizeof(AAGUID_A); i++)
		upper[i] = (char)(AAGUID_A[i] >= 'a' && AAGUID_A[i] <= 'f' ? AAGUID_A[i] - 32 : AAGUID_A[i]);
	snprintf(json, sizeof(json), "{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":["
	    "{\"aaguid\":\"" AAGUID_A "\",%s},{\"aaguid\":\"%s\",%s},{\"aaguid\":\"" AAGUID_B "\"}]}",
	    first, upper, second);
	return br_mds_payload_parse((const unsigned char *)json, strlen(json), out);
}

#define OLD_REVOKED "\"timeOfLastStatusChange\":\"2024-01-01\",\"metadataStatement\":{\"description\":\"old\"}," \
	"\"statusReports\":[{\"status\":\"REVOKED\",\"effectiveDate\":\"2024-01-01\"}]"
#define NEW_L2 "\"timeOfLastStatusChange\":\"2025-03-01\",\"metadataStatement\":{\"description\":\"new\"}," \
	"\"statusReports\":[{\"status\":\"FIDO_CERTIFIED_L2\",\"effectiveDate\":\"2025-03-01\"}]"
#define SAME_DAY(desc, status) "\"timeOfLastStatusChange\":\"2025-03-01\",\"metadataStatement\":{\"description\":\"" \
	desc "\"},\"statusReports\":[{\"status\":\"" status "\",\"effectiveDate\":\"2025-03-01\"}]"

static void
kept(const char *first, const char *second, const char *desc, int latest)
{
	br_mds *m = NULL;
	unsigned char a[16];
	const br_mds_entry *e;

	CHECK_INT(parse_two(first, second, &m), BR_MDS_OK);
	CHECK(m->n == 2 && m->duplicates == 1);
	CHECK_INT(br_aaguid_parse(AAGUID_A, 36, a), 0);
	CHECK((e = br_mds_find(m, a)) != NULL);
	CHECK(strcmp(e->description, desc) == 0);
	CHECK_INT(e->latest, latest);
	CHECK(memcmp(m->entries[0].aaguid, m->entries[1].aaguid, 16) < 0);
	br_mds_free(&m);
}

static void
duplicate_aaguids(void)
{
	br_mds *m = NULL;

	/* the newer status change wins, wherever it stands in the blob */
	kept(OLD_REVOKED, NEW_L2, "new", BR_MDS_S_FIDO_CERTIFIED_L2);
	kept(NEW_L2, OLD_REVOKED, "new", BR_MDS_S_FIDO_CERTIFIED_L2);
	/* also when the newer word is the bad one */
	kept("\"timeOfLastStatusChange\":\"2026-01-01\",\"metadataStatement\":{\"description\":\"revoked\"},"
	    "\"statusReports\":[{\"status\":\"REVOKED\",\"effectiveDate\":\"2026-01-01\"}]", NEW_L2, "revoked", BR_MDS_S_REVOKED);
	/* the same day and the same verdict: one model, the first entry's text */
	kept(SAME_DAY("first", "FIDO_CERTIFIED_L1"), SAME_DAY("second", "FIDO_CERTIFIED_L1"), "first", BR_MDS_S_FIDO_CERTIFIED_L1);
	kept("\"statusReports\":[]", "\"statusReports\":[]", "", -1);
	/* the same day, different verdicts: which is meant cannot be told, the blob is refused */
	CHECK_INT(parse_two(SAME_DAY("a", "FIDO_CERTIFIED_L1"), SAME_DAY("b", "REVOKED"), &m), BR_MDS_AMBIGUOUS);
	CHECK(m == NULL);
	CHECK_INT(parse_two("\"statusReports\":[]", "\"statusReports\":[{\"status\":\"REVOKED\"}]", &m), BR_MDS_AMBIGUOUS);
	CHECK(strcmp(br_mds_strerr(BR_MDS_AMBIGUOUS), "ambiguous") == 0);
}

static void
root_expiry(void)
{
	mds_pki p;
	int64_t na = 0;

	mds_pki_make(&p, NULL);
	CHECK_INT(br_mds_root_not_after(sa_span(&p.root_pem), &na), 0);
	CHECK_INT(na, SA_NOW + 3650 * SA_DAY);
	CHECK_INT(br_mds_root_not_after(sa_span_str("not a pem"), &na), -1);
	mds_pki_free(&p);
}

static void
names(void)
{
	CHECK(strcmp(br_mds_strerr(BR_MDS_REVOKED), "signer_revoked") == 0);
	CHECK(strcmp(br_mds_strerr(BR_MDS_STALE), "stale") == 0);
	CHECK_INT(br_mds_status_parse("USER_VERIFICATION_BYPASS", 24), BR_MDS_S_USER_VERIFICATION_BYPASS);
	CHECK_INT(br_mds_status_parse("REVOKE", 6), -1);
	CHECK_INT(br_mds_level_parse("L3plus"), 6);
	CHECK_INT(br_mds_level_parse("L4"), -1);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(valid_blob),
		UNIT_CASE(valid_blob_rs256),
		UNIT_CASE(entry_with_revoked_status),
		UNIT_CASE(tampered_payload),
		UNIT_CASE(wrong_root),
		UNIT_CASE(expired_signer),
		UNIT_CASE(revoked_signer),
		UNIT_CASE(crl_missing_or_expired),
		UNIT_CASE(older_no_replayed),
		UNIT_CASE(next_update_long_past),
		UNIT_CASE(header_refusals),
		UNIT_CASE(payload_refusals),
		UNIT_CASE(duplicate_aaguids),
		UNIT_CASE(root_expiry),
		UNIT_CASE(names),
	};

	sa_init();
	return unit_run("mds", cases, UNIT_N(cases));
}
