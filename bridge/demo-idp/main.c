/*
 * fido-demo-idp: a stand-in for the Shibboleth IdP's side of the handoff,
 * for the local demo and the tests. It does exactly what the shim does
 * (docs/handoff-protocol.md): a signed start with a random state kept in its
 * session, and on return the ticket taken once, its MAC, conversation and
 * state checked. It is not an IdP: no SAML, no passwords. /start also takes
 * the optional signed parameters (section 1.1): principal= plays a first
 * factor's user (the record must then name exactly that account) and
 * sp_name= the SP's display name. (No links to them on the home page: a bridge
 * that does not take them yet refuses such a start.)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/record.h"
#include "../app/handoff.h"
#include "../app/random.h"
#include "../app/render.h"
#include "../config/config.h"
#include "../core/crypto.h"
#include "../http/server.h"
#include "../store/cache.h"

#define MAX_PENDING 512
#define MAX_SKEW_S 120     /* clock difference allowed with the bridge, as [idp] max_clock_skew's default */

struct pending {
	char session[BR_ID_LEN + 1];
	char conversation[16];
	char state[BR_ID_LEN + 1];
	char principal[BR_HANDOFF_PRINCIPAL_MAX + 1]; /* "" when none was required */
	int used;
};

struct idp {
	const char *bridge;       /* bridge base URL */
	const char *self;         /* our base URL (return URL prefix) */
	br_secrets secrets;
	br_cache *cache;
	pthread_mutex_t lock;
	struct pending pending[MAX_PENDING];
	unsigned next_conv;
};

static void
page(br_response *res, int status, const char *title, const char *body_html)
{
	size_t n = strlen(title) + strlen(body_html) + 512;
	char *html = malloc(n);

	snprintf(html, n, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			  "<title>%s</title></head>\n<body><main>\n<h1>%s</h1>\n%s</main></body></html>\n",
	    title, title, body_html);
	br_res_text(res, status, "text/html; charset=utf-8", html);
	free(html);
}

static void
h_home(void *ctx, const br_request *req, br_response *res)
{
	(void)ctx;
	(void)req;
	page(res, 200, "Demo IdP (stand-in)",
	    "<p>This page plays the Shibboleth IdP: it sends you to the passkey bridge with a signed request "
	    "and shows what comes back.</p>\n<ul>\n"
	    "<li><a id=\"signin\" href=\"/start?entity=https%3A%2F%2Fsp.example.org%2Fshibboleth\">Sign in to the demo service</a></li>\n"
	    "<li><a id=\"signin-force\" href=\"/start?force=1&amp;entity=https%3A%2F%2Fsp.example.org%2Fshibboleth\">Sign in again (ForceAuthn)</a></li>\n"
	    "<li><a id=\"signin-passive\" href=\"/start?passive=1&amp;entity=https%3A%2F%2Fsp.example.org%2Fshibboleth\">Passive sign-in (IsPassive)</a></li>\n"
	    "</ul>\n");
}

static void
h_start(void *ctx, const br_request *req, br_response *res)
{
	struct idp *idp = ctx;
	const char *sess = br_req_cookie(req, "idp_session"), *entity = br_req_query(req, "entity", NULL);
	const char *force = br_req_query(req, "force", NULL), *passive = br_req_query(req, "passive", NULL);
	br_handoff_ext x = { br_req_query(req, "principal", NULL), br_req_query(req, "sp_name", NULL) };
	char newsess[BR_ID_LEN + 1], conv[16], state[BR_ID_LEN + 1], ts[24], sig[BR_HANDOFF_SIG_LEN + 1], ret[512];
	char *e[10] = { NULL }, *url;
	const char *px, *nx;
	struct pending *p;
	size_t n, i;

	if (x.principal != NULL && strlen(x.principal) > BR_HANDOFF_PRINCIPAL_MAX) {
		br_res_text(res, 400, "text/plain", "principal too long\n");
		return;
	}
	if (!br_record_id_ok(sess)) {
		if (br_random_b64url(32, newsess, sizeof(newsess)) < 0) {
			br_res_text(res, 500, "text/plain", "no randomness\n");
			return;
		}
		br_res_cookie(res, req, "idp_session", newsess, 3600, 0);
		sess = newsess;
	}
	if (br_random_b64url(32, state, sizeof(state)) < 0) {
		br_res_text(res, 500, "text/plain", "no randomness\n");
		return;
	}
	pthread_mutex_lock(&idp->lock);
	snprintf(conv, sizeof(conv), "e%us1", ++idp->next_conv);
	p = &idp->pending[idp->next_conv % MAX_PENDING];
	snprintf(p->session, sizeof(p->session), "%s", sess);
	snprintf(p->conversation, sizeof(p->conversation), "%s", conv);
	snprintf(p->state, sizeof(p->state), "%s", state);
	snprintf(p->principal, sizeof(p->principal), "%s", x.principal != NULL ? x.principal : "");
	p->used = 0;
	pthread_mutex_unlock(&idp->lock);

	snprintf(ret, sizeof(ret), "%s/finish", idp->self);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	{
		br_handoff_start s = { conv, state, ret, entity != NULL ? entity : "",
			force != NULL && strcmp(force, "1") == 0 ? "1" : "0",
			passive != NULL && strcmp(passive, "1") == 0 ? "1" : "0", ts, NULL };
		if (br_handoff_sign_start_ext(&s, &x, idp->secrets.cur, idp->secrets.cur_len, sig) < 0) {
			/* also an optional value that breaks its rule: the shim would not send it either */
			br_res_text(res, 400, "text/plain", "cannot sign this start\n");
			return;
		}
		e[0] = br_url_encode(s.conversation);
		e[1] = br_url_encode(s.state);
		e[2] = br_url_encode(s.return_url);
		e[3] = br_url_encode(s.entity);
		e[4] = br_url_encode(s.force);
		e[5] = br_url_encode(s.passive);
		e[6] = br_url_encode(s.ts);
		e[7] = br_url_encode(sig);
		if (x.principal != NULL)
			e[8] = br_url_encode(x.principal);
		if (x.sp_name != NULL)
			e[9] = br_url_encode(x.sp_name);
	}
	for (n = strlen(idp->bridge) + 160, i = 0; i < 10; i++)
		n += e[i] != NULL ? strlen(e[i]) : 0;
	url = malloc(n);
	px = e[8] != NULL ? e[8] : "";
	nx = e[9] != NULL ? e[9] : "";
	snprintf(url, n, "%s/authn/start?conversation=%s&state=%s&return=%s&entity=%s&force=%s&passive=%s&ts=%s&sig=%s%s%s%s%s",
	    idp->bridge, e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8] != NULL ? "&principal=" : "", px,
	    e[9] != NULL ? "&sp_name=" : "", nx);
	for (i = 0; i < 10; i++)
		free(e[i]);
	br_res_redirect(res, url);
}

/* The pending conversation of this session (used once), or NULL. */
static int
claim(struct idp *idp, const char *sess, const char *conv, char state_out[BR_ID_LEN + 1],
    char principal_out[BR_HANDOFF_PRINCIPAL_MAX + 1])
{
	int found = 0;
	size_t i;

	pthread_mutex_lock(&idp->lock);
	for (i = 0; i < MAX_PENDING; i++) {
		struct pending *p = &idp->pending[i];
		if (!p->used && p->conversation[0] != '\0' && strcmp(p->conversation, conv) == 0 && sess != NULL &&
		    strcmp(p->session, sess) == 0) {
			p->used = 1;
			memcpy(state_out, p->state, BR_ID_LEN + 1);
			memcpy(principal_out, p->principal, BR_HANDOFF_PRINCIPAL_MAX + 1);
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&idp->lock);
	return found;
}

static void
result(br_response *res, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *esc = br_html_escape(text ? text : "{}");
	size_t n = strlen(esc) + 256;
	char *body = malloc(n);
	const char *title = json_is_true(json_object_get(j, "ok")) ? "Signed in" : "Not signed in";

	snprintf(body, n, "<p><a href=\"/\">Start again</a></p>\n<pre id=\"result\">%s</pre>\n", esc);
	page(res, status, title, body);
	free(body);
	free(esc);
	free(text);
	json_decref(j);
}

static void
h_finish(void *ctx, const br_request *req, br_response *res)
{
	struct idp *idp = ctx;
	const char *conv = br_req_query(req, "conversation", NULL), *state = br_req_query(req, "state", NULL);
	const char *ticket = br_req_query(req, "ticket", NULL), *error = br_req_query(req, "error", NULL), *why;
	char want_state[BR_ID_LEN + 1], want_principal[BR_HANDOFF_PRINCIPAL_MAX + 1], key[96];
	const char *got;
	json_t *rec = NULL;
	char *text = NULL;
	size_t len = 0;
	br_cache_rc rc;

	if (conv == NULL || state == NULL ||
	    !claim(idp, br_req_cookie(req, "idp_session"), conv, want_state, want_principal)) {
		result(res, 400, json_pack("{s:b, s:s}", "ok", 0, "error", "unknown_conversation"));
		return;
	}
	if (!br_ct_equal(want_state, strlen(want_state), state, strlen(state))) {
		result(res, 400, json_pack("{s:b, s:s}", "ok", 0, "error", "state_mismatch"));
		return;
	}
	if (error != NULL) {
		result(res, 200, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "bridge_error", "authnError", error));
		return;
	}
	if (ticket == NULL || !br_record_id_ok(ticket)) {
		result(res, 400, json_pack("{s:b, s:s}", "ok", 0, "error", "no_ticket"));
		return;
	}
	snprintf(key, sizeof(key), "ticket:%s", ticket);
	/*
	 * Take once (section 4.1): get on every server, then delete each copy;
	 * ours only when every server answered and every delete was ours. A
	 * server that did not answer makes it unavailable: 503, retry later.
	 */
	rc = br_cache_take(idp->cache, key, &text, &len);
	if (rc == BR_CACHE_ERROR) {
		result(res, 503, json_pack("{s:b, s:s}", "ok", 0, "error", "ticket_store_unavailable"));
		return;
	}
	if (rc != BR_CACHE_OK) {
		result(res, 400, json_pack("{s:b, s:s}", "ok", 0, "error", "ticket_unknown_or_used"));
		return;
	}
	rec = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	br_wipe(text, len);
	free(text);
	if (rec == NULL) {
		result(res, 400, json_pack("{s:b, s:s}", "ok", 0, "error", "ticket_unreadable"));
		return;
	}
	if (br_ticket_verify(rec, ticket, conv, want_state, &idp->secrets, (int64_t)time(NULL), MAX_SKEW_S, &why) < 0) {
		json_decref(rec);
		result(res, 400, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "ticket_refused", "reason", why));
		return;
	}
	/* a start that named the account: the record must be exactly that one (section 4) */
	got = json_string_value(json_object_get(rec, "principal"));
	if (want_principal[0] != '\0' && (got == NULL || strcmp(got, want_principal) != 0)) {
		json_decref(rec);
		result(res, 400, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "account_mismatch", "authnError",
		    "AccountMismatch"));
		return;
	}
	json_object_del(rec, "mac");
	json_object_del(rec, "state");
	json_object_set_new(rec, "ok", json_true());
	result(res, 200, rec);
}

static const br_route routes[] = {
	{ "GET", "/", h_home, "home" },
	{ "GET", "/start", h_start, "start" },
	{ "GET", "/finish", h_finish, "finish" },
};

int
main(int argc, char **argv)
{
	const char *listen = "127.0.0.1", *secret = NULL, *prev = NULL, *servers = NULL, *prefix = "fidobridge:";
	struct idp idp;
	char err[256], *s;
	int i, port = 8081;
	size_t n;
	br_server *srv;
	sigset_t set;

	memset(&idp, 0, sizeof(idp));
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--listen") == 0) listen = argv[i + 1];
		else if (strcmp(argv[i], "--bridge") == 0) idp.bridge = argv[i + 1];
		else if (strcmp(argv[i], "--self") == 0) idp.self = argv[i + 1];
		else if (strcmp(argv[i], "--secret-file") == 0) secret = argv[i + 1];
		else if (strcmp(argv[i], "--previous-secret-file") == 0) prev = argv[i + 1];
		else if (strcmp(argv[i], "--memcached") == 0) servers = argv[i + 1];
		else if (strcmp(argv[i], "--prefix") == 0) prefix = argv[i + 1];
		else break;
	}
	if (i != argc || idp.bridge == NULL || idp.self == NULL || secret == NULL || servers == NULL) {
		fprintf(stderr, "usage: fido-demo-idp --bridge URL --self URL --secret-file F --memcached HOST:PORT[,..]\n"
				"                     [--previous-secret-file F] [--prefix P] [--listen ADDR] [--port N]\n");
		return 2;
	}
	if ((s = br_config_read_secret(secret, &n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fido-demo-idp: %s\n", err);
		return 1;
	}
	idp.secrets.cur = (unsigned char *)s;
	idp.secrets.cur_len = n;
	if (prev != NULL && (s = br_config_read_secret(prev, &n, err, sizeof(err))) != NULL) {
		idp.secrets.prev = (unsigned char *)s;
		idp.secrets.prev_len = n;
	}
	{
		br_cache_options co = { servers, prefix, 0, 500 };
		if ((idp.cache = br_cache_open(&co, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fido-demo-idp: %s\n", err);
			br_secrets_wipe(&idp.secrets);
			return 1;
		}
	}
	pthread_mutex_init(&idp.lock, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	{
		br_server_options o = { .address = listen, .port = port, .threads = 2, .max_body = 4096, .timeout_s = 15, .header_timeout_s = 10,
			.max_connections_per_address = 64, .https = strncmp(idp.self, "https://", 8) == 0, .routes = routes,
			.n_routes = sizeof(routes) / sizeof(routes[0]), .app = &idp };
		if ((srv = br_server_start(&o, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fido-demo-idp: %s\n", err);
			br_cache_close(&idp.cache);
			br_secrets_wipe(&idp.secrets);
			pthread_mutex_destroy(&idp.lock);
			return 1;
		}
	}
	fprintf(stderr, "fido-demo-idp: listening on %s port %d\n", listen, br_server_port(srv));
	sigwait(&set, &i);
	br_server_stop(&srv);
	br_cache_close(&idp.cache);
	br_secrets_wipe(&idp.secrets);
	pthread_mutex_destroy(&idp.lock);
	return 0;
}
