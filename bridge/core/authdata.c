#include "authdata.h"

#include <string.h>

#include "cbor_read.h"
#include "crypto.h"

/*
 * Length of the one CBOR item at the start of p, or 0 when it is not a
 * definite map (with integer kty and alg members when cose is set).
 */
static size_t
cbor_map_len(const unsigned char *p, size_t len, int cose)
{
	cbor_item_t *it = NULL;
	size_t used = 0;
	int64_t v;
	int ok;

	if (br_cbor_decode(p, len, &it, &used) < 0)
		return 0;
	ok = cbor_isa_map(it);
	if (ok && cose)
		ok = br_cbor_int(br_cbor_map_int(it, 1), &v) == 0 &&
		    br_cbor_int(br_cbor_map_int(it, 3), &v) == 0;
	cbor_decref(&it);
	return ok ? used : 0;
}

br_err
br_authdata_parse(const unsigned char *p, size_t len, br_authdata *out)
{
	br_cursor c = { p, len };
	uint16_t idlen;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return BR_ERR_AUTH_DATA;
	if (br_cursor_take(&c, &out->rp_id_hash.ptr, BR_SHA256_LEN) < 0 ||
	    br_cursor_u8(&c, &out->flags) < 0 ||
	    br_cursor_be32(&c, &out->sign_count) < 0)
		return BR_ERR_AUTH_DATA;
	out->rp_id_hash.len = BR_SHA256_LEN;

	if (out->flags & BR_AD_AT) {
		if (br_cursor_read(&c, out->aaguid, BR_AAGUID_LEN) < 0 ||
		    br_cursor_be16(&c, &idlen) < 0)
			return BR_ERR_AUTH_DATA;
		if (idlen > BR_CRED_ID_MAX)
			return BR_ERR_CREDENTIAL_ID_LENGTH;
		if (idlen == 0)
			return BR_ERR_ATTESTED_DATA;
		if (br_cursor_take(&c, &out->cred_id.ptr, idlen) < 0)
			return BR_ERR_AUTH_DATA;
		out->cred_id.len = idlen;
		/* the key's CBOR length is the only thing that says where it ends */
		if ((n = cbor_map_len(c.p, c.left, 1)) == 0)
			return BR_ERR_COSE_KEY;
		(void)br_cursor_take(&c, &out->cose_key.ptr, n);
		out->cose_key.len = n;
		out->has_attested = 1;
	}
	if (out->flags & BR_AD_ED) {
		if (c.left == 0)
			return BR_ERR_EXTENSIONS;
		if ((n = cbor_map_len(c.p, c.left, 0)) == 0)
			return BR_ERR_EXTENSIONS;
		(void)br_cursor_take(&c, &out->extensions.ptr, n);
		out->extensions.len = n;
	}
	if (c.left != 0)
		return BR_ERR_TRAILING_DATA;
	return BR_OK;
}

br_err
br_authdata_check(const br_authdata *ad, const char *rp_id, int uv_required)
{
	unsigned char h[BR_SHA256_LEN];

	if (rp_id == NULL || br_sha256(rp_id, strlen(rp_id), h) < 0)
		return BR_ERR_INTERNAL;
	if (!br_ct_equal(h, sizeof(h), ad->rp_id_hash.ptr, ad->rp_id_hash.len))
		return BR_ERR_RP_ID;
	if (!(ad->flags & BR_AD_UP))
		return BR_ERR_USER_PRESENCE;
	if (uv_required && !(ad->flags & BR_AD_UV))
		return BR_ERR_USER_VERIFICATION;
	if ((ad->flags & BR_AD_BS) && !(ad->flags & BR_AD_BE))
		return BR_ERR_BACKUP_STATE;
	return BR_OK;
}
