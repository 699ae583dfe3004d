/*
 * The browser's side of the ceremonies for the HTTP tests, through the
 * bridge and the IdP stand-in: the handoff, sign-in (discoverable,
 * username-first, local for My passkeys) and enrolment at a link. A step
 * that does not give what it must ends the case (REQUIRE).
 */
#ifndef HTTP_CEREMONIES_H
#define HTTP_CEREMONIES_H

#include <jansson.h>

#include "client.h"
#include "softkey.h"

/* ---- sign-in ---- */
/* GET IDP/start?query: 303 to the bridge's /authn/start; returns that URL. */
char *idp_start(hc_browser *b, const char *query);
/* idp_start, then the bridge's 303 to /login (fb_flow set) and the login page. */
void idp_begin(hc_browser *b, const char *query);
/* POST /api/authenticate/options: 200 required; the challenge (and publicKey when pk). */
char *auth_options(hc_browser *b, const char *body, json_t **pk);
/* The same at path: "/api/authenticate/options?for=passkeys" for My passkeys' own sign-in (fb_local). */
char *auth_options_path(hc_browser *b, const char *path, const char *body, json_t **pk);
/* An assertion over challenge with origin BRIDGE_URL and rp id localhost unless o says otherwise. */
json_t *make_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o);
/* POST /api/authenticate/verify expecting ok; returns "next". */
char *auth_verify_ok(hc_browser *b, json_t *cred);
/* GET /authn/finish: 303 to IDP_URL/finish?...; returns that URL. */
char *bridge_finish(hc_browser *b);
/* GET an IdP finish URL; the <pre id="result"> JSON (NULL if none), HTTP status in *status. */
json_t *idp_result(hc_browser *b, const char *url, long *status);
/*
 * "Use another way" as the page does it: POST /authn/cancel (reason NULL or
 * "expired"), then /authn/finish; r holds the finish's 303 back to the IdP,
 * or the cancel's refusal. The HTTP status of what r holds.
 */
long cancel_flow(hc_browser *b, const char *reason, hc_resp *r);
/* No ticket for this browser's flow: /authn/finish sends it back to /login, the flow stays. */
void expect_no_ticket(hc_browser *b);
/* The whole sign-in through the IdP stand-in; returns the stand-in's result (ok required). */
json_t *signin_via_idp(hc_browser *b, sk_key *k, const char *username, char **finish_url);
/* A My passkeys sign-in at /login?for=passkeys (fb_local, ?for=passkeys on the API); a browser holding fb_session. */
hc_browser *signin_local(sk_key *k);
/* A signed /authn/start URL made here with the secret (docs/handoff-protocol.md). */
char *signed_start(const char *conversation, const char *state, const char *ret, const char *entity,
    const char *force, const char *passive, long long ts);

/* ---- enrolment (the link itself: enrol_link in tools.h) ---- */
json_t *reg_options(hc_browser *b);                 /* POST /api/register/options, 200 required: publicKey */
/* The same as the enrolment page posts it: the link's username and code, which start the session. */
json_t *reg_options_link(hc_browser *b, const char *link);
json_t *reg_options_body(hc_browser *b, const char *body);
json_t *make_registration(sk_key *k, const char *challenge, const sk_reg_opts *o);
/* Link, page, options, verify: the user ends up with k as a passkey named nick. */
void enrol(const char *user, sk_key *k, const char *nick);
/* The same, and the browser that did it (on the "ready" page's session). */
hc_browser *enrol_browser(const char *user, sk_key *k, const char *nick);

#endif
