/*
 * bridgectl bench: verification speed on generated cases, one core, next to
 * the bare OpenSSL work every verifier must do (build the key from its COSE
 * fields with EVP_PKEY_fromdata, hash clientDataJSON, verify the signature).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../app/metadata.h"
#include "../core/cbor_read.h"
#include "../core/cose.h"
#include "../core/crypto.h"
#include "case_run.h"
#include "commands.h"
#include "options.h"

#define MAX_CASES 100000

struct bench_set {
	br_case *cases;
	size_t n;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load DIR/<prefix>*.json in name order. */
static int
load_set(const char *dir, const char *prefix, struct bench_set *set)
{
	char **names = NULL, path[4096], err[512];
	size_t n = 0, cap = 0, i, plen = strlen(prefix);
	struct dirent *de;
	DIR *d;
	int rc = -1;

	memset(set, 0, sizeof(*set));
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "bridgectl bench: cannot open %s\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *name;

		if (strncmp(de->d_name, prefix, plen) != 0 || len < 5 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 64;
			if (cap > MAX_CASES || (nn = realloc(names, cap * sizeof(*nn))) == NULL)
				goto out;
			names = nn;
		}
		if ((name = strdup(de->d_name)) == NULL)
			goto out;
		names[n++] = name;
	}
	/* qsort's array must be a valid pointer even for no elements; names is NULL then */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	if (n > 0 && (set->cases = calloc(n, sizeof(br_case))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (br_case_load(path, &set->cases[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "bridgectl bench: %s: %s\n", path, err);
			goto out;
		}
		set->n++;
	}
	rc = 0;
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void
free_set(struct bench_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		br_case_free(&set->cases[i]);
	free(set->cases);
	memset(set, 0, sizeof(*set));
}

/* ---- the bare work, prepared outside the loop ---- */

struct bare_key {
	int alg;
	int kty;
	const char *group;      /* EC */
	unsigned char pub[133]; /* EC: 04||x||y; OKP: x */
	size_t publen;
	unsigned char n[1024], e[8]; /* RSA, native endian for OSSL_PARAM_construct_BN */
	size_t nlen, elen;
};

static void
native(unsigned char *dst, br_span s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		dst[i] = s.ptr[s.len - 1 - i];
}

static int
bare_prepare(const br_blob *cose, struct bare_key *k)
{
	cbor_item_t *m = NULL;
	int64_t kty, alg, crv = 0;
	br_span x, y;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (br_cbor_decode(cose->ptr, cose->len, &m, NULL) < 0)
		return -1;
	if (br_cbor_int(br_cbor_map_int(m, 1), &kty) < 0 || br_cbor_int(br_cbor_map_int(m, 3), &alg) < 0)
		goto out;
	/* EC2/OKP x is label -2; RSA n is -1 and e is -2 */
	if (br_cbor_bytes(br_cbor_map_int(m, kty == BR_COSE_KTY_RSA ? -1 : -2), &x) < 0)
		goto out;
	k->alg = (int)alg;
	k->kty = (int)kty;
	if (kty == BR_COSE_KTY_EC2) {
		if (br_cbor_int(br_cbor_map_int(m, -1), &crv) < 0 || br_cbor_bytes(br_cbor_map_int(m, -3), &y) < 0 ||
		    x.len != y.len || x.len > 66)
			goto out;
		k->group = crv == 1 ? "prime256v1" : crv == 2 ? "secp384r1" : "secp521r1";
		k->pub[0] = 4;
		memcpy(k->pub + 1, x.ptr, x.len);
		memcpy(k->pub + 1 + x.len, y.ptr, y.len);
		k->publen = 1 + 2 * x.len;
	} else if (kty == BR_COSE_KTY_OKP) {
		if (x.len != 32)
			goto out;
		memcpy(k->pub, x.ptr, 32);
		k->publen = 32;
	} else {
		if (br_cbor_bytes(br_cbor_map_int(m, -2), &y) < 0 || x.len > sizeof(k->n) || y.len > sizeof(k->e))
			goto out;
		native(k->n, x);
		native(k->e, y);
		k->nlen = x.len;
		k->elen = y.len;
	}
	rc = 0;
out:
	cbor_decref(&m);
	return rc;
}

static EVP_PKEY *
bare_key(struct bare_key *k)
{
	OSSL_PARAM p[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	const char *type;

	if (k->kty == BR_COSE_KTY_OKP)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pub, k->publen);
	if (k->kty == BR_COSE_KTY_EC2) {
		type = "EC";
		p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)k->group, 0);
		p[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, k->pub, k->publen);
	} else {
		type = "RSA";
		p[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, k->n, k->nlen);
		p[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, k->e, k->elen);
	}
	p[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, p) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static int
bare_once(struct bare_key *k, const br_case *c)
{
	unsigned char h[BR_SHA256_LEN];
	const br_credential_json *r = &c->response;
	br_span ad = { r->authenticator_data.ptr, r->authenticator_data.len };
	br_span hs = { h, sizeof(h) }, sig = { r->signature.ptr, r->signature.len };
	EVP_PKEY *pk = bare_key(k);
	int ok;

	if (pk == NULL)
		return 0;
	ok = br_sha256(r->client_data_json.ptr, r->client_data_json.len, h) == 0 &&
	    br_sig_verify2(pk, k->alg, ad, hs, sig) == BR_OK;
	EVP_PKEY_free(pk);
	return ok;
}

/* ---- loops ---- */

/*
 * Registration with metadata lookups on, as the bridge does it: the entry
 * found by AAGUID in a table the size of the real MDS blob (its roots as the
 * anchors), then the status and level verdict.
 */
static const br_mds *bench_mds;
static const br_mds_rules bench_rules = { BR_MDS_REFUSE_DEFAULT, 0, 0 };

struct bench_lookup {
	br_trust *owned;
	const br_mds_entry *e;
};

static int
bench_trust_for(void *arg, const unsigned char aaguid[16], const br_trust **out)
{
	struct bench_lookup *l = arg;

	br_trust_free(&l->owned);
	l->e = br_mds_find(bench_mds, aaguid);
	return br_mds_trust_for(NULL, l->e, out, &l->owned);
}

static int
verify_once_mds(const br_case *c)
{
	const br_credential_json *r = &c->response;
	struct bench_lookup l = { NULL, NULL };
	br_reg_result rr;
	br_policy pol;
	char buf[64];
	br_err e;

	br_case_policy(c, &pol);
	memset(&rr, 0, sizeof(rr));
	{
		br_reg_input in = {
			.policy = &pol,
			.challenge = { c->challenge.ptr, c->challenge.len },
			.client_data_json = { r->client_data_json.ptr, r->client_data_json.len },
			.attestation_object = { r->attestation_object.ptr, r->attestation_object.len },
			.raw_id = { r->raw_id.ptr, r->raw_id.len },
			.trust = c->trust,
			.now = c->now,
			.trust_for = bench_trust_for,
			.trust_arg = &l,
		};
		e = br_register_verify(&in, &rr);
	}
	if (e == BR_OK && br_mds_refusal(br_mds_find(bench_mds, rr.aaguid), &bench_rules, buf, sizeof(buf)) != NULL)
		e = BR_ERR_INTERNAL;
	br_reg_result_reset(&rr);
	br_trust_free(&l.owned);
	return e == BR_OK;
}

static int
verify_once(const br_case *c)
{
	br_case_outcome o;
	br_policy pol;
	br_err e;

	if (bench_mds != NULL && c->is_registration)
		return verify_once_mds(c);
	br_case_policy(c, &pol);
	e = br_case_run(c, &pol, &o);
	br_case_outcome_reset(&o);
	return e == BR_OK;
}

/* A metadata table of n entries with random AAGUIDs, certified, no roots (a plain lookup). */
static br_mds *
bench_table(size_t n)
{
	size_t cap = n * 128 + 128, len = 0, i;
	char *p = malloc(cap);
	unsigned char a[16];
	br_mds *m = NULL;
	size_t k;

	if (p == NULL)
		return NULL;
	len += (size_t)snprintf(p + len, cap - len, "{\"no\":1,\"nextUpdate\":\"2030-01-01\",\"entries\":[");
	for (i = 0; i < n; i++) {
		for (k = 0; k < 16; k++)
			a[k] = (unsigned char)(rand() & 0xff);
		len += (size_t)snprintf(p + len, cap - len, "%s{\"aaguid\":\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\","
		    "\"statusReports\":[{\"status\":\"FIDO_CERTIFIED_L1\"}]}", i ? "," : "",
		    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
	}
	len += (size_t)snprintf(p + len, cap - len, "]}");
	if (br_mds_payload_parse((const unsigned char *)p, len, &m) != BR_MDS_OK)
		m = NULL;
	free(p);
	return m;
}

/* Run one kind of check over the set for about `seconds`; adds to *ops and *spent. */
static void
run_slice(const struct bench_set *set, struct bare_key *bare, double seconds,
    unsigned long *ops, double *spent)
{
	double t0 = now_s(), t;
	size_t i = 0;

	do {
		if (bare != NULL)
			(void)bare_once(&bare[i], &set->cases[i]);
		else
			(void)verify_once(&set->cases[i]);
		(*ops)++;
		i = (i + 1) % set->n;
		t = now_s() - t0;
	} while (t < seconds);
	*spent += t;
}

/*
 * Alternate short slices of the bare work and the full check, so that both
 * see the same machine (frequency, other load) and their ratio is fair.
 */
#define ROUNDS 10

static void
run_pair(const struct bench_set *set, struct bare_key *bare, double seconds,
    double *bare_rate, double *full_rate)
{
	unsigned long nb = 0, nf = 0;
	double tb = 0, tf = 0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		if (bare != NULL)
			run_slice(set, bare, seconds / ROUNDS, &nb, &tb);
		run_slice(set, NULL, seconds / ROUNDS, &nf, &tf);
	}
	*bare_rate = tb > 0 ? (double)nb / tb : 0;
	*full_rate = (double)nf / tf;
}

static const char *
base_name(const char *dir)
{
	size_t len = strlen(dir);
	const char *s;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (s = dir + len; s > dir && s[-1] != '/'; s--)
		;
	return s;
}

static int
bench_dir(const char *dir, double seconds)
{
	static const char *const regs[] = { "reg-none", "reg-packed" };
	struct bench_set set;
	struct bare_key *bare = NULL;
	char alg[64];
	double rb, rf;
	size_t i, n;

	n = strcspn(base_name(dir), "/");
	snprintf(alg, sizeof(alg), "%.*s", (int)(n < 63 ? n : 63), base_name(dir));

	if (load_set(dir, "auth-", &set) < 0)
		return -1;
	if (set.n > 0) {
		/* a bench that verifies nothing is a defect: every case must pass first */
		if ((bare = calloc(set.n, sizeof(*bare))) == NULL)
			goto fail;
		for (i = 0; i < set.n; i++) {
			if (!verify_once(&set.cases[i]) || bare_prepare(&set.cases[i].cred_public_key, &bare[i]) < 0 ||
			    !bare_once(&bare[i], &set.cases[i])) {
				fprintf(stderr, "bridgectl bench: %s does not verify\n", set.cases[i].name);
				goto fail;
			}
		}
		run_pair(&set, bare, seconds, &rb, &rf);
		printf("openssl-bare %s authentication %.0f\n", alg, rb);
		printf("bridge %s authentication %.0f\n", alg, rf);
		printf("ratio %s authentication bridge/openssl-bare %.3f\n", alg, rf / rb);
		fflush(stdout);
	}
	free(bare);
	bare = NULL;
	free_set(&set);

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (load_set(dir, regs[i], &set) < 0)
			return -1;
		if (set.n > 0) {
			if (!verify_once(&set.cases[0])) {
				fprintf(stderr, "bridgectl bench: %s does not verify\n", set.cases[0].name);
				goto fail;
			}
			/*
			 * and with metadata lookups on (sign-in never looks at metadata):
			 * slices with and without alternate, like bare and full above
			 */
			{
				br_mds *m = bench_table(5000);
				unsigned long nf = 0, nm = 0;
				double tf = 0, tm = 0;
				int round;

				if (m == NULL) {
					fprintf(stderr, "bridgectl bench: cannot build the metadata table\n");
					goto fail;
				}
				bench_mds = m;
				if (!verify_once(&set.cases[0])) {
					fprintf(stderr, "bridgectl bench: %s does not verify with metadata\n", set.cases[0].name);
					bench_mds = NULL;
					br_mds_free(&m);
					goto fail;
				}
				for (round = 0; round < ROUNDS; round++) {
					bench_mds = NULL;
					run_slice(&set, NULL, seconds / ROUNDS, &nf, &tf);
					bench_mds = m;
					run_slice(&set, NULL, seconds / ROUNDS, &nm, &tm);
				}
				bench_mds = NULL;
				br_mds_free(&m);
				rf = (double)nf / tf;
				printf("bridge %s registration-%s %.0f\n", alg, regs[i] + 4, rf);
				printf("bridge %s registration-%s-mds %.0f\n", alg, regs[i] + 4, (double)nm / tm);
				printf("ratio %s registration-%s mds/plain %.3f\n", alg, regs[i] + 4, ((double)nm / tm) / rf);
				fflush(stdout);
			}
		}
		free_set(&set);
	}
	return 0;
fail:
	free(bare);
	free_set(&set);
	return -1;
}

static void
pin_one_core(void)
{
	cpu_set_t cur, one;
	int i;

	if (sched_getaffinity(0, sizeof(cur), &cur) != 0)
		return;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &cur)) {
			CPU_ZERO(&one);
			CPU_SET(i, &one);
			(void)sched_setaffinity(0, sizeof(one), &one);
			return;
		}
}

int
cmd_bench(int argc, char **argv)
{
	static const char usage[] = "usage: bridgectl bench [--seconds S] [--] DIR...\n"
				    "  verification speed (operations per second, one core) on the generated cases in each DIR\n";
	double seconds = 3.0;
	int i = 0, status = 0;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[0], "--seconds") == 0) {
		char *end;
		seconds = strtod(argv[1], &end);
		if (*end != '\0' || seconds <= 0 || seconds > 600) {
			fprintf(stderr, "bridgectl bench: --seconds wants a number in (0, 600]\n");
			return 2;
		}
		i = 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	else if (i < argc && argv[i][0] == '-') {
		fprintf(stderr, "bridgectl bench: unknown option %s\n%s", argv[i], usage);
		return 2;
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	pin_one_core();
	for (; i < argc; i++)
		if (bench_dir(argv[i], seconds) < 0)
			status = 1;
	return status;
}
