/*
 * Authentication ceremony (WebAuthn section 7.2): success for every
 * algorithm, then one case per check with its exact error code, and the
 * signature counter rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "soft_authenticator.h"
#include "unit.h"

static sa_auth_opts
opts(void)
{
	sa_auth_opts o;

	memset(&o, 0, sizeof(o));
	o.stored_count = 4;
	o.sign_count = 5;
	return o;
}

static int
result_zero(const br_auth_result *r)
{
	return r->sign_count == 0 && r->uv == 0 && r->be == 0 && r->bs == 0 &&
	    r->counter_regressed == 0;
}

/* Verify a with a result the verifier must reset first. */
static br_err
verify(const sa_auth *a, br_auth_result *res)
{
	memset(res, 0xa5, sizeof(*res));
	return br_assert_verify(&a->in, res);
}

/* Build an assertion by a key of alg with o; the result must be clear on failure. */
static br_err
run_alg(int alg, const sa_auth_opts *o)
{
	br_auth_result res;
	sa_auth a;
	sa_key k;
	br_err e;

	sa_key_gen(alg, &k);
	sa_auth_build(&a, &k, o);
	e = verify(&a, &res);
	if (e != BR_OK && e != BR_ERR_SIGN_COUNT)
		CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
	return e;
}

static br_err
run(const sa_auth_opts *o)
{
	return run_alg(BR_COSE_ES256, o);
}

/* ---- successes ---- */

static void
every_alg(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_auth_opts o = opts();
		br_auth_result res;
		sa_auth a;
		sa_key k;

		sa_key_gen(sa_algs[i], &k);
		o.sign_count = 100 + (uint32_t)i;
		o.stored_count = 99;
		sa_auth_build(&a, &k, &o);
		CHECK_ERR(verify(&a, &res), BR_OK);
		CHECK_INT(res.sign_count, 100 + i);
		CHECK_INT(res.uv, 1);
		CHECK_INT(res.be, 0);
		CHECK_INT(res.bs, 0);
		CHECK_INT(res.counter_regressed, 0);
		sa_auth_free(&a);
		sa_key_free(&k);
	}
}

static void
flags_reported(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_EDDSA, &k);
	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_BE | BR_AD_BS;
	sa_auth_build(&a, &k, &o);
	CHECK_ERR(verify(&a, &res), BR_OK);
	CHECK_INT(res.uv, 0);
	CHECK_INT(res.be, 1);
	CHECK_INT(res.bs, 1);
	/* BE known and the same as stored */
	a.stored.be_known = 1;
	a.stored.be = 1;
	CHECK_ERR(verify(&a, &res), BR_OK);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
extensions_accepted(void)
{
	static const unsigned char ext[] = { 0xa1, 0x63, 'a', 'p', 'p', 0xf4 };
	sa_auth_opts o = opts();

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_ED;
	o.ext = (br_span){ ext, sizeof(ext) };
	CHECK_ERR(run(&o), BR_OK);
}

static void
allow_list_hit(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;
	unsigned char x[32], y[16];
	br_span allow[3];

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	sa_rand(x, sizeof(x));
	sa_rand(y, sizeof(y));
	allow[0] = (br_span){ x, sizeof(x) };
	allow[1] = (br_span){ y, sizeof(y) };
	allow[2] = sa_span(&a.cred_id);
	a.in.allow = allow;
	a.in.n_allow = 3;
	CHECK_ERR(verify(&a, &res), BR_OK);
	/* first in the list too */
	allow[0] = sa_span(&a.cred_id);
	allow[2] = (br_span){ x, sizeof(x) };
	CHECK_ERR(verify(&a, &res), BR_OK);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
user_handle_absent_when_not_required(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	a.in.user_handle = (br_span){ NULL, 0 };
	CHECK_ERR(verify(&a, &res), BR_OK);
	/* the owner's handle unknown (empty): any response handle passes */
	a.stored.user_handle = (br_span){ NULL, 0 };
	a.in.user_handle = sa_span_str("someone");
	CHECK_ERR(verify(&a, &res), BR_OK);
	sa_auth_free(&a);
	sa_key_free(&k);
}

/* ---- signature ---- */

static void
sig_flipped(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_auth_opts o = opts();

		o.flip_sig = 1;
		CHECK_ERR(run_alg(sa_algs[i], &o), BR_ERR_SIGNATURE);
	}
}

static void
sig_from_other_credential(void)
{
	static const int algs[] = { BR_COSE_ES256, BR_COSE_ES384, BR_COSE_ES512, BR_COSE_EDDSA };
	size_t i;

	for (i = 0; i < UNIT_N(algs); i++) {
		sa_auth_opts o = opts();
		sa_key other;

		sa_key_gen(algs[i], &other);
		o.signer = &other;
		CHECK_ERR(run_alg(algs[i], &o), BR_ERR_SIGNATURE);
		sa_key_free(&other);
	}
}

static void
sig_by_other_key_type(void)
{
	/* an Ed25519 signature against a stored ES256 key: wrong shape, not a match */
	sa_auth_opts o = opts();
	sa_key other;

	sa_key_gen(BR_COSE_EDDSA, &other);
	o.signer = &other;
	CHECK_ERR(run(&o), BR_ERR_SIGNATURE);
	sa_key_free(&other);
}

static void
sig_missing(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	a.in.signature.len = 0;
	CHECK_ERR(verify(&a, &res), BR_ERR_SIGNATURE);
	CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
stored_key_garbage(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;
	static const unsigned char junk[] = { 0xa1, 0x01, 0x02 };

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	a.stored.public_key_cose = (br_span){ junk, sizeof(junk) };
	CHECK_ERR(verify(&a, &res), BR_ERR_COSE_KEY);
	CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
}

/* ---- credential and user ---- */

static void
credential_not_allowed(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;
	unsigned char x[32];
	br_span allow[2];

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	sa_rand(x, sizeof(x));
	allow[0] = (br_span){ x, sizeof(x) };
	/* a prefix of the id is not the id */
	allow[1] = (br_span){ a.cred_id.ptr, a.cred_id.len - 1 };
	a.in.allow = allow;
	a.in.n_allow = 2;
	CHECK_ERR(verify(&a, &res), BR_ERR_CREDENTIAL_NOT_ALLOWED);
	CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
raw_id_not_stored_id(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;
	unsigned char other[32];

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	memcpy(other, a.cred_id.ptr, 32);
	other[31] ^= 0x01;
	a.in.raw_id = (br_span){ other, sizeof(other) };
	CHECK_ERR(verify(&a, &res), BR_ERR_CREDENTIAL_ID_MISMATCH);
	CHECK(result_zero(&res));
	a.in.raw_id = (br_span){ a.cred_id.ptr, 31 };
	CHECK_ERR(verify(&a, &res), BR_ERR_CREDENTIAL_ID_MISMATCH);
	a.in.raw_id = (br_span){ NULL, 0 };
	CHECK_ERR(verify(&a, &res), BR_ERR_CREDENTIAL_ID_MISMATCH);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
user_handle_of_other_user(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;
	unsigned char other[16];

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	memcpy(other, a.user_handle, 16);
	other[0] ^= 0x80;
	a.in.user_handle = (br_span){ other, sizeof(other) };
	CHECK_ERR(verify(&a, &res), BR_ERR_USER_HANDLE);
	CHECK(result_zero(&res));
	a.in.user_handle = (br_span){ a.user_handle, 15 };
	CHECK_ERR(verify(&a, &res), BR_ERR_USER_HANDLE);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
user_handle_missing_when_required(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	a.in.user_handle_required = 1;
	CHECK_ERR(verify(&a, &res), BR_OK);
	a.in.user_handle = (br_span){ NULL, 0 };
	CHECK_ERR(verify(&a, &res), BR_ERR_USER_HANDLE);
	CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
}

/* ---- clientDataJSON ---- */

static void
replayed_assertion(void)
{
	/* a complete, valid response to an earlier ceremony, sent again */
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a1, a2;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a1, &k, &o);
	CHECK_ERR(verify(&a1, &res), BR_OK);
	sa_auth_build(&a2, &k, &o);
	/* the second ceremony's credential is the first one's */
	a2.stored = a1.stored;
	a2.in.raw_id = a1.in.raw_id;
	a2.in.user_handle = a1.in.user_handle;
	a2.in.client_data_json = a1.in.client_data_json;
	a2.in.authenticator_data = a1.in.authenticator_data;
	a2.in.signature = a1.in.signature;
	CHECK_ERR(verify(&a2, &res), BR_ERR_CHALLENGE);
	CHECK(result_zero(&res));
	sa_auth_free(&a1);
	sa_auth_free(&a2);
	sa_key_free(&k);
}

static void
wrong_challenge(void)
{
	sa_auth_opts o = opts();

	o.wrong_challenge = 1;
	CHECK_ERR(run(&o), BR_ERR_CHALLENGE);
}

static void
wrong_origin(void)
{
	sa_auth_opts o = opts();

	o.origin = "https://login.example.edu.evil.com";
	CHECK_ERR(run(&o), BR_ERR_ORIGIN);
	o.origin = "https://example.edu";
	CHECK_ERR(run(&o), BR_ERR_ORIGIN);
}

static void
create_type_at_authentication(void)
{
	sa_auth_opts o = opts();

	o.type = "webauthn.create";
	CHECK_ERR(run(&o), BR_ERR_TYPE);
	o.type = "payment.get";
	CHECK_ERR(run(&o), BR_ERR_TYPE);
}

static void
cross_origin_not_allowed(void)
{
	sa_auth_opts o = opts();

	o.client_extra = ",\"crossOrigin\":true";
	CHECK_ERR(run(&o), BR_ERR_CROSS_ORIGIN);
	o.client_extra = ",\"topOrigin\":\"" SA_TOP_ORIGIN "\"";
	CHECK_ERR(run(&o), BR_ERR_TOP_ORIGIN);
	o.client_extra = ",\"challenge\":\"AAAA\"";
	CHECK_ERR(run(&o), BR_ERR_CLIENT_DATA);
}

/* ---- authenticatorData ---- */

static void
wrong_rp_id(void)
{
	sa_auth_opts o = opts();

	o.rp_id = "example.edu";
	CHECK_ERR(run(&o), BR_ERR_RP_ID);
	o.rp_id = "login.example.edu.";
	CHECK_ERR(run(&o), BR_ERR_RP_ID);
}

static void
up_missing(void)
{
	sa_auth_opts o = opts();

	o.flags_set = 1;
	o.flags = BR_AD_UV;
	CHECK_ERR(run(&o), BR_ERR_USER_PRESENCE);
}

static void
uv_missing(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	o.flags_set = 1;
	o.flags = BR_AD_UP;
	sa_auth_build(&a, &k, &o);
	a.policy.uv = BR_UV_REQUIRED;
	CHECK_ERR(verify(&a, &res), BR_ERR_USER_VERIFICATION);
	CHECK(result_zero(&res));
	/* preferred: accepted, and the result says UV did not happen */
	a.policy.uv = BR_UV_PREFERRED;
	CHECK_ERR(verify(&a, &res), BR_OK);
	CHECK_INT(res.uv, 0);
	CHECK_INT(res.sign_count, 5);
	a.policy.uv = BR_UV_DISCOURAGED;
	CHECK_ERR(verify(&a, &res), BR_OK);
	CHECK_INT(res.uv, 0);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
bs_without_be(void)
{
	sa_auth_opts o = opts();

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_BS;
	CHECK_ERR(run(&o), BR_ERR_BACKUP_STATE);
}

static void
be_changed_since_registration(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	/* registered backup-eligible; now claims it is not */
	sa_auth_build(&a, &k, &o);
	a.stored.be_known = 1;
	a.stored.be = 1;
	CHECK_ERR(verify(&a, &res), BR_ERR_BACKUP_STATE);
	CHECK(result_zero(&res));
	/* unknown at registration: not judged */
	a.stored.be_known = 0;
	CHECK_ERR(verify(&a, &res), BR_OK);
	sa_auth_free(&a);

	/* registered single-device; now claims backup eligibility */
	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_BE;
	sa_auth_build(&a, &k, &o);
	a.stored.be_known = 1;
	a.stored.be = 0;
	CHECK_ERR(verify(&a, &res), BR_ERR_BACKUP_STATE);
	a.stored.be = 1;
	CHECK_ERR(verify(&a, &res), BR_OK);
	CHECK_INT(res.be, 1);
	CHECK_INT(res.bs, 0);
	sa_auth_free(&a);
	sa_key_free(&k);
}

static void
ed_flag_without_extensions(void)
{
	sa_auth_opts o = opts();

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_ED;
	CHECK_ERR(run(&o), BR_ERR_EXTENSIONS);
}

static void
trailing_authdata(void)
{
	sa_auth_opts o = opts();

	/* the signature covers the trailing bytes: only the parser can refuse them */
	o.trailing = 1;
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
	o.trailing = 64;
	CHECK_ERR(run(&o), BR_ERR_TRAILING_DATA);
}

static void
truncated_authdata(void)
{
	sa_auth_opts o = opts();

	o.truncate = 1;
	CHECK_ERR(run(&o), BR_ERR_AUTH_DATA);
	o.truncate = 37;
	CHECK_ERR(run(&o), BR_ERR_AUTH_DATA);
}

static void
at_flag_without_data(void)
{
	sa_auth_opts o = opts();

	o.flags_set = 1;
	o.flags = BR_AD_UP | BR_AD_UV | BR_AD_AT;
	CHECK_ERR(run(&o), BR_ERR_AUTH_DATA);
}

/* ---- signature counter ---- */

static br_err
counter(uint32_t stored, uint32_t now, int reject, br_auth_result *res)
{
	sa_auth_opts o = opts();
	sa_auth a;
	sa_key k;
	br_err e;

	sa_key_gen(BR_COSE_ES256, &k);
	o.stored_count = stored;
	o.sign_count = now;
	sa_auth_build(&a, &k, &o);
	a.policy.reject_sign_count_regression = reject;
	e = verify(&a, res);
	sa_auth_free(&a);
	sa_key_free(&k);
	return e;
}

static void
counter_equal_rejected(void)
{
	br_auth_result res;

	CHECK_ERR(counter(5, 5, 1, &res), BR_ERR_SIGN_COUNT);
	CHECK_INT(res.counter_regressed, 1);
}

static void
counter_equal_flagged(void)
{
	br_auth_result res;

	CHECK_ERR(counter(5, 5, 0, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 1);
	CHECK_INT(res.sign_count, 5);
	CHECK_INT(res.uv, 1);
}

static void
counter_lower(void)
{
	br_auth_result res;

	CHECK_ERR(counter(5, 3, 1, &res), BR_ERR_SIGN_COUNT);
	CHECK_INT(res.counter_regressed, 1);
	CHECK_ERR(counter(5, 3, 0, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 1);
	CHECK_INT(res.sign_count, 3);
	/* an authenticator that stopped counting */
	CHECK_ERR(counter(5, 0, 1, &res), BR_ERR_SIGN_COUNT);
	CHECK_ERR(counter(0xffffffffu, 1, 1, &res), BR_ERR_SIGN_COUNT);
}

static void
counter_both_zero(void)
{
	br_auth_result res;

	CHECK_ERR(counter(0, 0, 1, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 0);
	CHECK_INT(res.sign_count, 0);
}

static void
counter_increases(void)
{
	br_auth_result res;

	CHECK_ERR(counter(5, 6, 1, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 0);
	CHECK_INT(res.sign_count, 6);
	CHECK_ERR(counter(0, 1, 1, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 0);
	CHECK_ERR(counter(5, 0xffffffffu, 1, &res), BR_OK);
	CHECK_INT(res.counter_regressed, 0);
	CHECK_INT(res.sign_count, 0xffffffffu);
}

static void
missing_arguments(void)
{
	sa_auth_opts o = opts();
	br_auth_result res;
	sa_auth a;
	sa_key k;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_auth_build(&a, &k, &o);
	a.in.credential = NULL;
	CHECK_ERR(verify(&a, &res), BR_ERR_INVALID_ARGUMENT);
	a.in.credential = &a.stored;
	a.in.policy = NULL;
	CHECK_ERR(verify(&a, &res), BR_ERR_INVALID_ARGUMENT);
	a.in.policy = &a.policy;
	a.policy.rp_id = NULL;
	CHECK_ERR(verify(&a, &res), BR_ERR_INVALID_ARGUMENT);
	CHECK(result_zero(&res));
	sa_auth_free(&a);
	sa_key_free(&k);
}

/* ---- a key the caller parsed already (br_stored_credential.parsed_key) ---- */

static void
same_result(const br_auth_result *x, const br_auth_result *y)
{
	CHECK_INT(x->sign_count, y->sign_count);
	CHECK_INT(x->uv, y->uv);
	CHECK_INT(x->be, y->be);
	CHECK_INT(x->bs, y->bs);
	CHECK_INT(x->counter_regressed, y->counter_regressed);
}

/*
 * Verify a three ways: parsing the stored bytes, with the key parsed by
 * br_cose_key_parse and with a shared key from br_cose_key_new. The verdicts
 * and results must be the same; returns the verdict.
 */
static br_err
verify_three_ways(sa_auth *a)
{
	br_auth_result r0, r1, r2;
	br_cose_key ck;
	const br_cose_key *sk = NULL;
	br_err e0, e1, e2;

	a->stored.parsed_key = NULL;
	e0 = verify(a, &r0);
	CHECK_ERR(br_cose_key_parse(a->stored.public_key_cose.ptr, a->stored.public_key_cose.len, &ck), BR_OK);
	CHECK_ERR(br_cose_key_new(a->stored.public_key_cose.ptr, a->stored.public_key_cose.len, &sk), BR_OK);
	a->stored.parsed_key = &ck;
	e1 = verify(a, &r1);
	a->stored.parsed_key = sk;
	e2 = verify(a, &r2);
	a->stored.parsed_key = NULL;
	CHECK_ERR(e1, e0);
	CHECK_ERR(e2, e0);
	same_result(&r1, &r0);
	same_result(&r2, &r0);
	/* the verifier leaves the caller's keys alone */
	CHECK(ck.pkey != NULL && sk->pkey != NULL);
	br_cose_key_reset(&ck);
	br_cose_key_unref(sk);
	return e0;
}

static br_err
run_three_ways(int alg, const sa_auth_opts *o, void (*edit)(sa_auth *))
{
	sa_auth a;
	sa_key k;
	br_err e;

	sa_key_gen(alg, &k);
	sa_auth_build(&a, &k, o);
	if (edit != NULL)
		edit(&a);
	e = verify_three_ways(&a);
	sa_auth_free(&a);
	sa_key_free(&k);
	return e;
}

static void reject_regression(sa_auth *a) { a->policy.reject_sign_count_regression = 1; }
static void no_signature(sa_auth *a) { a->in.signature.len = 0; }

static void
parsed_key_same_verdicts(void)
{
	size_t i;

	for (i = 0; i < sa_n_algs; i++) {
		sa_auth_opts o = opts();

		CHECK_ERR(run_three_ways(sa_algs[i], &o, NULL), BR_OK);
		o.flip_sig = 1;
		CHECK_ERR(run_three_ways(sa_algs[i], &o, NULL), BR_ERR_SIGNATURE);
		o.flip_sig = 0;
		CHECK_ERR(run_three_ways(sa_algs[i], &o, no_signature), BR_ERR_SIGNATURE);
		o.stored_count = 9;
		CHECK_ERR(run_three_ways(sa_algs[i], &o, NULL), BR_OK);   /* flagged */
		CHECK_ERR(run_three_ways(sa_algs[i], &o, reject_regression), BR_ERR_SIGN_COUNT);
	}
}

static void
parsed_key_signature_by_other_key(void)
{
	static const int algs[] = { BR_COSE_ES256, BR_COSE_ES384, BR_COSE_ES512, BR_COSE_EDDSA };
	size_t i;

	for (i = 0; i < UNIT_N(algs); i++) {
		sa_auth_opts o = opts();
		sa_key other;

		sa_key_gen(algs[i], &other);
		o.signer = &other;
		CHECK_ERR(run_three_ways(algs[i], &o, NULL), BR_ERR_SIGNATURE);
		sa_key_free(&other);
	}
	{
		/* an Ed25519 signature against an ES256 key */
		sa_auth_opts o = opts();
		sa_key other;

		sa_key_gen(BR_COSE_EDDSA, &other);
		o.signer = &other;
		CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, NULL), BR_ERR_SIGNATURE);
		sa_key_free(&other);
	}
}

static const int only_es256[] = { BR_COSE_ES256 };
static void offer_es256_only(sa_auth *a) { a->policy.algs = only_es256; a->policy.n_algs = 1; }
static void offer_nothing(sa_auth *a) { a->policy.algs = NULL; a->policy.n_algs = 0; }

static void
parsed_key_alg_not_in_policy(void)
{
	/*
	 * The RP's algorithm list is judged at registration; an assertion by a
	 * registered key of another algorithm gets the verdict it gets by
	 * parsing, with or without a parsed key.
	 */
	static const int algs[] = { BR_COSE_EDDSA, BR_COSE_RS256, BR_COSE_PS256, BR_COSE_RS1 };
	size_t i;

	for (i = 0; i < UNIT_N(algs); i++) {
		sa_auth_opts o = opts();

		CHECK_ERR(run_three_ways(algs[i], &o, offer_es256_only), BR_OK);
		CHECK_ERR(run_three_ways(algs[i], &o, offer_nothing), BR_OK);
		o.flip_sig = 1;
		CHECK_ERR(run_three_ways(algs[i], &o, offer_es256_only), BR_ERR_SIGNATURE);
	}
}

static unsigned char other_handle[16] = { 1 };
static void other_user(sa_auth *a) { a->in.user_handle = (br_span){ other_handle, sizeof(other_handle) }; }
static void not_allowed(sa_auth *a) { a->in.allow = &a->in.user_handle; a->in.n_allow = 1; }
static void handle_required(sa_auth *a) { a->in.user_handle = (br_span){ NULL, 0 }; a->in.user_handle_required = 1; }
static void uv_required(sa_auth *a) { a->policy.uv = BR_UV_REQUIRED; }
static void be_was_set(sa_auth *a) { a->stored.be_known = 1; a->stored.be = 1; }

static void
parsed_key_checks_before_the_key(void)
{
	/* every check before the signature still runs, in the same order */
	sa_auth_opts o = opts();

	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, not_allowed), BR_ERR_CREDENTIAL_NOT_ALLOWED);
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, other_user), BR_ERR_USER_HANDLE);
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, handle_required), BR_ERR_USER_HANDLE);
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, be_was_set), BR_ERR_BACKUP_STATE);
	o.wrong_challenge = 1;
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, NULL), BR_ERR_CHALLENGE);
	o = opts();
	o.origin = "https://evil.example";
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, NULL), BR_ERR_ORIGIN);
	o = opts();
	o.rp_id = "example.edu";
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, NULL), BR_ERR_RP_ID);
	o = opts();
	o.flags_set = 1;
	o.flags = BR_AD_UP;
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, uv_required), BR_ERR_USER_VERIFICATION);
	o.flags = BR_AD_UV;
	CHECK_ERR(run_three_ways(BR_COSE_ES256, &o, NULL), BR_ERR_USER_PRESENCE);
	/* a bad signature and a bad challenge: the challenge is reported, as when parsing */
	o = opts();
	o.flip_sig = 1;
	o.wrong_challenge = 1;
	CHECK_ERR(run_three_ways(BR_COSE_EDDSA, &o, NULL), BR_ERR_CHALLENGE);
}

static void
parsed_key_used_instead_of_bytes(void)
{
	static const unsigned char junk[] = { 0xa1, 0x01, 0x02 };
	sa_auth_opts o = opts();
	br_auth_result res;
	br_cose_key mine, theirs;
	sa_buf cose = { NULL, 0 };
	sa_auth a;
	sa_key k, other;

	sa_key_gen(BR_COSE_ES256, &k);
	sa_key_gen(BR_COSE_ES256, &other);
	sa_auth_build(&a, &k, &o);
	CHECK_ERR(br_cose_key_parse(a.cose.ptr, a.cose.len, &mine), BR_OK);
	sa_key_cose(&other, &cose);
	CHECK_ERR(br_cose_key_parse(cose.ptr, cose.len, &theirs), BR_OK);
	/* the stored bytes are not parsed again */
	a.stored.public_key_cose = (br_span){ junk, sizeof(junk) };
	a.stored.parsed_key = &mine;
	CHECK_ERR(verify(&a, &res), BR_OK);
	CHECK_INT(res.sign_count, 5);
	/* the key given is the key checked */
	a.stored.public_key_cose = sa_span(&a.cose);
	a.stored.parsed_key = &theirs;
	CHECK_ERR(verify(&a, &res), BR_ERR_SIGNATURE);
	CHECK(result_zero(&res));
	/* a key without an OpenSSL key is the caller's mistake */
	br_cose_key_reset(&theirs);
	CHECK_ERR(verify(&a, &res), BR_ERR_INVALID_ARGUMENT);
	CHECK(result_zero(&res));
	br_cose_key_reset(&mine);
	sa_buf_free(&cose);
	sa_auth_free(&a);
	sa_key_free(&other);
	sa_key_free(&k);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(every_alg),
		UNIT_CASE(flags_reported),
		UNIT_CASE(extensions_accepted),
		UNIT_CASE(allow_list_hit),
		UNIT_CASE(user_handle_absent_when_not_required),
		UNIT_CASE(sig_flipped),
		UNIT_CASE(sig_from_other_credential),
		UNIT_CASE(sig_by_other_key_type),
		UNIT_CASE(sig_missing),
		UNIT_CASE(stored_key_garbage),
		UNIT_CASE(credential_not_allowed),
		UNIT_CASE(raw_id_not_stored_id),
		UNIT_CASE(user_handle_of_other_user),
		UNIT_CASE(user_handle_missing_when_required),
		UNIT_CASE(replayed_assertion),
		UNIT_CASE(wrong_challenge),
		UNIT_CASE(wrong_origin),
		UNIT_CASE(create_type_at_authentication),
		UNIT_CASE(cross_origin_not_allowed),
		UNIT_CASE(wrong_rp_id),
		UNIT_CASE(up_missing),
		UNIT_CASE(uv_missing),
		UNIT_CASE(bs_without_be),
		UNIT_CASE(be_changed_since_registration),
		UNIT_CASE(ed_flag_without_extensions),
		UNIT_CASE(trailing_authdata),
		UNIT_CASE(truncated_authdata),
		UNIT_CASE(at_flag_without_data),
		UNIT_CASE(counter_equal_rejected),
		UNIT_CASE(counter_equal_flagged),
		UNIT_CASE(counter_lower),
		UNIT_CASE(counter_both_zero),
		UNIT_CASE(counter_increases),
		UNIT_CASE(missing_arguments),
		UNIT_CASE(parsed_key_same_verdicts),
		UNIT_CASE(parsed_key_signature_by_other_key),
		UNIT_CASE(parsed_key_alg_not_in_policy),
		UNIT_CASE(parsed_key_checks_before_the_key),
		UNIT_CASE(parsed_key_used_instead_of_bytes),
	};
	int rc;

	sa_init();
	rc = unit_run("assert", cases, UNIT_N(cases));
	sa_cleanup();
	return rc;
}
