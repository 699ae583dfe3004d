/*
 * HTTP tests: the pages around the ceremonies: "/" (sign-in or My passkeys),
 * an unknown path (a page, not text), "Set up a passkey" without a link (how
 * to get one, not an error), and the error page's reference id, which is the
 * one in the request's audit lines.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"

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
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
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

void
t_pages_error_reference(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char ref[16] = "", ref2[16] = "", *lines;
	const char *p;

	bget(b, "/authn/start?conversation=x", &r);
	expect_error_page(&r, 400);
	p = r.body != NULL ? strstr(r.body, "id=\"error-ref\">") : NULL;
	REQUIREF(p != NULL, "the error page shows no reference: %.600s", r.body);
	p += strlen("id=\"error-ref\">");
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
	p = r.body != NULL ? strstr(r.body, "id=\"error-ref\">") : NULL;
	REQUIRE(p != NULL);
	memcpy(ref2, p + strlen("id=\"error-ref\">"), 9);
	CHECKF(strcmp(ref, ref2) != 0, "two error pages share reference %s", ref);
	/* a used or wrong enrolment link: what to do with a link from the mail, not "start again from the service" */
	bget(b, "/enroll?u=alice&c=AAAAAAAAAAAAAAAAAAAAAAAA", &r);
	expect_error_page(&r, 400);
	CHECKF(has(&r, "class=\"hint\"") && (has(&r, "email") || has(&r, "メール")), "the link page says nothing about the mail: %.900s",
	    r.body);
	hc_resp_reset(&r);
	hc_browser_free(b);
}
