/*
 * make_mds_blobs DIR: a test MDS PKI and blobs valid around the real clock,
 * for the bridgectl mds tests (tests/core/test-bridgectl-mds.sh):
 *   root.pem, crl.pem            the pinned root and its CRL
 *   other-root.pem               a root that signed nothing
 *   blob-5.jwt, blob-4.jwt       no 5 and no 4 (replay), nextUpdate in 20 days
 *   blob-6-tampered.jwt          no 6 with a payload byte changed
 *   blob-7-stale.jwt             no 7, nextUpdate 60 days ago
 * Entries: ee882879-... "Example Key 5" (L2), fa2b99dc-... "Leaky Key" (REVOKED).
 * Keys live only in this process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mds_fixture.h"
#include "timefmt.h"

static void
put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	SA_REQUIRE((f = fopen(path, "wb")) != NULL);
	SA_REQUIRE(fwrite(p, 1, n, f) == n);
	SA_REQUIRE(fclose(f) == 0);
}

static void
blob(const char *dir, const char *name, const mds_pki *p, long no, int64_t next, int tamper)
{
	char iso[32], *pl, *rb = mds_cert_b64(p->root.cert);
	size_t n = strlen(rb) + 1024;
	sa_buf out = { NULL, 0 };
	unsigned char *d1;

	SA_REQUIRE(br_time_to_iso(next, iso, sizeof(iso)) == 0);
	iso[10] = '\0';
	SA_REQUIRE((pl = malloc(n)) != NULL);
	snprintf(pl, n, "{\"no\":%ld,\"nextUpdate\":\"%s\",\"entries\":["
	    "{\"aaguid\":\"ee882879-721c-4913-9775-3dfcce97072a\",\"metadataStatement\":{\"description\":\"Example Key 5\","
	    "\"attestationRootCertificates\":[\"%s\"]},\"statusReports\":[{\"status\":\"FIDO_CERTIFIED_L2\",\"effectiveDate\":\"2024-06-01\"}]},"
	    "{\"aaguid\":\"fa2b99dc-9e39-4257-8f92-4a30d23c4118\",\"metadataStatement\":{\"description\":\"Leaky Key\"},"
	    "\"statusReports\":[{\"status\":\"FIDO_CERTIFIED\",\"effectiveDate\":\"2023-01-01\"},{\"status\":\"REVOKED\",\"effectiveDate\":\"2025-03-01\"}]}]}",
	    no, iso, rb);
	mds_jwt(p, pl, &out);
	if (tamper) {
		d1 = memchr(out.ptr, '.', out.len);
		d1[30] = d1[30] == 'A' ? 'B' : 'A';
	}
	sa_buf_str(&out, "\n");
	put(dir, name, out.ptr, out.len);
	sa_buf_free(&out);
	free(pl);
	free(rb);
}

int
main(int argc, char **argv)
{
	mds_pki p, other;
	mds_pki_opts o = { .now = (int64_t)time(NULL) };

	if (argc != 2) {
		fprintf(stderr, "usage: make_mds_blobs DIR\n");
		return 2;
	}
	mds_pki_make(&p, &o);
	mds_pki_make(&other, &o);
	put(argv[1], "root.pem", p.root_pem.ptr, p.root_pem.len);
	put(argv[1], "crl.pem", p.crl_pem.ptr, p.crl_pem.len);
	put(argv[1], "other-root.pem", other.root_pem.ptr, other.root_pem.len);
	blob(argv[1], "blob-5.jwt", &p, 5, o.now + 20 * SA_DAY, 0);
	blob(argv[1], "blob-4.jwt", &p, 4, o.now + 20 * SA_DAY, 0);
	blob(argv[1], "blob-6-tampered.jwt", &p, 6, o.now + 20 * SA_DAY, 1);
	blob(argv[1], "blob-7-stale.jwt", &p, 7, o.now - 60 * SA_DAY, 0);
	mds_pki_free(&p);
	mds_pki_free(&other);
	return 0;
}
