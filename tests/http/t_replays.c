/* HTTP tests: a ticket is taken once, as the IdP shim takes it (an assertion used twice: tests/app). */
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
