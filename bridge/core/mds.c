#include "mds.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "aaguid_table.h"
#include "b64url.h"
#include "cose.h"
#include "data_url.h"
#include "timefmt.h"
#include "x509.h"

#define CRLS_MAX 16

static const char *const err_names[] = {
	"ok", "internal", "malformed", "algorithm", "certificate", "signature",
	"chain", "signer_revoked", "crl", "not_newer", "stale", "ambiguous",
};

const char *
br_mds_strerr(br_mds_err e)
{
	return (unsigned)e < sizeof(err_names) / sizeof(err_names[0]) ? err_names[e] : "unknown";
}

static const char *const status_names[BR_MDS_S__COUNT] = {
	"NOT_FIDO_CERTIFIED", "FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS",
	"ATTESTATION_KEY_COMPROMISE", "USER_KEY_REMOTE_COMPROMISE",
	"USER_KEY_PHYSICAL_COMPROMISE", "UPDATE_AVAILABLE", "REVOKED",
	"SELF_ASSERTION_SUBMITTED", "FIDO_CERTIFIED_L1", "FIDO_CERTIFIED_L1plus",
	"FIDO_CERTIFIED_L2", "FIDO_CERTIFIED_L2plus", "FIDO_CERTIFIED_L3",
	"FIDO_CERTIFIED_L3plus",
};

const char *
br_mds_status_name(br_mds_status s)
{
	return (unsigned)s < BR_MDS_S__COUNT ? status_names[s] : NULL;
}

int
br_mds_status_parse(const char *s, size_t len)
{
	int i;

	for (i = 0; s != NULL && i < BR_MDS_S__COUNT; i++)
		if (strlen(status_names[i]) == len && memcmp(status_names[i], s, len) == 0)
			return i;
	return -1;
}

static const char *const level_names[] = { "none", "L1", "L1plus", "L2", "L2plus", "L3", "L3plus" };

int
br_mds_level_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
		if (strcmp(level_names[i], s) == 0)
			return i;
	return -1;
}

const char *
br_mds_level_name(int level)
{
	return level >= 0 && level < (int)(sizeof(level_names) / sizeof(level_names[0])) ? level_names[level] : NULL;
}

static int
status_level(int st)
{
	switch (st) {
	case BR_MDS_S_FIDO_CERTIFIED:
	case BR_MDS_S_FIDO_CERTIFIED_L1: return 1;
	case BR_MDS_S_FIDO_CERTIFIED_L1PLUS: return 2;
	case BR_MDS_S_FIDO_CERTIFIED_L2: return 3;
	case BR_MDS_S_FIDO_CERTIFIED_L2PLUS: return 4;
	case BR_MDS_S_FIDO_CERTIFIED_L3: return 5;
	case BR_MDS_S_FIDO_CERTIFIED_L3PLUS: return 6;
	default: return 0;
	}
}

/* ---- strict decoders ---- */

/* "YYYY-MM-DD" (a real date) to the unix seconds of its midnight UTC. */
static int
date_parse(const char *s, size_t len, int64_t *out)
{
	int y = 0, m = 0, d = 0;
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (!br_date_ok(y, m, d))
		return -1;
	*out = br_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400;
	return 0;
}

/* ---- the payload ---- */

static void
entry_reset(br_mds_entry *e)
{
	size_t i;

	free(e->description);
	free(e->icon);
	for (i = 0; i < e->n_roots; i++)
		br_blob_reset(&e->roots[i]);
	free(e->roots);
	memset(e, 0, sizeof(*e));
}

void
br_mds_free(br_mds **mp)
{
	size_t i;

	if (mp == NULL || *mp == NULL)
		return;
	for (i = 0; i < (*mp)->n; i++)
		entry_reset(&(*mp)->entries[i]);
	free((*mp)->entries);
	free(*mp);
	*mp = NULL;
}

static char *
dup_text(json_t *v, size_t max)
{
	char *s;
	size_t n = json_string_length(v);

	if (n > max || memchr(json_string_value(v), '\0', n) != NULL)
		return NULL;
	if ((s = malloc(n + 1)) != NULL) {
		memcpy(s, json_string_value(v), n);
		s[n] = '\0';
	}
	return s;
}

static br_mds_err
parse_reports(json_t *reports, br_mds_entry *e)
{
	json_t *r, *st, *dt;
	size_t i;
	int s;
	int64_t when;

	e->latest = -1;
	if (reports == NULL)
		return BR_MDS_OK;
	if (!json_is_array(reports))
		return BR_MDS_MALFORMED;
	json_array_foreach(reports, i, r) {
		if (!json_is_object(r) || !json_is_string(st = json_object_get(r, "status")))
			return BR_MDS_MALFORMED;
		when = 0;
		if ((dt = json_object_get(r, "effectiveDate")) != NULL &&
		    (!json_is_string(dt) || date_parse(json_string_value(dt), json_string_length(dt), &when) < 0))
			return BR_MDS_MALFORMED;
		/* a status this bridge does not know is no verdict: skipped */
		if ((s = br_mds_status_parse(json_string_value(st), json_string_length(st))) < 0)
			continue;
		e->statuses |= BR_MDS_STATUS_BIT(s);
		if (status_level(s) > e->level)
			e->level = status_level(s);
		/* the latest by date; of equal dates the later in the list */
		if (e->latest < 0 || when >= e->latest_date) {
			e->latest = s;
			e->latest_date = when;
		}
	}
	return BR_MDS_OK;
}

static br_mds_err
parse_roots(json_t *roots, br_mds_entry *e)
{
	json_t *v;
	size_t i, n;
	X509 *x;

	if (roots == NULL)
		return BR_MDS_OK;
	if (!json_is_array(roots) || (n = json_array_size(roots)) > BR_MDS_ROOTS_MAX)
		return BR_MDS_MALFORMED;
	if (n == 0)
		return BR_MDS_OK;
	if ((e->roots = calloc(n, sizeof(*e->roots))) == NULL)
		return BR_MDS_INTERNAL;
	json_array_foreach(roots, i, v) {
		if (!json_is_string(v) || br_b64std_decode(json_string_value(v), json_string_length(v), &e->roots[i]) < 0)
			return BR_MDS_MALFORMED;
		e->n_roots = i + 1;
		if ((x = br_x509_from_der(e->roots[i].ptr, e->roots[i].len)) == NULL)
			return BR_MDS_CERTIFICATE;
		X509_free(x);
	}
	return BR_MDS_OK;
}

static br_mds_err
parse_entry(json_t *obj, br_mds_entry *e, int *has_aaguid)
{
	json_t *a, *ms, *v;
	br_mds_err r;

	*has_aaguid = 0;
	if (!json_is_object(obj))
		return BR_MDS_MALFORMED;
	if ((a = json_object_get(obj, "aaguid")) == NULL)
		return BR_MDS_OK; /* U2F (attestationCertificateKeyIdentifiers) or UAF (aaid) */
	if (!json_is_string(a) || br_aaguid_parse(json_string_value(a), json_string_length(a), e->aaguid) < 0)
		return BR_MDS_MALFORMED;
	*has_aaguid = 1;
	if ((r = parse_reports(json_object_get(obj, "statusReports"), e)) != BR_MDS_OK)
		return r;
	v = json_object_get(obj, "timeOfLastStatusChange");
	if (v != NULL && (!json_is_string(v) || date_parse(json_string_value(v), json_string_length(v), &e->last_change) < 0))
		return BR_MDS_MALFORMED;
	ms = json_object_get(obj, "metadataStatement");
	if (ms != NULL && !json_is_object(ms))
		return BR_MDS_MALFORMED;
	v = json_object_get(ms, "description");
	if (v != NULL && !json_is_string(v))
		return BR_MDS_MALFORMED;
	if ((e->description = v != NULL ? dup_text(v, 1024) : strdup("")) == NULL)
		return v != NULL ? BR_MDS_MALFORMED : BR_MDS_INTERNAL;
	v = json_object_get(ms, "icon");
	if (v != NULL && !json_is_string(v))
		return BR_MDS_MALFORMED;
	/* an icon is decoration: one too big, or not an image the bridge would serve (data_url.h), is left out */
	if (v != NULL && json_string_length(v) <= BR_MDS_ICON_MAX &&
	    memchr(json_string_value(v), '\0', json_string_length(v)) == NULL &&
	    br_data_url_image_ok(json_string_value(v)) &&
	    (e->icon = dup_text(v, BR_MDS_ICON_MAX)) == NULL)
		return BR_MDS_MALFORMED;
	return parse_roots(json_object_get(ms, "attestationRootCertificates"), e);
}

/* By AAGUID, then newest status change first, then blob order: the entry kept for an AAGUID sorts first. */
static int
entry_order(const void *a, const void *b)
{
	const br_mds_entry *x = a, *y = b;
	int c = br_aaguid_table_cmp(x, y);

	if (c != 0)
		return c;
	if (x->last_change != y->last_change)
		return x->last_change > y->last_change ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Two entries that would judge a registration alike (description and icon aside). */
static int
same_verdict(const br_mds_entry *x, const br_mds_entry *y)
{
	size_t i;

	if (x->statuses != y->statuses || x->latest != y->latest || x->level != y->level || x->n_roots != y->n_roots)
		return 0;
	for (i = 0; i < x->n_roots; i++)
		if (x->roots[i].len != y->roots[i].len || memcmp(x->roots[i].ptr, y->roots[i].ptr, x->roots[i].len) != 0)
			return 0;
	return 1;
}

/*
 * The real FIDO blob has, rarely, listed an AAGUID twice. The newer status
 * change is FIDO's current word on the model, so it is kept; two entries of
 * the same date are kept as one only when they agree, since picking either
 * of two different verdicts would be a guess. 0, or -1: ambiguous.
 */
static int
drop_duplicates(br_mds *m)
{
	size_t i, o = 0;

	for (i = 0; i < m->n; i++) {
		if (o > 0 && memcmp(m->entries[o - 1].aaguid, m->entries[i].aaguid, 16) == 0) {
			if (m->entries[i].last_change == m->entries[o - 1].last_change &&
			    !same_verdict(&m->entries[o - 1], &m->entries[i]))
				return -1;
			entry_reset(&m->entries[i]);
			m->duplicates++;
			continue;
		}
		if (o != i) {
			m->entries[o] = m->entries[i];
			memset(&m->entries[i], 0, sizeof(m->entries[i]));
		}
		o++;
	}
	m->n = o;
	return 0;
}

br_mds_err
br_mds_payload_parse(const unsigned char *p, size_t len, br_mds **out)
{
	json_t *root = NULL, *v, *entries, *it;
	br_mds *m = NULL;
	br_mds_err r = BR_MDS_MALFORMED;
	size_t i, n;
	int has;

	*out = NULL;
	if (p == NULL || len == 0 || len > BR_MDS_BLOB_MAX)
		return BR_MDS_MALFORMED;
	if ((root = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(root))
		goto out;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		r = BR_MDS_INTERNAL;
		goto out;
	}
	v = json_object_get(root, "no");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		goto out;
	m->no = (int64_t)json_integer_value(v);
	v = json_object_get(root, "nextUpdate");
	if (!json_is_string(v) || date_parse(json_string_value(v), json_string_length(v), &m->next_update) < 0)
		goto out;
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries) || (n = json_array_size(entries)) > BR_MDS_ENTRIES_MAX)
		goto out;
	/* never a NULL table, even for no entries: the loop below indexes it */
	if ((m->entries = calloc(n > 0 ? n : 1, sizeof(*m->entries))) == NULL) {
		r = BR_MDS_INTERNAL;
		goto out;
	}
	json_array_foreach(entries, i, it) {
		br_mds_entry *e = &m->entries[m->n];

		if ((r = parse_entry(it, e, &has)) != BR_MDS_OK) {
			entry_reset(e);
			goto out;
		}
		e->pos = i;
		if (has)
			m->n++;
		else
			m->skipped++;
	}
	br_aaguid_table_sort(m->entries, m->n, sizeof(*m->entries), entry_order);
	/* one model, one verdict */
	if (drop_duplicates(m) < 0) {
		r = BR_MDS_AMBIGUOUS;
		goto out;
	}
	r = BR_MDS_OK;
	*out = m;
	m = NULL;
out:
	br_mds_free(&m);
	json_decref(root);
	return r;
}

const br_mds_entry *
br_mds_find(const br_mds *m, const unsigned char aaguid[16])
{
	return m == NULL ? NULL : br_aaguid_table_find(m->entries, m->n, sizeof(*m->entries), aaguid);
}

/* ---- the JWS ---- */

typedef struct jws_parts {
	br_span signed_part;    /* "header.payload" as sent */
	br_blob header, payload, sig;
} jws_parts;

static void
jws_reset(jws_parts *j)
{
	br_blob_reset(&j->header);
	br_blob_reset(&j->payload);
	br_blob_reset(&j->sig);
}

static br_mds_err
jws_split(const unsigned char *p, size_t len, jws_parts *j)
{
	const unsigned char *d1, *d2, *end = p + len;

	/* a trailing newline is what a download leaves; nothing else is tolerated */
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		end = p + --len;
	if (len == 0 || (d1 = memchr(p, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL ||
	    d1 == p || d2 == d1 + 1 || d2 + 1 == end)
		return BR_MDS_MALFORMED;
	j->signed_part.ptr = p;
	j->signed_part.len = (size_t)(d2 - p);
	if (br_b64url_decode((const char *)p, (size_t)(d1 - p), &j->header) < 0 ||
	    br_b64url_decode((const char *)d1 + 1, (size_t)(d2 - d1 - 1), &j->payload) < 0 ||
	    br_b64url_decode((const char *)d2 + 1, (size_t)(end - d2 - 1), &j->sig) < 0 ||
	    j->header.len == 0 || j->payload.len == 0 || j->sig.len == 0)
		return BR_MDS_MALFORMED;
	return BR_MDS_OK;
}

/* {"alg": "RS256" | "ES256", "typ"?: "JWT", "x5c": [...]}; no "crit" to honour. */
static br_mds_err
jws_header(const br_blob *h, int *alg, STACK_OF(X509) **chain)
{
	json_t *o;
	const char *a;
	br_mds_err r = BR_MDS_MALFORMED;

	*chain = NULL;
	if ((o = json_loadb((const char *)h->ptr, h->len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return BR_MDS_MALFORMED;
	if (!json_is_object(o) || json_object_get(o, "crit") != NULL ||
	    (a = json_string_value(json_object_get(o, "alg"))) == NULL)
		goto out;
	if (strcmp(a, "RS256") == 0)
		*alg = BR_COSE_RS256;
	else if (strcmp(a, "ES256") == 0)
		*alg = BR_COSE_ES256;
	else {
		r = BR_MDS_ALGORITHM;
		goto out;
	}
	switch (br_x5c_decode_json(json_object_get(o, "x5c"), chain)) {
	case BR_OK:
		r = BR_MDS_OK;
		break;
	case BR_ERR_CERTIFICATE:
		r = BR_MDS_CERTIFICATE;
		break;
	case BR_ERR_INTERNAL:
		r = BR_MDS_INTERNAL;
		break;
	default:
		r = BR_MDS_MALFORMED;
		break;
	}
out:
	if (r != BR_MDS_OK) {
		sk_X509_pop_free(*chain, X509_free);
		*chain = NULL;
	}
	json_decref(o);
	return r;
}

/* ES256 in a JWS is r || s, 32 bytes each (RFC 7518 3.4); OpenSSL wants DER. */
static br_mds_err
es256_der(const br_blob *raw, br_blob *der)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = NULL;
	int n;
	br_mds_err rc = BR_MDS_INTERNAL;

	if (raw->len != 64)
		return BR_MDS_SIGNATURE;
	if ((es = ECDSA_SIG_new()) == NULL || (r = BN_bin2bn(raw->ptr, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(raw->ptr + 32, 32, NULL)) == NULL || ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(es, &p)) <= 0 || br_blob_set(der, p, (size_t)n) < 0)
		goto out;
	rc = BR_MDS_OK;
out:
	OPENSSL_free(p);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

static br_mds_err
jws_signature(const jws_parts *j, int alg, X509 *leaf)
{
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	br_blob der = { NULL, 0 };
	const br_blob *sig = &j->sig;
	br_mds_err r;
	br_err e;

	if (pk == NULL)
		return BR_MDS_CERTIFICATE;
	if (alg == BR_COSE_ES256) {
		if ((r = es256_der(&j->sig, &der)) != BR_MDS_OK)
			return r;
		sig = &der;
	}
	e = br_sig_verify(pk, alg, j->signed_part.ptr, j->signed_part.len, sig->ptr, sig->len);
	br_blob_reset(&der);
	return e == BR_OK ? BR_MDS_OK : e == BR_ERR_ALGORITHM ? BR_MDS_ALGORITHM :
	    e == BR_ERR_INTERNAL ? BR_MDS_INTERNAL : BR_MDS_SIGNATURE;
}

static X509_CRL *
crl_parse(br_span c)
{
	const unsigned char *q = c.ptr;
	X509_CRL *crl = NULL;
	BIO *bio;

	if (c.ptr == NULL || c.len == 0 || c.len > INT_MAX)
		return NULL;
	if (c.len > 10 && memcmp(c.ptr, "-----BEGIN", 10) == 0) {
		if ((bio = BIO_new_mem_buf(c.ptr, (int)c.len)) == NULL)
			return NULL;
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
		return crl;
	}
	if ((crl = d2i_X509_CRL(NULL, &q, (long)c.len)) != NULL && (size_t)(q - c.ptr) != c.len) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	return crl;
}

/* Every certificate of the chain, the root's children included, is checked against its issuer's CRL. */
static br_mds_err
jws_chain(STACK_OF(X509) *chain, const br_mds_check *chk)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509_VERIFY_PARAM *vp;
	X509_CRL *crl;
	BIO *bio = NULL;
	X509 *x;
	br_mds_err r = BR_MDS_INTERNAL;
	int i, nroots = 0, err, pass;

	if (chk->root_pem.ptr == NULL || chk->root_pem.len == 0 || chk->root_pem.len > INT_MAX ||
	    chk->n_crls > CRLS_MAX)
		return BR_MDS_CHAIN;
	if ((store = X509_STORE_new()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL ||
	    (untrusted = sk_X509_new_null()) == NULL ||
	    (bio = BIO_new_mem_buf(chk->root_pem.ptr, (int)chk->root_pem.len)) == NULL)
		goto out;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		i = X509_STORE_add_cert(store, x);
		X509_free(x);
		if (i != 1)
			goto out;
		nroots++;
	}
	ERR_clear_error();
	if (nroots == 0) {
		r = BR_MDS_CERTIFICATE;
		goto out;
	}
	for (i = 0; (size_t)i < chk->n_crls; i++) {
		if ((crl = crl_parse(chk->crls[i])) == NULL) {
			r = BR_MDS_CERTIFICATE;
			goto out;
		}
		err = X509_STORE_add_crl(store, crl);
		X509_CRL_free(crl);
		if (err != 1)
			goto out;
	}
	for (i = 1; i < sk_X509_num(chain); i++)
		if (sk_X509_push(untrusted, sk_X509_value(chain, i)) <= 0)
			goto out;
	/*
	 * Twice: first the chain alone (OpenSSL looks at CRLs before signatures,
	 * so a wrong root of the same name would read as a bad CRL), then with
	 * every CRL. No partial chain: the pinned root is the anchor; and no CRL
	 * means no trust.
	 */
	for (pass = 0; pass < 2; pass++) {
		if (X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), untrusted) != 1)
			goto out;
		vp = X509_STORE_CTX_get0_param(ctx);
		X509_VERIFY_PARAM_set_time(vp, (time_t)chk->now);
		if (pass == 1)
			X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
		if (X509_verify_cert(ctx) != 1)
			break;
		X509_STORE_CTX_cleanup(ctx);
	}
	if (pass == 2) {
		r = BR_MDS_OK;
		goto out;
	}
	switch (X509_STORE_CTX_get_error(ctx)) {
	case X509_V_ERR_CERT_REVOKED:
		r = BR_MDS_REVOKED;
		break;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
		r = BR_MDS_CRL;
		break;
	default:
		r = BR_MDS_CHAIN;
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_free(untrusted); /* borrowed */
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return r;
}

br_mds_err
br_mds_blob_verify(const unsigned char *blob, size_t len, const br_mds_check *chk, br_mds **out, br_blob *payload)
{
	jws_parts j;
	STACK_OF(X509) *chain = NULL;
	br_mds *m = NULL;
	br_mds_err r;
	int alg = 0;

	*out = NULL;
	if (payload != NULL) {
		payload->ptr = NULL;
		payload->len = 0;
	}
	memset(&j, 0, sizeof(j));
	if (blob == NULL || len == 0 || len > BR_MDS_BLOB_MAX || chk == NULL)
		return BR_MDS_MALFORMED;
	if ((r = jws_split(blob, len, &j)) != BR_MDS_OK || (r = jws_header(&j.header, &alg, &chain)) != BR_MDS_OK)
		goto out;
	/* nothing of the payload is believed before the signature and the chain are */
	if ((r = jws_signature(&j, alg, sk_X509_value(chain, 0))) != BR_MDS_OK || (r = jws_chain(chain, chk)) != BR_MDS_OK)
		goto out;
	if ((r = br_mds_payload_parse(j.payload.ptr, j.payload.len, &m)) != BR_MDS_OK)
		goto out;
	if (chk->stored_no >= 0 && m->no <= chk->stored_no) {
		r = BR_MDS_NOT_NEWER;
		goto out;
	}
	if (chk->now > m->next_update && chk->now - m->next_update > chk->grace_s) {
		r = BR_MDS_STALE;
		goto out;
	}
	*out = m;
	m = NULL;
	if (payload != NULL) {
		*payload = j.payload;
		j.payload.ptr = NULL;
		j.payload.len = 0;
	}
out:
	br_mds_free(&m);
	sk_X509_pop_free(chain, X509_free);
	jws_reset(&j);
	return r;
}

int
br_mds_root_not_after(br_span pem, int64_t *not_after)
{
	BIO *bio;
	X509 *x;
	struct tm tm;
	int rc = -1;

	if (pem.ptr == NULL || pem.len == 0 || pem.len > INT_MAX || (bio = BIO_new_mem_buf(pem.ptr, (int)pem.len)) == NULL)
		return -1;
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL &&
	    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
		*not_after = br_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
		    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		rc = 0;
	}
	ERR_clear_error();
	X509_free(x);
	BIO_free(bio);
	return rc;
}
