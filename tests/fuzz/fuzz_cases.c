/* Decoding of the generated case table (fixtures.c) into ready-to-use contexts. */
#include "fixtures.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "cose.h"
#include "fuzz_common.h"

/* The RP offers every algorithm the core knows, as bridgectl does for the vectors. */
static const int all_algs[] = {
	BR_COSE_ES256, BR_COSE_ES384, BR_COSE_ES512, BR_COSE_EDDSA,
	BR_COSE_PS256, BR_COSE_PS384, BR_COSE_PS512,
	BR_COSE_RS256, BR_COSE_RS384, BR_COSE_RS512, BR_COSE_RS1,
};

static struct fz_ctx *ctxs;            /* one per case; reachable until exit */
static size_t *reg_idx, *auth_idx;
static size_t n_reg, n_auth;

static void
decode(const char *s, br_blob *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	/* a fixture that does not decode is a broken fixtures.c, not a finding */
	FZ_CHECK(br_b64url_decode(s, strlen(s), out) == 0);
}

static void
init_once(void)
{
	size_t i, n;
	br_uv_policy uv;

	if (ctxs != NULL)
		return;
	FZ_CHECK(fz_n_cases > 0);
	ctxs = calloc(fz_n_cases, sizeof(*ctxs));
	reg_idx = calloc(fz_n_cases, sizeof(*reg_idx));
	auth_idx = calloc(fz_n_cases, sizeof(*auth_idx));
	FZ_CHECK(ctxs != NULL && reg_idx != NULL && auth_idx != NULL);
	for (i = 0; i < fz_n_cases; i++) {
		const struct fz_case *c = &fz_cases[i];
		struct fz_ctx *x = &ctxs[i];

		x->c = c;
		decode(c->challenge, &x->challenge);
		decode(c->client_data_json, &x->client_data_json);
		decode(c->raw_id, &x->raw_id);
		decode(c->user_handle, &x->user_handle);
		decode(c->cred_id, &x->cred_id);
		decode(c->cred_cose, &x->cred_cose);
		if (c->trust_pem != NULL) {
			FZ_CHECK((x->trust = br_trust_new()) != NULL);
			FZ_CHECK(br_trust_add_pem(x->trust, c->trust_pem, strlen(c->trust_pem)) == 0);
		}
		for (n = 0; n < FZ_MAX_ORIGINS && c->origins[n] != NULL; n++)
			;
		FZ_CHECK(br_uv_policy_parse(c->user_verification, &uv) == 0);
		x->policy.rp_id = c->rp_id;
		x->policy.origins = c->origins;
		x->policy.n_origins = n;
		x->policy.uv = uv;
		x->policy.algs = all_algs;
		x->policy.n_algs = sizeof(all_algs) / sizeof(all_algs[0]);
		x->policy.reject_sign_count_regression = 1;
		if (c->registration)
			reg_idx[n_reg++] = i;
		else
			auth_idx[n_auth++] = i;
	}
	FZ_CHECK(n_reg > 0 && n_auth > 0);
}

const struct fz_ctx *
fz_reg_ctx(unsigned sel)
{
	init_once();
	return &ctxs[reg_idx[sel % n_reg]];
}

const struct fz_ctx *
fz_auth_ctx(unsigned sel)
{
	init_once();
	return &ctxs[auth_idx[sel % n_auth]];
}

const struct fz_ctx *
fz_any_ctx(unsigned sel)
{
	init_once();
	return &ctxs[sel % fz_n_cases];
}
