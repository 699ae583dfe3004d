/*
 * The running stack as the HTTP tests see it (tests/stack/start-stack.sh,
 * exported by tests/http/run.sh): the bridge over HTTP, with the checks every
 * one of its responses must pass, the config, the secrets seen on the way
 * and the audit log as a file. The rest of the stack has headers of its own:
 * ceremonies.h (the browser's side of sign-in and enrolment, with the IdP
 * stand-in), tools.h (bridgectl and the OpenLDAP tools), memcached.h.
 * Failures of the tools themselves end the case (REQUIRE).
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
	const char *admin;        /* ADMIN_URL: the management listener, http://127.0.0.1:PORT */
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
long bform(hc_browser *b, const char *path, const char *body, hc_resp *r); /* a form our pages post */
/* The checks bget/bpost apply, for responses made otherwise. */
void bridge_response_checks(const hc_resp *r);

/* ---- misc ---- */
char *hmac_b64url(const char *key, const char *msg);
char *file_read(const char *path);
/* How many audit lines have this event (and reason, when not NULL). */
int audit_count(const char *event, const char *reason);

#endif
