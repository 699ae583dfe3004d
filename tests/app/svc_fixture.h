/*
 * A bridge for the services' unit tests: the real app (config parsed from
 * a file, the real services) over the in-memory stores (tests/stores), an
 * audit log in a temporary file, three users, and the browser's side of
 * the ceremonies done with the software passkey of the HTTP tests
 * (tests/http/softkey.c). No slapd, no memcached, no HTTP.
 */
#ifndef SVC_FIXTURE_H
#define SVC_FIXTURE_H

#include <jansson.h>

#include "../../bridge/app/app.h"
#include "../../bridge/app/login.h"
#include "../../bridge/app/record.h"
#include "../http/softkey.h"
#include "mem_stores.h"
#include "unit.h"

#define SVC_RP_ID "login.example.edu"
#define SVC_ORIGIN "https://login.example.edu"
#define SVC_RETURN "https://idp.example.edu/idp/Authn/External/finish"
#define SVC_ENTITY "https://moodle.example.edu/shibboleth"
#define SVC_PEOPLE "ou=people,dc=example,dc=edu"
#define SVC_NOW INT64_C(1767225600)    /* 2026-01-01 */

typedef struct svc {
	br_app app;
	br_caller who;
	char dir[64];           /* temporary: config, secret, audit log */
	char audit[96];
} svc;

/* A bridge with extra config lines (section headers included) after the base; users alice, bob, dave (disabled). */
void svc_open(svc *s, const char *extra_conf);
void svc_close(svc *s);

/* Audit lines of event (and reason, NULL: any) so far. */
int svc_audit_count(const svc *s, const char *event, const char *reason);
/* The last audit line of event, parsed (json_decref it); NULL when none. */
json_t *svc_audit_last(const svc *s, const char *event);

/* ---- the ceremonies, as the page does them ---- */

/* An IdP flow (a signed start), its id into flow_id. */
void svc_idp_flow(svc *s, char flow_id[BR_ID_LEN + 1]);
/* The same with the optional signed principal and SP display name (either may be NULL). */
void svc_idp_flow_ext(svc *s, const char *principal, const char *sp_name, char flow_id[BR_ID_LEN + 1]);
/* A local flow (the sign-in page without an IdP flow). */
void svc_local_flow(svc *s, char flow_id[BR_ID_LEN + 1]);
/* Sign-in options for the flow (username NULL: discoverable); the challenge, malloc'd. */
char *svc_signin_challenge(svc *s, const char *flow_id, const char *username);
/* An assertion by k for challenge, as the browser posts it (o may be NULL). */
json_t *svc_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o);
/* A one-time link for username (the code into code, 13 bytes). */
void svc_enrol_link(svc *s, const char *username, char *code);
/* Open the link: an enrolment session id. */
void svc_open_link(svc *s, const char *username, const char *code, char session_id[BR_ID_LEN + 1]);
/* Registration options for the session; the challenge (malloc'd), the user handle kept in k. */
char *svc_reg_challenge(svc *s, const char *session_id, sk_key *k);
/* A registration by k for challenge (o may be NULL: the right origin and rp). */
json_t *svc_registration(sk_key *k, const char *challenge, const sk_reg_opts *o);
/* A new key for username, enrolled through a one-time link (must succeed). */
void svc_enrol(svc *s, const char *username, sk_key *k);
/* A local sign-in with k: a My passkeys session id. */
void svc_signin_local(svc *s, sk_key *k, char session_id[BR_ID_LEN + 1]);

/* "Use another way", then the way back as the page goes it (/authn/finish): the URL in next. */
br_result svc_cancel(svc *s, const char *flow_id, const char *reason, br_login_next *next);

/* The user as the directory has it now (br_user_free it). */
br_user *svc_user(svc *s, const char *username);

#endif
