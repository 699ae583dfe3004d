/*
 * HTTP tests: the pages around the ceremonies: "/" (sign-in or My passkeys),
 * an unknown path (a page, not text), "Set up a passkey" without a link (how
 * to get one, not an error), and the error page's reference id, which is the
 * one in the request's audit lines.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"
#include "tools.h"

static int
has(const hc_resp *r, const char *s)
{
	return r->body != NULL && strstr(r->body, s) != NULL;
}

void
t_pages_root(void)
{
	hc_browser *anon = browser(), *s;
	hc_resp r = { 0 };

	bget(anon, "/", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login?for=passkeys");
	need_alice();
	s = signin_local(&alice);
	bget(s, "/", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/passkeys");
	hc_resp_reset(&r);
	hc_browser_free(s);
	hc_browser_free(anon);
}

void
t_pages_not_found(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	const char *ct;

	bget(b, "/no/such/page?lang=ja", &r);
	EXPECT_STATUS(&r, 404);
	ct = hc_header_get(&r, "Content-Type");
	CHECKF(ct != NULL && starts_with(ct, "text/html"), "404 Content-Type %s", ct);
	CHECKF(has(&r, "data-page=\"not-found\""), "not the not-found page: %.300s", r.body);
	CHECKF(has(&r, "<html lang=\"ja\">"), "the 404 page is not in the language asked for: %.200s", r.body);
	CHECKF(has(&r, "href=\"/\""), "the 404 page has no way to the sign-in");
	/* any method on an unknown path; a known path with the wrong method stays a 405 */
	bpost(b, "/nowhere", "{}", &r);
	EXPECT_STATUS(&r, 404);
	CHECK(has(&r, "data-page=\"not-found\""));
	bpost(b, "/healthz", "{}", &r);
	EXPECT_STATUS(&r, 405);
	/* an unknown static file is no page either way: plain 404 */
	bget(b, "/static/js/nothing.js", &r);
	EXPECT_STATUS(&r, 404);
	CHECK(!has(&r, "<html"));
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_pages_enroll_help(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *pw = conf_value("enrolment", "allow_password");

	if (pw != NULL && strcmp(pw, "true") == 0) {
		free(pw);
		hc_browser_free(b);
		th_skip("this stack offers password enrolment at /enroll");
		return;
	}
	free(pw);
	bget(b, "/enroll", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(has(&r, "data-page=\"enroll-help\""), "/enroll without a link is not the help page: %.300s", r.body);
	CHECKF(!has(&r, "notice-error"), "the help page is shown as an error");
	CHECKF(has(&r, "href=\"/login\""), "the help page does not lead back to the sign-in");
	/* from My passkeys' own sign-in, back to that one */
	bget(b, "/login?for=passkeys", &r);
	CHECKF(has(&r, "href=\"/enroll?back=passkeys\""), "My passkeys' sign-in: no link to the help page");
	bget(b, "/enroll?back=passkeys", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(has(&r, "href=\"/login?for=passkeys\""), "the help page does not lead back to My passkeys' sign-in");
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* The audit lines that carry this ref, as one string ("" when none). */
static char *
audit_lines_with(const char *ref)
{
	char *text = file_read(E.audit), *p, *want = xfmt("\"ref\":\"%s\"", ref), *out = strdup("");

	for (p = text; p != NULL && *p; p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : p + strlen(p)) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);

		if (strstr(line, want) != NULL) {
			char *n = xfmt("%s%s\n", out, line);
			free(out);
			out = n;
		}
		free(line);
	}
	free(want);
	free(text);
	return out;
}

/* Where the reference id starts on an error page, or NULL. */
static const char *
error_ref(const hc_resp *r)
{
	const char *p = r->body != NULL ? strstr(r->body, "id=\"error-ref\"") : NULL;

	return p != NULL && (p = strchr(p, '>')) != NULL ? p + 1 : NULL;
}

void
t_pages_error_reference(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char ref[16] = "", ref2[16] = "", *lines;
	const char *p;

	bget(b, "/authn/start?conversation=x", &r);
	expect_error_page(&r, 400);
	p = error_ref(&r);
	REQUIREF(p != NULL, "the error page shows no reference: %.600s", r.body);
	REQUIREF(strlen(p) > 9 && p[9] == '<', "reference not 9 characters: %.20s", p);
	memcpy(ref, p, 9);
	CHECKF(ref[4] == '-' && strspn(ref, "ABCDEFGHJKMNPQRTVWXYZ2346789-") == 9, "reference %s", ref);
	CHECKF(has(&r, "id=\"error-time\">") && has(&r, " UTC</dd>"), "the error page shows no time: %.600s", r.body);
	lines = audit_lines_with(ref);
	CHECKF(strstr(lines, "\"event\":\"handoff_rejected\"") != NULL, "the rejected start's audit line lacks ref %s:\n%s", ref,
	    lines);
	CHECKF(strstr(lines, "\"event\":\"error_page\"") != NULL, "no error_page audit line with ref %s:\n%s", ref, lines);
	free(lines);
	/* another request, another reference */
	bget(b, "/authn/start?conversation=x", &r);
	p = error_ref(&r);
	REQUIRE(p != NULL);
	memcpy(ref2, p, 9);
	CHECKF(strcmp(ref, ref2) != 0, "two error pages share reference %s", ref);
	/* a used or wrong enrolment link: what to do with a link from the mail, not "start again from the service" */
	bget(b, "/enroll?u=alice&c=AAAAAAAAAAAAAAAAAAAAAAAA", &r);
	expect_error_page(&r, 400);
	CHECKF(has(&r, "class=\"hint\"") && (has(&r, "email") || has(&r, "メール")), "the link page says nothing about the mail: %.900s",
	    r.body);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/*
 * An SP login left waiting in this browser (fb_flow) and then My passkeys:
 * its sign-in is a flow of its own (fb_local), signing in there issues no
 * ticket for the SP, and the SP's flow is still there for its tab. Neither
 * flow's id works in the other's place.
 */
void
t_pages_passkeys_not_hijacked(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *idp_flow, *local_flow, *chal, *after;

	need_alice();
	idp_begin(b, SP_ENTITY_Q);
	idp_flow = hc_cookie(b, "fb_flow");
	REQUIRE(idp_flow != NULL);
	bget(b, "/passkeys", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login?for=passkeys");
	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	CHECKF(has(&r, "data-has-flow=\"0\"") && has(&r, "data-for=\"passkeys\""),
	    "My passkeys' sign-in shows the waiting SP login: %.400s", r.body);
	CHECKF(hc_set_cookie(&r, "fb_flow") == NULL, "My passkeys' sign-in touched fb_flow: %s", hc_set_cookie(&r, "fb_flow"));
	REQUIREF(hc_set_cookie(&r, "fb_local") != NULL, "no fb_local for My passkeys' sign-in");
	local_flow = hc_cookie(b, "fb_local");
	REQUIRE(local_flow != NULL && strcmp(local_flow, idp_flow) != 0);

	/* the IdP flow's id as the local one, and the local one as the IdP's: neither is taken */
	hc_cookie_put(b, E.host, "fb_local", idp_flow);
	bpost(b, "/api/authenticate/options?for=passkeys", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	hc_cookie_put(b, E.host, "fb_local", local_flow);
	hc_cookie_put(b, E.host, "fb_flow", local_flow);
	bpost(b, "/api/authenticate/options", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	hc_cookie_put(b, E.host, "fb_flow", idp_flow);

	/* signing in to My passkeys */
	chal = auth_options_path(b, "/api/authenticate/options?for=passkeys", "{}", NULL);
	bpostj(b, "/api/authenticate/verify?for=passkeys", make_assertion(&alice, chal, NULL), &r);
	REQUIRE_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/passkeys");
	CHECK(hc_set_cookie(&r, "fb_session") != NULL);
	after = hc_cookie(b, "fb_flow");
	CHECKF(after != NULL && strcmp(after, idp_flow) == 0, "the SP's flow cookie is gone after My passkeys' sign-in");
	free(after);
	bget(b, "/passkeys", &r);
	EXPECT_STATUS(&r, 200);
	/* no ticket went to the SP: its flow still waits for a sign-in of its own */
	expect_no_ticket(b);
	bget(b, "/login", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(has(&r, "data-has-flow=\"1\""), "the SP's sign-in page is gone: %.300s", r.body);
	free(chal);
	free(local_flow);
	free(idp_flow);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* The recent activity in /api/passkeys: this account's sign-ins and changes, newest first, with time and address. */
void
t_pages_activity(void)
{
	hc_browser *b = browser(), *s, *bs;
	hc_resp r = { 0 };
	json_t *acts, *a;
	size_t i;
	long long t0 = (long long)time(NULL);
	int bob_seen = 0;

	need_alice();
	need_bob();
	json_decref(signin_via_idp(b, &alice, NULL, NULL));
	bs = signin_local(&bob);
	s = signin_local(&alice);
	bget(s, "/api/passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	acts = json_object_get(r.json, "activity");
	REQUIREF(json_is_array(acts) && json_array_size(acts) >= 2, "no activity list: %.500s", r.body);
	CHECKF(json_array_size(acts) <= 10, "%zu activity entries, at most 10", json_array_size(acts));
	/* newest first: this local sign-in, then the sign-in to the SP */
	a = json_array_get(acts, 0);
	CHECK_STR(jstr(a, "event"), "signin_success");
	CHECKF(jstr(a, "service") == NULL, "the My passkeys sign-in names a service: %s", jstr(a, "service"));
	CHECK_STR(jstr(a, "credential_id"), alice.cred_id_b64);
	CHECKF(jstr(a, "client") != NULL && *jstr(a, "client") != '\0', "no address in the activity");
	CHECKF(json_integer_value(json_object_get(a, "ts")) >= t0, "activity time %lld before the test",
	    (long long)json_integer_value(json_object_get(a, "ts")));
	a = json_array_get(acts, 1);
	CHECK_STR(jstr(a, "event"), "signin_success");
	CHECK_STR(jstr(a, "service"), SP_ENTITY);
	json_array_foreach(acts, i, a)
		bob_seen += jstr(a, "credential_id") != NULL && strcmp(jstr(a, "credential_id"), bob.cred_id_b64) == 0;
	CHECKF(bob_seen == 0, "bob's sign-in is in alice's activity");
	/* the cache holds the list sealed, under no username (t_state_sealed looks at every key and value) */
	hc_resp_reset(&r);
	hc_browser_free(s);
	hc_browser_free(bs);
	hc_browser_free(b);
}

/* The value of attribute attr="…" after the first occurrence of marker in body, malloc'd; NULL when absent. */
static char *
attr_after(const char *body, const char *marker, const char *attr)
{
	const char *p = body != NULL ? strstr(body, marker) : NULL, *v;
	char *key = xfmt("%s=\"", attr);

	v = p != NULL ? strstr(p, key) : NULL;
	free(key);
	if (v == NULL)
		return NULL;
	v += strlen(attr) + 2;
	return strndup(v, strcspn(v, "\""));
}

/*
 * [branding] of the test stack (tests/stack/start-stack.sh): the names in the
 * pages and in the scripts' strings, the logo and custom style on routes of
 * their own with their types and a day's caching, the footer's links.
 */
void
t_pages_branding(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 }, f = { 0 };
	char *org = conf_value("branding", "organisation"), *logo, *css, *want, *file;
	const char *ct, *cc;

	if (org == NULL || *org == '\0') {
		free(org);
		hc_browser_free(b);
		th_skip("the stack has no [branding]");
	}
	bget(b, "/login?lang=en", &r);
	REQUIRE_STATUS(&r, 200);
	want = xfmt("%s single sign-on", org);
	CHECKF(has(&r, want), "the page does not name %s: %.400s", want, r.body);
	free(want);
	CHECKF(!has(&r, "{org}") && !has(&r, "{helpdesk}"), "a name was left unfilled");
	want = xfmt("href=\"%s/helpdesk\"", E.idp);
	CHECKF(has(&r, want) && has(&r, ">the IT Service Desk</a>"), "no help desk link in the footer");
	free(want);
	CHECK(has(&r, "href=\"https://www.example.edu/privacy\""));
	logo = attr_after(r.body, "class=\"site-logo\"", "src");
	css = attr_after(r.body, "/static/bridge.css\">", "href");
	REQUIREF(logo != NULL && starts_with(logo, "/branding/logo?v="), "logo src %s", logo != NULL ? logo : "(none)");
	REQUIREF(css != NULL && starts_with(css, "/branding/custom.css?v="), "custom css %s", css != NULL ? css : "(none)");

	bget(b, logo, &f);
	EXPECT_STATUS(&f, 200);
	ct = hc_header_get(&f, "Content-Type");
	cc = hc_header_get(&f, "Cache-Control");
	CHECKF(ct != NULL && strcmp(ct, "image/svg+xml") == 0, "logo Content-Type %s", ct);
	CHECKF(cc != NULL && strcmp(cc, "public, max-age=86400") == 0, "logo Cache-Control %s", cc);
	file = conf_value("branding", "logo_file");
	{
		char *text = file != NULL ? file_read(file) : NULL;
		CHECKF(text != NULL && f.body != NULL && strcmp(text, f.body) == 0, "the logo served is not %s", file);
		free(text);
	}
	free(file);
	bget(b, css, &f);
	EXPECT_STATUS(&f, 200);
	ct = hc_header_get(&f, "Content-Type");
	CHECKF(ct != NULL && starts_with(ct, "text/css"), "custom css Content-Type %s", ct);
	CHECK(f.body != NULL && strstr(f.body, "--header-bg") != NULL);
	bget(b, "/branding/nothing", &f);
	EXPECT_STATUS(&f, 404);

	/* the scripts' strings carry the names too, in each language */
	bget(b, "/i18n/ja.json", &f);
	EXPECT_STATUS(&f, 200);
	CHECKF(f.body != NULL && strstr(f.body, "ITサービスデスク") != NULL && strstr(f.body, "{helpdesk}") == NULL,
	    "/i18n/ja.json without the Japanese help desk name");
	bget(b, "/login?lang=ja", &r);
	CHECK(has(&r, "例示大学"));
	hc_resp_reset(&f);
	hc_resp_reset(&r);
	free(logo);
	free(css);
	free(org);
	hc_browser_free(b);
}

/*
 * "Go to My passkeys" on the ready page after a set-up link: My passkeys
 * without a second sign-in, once; the enrolment session alone never opened it.
 */
void
t_pages_enrolled_to_passkeys(void)
{
	sk_key k;
	hc_browser *a, *c = browser();
	hc_resp r = { 0 };
	char *ready, *opened;
	int events = audit_count("signin_after_enrolment", NULL);

	make_user("tpaula", "Paula Test");
	sk_key_new(&k);
	a = enrol_browser("tpaula", &k, "laptop");
	ready = hc_cookie(a, "fb_session");
	REQUIRE(ready != NULL);
	/* the ready page's session is no My passkeys session by itself */
	bget(a, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bget(a, "/enrolled", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(has(&r, "<form method=\"post\" action=\"/enrolled\""), "the ready page has no form to My passkeys");
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "GET /enrolled set a session");
	bform(a, "/enrolled", "", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/passkeys");
	opened = hc_cookie(a, "fb_session");
	CHECKF(opened != NULL && strcmp(opened, ready) != 0, "no new session for My passkeys after the enrolment");
	bget(a, "/api/passkeys", &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(jstr(json_object_get(r.json, "user"), "name"), "tpaula");
	bget(a, "/passkeys", &r);
	EXPECT_STATUS(&r, 200);
	CHECK_INT(audit_count("signin_after_enrolment", NULL), events + 1);
	/* signed in when the passkey was made: adding another one now needs no new sign-in */
	bpost(a, "/api/register/options", "{}", &r);
	EXPECT_STATUS(&r, 200);
	/* the ready page's session is spent: its cookie elsewhere opens nothing */
	hc_cookie_put(c, E.host, "fb_session", ready);
	bform(c, "/enrolled", "", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/passkeys");
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "the ready page's session opened My passkeys twice");
	bget(c, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	/* a form on another site is refused, and changes nothing */
	{
		hc_browser *evil = hc_browser_new("https://evil.example");
		char *still;

		hc_cookie_put(evil, E.host, "fb_session", opened);
		bform(evil, "/enrolled", "", &r);
		EXPECT_STATUS(&r, 403);
		CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "a foreign form changed the session");
		still = hc_cookie(evil, "fb_session");
		CHECK(still != NULL && strcmp(still, opened) == 0);
		free(still);
		hc_browser_free(evil);
	}
	free(opened);
	free(ready);
	sk_key_free(&k);
	hc_resp_reset(&r);
	hc_browser_free(a);
	hc_browser_free(c);
}
