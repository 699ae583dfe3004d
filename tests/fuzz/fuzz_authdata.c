/*
 * br_authdata_parse: the input is raw authenticatorData.
 * On BR_OK every span must lie inside the input, in order, and the parts must
 * add up to the whole input; the attested key and the extensions must each be
 * one complete CBOR map. Parsed data is then run through br_authdata_check and
 * the embedded key through br_cose_key_parse.
 */
#include <string.h>

#include "authdata.h"
#include "cbor_read.h"
#include "cose.h"
#include "crypto.h"
#include "fuzz_common.h"

#define RP_ID "example.org"

static int
span_inside(br_span s, const uint8_t *data, size_t size)
{
	if (s.len == 0)
		return 1;
	return s.ptr != NULL && s.ptr >= data && s.len <= size &&
	    (size_t)(s.ptr - data) <= size - s.len;
}

/* One CBOR map spanning exactly the span: what the parser promised. */
static void
check_one_map(br_span s)
{
	cbor_item_t *it = NULL;

	FZ_CHECK(br_cbor_decode(s.ptr, s.len, &it, NULL) == 0);
	FZ_CHECK(cbor_isa_map(it));
	cbor_decref(&it);
}

static void
check_parsed(const uint8_t *data, size_t size, const br_authdata *ad)
{
	size_t off = 37;
	uint16_t idlen;

	FZ_CHECK(size >= 37);
	FZ_CHECK(ad->rp_id_hash.ptr == data && ad->rp_id_hash.len == BR_SHA256_LEN);
	FZ_CHECK(ad->flags == data[32]);
	FZ_CHECK(ad->sign_count == fz_be32(data + 33));
	FZ_CHECK(span_inside(ad->cred_id, data, size));
	FZ_CHECK(span_inside(ad->cose_key, data, size));
	FZ_CHECK(span_inside(ad->extensions, data, size));

	FZ_CHECK(ad->has_attested == ((ad->flags & BR_AD_AT) != 0));
	if (ad->has_attested) {
		FZ_CHECK(size >= off + BR_AAGUID_LEN + 2);
		FZ_CHECK(memcmp(ad->aaguid, data + off, BR_AAGUID_LEN) == 0);
		off += BR_AAGUID_LEN;
		idlen = fz_be16(data + off);
		off += 2;
		FZ_CHECK(idlen >= 1 && idlen <= BR_CRED_ID_MAX);
		FZ_CHECK(ad->cred_id.ptr == data + off && ad->cred_id.len == idlen);
		off += idlen;
		FZ_CHECK(ad->cose_key.len > 0 && ad->cose_key.ptr == data + off);
		off += ad->cose_key.len;
		check_one_map(ad->cose_key);
	} else {
		FZ_CHECK(ad->cred_id.ptr == NULL && ad->cred_id.len == 0);
		FZ_CHECK(ad->cose_key.ptr == NULL && ad->cose_key.len == 0);
	}
	if (ad->flags & BR_AD_ED) {
		FZ_CHECK(ad->extensions.len > 0 && ad->extensions.ptr == data + off);
		off += ad->extensions.len;
		check_one_map(ad->extensions);
	} else {
		FZ_CHECK(ad->extensions.ptr == NULL && ad->extensions.len == 0);
	}
	/* nothing trails and nothing is counted twice */
	FZ_CHECK(off == size);
}

/* br_authdata_check against an independent reading of the same bytes. */
static void
check_flags(const uint8_t *data, const br_authdata *ad, int uv_required)
{
	unsigned char h[BR_SHA256_LEN];
	uint8_t f = data[32];
	br_err want, got;

	FZ_CHECK(br_sha256(RP_ID, strlen(RP_ID), h) == 0);
	if (memcmp(h, data, sizeof(h)) != 0)
		want = BR_ERR_RP_ID;
	else if (!(f & BR_AD_UP))
		want = BR_ERR_USER_PRESENCE;
	else if (uv_required && !(f & BR_AD_UV))
		want = BR_ERR_USER_VERIFICATION;
	else if ((f & BR_AD_BS) && !(f & BR_AD_BE))
		want = BR_ERR_BACKUP_STATE;
	else
		want = BR_OK;
	got = br_authdata_check(ad, RP_ID, uv_required);
	FZ_CHECK(got == want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_authdata ad;
	br_cose_key key;
	br_err r, kr;

	r = br_authdata_parse(data, size, &ad);
	switch (r) {
	case BR_OK:
		break;
	case BR_ERR_AUTH_DATA:
	case BR_ERR_CREDENTIAL_ID_LENGTH:
	case BR_ERR_ATTESTED_DATA:
	case BR_ERR_COSE_KEY:
	case BR_ERR_EXTENSIONS:
	case BR_ERR_TRAILING_DATA:
		/* anything shorter than the fixed header cannot parse */
		FZ_CHECK(size >= 37 || r == BR_ERR_AUTH_DATA);
		fz_end_input();
		return 0;
	default:
		FZ_CHECK(!"unexpected error code from br_authdata_parse");
	}

	check_parsed(data, size, &ad);
	check_flags(data, &ad, 0);
	check_flags(data, &ad, 1);
	if (ad.has_attested) {
		kr = br_cose_key_parse(ad.cose_key.ptr, ad.cose_key.len, &key);
		FZ_CHECK(kr == BR_OK || kr == BR_ERR_COSE_KEY || kr == BR_ERR_ALGORITHM);
		FZ_CHECK((kr == BR_OK) == (key.pkey != NULL));
		br_cose_key_reset(&key);
	}
	fz_end_input();
	return 0;
}
