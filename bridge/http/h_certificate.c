/*
 * Certificate sign-in's routes (app/certsignin.h): /authn/certificate/start
 * and /authn/certificate/done on the bridge's host, /authn/certificate on the
 * certificate host behind the TLS front that asks for the certificate.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../app/certpairing.h"
#include "../app/certsignin.h"
#include "handler.h"

static const char *
once(const br_request *req, const char *name)
{
	int n = 0;
	const char *v = br_req_query(req, name, &n);

	return n == 1 ? v : NULL;
}

void
h_cert_start(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	char *url = NULL;
	br_result r = br_certsignin_begin(app, &who, br_req_cookie(req, "fb_flow"), &url);

	if (r == BR_RESULT_OK)
		br_res_redirect(res, url);
	else
		br_reply_error_page(app, req, res, r);
}

/*
 * The request names the certificate host ([certificate] url's host[:port]):
 * a front that serves the bridge's own host and forgot to drop the header
 * still cannot have it believed there.
 */
static int
on_cert_host(const br_app *app, const br_request *req)
{
	const char *url = app->cfg.cert_url, *host = br_req_header(req, "Host"), *a;
	size_t n;

	if (url == NULL || host == NULL || strncmp(url, "https://", 8) != 0)
		return 0;
	a = url + 8;
	n = strcspn(a, "/?#");
	return strlen(host) == n && strncasecmp(host, a, n) == 0;
}

void
h_cert_check(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_certsignin_checked out;
	const char *header = NULL;
	int copies = 0;
	br_result r;

	if (!on_cert_host(app, req)) {
		br_res_text(res, 404, "text/plain; charset=utf-8", "not found\n");
		return;
	}
	/* the header means something only when the front that verified the TLS client put it there */
	if (req->from_trusted_proxy)
		header = br_req_header_n(req, app->cfg.cert_header, &copies);
	/* ?go= is a sign-in, ?pair= adding a card from My passkeys */
	if (once(req, "pair") != NULL)
		r = br_certpair_check(app, &who, once(req, "pair"), header, copies, &out);
	else
		r = br_certsignin_check(app, &who, once(req, "go"), header, copies, &out);
	if (r == BR_RESULT_OK) {
		br_res_redirect(res, out.next);
		out.next = NULL;
	} else if (r == BR_RESULT_FAILED && out.refusal != NULL) {
		br_reply_refusal_page(app, req, res, 403, out.refusal);
	} else {
		br_reply_error_page(app, req, res, r);
	}
	br_certsignin_checked_reset(&out);
}

void
h_cert_done(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_result r = br_certsignin_finish(app, &who, br_req_cookie(req, "fb_flow"), once(req, "r"));

	/* /authn/finish carries the ticket back to the IdP, as after a passkey */
	if (r == BR_RESULT_OK)
		br_res_redirect(res, strdup("/authn/finish"));
	else
		br_reply_error_page(app, req, res, r);
}

void
h_cert_pair_start(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	char *url = NULL;
	br_result r = br_certpair_begin(app, &who, br_req_cookie(req, "fb_session"), &url);

	if (r == BR_RESULT_OK)
		br_res_redirect(res, url);
	else
		br_reply_error_page(app, req, res, r);
}

void
h_cert_pair_done(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_result r = br_certpair_finish(app, &who, br_req_cookie(req, "fb_session"), once(req, "r"));

	if (r == BR_RESULT_OK)
		br_reply_done_page(app, req, res, "cert.paired");
	else if (r == BR_RESULT_ALREADY_REGISTERED)
		br_reply_refusal_page(app, req, res, 409, "cert.already_paired");
	else
		br_reply_error_page(app, req, res, r);
}

void
h_api_certs_list(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *list = NULL;
	br_result r = br_certpair_list(app, &who, br_req_cookie(req, "fb_session"), &list);

	if (r != BR_RESULT_OK) {
		br_reply_error(app, req, res, r);
		return;
	}
	json_object_set_new(list, "ok", json_true());
	br_res_json(res, 200, list);
}

void
h_api_certs_delete(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_certpair_remove(app, &who, br_req_cookie(req, "fb_session"), json_string_value(json_object_get(body, "id")));
	if (r == BR_RESULT_OK)
		br_res_json(res, 200, json_pack("{s:b}", "ok", 1));
	else
		br_reply_error(app, req, res, r);
	json_decref(body);
}
