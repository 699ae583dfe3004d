/*
 * br_mds_payload_parse and br_mds_blob_verify. Input: [sel][bytes]
 *   sel & 1: bytes are a payload (JSON) -- what a node loads from its file;
 *   otherwise bytes are a blob (compact JWS), judged against a root that is
 *   never its signer, so every blob must be refused (never BR_MDS_OK).
 * On a parsed payload: entries sorted by AAGUID without repeats, each found
 * by br_mds_find, levels and statuses in range, every root a certificate.
 */
#include <stdlib.h>
#include <string.h>

#include "data_url.h"
#include "fuzz_common.h"
#include "mds.h"
#include "x509.h"

static void
check_table(const br_mds *m)
{
	size_t i, j;

	FZ_CHECK(m->no >= 0);
	for (i = 0; i < m->n; i++) {
		const br_mds_entry *e = &m->entries[i];

		if (i > 0)
			FZ_CHECK(memcmp(m->entries[i - 1].aaguid, e->aaguid, 16) < 0);
		FZ_CHECK(br_mds_find(m, e->aaguid) == e);
		FZ_CHECK(e->description != NULL);
		FZ_CHECK(e->level >= 0 && br_mds_level_name(e->level) != NULL);
		FZ_CHECK(e->latest >= -1 && e->latest < BR_MDS_S__COUNT);
		FZ_CHECK(e->latest < 0 || (e->statuses & BR_MDS_STATUS_BIT(e->latest)) != 0);
		FZ_CHECK(e->n_roots <= BR_MDS_ROOTS_MAX);
		FZ_CHECK(e->icon == NULL || br_data_url_image_ok(e->icon));
		for (j = 0; j < e->n_roots; j++) {
			X509 *x = br_x509_from_der(e->roots[j].ptr, e->roots[j].len);

			FZ_CHECK(x != NULL);
			X509_free(x);
		}
	}
}

/* A self-signed P-256 root that signed nothing in the corpus. */
static const char unrelated_root[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkjCCATegAwIBAgIUf7r2wfXug5XM+4ZPoyk198nTOBYwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTRnV6eiBVbnJlbGF0ZWQgUm9vdDAeFw0yNjEyMDcyMDMzNTRa\n"
    "Fw0zNjEyMDQyMDMzNTRaMB4xHDAaBgNVBAMME0Z1enogVW5yZWxhdGVkIFJvb3Qw\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQAQcYADH/ZWJRmMLibqeSCrSKk5QSq\n"
    "1I+u90d74Dc09grnFaTVYLZm/I41IAcZDv2JtNjnyazIhZG/lxAohZ3Io1MwUTAd\n"
    "BgNVHQ4EFgQU+8uZF72qOKvubzOlU0Le8PkbI8kwHwYDVR0jBBgwFoAU+8uZF72q\n"
    "OKvubzOlU0Le8PkbI8kwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG\n"
    "AiEAiZSVxTp35qxlTcaIDiWgb8TVKswLDow77z+Qmao2cG0CIQCQEv8lg2yRSLma\n"
    "HLpoQMpcEn4wSZFobq375U/8hhyyHQ==\n"
    "-----END CERTIFICATE-----\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_mds *m = NULL;
	br_blob pl = { NULL, 0 };
	br_mds_err e;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		e = br_mds_payload_parse(data + 1, size - 1, &m);
		FZ_CHECK((e == BR_MDS_OK) == (m != NULL));
		if (m != NULL)
			check_table(m);
	} else {
		br_mds_check chk = {
			.root_pem = { (const unsigned char *)unrelated_root, sizeof(unrelated_root) - 1 },
			.now = 1800000000, .stored_no = -1, .grace_s = 86400,
		};

		e = br_mds_blob_verify(data + 1, size - 1, &chk, &m, &pl);
		FZ_CHECK(e != BR_MDS_OK && m == NULL && pl.ptr == NULL);
	}
	br_mds_free(&m);
	br_blob_reset(&pl);
	return 0;
}
