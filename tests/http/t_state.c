/*
 * HTTP tests: what the bridge keeps in memcached, tried as someone with
 * access to memcached would (every IdP node has it by design): the key list
 * and the values hold no cookie value, challenge or username; a key from the
 * list is no cookie; a record written or copied there is refused with a
 * clean "expired" and an audit line, never believed.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "memcached.h"
#include "stack.h"

struct scan {
	const char *needles[8];
	int n;
	int hits;
	char where[256];
	int keys;
};

static int
contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n > 0 && i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static void
scan_one(const char *key, const char *val, size_t len, void *arg)
{
	struct scan *s = arg;
	int i;

	s->keys++;
	for (i = 0; i < s->n; i++)
		if (contains(key, strlen(key), s->needles[i]) || contains(val, len, s->needles[i])) {
			if (s->hits++ == 0)
				snprintf(s->where, sizeof(s->where), "\"%s\" in %s", s->needles[i], key);
		}
}

/* Every key and value on every server: none may hold any of the needles. */
static void
expect_nothing_in_clear(const char *when, const char *const *needles, int n)
{
	struct scan s;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < n && i < 8; i++)
		s.needles[s.n++] = needles[i];
	mc_each(scan_one, &s);
	CHECKF(s.keys > 0, "%s: memcached holds nothing at all (is the scan working?)", when);
	CHECKF(s.hits == 0, "%s: %d keys or values in memcached hold what a reader could use, first %s", when, s.hits,
	    s.where);
}

void
t_state_sealed(void)
{
	hc_browser *b;
	hc_resp r = { 0 };
	char *flow, *chal, *name, *raw, *url, *sess;
	size_t len = 0;
	int copies = 0;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	flow = hc_cookie(b, "fb_flow");
	chal = auth_options(b, "{}", NULL);
	/* the records are where the state key puts them, and nowhere under the cookie or the challenge */
	name = state_name("flow", flow);
	raw = mc_raw(name, &len);
	REQUIREF(raw != NULL, "no flow record under the derived name %s", name);
	CHECKF(len > 46 && memcmp(raw, "S1", 2) == 0, "the flow record is not sealed (%zu bytes)", len);
	CHECK(!contains(raw, len, SP_ENTITY) && !contains(raw, len, "conversation"));
	free(raw);
	free(name);
	name = state_name("challenge", chal);
	raw = mc_lookup(name, &copies, NULL);
	CHECKF(raw != NULL, "no challenge record under the derived name");
	free(raw);
	free(name);
	name = xfmt("flow:%s", flow);
	raw = mc_lookup(name, &copies, NULL);
	CHECKF(raw == NULL && copies == 0, "a record under flow:<cookie>");
	free(raw);
	free(name);
	{
		const char *const mid[] = { flow, chal, "alice", SP_ENTITY };
		expect_nothing_in_clear("during a sign-in", mid, 4);
	}
	free(auth_verify_ok(b, make_assertion(&alice, chal, NULL)));
	url = bridge_finish(b);
	res = idp_result(b, url, &st);
	REQUIREF(res != NULL && jtrue(res, "ok"), "the login did not complete");
	json_decref(res);
	{
		const char *const after[] = { flow, chal, "alice" };
		expect_nothing_in_clear("after a login", after, 3);
	}
	/* My passkeys: the session cookie and the name are nowhere either */
	hc_browser_free(b);
	b = signin_local(&alice);
	sess = hc_cookie(b, "fb_session");
	REQUIRE(sess != NULL);
	{
		const char *const mine[] = { sess, "alice", "Alice" };
		expect_nothing_in_clear("with a My passkeys session", mine, 3);
	}
	bget(b, "/api/passkeys", &r);
	EXPECT_STATUS(&r, 200);
	free(sess);
	free(url);
	free(chal);
	free(flow);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* The 43 characters after "session:" of a live session's key, presented as a cookie. */
void
t_state_key_is_no_cookie(void)
{
	hc_browser *b, *m;
	hc_resp r = { 0 };
	char *sess, *name;

	need_alice();
	b = signin_local(&alice);
	sess = hc_cookie(b, "fb_session");
	name = state_name("session", sess);
	m = browser();
	hc_cookie_put(m, E.host, "fb_session", strchr(name, ':') + 1);
	bget(m, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(m, "/api/register/options", "{}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	free(name);
	free(sess);
	hc_resp_reset(&r);
	hc_browser_free(m);
	hc_browser_free(b);
}

void
t_state_forged_records(void)
{
	hc_browser *a, *bb;
	hc_resp r = { 0 };
	char *sa, *sb, *na, *nb, *raw, *flow, *nf, *forged;
	size_t len = 0;
	int refused = audit_count("record_refused", NULL);

	need_alice();
	need_bob();
	a = signin_local(&alice);
	bb = signin_local(&bob);
	sa = hc_cookie(a, "fb_session");
	sb = hc_cookie(bb, "fb_session");
	na = state_name("session", sa);
	nb = state_name("session", sb);
	/* alice's sealed session copied over bob's: bob's cookie does not become alice */
	raw = mc_raw(na, &len);
	REQUIRE(raw != NULL);
	REQUIRE(mc_overwrite(nb, raw, len) > 0);
	bget(bb, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	CHECK(r.body == NULL || strstr(r.body, alice.cred_id_b64) == NULL);
	free(raw);
	/* what a writer could put there in the clear: a session of their choosing */
	forged = xfmt("{\"kind\":\"signin\",\"username\":\"bob\",\"v\":1}");
	REQUIRE(mc_overwrite(na, forged, strlen(forged)) > 0);
	bget(a, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(a, "/api/register/options", "{}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	free(forged);
	/* a flow of their own, sending the ticket elsewhere */
	hc_browser_free(a);
	a = browser();
	idp_begin(a, SP_ENTITY_Q);
	flow = hc_cookie(a, "fb_flow");
	nf = state_name("flow", flow);
	forged = xfmt("{\"conversation\":\"e1s1\",\"state\":\"x\",\"return\":\"https://evil.example/steal\",\"entity\":\"x\","
		      "\"force\":false,\"created\":1,\"ticket\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"v\":1}");
	REQUIRE(mc_overwrite(nf, forged, strlen(forged)) > 0);
	bget(a, "/authn/finish", &r);
	expect_error_page(&r, 400);
	CHECKF(audit_count("record_refused", NULL) >= refused + 3, "audit: %d record_refused lines, want 3 more",
	    audit_count("record_refused", NULL) - refused);
	free(forged);
	free(nf);
	free(flow);
	free(na);
	free(nb);
	free(sa);
	free(sb);
	hc_resp_reset(&r);
	hc_browser_free(a);
	hc_browser_free(bb);
}
