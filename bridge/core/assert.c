/* Authentication ceremony (WebAuthn section 7.2). */
#include <string.h>

#include "ceremony.h"
#include "clientdata.h"
#include "cose.h"
#include "crypto.h"

static int
allowed(const br_auth_input *in)
{
	size_t i;
	int hit = 0;

	if (in->n_allow == 0)
		return 1;
	/* walk the whole list: no early exit that times which entry matched */
	for (i = 0; i < in->n_allow; i++)
		hit |= br_ct_equal(in->allow[i].ptr, in->allow[i].len, in->raw_id.ptr, in->raw_id.len);
	return hit;
}

br_err
br_assert_verify(const br_auth_input *in, br_auth_result *out)
{
	const br_policy *pol = in->policy;
	const br_stored_credential *cred = in->credential;
	unsigned char cdh[BR_SHA256_LEN];
	br_span cdh_span = { cdh, sizeof(cdh) };
	br_clientdata_expect exp;
	br_cose_key key = { 0, 0, NULL };
	const br_cose_key *use;
	br_authdata ad;
	br_err r;

	memset(out, 0, sizeof(*out));
	if (pol == NULL || pol->rp_id == NULL || cred == NULL ||
	    (cred->parsed_key != NULL && cred->parsed_key->pkey == NULL))
		return BR_ERR_INVALID_ARGUMENT;

	if (!allowed(in))
		return BR_ERR_CREDENTIAL_NOT_ALLOWED;
	/* the caller looked the credential up by this id; make sure it is the one */
	if (!br_ct_equal(in->raw_id.ptr, in->raw_id.len, cred->id.ptr, cred->id.len))
		return BR_ERR_CREDENTIAL_ID_MISMATCH;
	if (in->user_handle.len == 0 && in->user_handle_required)
		return BR_ERR_USER_HANDLE;
	if (in->user_handle.len > 0 && cred->user_handle.len > 0 &&
	    !br_ct_equal(in->user_handle.ptr, in->user_handle.len,
		cred->user_handle.ptr, cred->user_handle.len))
		return BR_ERR_USER_HANDLE;

	memset(&exp, 0, sizeof(exp));
	exp.type = "webauthn.get";
	exp.challenge = in->challenge;
	exp.origins = pol->origins;
	exp.n_origins = pol->n_origins;
	exp.allow_cross_origin = pol->allow_cross_origin;
	exp.top_origins = pol->top_origins;
	exp.n_top_origins = pol->n_top_origins;
	if ((r = br_clientdata_check(in->client_data_json.ptr, in->client_data_json.len, &exp)) != BR_OK)
		return r;

	if ((r = br_authdata_parse(in->authenticator_data.ptr, in->authenticator_data.len, &ad)) != BR_OK)
		return r;
	if ((r = br_authdata_check(&ad, pol->rp_id, pol->uv == BR_UV_REQUIRED)) != BR_OK)
		return r;
	/* BE is fixed for a credential's life; a change means another authenticator */
	if (cred->be_known && ((ad.flags & BR_AD_BE) != 0) != (cred->be != 0))
		return BR_ERR_BACKUP_STATE;

	if (br_sha256(in->client_data_json.ptr, in->client_data_json.len, cdh) < 0)
		return BR_ERR_INTERNAL;
	if (cred->parsed_key != NULL) {
		/* parsed by the caller from the same bytes: the same key, checks and errors */
		use = cred->parsed_key;
	} else {
		if ((r = br_cose_key_parse(cred->public_key_cose.ptr, cred->public_key_cose.len, &key)) != BR_OK)
			goto out;
		use = &key;
	}
	if ((r = br_sig_verify2(use->pkey, use->alg, in->authenticator_data, cdh_span,
		 in->signature)) != BR_OK) {
		if (r == BR_ERR_ALGORITHM)
			r = BR_ERR_COSE_KEY;
		goto out;
	}

	out->sign_count = ad.sign_count;
	out->uv = (ad.flags & BR_AD_UV) != 0;
	out->be = (ad.flags & BR_AD_BE) != 0;
	out->bs = (ad.flags & BR_AD_BS) != 0;
	/* authenticators that never count report 0 on both sides: that is fine */
	if ((ad.sign_count != 0 || cred->sign_count != 0) && ad.sign_count <= cred->sign_count) {
		out->counter_regressed = 1;
		if (pol->reject_sign_count_regression) {
			r = BR_ERR_SIGN_COUNT;
			goto out;
		}
	}
	r = BR_OK;
out:
	br_cose_key_reset(&key);
	return r;
}
