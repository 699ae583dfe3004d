/*
 * The IdP's side of a login, free of HTTP (docs/handoff-protocol.md): the
 * signed start that opens a flow, the way back with a ticket or an error,
 * and the flow behind the sign-in page (the IdP's, or a local one for My
 * passkeys).
 */
#ifndef BR_LOGIN_H
#define BR_LOGIN_H

#include "app.h"
#include "handoff.h"
#include "record.h"
#include "result.h"

typedef struct br_login_next {
	char *back_url;                 /* to the IdP (malloc'd); NULL: go to the sign-in page */
	char flow_id[BR_ID_LEN + 1];    /* a new flow for the cookie; "" for none */
	int flow_done;                  /* the flow is over: clear the cookie */
} br_login_next;

void br_login_next_reset(br_login_next *n);

/*
 * A start request: BAD_START when any rule of the protocol fails (never a
 * redirect then: return is not trusted until all of it holds). A passive
 * request goes straight back with NoPassive; otherwise a new flow, which
 * keeps the optional principal (the sign-in must be that account) and the
 * SP's display name (x NULL: none).
 */
br_result br_login_start(br_app *app, const br_caller *who, const br_handoff_start *s, const br_handoff_ext *x,
    br_login_next *out);
/* Back to the IdP with the flow's ticket or verdict; neither yet: back to the sign-in page (back_url NULL). */
br_result br_login_finish(br_app *app, const br_caller *who, const char *flow_id, br_login_next *out);
/*
 * "Use another way" (reason "expired": the page timed out): the flow's
 * verdict becomes NoCredentials / Expired unless it has one already (a
 * disabled account, a clone). The way back is then /authn/finish, which
 * carries it to the IdP. EXPIRED when there is no IdP flow.
 */
br_result br_login_cancel(br_app *app, const br_caller *who, const char *flow_id, const char *reason);

typedef struct br_login_page {
	int idp;                        /* an IdP flow: "Use another way" is offered */
	char *entity;                   /* the SP's entityID */
	char *service;                  /* what "You are signing in to" names: the display name, else the entityID */
	char *principal;                /* the account a second-factor sign-in must be; NULL */
	char flow_id[BR_ID_LEN + 1];    /* a new local flow for the cookie; "" when the cookie's stands */
} br_login_page;

void br_login_page_reset(br_login_page *p);

/*
 * The flow behind the sign-in page: the cookie's, or a new local one (a
 * sign-in to My passkeys, still bound to this browser; counted per address).
 * UNAVAILABLE when the cache cannot say: a new flow would turn an IdP
 * sign-in into a local one.
 */
br_result br_login_page_flow(br_app *app, const br_caller *who, const char *flow_id, br_login_page *out);

/*
 * The same with the two kinds of flow in cookies of their own, as the pages
 * use them: the IdP flow of idp_flow_id (fb_flow) unless for_passkeys (the
 * sign-in to My passkeys), else the local flow of local_flow_id (fb_local)
 * when it is one, or a new local flow (out->flow_id, for fb_local). A local
 * sign-in never takes up an IdP flow, so My passkeys cannot finish a login
 * that was left waiting at an SP; and that flow stays as it is for its tab.
 */
br_result br_login_page_split(br_app *app, const br_caller *who, const char *idp_flow_id, const char *local_flow_id,
    int for_passkeys, br_login_page *out);

#endif
