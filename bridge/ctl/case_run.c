#include "case_run.h"

#include <string.h>

#include "../core/cose.h"

static const int all_algs[] = {
	BR_COSE_ES256, BR_COSE_ES384, BR_COSE_ES512, BR_COSE_EDDSA,
	BR_COSE_PS256, BR_COSE_PS384, BR_COSE_PS512,
	BR_COSE_RS256, BR_COSE_RS384, BR_COSE_RS512, BR_COSE_RS1,
};

void
br_case_policy(const br_case *c, br_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->rp_id = c->rp_id;
	pol->origins = (const char *const *)c->origins;
	pol->n_origins = c->n_origins;
	pol->uv = c->uv;
	pol->algs = all_algs;
	pol->n_algs = sizeof(all_algs) / sizeof(all_algs[0]);
	pol->reject_sign_count_regression = 1;
}

br_err
br_case_run(const br_case *c, const br_policy *pol, br_case_outcome *o)
{
	const br_credential_json *r = &c->response;

	memset(o, 0, sizeof(*o));
	if (c->response_error != BR_OK)
		return o->error = c->response_error;
	if (c->is_registration) {
		br_reg_input in = {
			.policy = pol,
			.challenge = { c->challenge.ptr, c->challenge.len },
			.client_data_json = { r->client_data_json.ptr, r->client_data_json.len },
			.attestation_object = { r->attestation_object.ptr, r->attestation_object.len },
			.raw_id = { r->raw_id.ptr, r->raw_id.len },
			.trust = c->trust,
			.now = c->now,
		};
		o->error = br_register_verify(&in, &o->reg);
	} else {
		br_stored_credential cred = {
			.id = { c->cred_id.ptr, c->cred_id.len },
			.public_key_cose = { c->cred_public_key.ptr, c->cred_public_key.len },
			.sign_count = c->cred_sign_count,
		};
		br_auth_input in = {
			.policy = pol,
			.challenge = { c->challenge.ptr, c->challenge.len },
			.client_data_json = { r->client_data_json.ptr, r->client_data_json.len },
			.authenticator_data = { r->authenticator_data.ptr, r->authenticator_data.len },
			.signature = { r->signature.ptr, r->signature.len },
			.user_handle = { r->user_handle.ptr, r->user_handle.len },
			.raw_id = { r->raw_id.ptr, r->raw_id.len },
			.credential = &cred,
			/* the stored credential is the one the RP allowed */
			.allow = &cred.id,
			.n_allow = 1,
		};
		o->error = br_assert_verify(&in, &o->auth);
	}
	return o->error;
}

void
br_case_outcome_reset(br_case_outcome *o)
{
	br_reg_result_reset(&o->reg);
	memset(o, 0, sizeof(*o));
}
