/*
 * The running stack as the HTTP tests see it (tests/stack/start-stack.sh,
 * exported by tests/http/run.sh): the bridge and the IdP stand-in over HTTP,
 * the directory through bridgectl and the OpenLDAP tools, memcached over its
 * text protocol, the audit log as a file. Failures of the tools themselves
 * end the case (REQUIRE).
 */
#ifndef HTTP_STACK_H
#define HTTP_STACK_H

#include <jansson.h>

#include "client.h"
#include "harness.h"
#include "softkey.h"

struct stack_env {
	const char *bridge;       /* BRIDGE_URL, e.g. http://localhost:41234 */
	char host[256];           /* its host name, for cookies put into a jar */
	const char *idp;          /* IDP_URL */
	const char *config;       /* BRIDGE_CONFIG */
	const char *audit;        /* AUDIT_LOG */
	const char *dir;          /* STACK_DIR */
	const char *bridgectl;    /* BRIDGECTL */
	const char *ldap_uri, *admin_dn, *admin_pw, *base, *people;
	const char *mc_ports;     /* MEMCACHED_PORTS: "p1 p2" */
	char prefix[64];          /* [memcached] prefix */
	char secret[512];         /* the handoff secret (idp.secret) */
	long limit_address, limit_account, max_body;
};
extern struct stack_env E;

#define RP_ID "localhost"
#define SP_ENTITY "https://sp.example.org/shibboleth"
#define SP_ENTITY_Q "entity=https%3A%2F%2Fsp.example.org%2Fshibboleth"

/* Read the environment and the config; exits 2 when run outside run.sh. */
void stack_init(void);

/* printf into a new string. */
__attribute__((format(printf, 1, 2))) char *xfmt(const char *fmt, ...);
int starts_with(const char *s, const char *prefix);

/* ---- secrets seen (must never reach the audit log) ---- */
void note_secret(const char *kind, const char *value);
int n_secrets(void);
const char *secret_kind(int i);
const char *secret_value(int i);

/* ---- the bridge: every response is checked for the security headers and cookie attributes ---- */
hc_browser *browser(void);                                   /* Origin: BRIDGE_URL */
long bget(hc_browser *b, const char *path_or_url, hc_resp *r);
long bpost(hc_browser *b, const char *path, const char *body, hc_resp *r);
long bpostj(hc_browser *b, const char *path, json_t *body, hc_resp *r); /* takes body */
/* The checks bget/bpost apply, for responses made otherwise. */
void bridge_response_checks(const hc_resp *r);

/* ---- ceremonies ---- */
/* GET IDP/start?query: 303 to the bridge's /authn/start; returns that URL. */
char *idp_start(hc_browser *b, const char *query);
/* idp_start, then the bridge's 303 to /login (fb_flow set) and the login page. */
void idp_begin(hc_browser *b, const char *query);
/* POST /api/authenticate/options: 200 required; the challenge (and publicKey when pk). */
char *auth_options(hc_browser *b, const char *body, json_t **pk);
/* An assertion over challenge with origin BRIDGE_URL and rp id localhost unless o says otherwise. */
json_t *make_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o);
/* POST /api/authenticate/verify expecting ok; returns "next". */
char *auth_verify_ok(hc_browser *b, json_t *cred);
/* GET /authn/finish: 303 to IDP_URL/finish?...; returns that URL. */
char *bridge_finish(hc_browser *b);
/* GET an IdP finish URL; the <pre id="result"> JSON (NULL if none), HTTP status in *status. */
json_t *idp_result(hc_browser *b, const char *url, long *status);
/* No ticket for this browser's flow: /authn/finish sends it back to /login, the flow stays. */
void expect_no_ticket(hc_browser *b);
/* The whole sign-in through the IdP stand-in; returns the stand-in's result (ok required). */
json_t *signin_via_idp(hc_browser *b, sk_key *k, const char *username, char **finish_url);
/* A My passkeys sign-in at /login without an IdP flow; a browser holding fb_session. */
hc_browser *signin_local(sk_key *k);
/* A signed /authn/start URL made here with the secret (docs/handoff-protocol.md). */
char *signed_start(const char *conversation, const char *state, const char *ret, const char *entity,
    const char *force, const char *passive, long long ts);

/* ---- enrolment ---- */
char *enrol_link(const char *user);                 /* bridgectl enroll; the code is noted as a secret */
json_t *reg_options(hc_browser *b);                 /* POST /api/register/options, 200 required: publicKey */
json_t *make_registration(sk_key *k, const char *challenge, const sk_reg_opts *o);
/* Link, page, options, verify: the user ends up with k as a passkey named nick. */
void enrol(const char *user, sk_key *k, const char *nick);

/* ---- the directory ---- */
json_t *user_show(const char *user);                /* bridgectl user show */
json_t *user_cred(json_t *show, const char *id);    /* the credential with that id, borrowed */
size_t user_ncreds(const char *user);
char *user_creds_text(const char *user);            /* credentials JSON, for before/after */
char *ldap_search(const char *base, const char *filter, const char *attr);
void ldap_modify(const char *ldif);                 /* ldapmodify as admin; REQUIRE success */
void make_user(const char *uid, const char *display);
char *b64std(const unsigned char *p, size_t n);
unsigned char *b64std_decode(const char *s, size_t *n);

/* ---- memcached ---- */
/* The value of key (prefix added) on any server; *copies how many hold it, *ttl the remaining TTL. */
char *mc_lookup(const char *key, int *copies, long *ttl);
/*
 * Take key (prefix added) the way the IdP shim does
 * (shibboleth-config/.../MemcachedTicketStore.java): get on every server,
 * then delete on each that had it; the value when every delete won, else NULL.
 */
char *shim_take(const char *key);

/* ---- misc ---- */
char *hmac_b64url(const char *key, const char *msg);
char *file_read(const char *path);
/* How many audit lines have this event (and reason, when not NULL). */
int audit_count(const char *event, const char *reason);

#endif
