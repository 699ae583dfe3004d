/* Registration ceremony (WebAuthn section 7.1), steps in the specification's order. */
#include <string.h>

#include "attest.h"
#include "clientdata.h"

const char *
br_att_type_name(br_att_type t)
{
	switch (t) {
	case BR_ATT_NONE:
		return "none";
	case BR_ATT_SELF:
		return "self";
	case BR_ATT_BASIC:
		return "basic";
	case BR_ATT_ATTCA:
		return "attca";
	case BR_ATT_ANONCA:
		return "anonca";
	}
	return "unknown";
}

const br_enum_name br_uv_policy_names[] = {
	{ "required", BR_UV_REQUIRED },
	{ "preferred", BR_UV_PREFERRED },
	{ "discouraged", BR_UV_DISCOURAGED },
	{ NULL, 0 },
};

int
br_uv_policy_parse(const char *s, br_uv_policy *out)
{
	int v;

	if (br_enum_parse(br_uv_policy_names, s, &v) < 0)
		return -1;
	*out = (br_uv_policy)v;
	return 0;
}

const char *
br_uv_policy_name(br_uv_policy p)
{
	return br_enum_name_of(br_uv_policy_names, (int)p);
}

static int
alg_offered(const br_policy *pol, int alg)
{
	size_t i;

	for (i = 0; i < pol->n_algs; i++)
		if (pol->algs[i] == alg)
			return 1;
	return 0;
}

void
br_reg_result_reset(br_reg_result *r)
{
	br_blob_reset(&r->credential_id);
	br_blob_reset(&r->public_key_cose);
	memset(r, 0, sizeof(*r));
}

/* attestationObject: a map of exactly fmt (text), attStmt (map) and authData (bytes). */
static br_err
decode_attobj(br_span in, cbor_item_t **obj, br_span *fmt, const cbor_item_t **stmt,
    br_span *auth_data)
{
	if (br_cbor_decode(in.ptr, in.len, obj, NULL) < 0)
		return BR_ERR_ATTESTATION_OBJECT;
	if (!cbor_isa_map(*obj) || cbor_map_size(*obj) != 3 ||
	    br_cbor_text(br_cbor_map_str(*obj, "fmt"), fmt) < 0 ||
	    br_cbor_bytes(br_cbor_map_str(*obj, "authData"), auth_data) < 0 ||
	    (*stmt = br_cbor_map_str(*obj, "attStmt")) == NULL || !cbor_isa_map(*stmt))
		return BR_ERR_ATTESTATION_OBJECT;
	return BR_OK;
}

br_err
br_register_verify(const br_reg_input *in, br_reg_result *out)
{
	const br_policy *pol = in->policy;
	unsigned char cdh[BR_SHA256_LEN];
	cbor_item_t *obj = NULL;
	const cbor_item_t *stmt = NULL;
	br_span fmt = { NULL, 0 }, ad_raw = { NULL, 0 };
	br_clientdata_expect exp;
	br_cose_key key = { 0, 0, NULL };
	br_authdata ad;
	br_attest_ctx actx;
	br_attest_fn verify;
	br_att_type type = BR_ATT_NONE;
	br_err r;

	memset(out, 0, sizeof(*out));
	if (pol == NULL || pol->rp_id == NULL)
		return BR_ERR_INVALID_ARGUMENT;

	memset(&exp, 0, sizeof(exp));
	exp.type = "webauthn.create";
	exp.challenge = in->challenge;
	exp.origins = pol->origins;
	exp.n_origins = pol->n_origins;
	exp.allow_cross_origin = pol->allow_cross_origin;
	exp.top_origins = pol->top_origins;
	exp.n_top_origins = pol->n_top_origins;
	if ((r = br_clientdata_check(in->client_data_json.ptr, in->client_data_json.len, &exp)) != BR_OK)
		goto out;
	if (br_sha256(in->client_data_json.ptr, in->client_data_json.len, cdh) < 0) {
		r = BR_ERR_INTERNAL;
		goto out;
	}

	if ((r = decode_attobj(in->attestation_object, &obj, &fmt, &stmt, &ad_raw)) != BR_OK)
		goto out;
	if ((r = br_authdata_parse(ad_raw.ptr, ad_raw.len, &ad)) != BR_OK)
		goto out;
	{
		br_authdata chk = ad;

		if (in->user_presence_optional)
			chk.flags |= BR_AD_UP;
		if ((r = br_authdata_check(&chk, pol->rp_id, pol->uv == BR_UV_REQUIRED)) != BR_OK)
			goto out;
	}
	if (!ad.has_attested) {
		r = BR_ERR_ATTESTED_DATA;
		goto out;
	}
	if ((r = br_cose_key_parse(ad.cose_key.ptr, ad.cose_key.len, &key)) != BR_OK)
		goto out;
	if (!alg_offered(pol, key.alg)) {
		r = BR_ERR_ALGORITHM;
		goto out;
	}

	if ((verify = br_attest_lookup((const char *)fmt.ptr, fmt.len)) == NULL) {
		r = BR_ERR_UNSUPPORTED_FMT;
		goto out;
	}
	memset(&actx, 0, sizeof(actx));
	actx.att_stmt = stmt;
	actx.ad = &ad;
	actx.auth_data = ad_raw;
	actx.client_data_hash = cdh;
	actx.cred_key = &key;
	actx.policy = pol;
	actx.trust = in->trust;
	actx.now = in->now;
	if (in->trust_for != NULL) {
		const br_trust *t = NULL;

		if (in->trust_for(in->trust_arg, ad.aaguid, &t) < 0) {
			r = BR_ERR_INTERNAL;
			goto out;
		}
		if (t != NULL)
			actx.trust = t;
	}
	if ((r = verify(&actx, &type)) != BR_OK)
		goto out;

	/* the id the client reports must be the one the authenticator attested */
	if (!br_ct_equal(in->raw_id.ptr, in->raw_id.len, ad.cred_id.ptr, ad.cred_id.len)) {
		r = BR_ERR_CREDENTIAL_ID_MISMATCH;
		goto out;
	}

	if (fmt.len >= sizeof(out->fmt)) {
		r = BR_ERR_INTERNAL;
		goto out;
	}
	memcpy(out->fmt, fmt.ptr, fmt.len);
	out->fmt[fmt.len] = '\0';
	out->att_type = type;
	memcpy(out->aaguid, ad.aaguid, sizeof(out->aaguid));
	if (br_blob_set(&out->credential_id, ad.cred_id.ptr, ad.cred_id.len) < 0 ||
	    br_blob_set(&out->public_key_cose, ad.cose_key.ptr, ad.cose_key.len) < 0) {
		r = BR_ERR_INTERNAL;
		goto out;
	}
	out->alg = key.alg;
	out->sign_count = ad.sign_count;
	out->uv = (ad.flags & BR_AD_UV) != 0;
	out->be = (ad.flags & BR_AD_BE) != 0;
	out->bs = (ad.flags & BR_AD_BS) != 0;
	r = BR_OK;
out:
	if (r != BR_OK)
		br_reg_result_reset(out);
	br_cose_key_reset(&key);
	if (obj != NULL)
		cbor_decref(&obj);
	br_wipe(cdh, sizeof(cdh));
	return r;
}
