/*
 * HTTP tests: operations: /healthz, /metrics (with the key cache counters) on
 * the management listener, 404/405, static files.
 */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"

/* A metric without labels from the management listener's /metrics; -1 when absent. */
static long
metric_value(hc_browser *b, const char *name)
{
	hc_resp r = { 0 };
	char *key = xfmt("\n%s ", name), *url = xfmt("%s/metrics", E.admin);
	const char *p;
	long v = -1;

	bget(b, url, &r);
	free(url);
	if (r.status == 200 && r.body != NULL && (p = strstr(r.body, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	free(key);
	hc_resp_reset(&r);
	return v;
}

void
t_ops(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	const char *ct;
	char *metrics = xfmt("%s/metrics", E.admin);

	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(r.body, "ok\n");
	ct = hc_header_get(&r, "Content-Type");
	CHECKF(starts_with(ct, "text/plain"), "/healthz Content-Type %s", ct);

	/* one event and one observed request to look for */
	bget(b, "/authn/start?conversation=x", &r);
	expect_error_page(&r, 400);
	bget(b, metrics, &r);
	EXPECT_STATUS(&r, 200);
	CHECK(strstr(r.body, "# TYPE fidobridge_events_total counter") != NULL);
	CHECKF(strstr(r.body, "fidobridge_events_total{event=\"handoff_rejected\",reason=\"missing_parameter\"}") != NULL,
	    "/metrics does not count the rejected start: %.2000s", r.body);
	CHECK(strstr(r.body, "# TYPE fidobridge_request_seconds histogram") != NULL);
	CHECKF(strstr(r.body, "fidobridge_request_seconds_bucket{route=\"healthz\",le=\"+Inf\"}") != NULL,
	    "/metrics has no latency buckets for healthz: %.2000s", r.body);

	/* the key cache: a key that signs in twice is parsed once */
	CHECKF(strstr(r.body, "fidobridge_key_cache_capacity 1024\n") != NULL,
	    "/metrics has no key cache capacity 1024: %.3000s", r.body);
	{
		long h0, h1, m0, m1;
		int i;

		need_alice();
		h0 = metric_value(b, "fidobridge_key_cache_hits_total");
		m0 = metric_value(b, "fidobridge_key_cache_misses_total");
		for (i = 0; i < 2; i++) {
			hc_browser *s = browser();
			char *chal, *next;

			idp_begin(s, SP_ENTITY_Q);
			chal = auth_options(s, "{}", NULL);
			next = auth_verify_ok(s, make_assertion(&alice, chal, NULL));
			free(next);
			free(chal);
			hc_browser_free(s);
		}
		h1 = metric_value(b, "fidobridge_key_cache_hits_total");
		m1 = metric_value(b, "fidobridge_key_cache_misses_total");
		CHECKF(h0 >= 0 && m0 >= 0 && h1 + m1 == h0 + m0 + 2, "key cache lookups %ld+%ld -> %ld+%ld after 2 sign-ins",
		    h0, m0, h1, m1);
		CHECKF(h1 >= h0 + 1, "the second sign-in with the same key was not a cache hit (%ld -> %ld)", h0, h1);
	}

	bget(b, "/no/such/page", &r);
	EXPECT_STATUS(&r, 404);
	bpost(b, "/healthz", "{}", &r);
	EXPECT_STATUS(&r, 405);
	bget(b, "/api/authenticate/options", &r);
	EXPECT_STATUS(&r, 405);
	bget(b, "/static/js/common.js", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(strstr(hc_header_get(&r, "Content-Type") != NULL ? hc_header_get(&r, "Content-Type") : "", "javascript") != NULL,
	    "common.js Content-Type %s", hc_header_get(&r, "Content-Type"));
	bget(b, "/static/../bridge.conf", &r);
	CHECKF(r.status == 404 || r.status == 400, "/static/../ answered %ld", r.status);
	hc_resp_reset(&r);
	hc_browser_free(b);
	free(metrics);
}
