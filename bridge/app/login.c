#include "login.h"

#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "flow.h"
#include "ratelimit.h"

void
br_login_next_reset(br_login_next *n)
{
	free(n->back_url);
	memset(n, 0, sizeof(*n));
}

void
br_login_page_reset(br_login_page *p)
{
	free(p->entity);
	free(p->service);
	free(p->principal);
	memset(p, 0, sizeof(*p));
}

br_result
br_login_start(br_app *app, const br_caller *who, const br_handoff_start *s, const br_handoff_ext *x,
    br_login_next *out)
{
	br_handoff_rc rc;
	br_flow f;
	br_result r;
	int force;

	memset(out, 0, sizeof(*out));
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	rc = br_handoff_check_start_ext(s, x, &app->secrets, who->now, app->cfg.max_clock_skew_s, app->cfg.return_urls.v,
	    app->cfg.return_urls.n);
	if (rc != BR_HANDOFF_OK) {
		br_event(app, who, "handoff_rejected", br_handoff_rc_name(rc), json_pack("{s:s?}", "entity", s->entity));
		return BR_RESULT_BAD_START;
	}
	if (strcmp(s->passive, "1") == 0) {
		br_event(app, who, "handoff_passive", "NoPassive", json_pack("{s:s}", "entity", s->entity));
		out->back_url = br_handoff_return(s->return_url, s->conversation, s->state, "error", "NoPassive");
		return out->back_url != NULL ? BR_RESULT_OK : BR_RESULT_INTERNAL;
	}
	force = strcmp(s->force, "1") == 0;
	memset(&f, 0, sizeof(f));
	f.idp = 1;
	f.force = force;
	f.created = who->now;
	f.conversation = (char *)s->conversation;
	f.state = (char *)s->state;
	f.return_url = (char *)s->return_url;
	f.entity = (char *)s->entity;
	f.sp_name = x != NULL ? (char *)x->sp_name : NULL;
	f.principal = x != NULL ? (char *)x->principal : NULL;
	if (br_flow_create(app, &f, (unsigned)app->cfg.flow_ttl_s, who->now) != BR_CACHE_OK) {
		br_event_store(app, who, "handoff_failed", "cache_error", NULL);
		return BR_RESULT_UNAVAILABLE;
	}
	br_event(app, who, "handoff_started", NULL, json_pack("{s:s, s:b, s:s?, s:s?}", "entity", s->entity, "force", force,
	    "principal", f.principal, "sp_name", f.sp_name));
	memcpy(out->flow_id, f.id, sizeof(f.id));
	return BR_RESULT_OK;
}

/* The way back for a flow that is over: the cookie goes, the URL carries key=value. */
static br_result
back(const br_flow *f, const char *key, const char *value, br_login_next *out)
{
	out->flow_done = 1;
	out->back_url = br_handoff_return(f->return_url, f->conversation, f->state, key, value);
	return out->back_url != NULL ? BR_RESULT_OK : BR_RESULT_INTERNAL;
}

/* The IdP flow of the cookie, taken once: EXPIRED for none (or a local one). */
static br_result
take_idp_flow(br_app *app, const char *flow_id, int64_t now, br_flow *f)
{
	br_result r = br_result_of_cache(br_flow_take(app, flow_id, now, f), BR_RESULT_EXPIRED);

	if (r == BR_RESULT_OK && !f->idp)
		r = BR_RESULT_EXPIRED;
	return r;
}

br_result
br_login_finish(br_app *app, const br_caller *who, const char *flow_id, br_login_next *out)
{
	br_flow f;
	br_result r;

	memset(out, 0, sizeof(*out));
	if ((r = take_idp_flow(app, flow_id, who->now, &f)) != BR_RESULT_OK)
		goto out;
	if (f.ticket != NULL)
		r = back(&f, "ticket", f.ticket, out);
	else if (f.error != NULL)
		r = back(&f, "error", f.error, out);
	else
		/* not signed in yet: the flow goes back and so does the browser, to the page */
		br_flow_save(app, &f, (unsigned)app->cfg.flow_ttl_s, who->now);
out:
	br_flow_reset(&f);
	return r;
}

br_result
br_login_cancel(br_app *app, const br_caller *who, const char *flow_id, const char *reason)
{
	br_flow f;
	br_result r = br_result_of_cache(br_flow_load(app, flow_id, who->now, &f), BR_RESULT_EXPIRED);

	if (r != BR_RESULT_OK || !f.idp) {
		/* a cancel with nothing to cancel is an expired page, whatever the cache said */
		br_flow_reset(&f);
		return BR_RESULT_EXPIRED;
	}
	/* a verdict reached in the flow (disabled account, clone) outranks the user's choice */
	if (f.error == NULL && br_flow_set(&f.error, reason != NULL && strcmp(reason, "expired") == 0 ? "Expired" :
		"NoCredentials") < 0)
		r = BR_RESULT_INTERNAL;
	else if (br_flow_save(app, &f, (unsigned)app->cfg.flow_ttl_s, who->now) != BR_CACHE_OK)
		r = BR_RESULT_UNAVAILABLE;
	if (r == BR_RESULT_OK)
		br_event(app, who, "handoff_cancelled", f.error, json_pack("{s:s?}", "entity", f.entity));
	br_flow_reset(&f);
	return r;
}

/* What the page of an IdP flow shows. */
static br_result
idp_page(const br_flow *f, br_login_page *out)
{
	out->idp = 1;
	if ((out->entity = strdup(f->entity)) == NULL ||
	    (out->service = strdup(f->sp_name != NULL ? f->sp_name : f->entity)) == NULL ||
	    (f->principal != NULL && (out->principal = strdup(f->principal)) == NULL))
		return BR_RESULT_INTERNAL;
	return BR_RESULT_OK;
}

/* A new local flow for the page's cookie. */
static br_result
new_local_flow(br_app *app, const br_caller *who, br_login_page *out)
{
	br_result r;
	br_flow local;

	/* each new flow is a record in every replica: counted, so a flood cannot evict live flows */
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
		return r;
	memset(&local, 0, sizeof(local));
	local.created = who->now;
	if (br_flow_create(app, &local, (unsigned)app->cfg.flow_ttl_s, who->now) != BR_CACHE_OK)
		return BR_RESULT_UNAVAILABLE;
	memcpy(out->flow_id, local.id, sizeof(local.id));
	return BR_RESULT_OK;
}

br_result
br_login_page_flow(br_app *app, const br_caller *who, const char *flow_id, br_login_page *out)
{
	br_flow f;
	br_cache_rc rc;
	br_result r = BR_RESULT_OK;

	memset(out, 0, sizeof(*out));
	rc = br_flow_load(app, flow_id, who->now, &f);
	if (rc == BR_CACHE_OK) {
		if (f.idp)
			r = idp_page(&f, out);
	} else if (rc == BR_CACHE_ERROR && flow_id != NULL) {
		/* keep the cookie: replacing the flow would turn an IdP sign-in into a local one */
		r = BR_RESULT_UNAVAILABLE;
	} else {
		r = new_local_flow(app, who, out);
	}
	br_flow_reset(&f);
	return r;
}

br_result
br_login_page_split(br_app *app, const br_caller *who, const char *idp_flow_id, const char *local_flow_id,
    int for_passkeys, br_login_page *out)
{
	br_flow f;
	br_cache_rc rc;
	br_result r;

	memset(out, 0, sizeof(*out));
	if (!for_passkeys && idp_flow_id != NULL) {
		rc = br_flow_load(app, idp_flow_id, who->now, &f);
		r = rc == BR_CACHE_OK && f.idp ? idp_page(&f, out) : BR_RESULT_OK;
		br_flow_reset(&f);
		if (out->idp)
			return r;
		/* the cache cannot say whether an IdP sign-in is waiting: a local page now would hide it */
		if (rc == BR_CACHE_ERROR)
			return BR_RESULT_UNAVAILABLE;
	}
	rc = br_flow_load(app, local_flow_id, who->now, &f);
	r = rc == BR_CACHE_OK && !f.idp ? BR_RESULT_OK : new_local_flow(app, who, out);
	br_flow_reset(&f);
	return r;
}
