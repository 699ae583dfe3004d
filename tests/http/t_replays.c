/* HTTP tests: replays refused: an assertion used twice, a ticket taken twice. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"
#include "tools.h"

void
t_replayed_challenge(void)
{
	hc_browser *b, *other;
	hc_resp r = { 0 };
	char *chal, *text, *before, *after, *url, *ticket;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{}", NULL);
	text = json_dumps(make_assertion(&alice, chal, NULL), JSON_COMPACT);
	bpost(b, "/api/authenticate/verify", text, &r);
	REQUIRE_STATUS(&r, 200);
	before = user_creds_text("alice");
	/* the same assertion again, same flow */
	bpost(b, "/api/authenticate/verify", text, &r);
	EXPECT_ERROR(&r, 400, "expired");
	/* and from another browser with its own flow */
	other = browser();
	idp_begin(other, SP_ENTITY_Q);
	bpost(other, "/api/authenticate/verify", text, &r);
	CHECKF(r.status == 400 && json_is_false(json_object_get(r.json, "ok")), "a replay in another flow: HTTP %ld %s", r.status, r.body);
	expect_no_ticket(other);
	after = user_creds_text("alice");
	CHECKF(strcmp(before, after) == 0, "the replays changed the directory:\n%s\n%s", before, after);
	/* exactly one ticket: the first sign-in's */
	url = bridge_finish(b);
	ticket = hc_query_param(url, "ticket");
	CHECK(ticket != NULL);
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && jtrue(res, "ok"), "the first sign-in's ticket: %s", res != NULL ? json_dumps(res, 0) : "(none)");
	json_decref(res);
	free(ticket);
	free(url);
	free(before);
	free(after);
	free(text);
	free(chal);
	hc_resp_reset(&r);
	hc_browser_free(b);
	hc_browser_free(other);
}

void
t_replayed_ticket(void)
{
	hc_browser *b;
	char *url, *ticket, *start2, *forged, *c2, *s2;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	res = signin_via_idp(b, &alice, NULL, &url);
	json_decref(res);
	ticket = hc_query_param(url, "ticket");
	REQUIRE(ticket != NULL);
	/* the same URL again */
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && !jtrue(res, "ok"), "the finish URL worked twice: %s", res != NULL ? json_dumps(res, 0) : "(none)");
	CHECK_INT(st, 400);
	json_decref(res);
	/* the ticket inside a fresh, genuine conversation: memcached no longer has it */
	start2 = idp_start(b, SP_ENTITY_Q);
	c2 = hc_query_param(start2, "conversation");
	s2 = hc_query_param(start2, "state");
	REQUIRE(c2 != NULL && s2 != NULL);
	forged = xfmt("%s/finish?conversation=%s&state=%s&ticket=%s", E.idp, c2, s2, ticket);
	res = idp_result(b, forged, &st);
	REQUIRE(res != NULL);
	CHECK(!jtrue(res, "ok"));
	CHECK_STR(jstr(res, "error"), "ticket_unknown_or_used");
	CHECK(jstr(res, "principal") == NULL);
	json_decref(res);
	free(forged);
	free(c2);
	free(s2);
	free(start2);
	free(ticket);
	free(url);
	hc_browser_free(b);
}
