#include "certsignin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../core/x509.h"
#include "events.h"
#include "flow.h"
#include "ratelimit.h"
#include "readfile.h"
#include "record.h"
#include "ticket.h"

#define GO_KIND "certgo"
#define RESULT_KIND "certok"
/* From the sign-in page to the certificate host and back: a card reader and a PIN take a minute or two. */
#define GO_TTL 300
#define RESULT_TTL 60
#define PEM_MAX (1 << 20)


/* One CA's anchors, with every CRL: a CRL counts only for the issuer it names. */
static int
load_group(const br_config *c, const br_cert_ca_view *v, br_cert_group *g, char *err, size_t errlen)
{
	const char *sec = strcmp(v->name, "certificate") == 0 ? "" : "certificate_ca ", *why;
	size_t n, i;
	unsigned char *buf;
	int bad;

	g->ca = *v;
	if ((g->anchors = br_cc_anchors_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (br_read_file(v->trust_anchors_file, PEM_MAX, &buf, &n, &why) < 0) {
		snprintf(err, errlen, "[%s%s] trust_anchors_file: cannot read %s: %s", sec, v->name, v->trust_anchors_file, why);
		return -1;
	}
	bad = br_cc_anchors_add_pem(g->anchors, (const char *)buf, n) != 0;
	free(buf);
	if (bad) {
		snprintf(err, errlen, "[%s%s] trust_anchors_file: no PEM certificate in %s", sec, v->name, v->trust_anchors_file);
		return -1;
	}
	for (i = 0; i < c->cert_crl_files.n; i++) {
		if (br_read_file(c->cert_crl_files.v[i], PEM_MAX, &buf, &n, &why) < 0) {
			snprintf(err, errlen, "[certificate] crl_files: cannot read %s: %s", c->cert_crl_files.v[i], why);
			return -1;
		}
		bad = br_cc_anchors_add_crl_pem(g->anchors, (const char *)buf, n) != 0;
		free(buf);
		if (bad) {
			snprintf(err, errlen, "[certificate] crl_files: no PEM CRL in %s", c->cert_crl_files.v[i]);
			return -1;
		}
	}
	return 0;
}

int
br_certsignin_load(br_app *app, char *err, size_t errlen)
{
	const br_config *c = &app->cfg;
	size_t i, n = br_cert_ca_count(c);
	br_cert_ca_view v;

	if (!c->cert_enabled)
		return 0;
	if (n == 0) {
		snprintf(err, errlen, "[certificate] trust_anchors_file: required when enabled (or a [certificate_ca NAME])");
		return -1;
	}
	if ((app->cert_groups = calloc(n, sizeof(*app->cert_groups))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		app->n_cert_groups = i + 1;  /* so that unload frees what a failure left */
		if (br_cert_ca_get(c, i, &v) < 0 || load_group(c, &v, &app->cert_groups[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

void
br_certsignin_unload(br_app *app)
{
	size_t i;

	for (i = 0; i < app->n_cert_groups; i++)
		br_cc_anchors_free(&app->cert_groups[i].anchors);
	free(app->cert_groups);
	app->cert_groups = NULL;
	app->n_cert_groups = 0;
}

const br_cert_group *
br_cert_group_named(const br_app *app, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < app->n_cert_groups; i++)
		if (strcmp(app->cert_groups[i].ca.name, name) == 0)
			return &app->cert_groups[i];
	return NULL;
}

int
br_cert_pairing_offered(const br_app *app)
{
	size_t i;

	for (i = 0; app->cfg.cert_enabled && i < app->n_cert_groups; i++)
		if (app->cert_groups[i].ca.match == BR_CERT_MATCH_PAIRING)
			return 1;
	return 0;
}

void
br_certsignin_checked_reset(br_certsignin_checked *c)
{
	free(c->next);
	memset(c, 0, sizeof(*c));
}

char *
br_cert_url_with(const char *base, const char *path, const char *name, const char *id)
{
	size_t n = strlen(base) + strlen(path) + strlen(name) + strlen(id) + 4;
	char *u = malloc(n);

	if (u != NULL)
		snprintf(u, n, "%s%s%s%s=%s", base, path, strchr(base, '?') != NULL ? "&" : "?", name, id);
	return u;
}

br_result
br_certsignin_begin(br_app *app, const br_caller *who, const char *flow_id, char **url)
{
	char go[BR_ID_LEN + 1];
	br_flow flow;
	br_result r;
	json_t *rec;

	*url = NULL;
	if (!app->cfg.cert_enabled || app->n_cert_groups == 0)
		return BR_RESULT_NOT_ENABLED;
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	memset(&flow, 0, sizeof(flow));
	r = br_result_of_cache(br_flow_load(app, flow_id, who->now, &flow), BR_RESULT_EXPIRED);
	if (r == BR_RESULT_OK && !flow.idp)
		r = BR_RESULT_EXPIRED;  /* a sign-in to My passkeys is by passkey */
	if (r != BR_RESULT_OK) {
		br_flow_reset(&flow);
		return r;
	}
	if ((rec = json_pack("{s:s}", "flow", flow.id)) == NULL)
		r = BR_RESULT_INTERNAL;
	else
		r = br_result_of_cache(br_record_create(app, GO_KIND, rec, GO_TTL, who->now, go), BR_RESULT_UNAVAILABLE);
	json_decref(rec);
	br_flow_reset(&flow);
	if (r == BR_RESULT_OK && (*url = br_cert_url_with(app->cfg.cert_url, "", "go", go)) == NULL)
		r = BR_RESULT_INTERNAL;
	return r;
}

const char *
br_certsignin_refusal(br_cc_err e)
{
	switch (e) {
	case BR_CC_HEADER:
	case BR_CC_CERTIFICATE:
		return "cert.malformed";
	case BR_CC_UNTRUSTED:
		return "cert.untrusted";
	case BR_CC_EXPIRED:
	case BR_CC_NOT_YET_VALID:
		return "cert.expired";
	case BR_CC_REVOKED:
		return "cert.revoked";
	case BR_CC_CRL_UNAVAILABLE:
		return "cert.revocation_unknown";
	case BR_CC_SIGNATURE_CERT:
		return "cert.signature";
	case BR_CC_USAGE:
		return "cert.usage";
	default:
		return "cert.malformed";
	}
}

/*
 * The chain to one of the CAs: the first whose anchors verify it at now. A
 * refusal says the most telling thing any CA found (expired or not yet
 * valid by a CA that knows it, before "no CA here knows it").
 */
static const br_cert_group *
chain_to_group(const br_app *app, X509 *x, int64_t now, br_cc_err *why)
{
	br_cc_err e;
	size_t i;

	*why = BR_CC_UNTRUSTED;
	for (i = 0; i < app->n_cert_groups; i++) {
		if ((e = br_cc_verify(app->cert_groups[i].anchors, x, 0, now)) == BR_CC_OK) {
			*why = BR_CC_OK;
			return &app->cert_groups[i];
		}
		if (*why == BR_CC_UNTRUSTED)
			*why = e;
	}
	return NULL;
}

br_cc_err
br_certsignin_judge(br_app *app, const br_caller *who, const char *header, int copies, br_cc_facts *f, br_blob *der_out,
    const br_cert_group **group)
{
	const br_config *c = &app->cfg;
	const br_cert_group *g = NULL;
	br_blob der = { NULL, 0 };
	br_cc_err e;
	X509 *x = NULL;

	memset(f, 0, sizeof(*f));
	*group = NULL;
	/* none, or several (a client's copy the proxy appended to): nothing to believe */
	if (header == NULL || copies != 1)
		return BR_CC_HEADER;
	if ((e = br_cc_header_decode(header, strlen(header), &der)) != BR_CC_OK)
		return e;
	if ((x = br_x509_from_der(der.ptr, der.len)) == NULL)
		e = BR_CC_CERTIFICATE;
	/*
	 * chain and dates, then what the certificate is for, then revocation as
	 * its CA says: a signature certificate is told so even when its CA has
	 * no CRL here
	 */
	else if ((e = br_cc_facts_get(x, f)) == BR_CC_OK && (g = chain_to_group(app, x, who->now, &e)) != NULL &&
	    (e = br_cc_check_usage(x, (const char *const *)c->cert_refused_policies.v, c->cert_refused_policies.n)) == BR_CC_OK &&
	    g->ca.revocation == BR_CERT_REVOCATION_CRL)
		e = br_cc_verify(g->anchors, x, 1, who->now);
	X509_free(x);
	*group = g;
	if (e == BR_CC_OK && der_out != NULL) {
		*der_out = der;
		der.ptr = NULL;
		der.len = 0;
	}
	br_blob_reset(&der);
	return e;
}

/* With match = mapping: the certificate's map_field into mapped ("" when it has none). */
static void
mapped_field(const br_cert_group *g, const br_blob *der, char *mapped, size_t cap)
{
	X509 *x = br_x509_from_der(der->ptr, der->len);

	mapped[0] = '\0';
	if (x != NULL)
		(void)br_cc_field(x, g->ca.map_field, mapped, cap);
	X509_free(x);
}

static json_t *
cert_fields(const br_cert_group *g, const br_cc_facts *f)
{
	json_t *j = json_object();

	if (f->cert_sha256[0] != '\0') {
		json_object_set_new(j, "cert_sha256", json_string(f->cert_sha256));
		json_object_set_new(j, "issuer", json_string(f->issuer));
		json_object_set_new(j, "serial", json_string(f->serial));
	}
	/* before a CA is known (no chain, no header) there is no revocation or match to name */
	if (g != NULL) {
		json_object_set_new(j, "ca", json_string(g->ca.name));
		json_object_set_new(j, "revocation", json_string(br_cert_revocation_name(g->ca.revocation)));
		json_object_set_new(j, "match", json_string(g->ca.match == BR_CERT_MATCH_MAPPING ? "mapping" : "pairing"));
	}
	return j;
}

br_result
br_certsignin_check(br_app *app, const br_caller *who, const char *go, const char *header, int copies,
    br_certsignin_checked *out)
{
	br_cc_facts f;
	br_cert_pairing p;
	br_user *user = NULL;
	json_t *rec = NULL, *j;
	char *flow_id = NULL, rid[BR_ID_LEN + 1], mapped[512] = "";
	br_blob der = { NULL, 0 };
	br_result r;
	br_cc_err e;
	br_dir_rc rc;
	json_t *fields;
	const br_cert_group *g = NULL;
	int mapping;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	memset(&p, 0, sizeof(p));
	if (!app->cfg.cert_enabled || app->n_cert_groups == 0)
		return BR_RESULT_NOT_ENABLED;
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	/* the go-ahead first: without one there is no flow to sign in to, whatever the certificate */
	r = br_result_of_cache(br_record_take(app, GO_KIND, go, who->now, &rec), BR_RESULT_EXPIRED);
	if (r == BR_RESULT_OK && (br_record_str(rec, "flow", &flow_id) < 0 || flow_id == NULL))
		r = BR_RESULT_EXPIRED;
	if (r != BR_RESULT_OK)
		goto out;
	if ((e = br_certsignin_judge(app, who, header, copies, &f, &der, &g)) != BR_CC_OK || g == NULL) {
		int none = header == NULL || copies == 0;

		fields = cert_fields(g, &f);
		json_object_set_new(fields, "copies", json_integer(copies));
		br_event(app, who, "cert_signin_failure", none ? "no_certificate" : br_cc_strerr(e), fields);
		out->refusal = none ? "cert.none" : br_certsignin_refusal(e);
		r = BR_RESULT_FAILED;
		goto out;
	}
	/* the CA that vouched for the certificate says how it finds its account */
	mapping = g->ca.match == BR_CERT_MATCH_MAPPING;
	if (mapping) {
		mapped_field(g, &der, mapped, sizeof(mapped));
		/* no field (or none usable) is the same as no entry with it */
		rc = mapped[0] == '\0' ? BR_DIR_NOT_FOUND : br_dir_find_user_by(app->dir, g->ca.map_attribute, mapped, &user);
	} else {
		rc = br_dir_find_pairing(app->dir, f.cert_sha256, &user, &p);
	}
	if (rc != BR_DIR_OK) {
		(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "cert_signin_failure",
		    rc == BR_DIR_ERROR ? "directory_error" : mapping ? "unmapped" : "unpaired", cert_fields(g, &f));
		if (rc != BR_DIR_NOT_FOUND && rc != BR_DIR_INVALID) {
			r = br_result_of_dir(rc, BR_RESULT_UNAVAILABLE);
			goto out;
		}
		out->refusal = mapping ? "cert.unmapped" : "cert.unpaired";
		r = BR_RESULT_FAILED;
		goto out;
	}
	fields = cert_fields(g, &f);
	json_object_set_new(fields, "username", json_string(user->username));
	if (user->disabled) {
		br_event(app, who, "cert_signin_failure", "account_disabled", fields);
		r = BR_RESULT_ACCOUNT_DISABLED;
		goto out;
	}
	if ((r = br_rate_account(app, who, user->username, user->dn)) != BR_RESULT_OK) {
		json_decref(fields);
		goto out;
	}
	if (p.dn != NULL && br_dir_pairing_used(app->dir, &p, who->now) != BR_DIR_OK)
		br_event_store(app, who, "directory_write_failed", "pairing_used", json_pack("{s:s}", "username", user->username));
	j = json_pack("{s:s, s:s, s:s, s:s}", "flow", flow_id, "username", user->username, "cert", f.cert_sha256, "ca",
	    g->ca.name);
	r = j == NULL ? BR_RESULT_INTERNAL :
	    br_result_of_cache(br_record_create(app, RESULT_KIND, j, RESULT_TTL, who->now, rid), BR_RESULT_UNAVAILABLE);
	json_decref(j);
	if (r == BR_RESULT_OK && (out->next = br_cert_url_with(app->cfg.public_url, "/authn/certificate/done", "r", rid)) == NULL)
		r = BR_RESULT_INTERNAL;
	if (r == BR_RESULT_OK)
		br_event(app, who, "cert_signin_verified", NULL, fields);
	else
		json_decref(fields);
out:
	br_blob_reset(&der);
	free(flow_id);
	json_decref(rec);
	br_user_free(&user);
	br_cert_pairing_clear(&p);
	return r;
}

br_result
br_certsignin_finish(br_app *app, const br_caller *who, const char *flow_id, const char *result_id)
{
	json_t *rec = NULL;
	char *rflow = NULL, *username = NULL, *cert = NULL, *cid = NULL, *ca = NULL;
	const br_cert_group *g = NULL;
	unsigned char raw[32];
	br_user *user = NULL;
	br_flow flow;
	br_result r;
	size_t i;

	memset(&flow, 0, sizeof(flow));
	if (!app->cfg.cert_enabled)
		return BR_RESULT_NOT_ENABLED;
	r = br_result_of_cache(br_record_take(app, RESULT_KIND, result_id, who->now, &rec), BR_RESULT_EXPIRED);
	if (r == BR_RESULT_OK && (br_record_str(rec, "flow", &rflow) < 0 || br_record_str(rec, "username", &username) < 0 ||
	    br_record_str(rec, "cert", &cert) < 0 || br_record_str(rec, "ca", &ca) < 0 || rflow == NULL || username == NULL ||
	    cert == NULL || strlen(cert) != 64 || (g = br_cert_group_named(app, ca)) == NULL))
		r = BR_RESULT_EXPIRED;
	if (r != BR_RESULT_OK)
		goto out;
	/* the browser that comes back must be the one whose flow sent it: its own cookie */
	if (flow_id == NULL || !br_ct_equal(flow_id, strlen(flow_id), rflow, strlen(rflow))) {
		br_event(app, who, "cert_signin_failure", "other_browser", json_pack("{s:s}", "username", username));
		r = BR_RESULT_FORBIDDEN;
		goto out;
	}
	if ((r = br_result_of_cache(br_flow_load(app, flow_id, who->now, &flow), BR_RESULT_EXPIRED)) != BR_RESULT_OK)
		goto out;
	if ((r = br_result_of_dir(br_dir_find_user(app->dir, username, &user), BR_RESULT_UNKNOWN_ACCOUNT)) != BR_RESULT_OK)
		goto out;
	if (user->disabled) {
		r = BR_RESULT_ACCOUNT_DISABLED;
		goto out;
	}
	if (flow.principal != NULL && strcmp(flow.principal, user->username) != 0) {
		/* a second factor must be the first factor's account */
		br_event(app, who, "cert_signin_failure", "wrong_account",
		    json_pack("{s:s, s:s}", "username", flow.principal, "cert_sha256", cert));
		if (br_flow_set(&flow.error, "AccountMismatch") == 0)
			br_flow_save(app, &flow, (unsigned)app->cfg.flow_ttl_s, who->now);
		r = BR_RESULT_FAILED;
		goto out;
	}
	for (i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(cert[2 * i] <= '9' ? cert[2 * i] - '0' : cert[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(cert[2 * i + 1] <= '9' ? cert[2 * i + 1] - '0' : cert[2 * i + 1] - 'a' + 10);

		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	if ((cid = br_b64url_encode_alloc(raw, sizeof(raw))) == NULL) {
		r = BR_RESULT_INTERNAL;
		goto out;
	}
	{
		br_ticket_fields t = {
			.principal = flow.principal != NULL ? flow.principal : user->username,
			.conversation = flow.conversation,
			.state = flow.state,
			.entity = flow.entity,
			.auth_instant = who->now,
			.expires = who->now + app->cfg.ticket_ttl_s,
			/* the card's PIN is its user verification; a certificate is never synced */
			.uv = 1, .be = 0, .bs = 0, .mfa = g->ca.mfa,
			.credential_id = cid,
			.aaguid = "",
			.attributes = user->attributes,
		};

		r = br_ticket_issue(app, who, &flow, &t, user->username, NULL);
	}
	if (r == BR_RESULT_OK)
		br_event(app, who, "signin_success", NULL, json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s, s:s}", "username",
		    user->username, "method", "certificate", "cert_sha256", cert, "mfa", g->ca.mfa,
		    "entity", flow.entity, "revocation", br_cert_revocation_name(g->ca.revocation), "ca", g->ca.name));
out:
	free(cid);
	free(ca);
	free(rflow);
	free(username);
	free(cert);
	json_decref(rec);
	br_user_free(&user);
	br_flow_reset(&flow);
	return r;
}
