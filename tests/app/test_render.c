/*
 * The page loader of bridge/app/render.c: {{> partial}} includes resolved at
 * load time (placeholder and "text" parameters, each page's own title), every
 * mistake in a partial or a string file refused at load, the static file table,
 * and the languages table (br_lang_*, br_lang_pick by query, cookie and
 * Accept-Language for every row, lang / other_lang on the pages).
 *
 * The real templates/ (TEMPLATES_DIR) are the fixture; the cases that break
 * something work on a copy in a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../../bridge/app/render.h"
#include "unit.h"

static const char *const page_names[] = { "login", "enroll", "enrolled", "passkeys", "error", "enroll-password",
	"enroll-help", "not-found" };

/* what every page may be given (docs/http-api.md), with characters that must come out escaped */
static const br_var vars[] = {
	{ "has_flow", "1" }, { "entity", "https://sp.example.org/<sp>" }, { "cancel_url", "/authn/cancel" },
	{ "enroll_help_url", "/enroll" }, { "username", "alice" }, { "message", "A & B" },
	{ "display_name", "Alice \"Al\"" }, { "code", "c0de" }, { "expires", "2030-01-01" },
	{ "passkeys_url", "/passkeys" }, { "title", "Error <1>" },
};

static char workdir[256];

static void
remove_workdir(void)
{
	char cmd[300];

	if (workdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", workdir);
	}
}

/* A copy of templates/ to break; removed when the case's process exits (also after a failed CHECK). */
static const char *
copy_templates(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[700];

	snprintf(workdir, sizeof(workdir), "%s/test_render.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(workdir) != NULL);
	atexit(remove_workdir);
	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", TEMPLATES_DIR, workdir);
	CHECK(system(cmd) == 0);
	return workdir;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "w")) != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
}

static char *
read_file(const char *dir, const char *name)
{
	char path[512], *s;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "rb")) != NULL);
	CHECK(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0);
	CHECK((s = malloc((size_t)n + 1)) != NULL);
	CHECK(fread(s, 1, (size_t)n, f) == (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Replace the first `from` in a file by `to`. */
static void
edit_file(const char *dir, const char *name, const char *from, const char *to)
{
	char *s = read_file(dir, name), *at = strstr(s, from), *out;
	size_t n;

	CHECK(at != NULL);
	n = strlen(s) - strlen(from) + strlen(to);
	CHECK((out = malloc(n + 1)) != NULL);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	write_file(dir, name, out);
	free(out);
	free(s);
}

static void
drop_string(const char *dir, const char *lang, const char *key)
{
	char name[64], path[512];
	json_t *j;

	snprintf(name, sizeof(name), "i18n/%s.json", lang);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((j = json_load_file(path, 0, NULL)) != NULL);
	CHECK(json_object_del(j, key) == 0);
	CHECK(json_dump_file(j, path, JSON_INDENT(1)) == 0);
	json_decref(j);
}

static br_templates *
load_ok(const char *dir)
{
	char err[512] = "";
	br_templates *t = br_templates_load(dir, err, sizeof(err));

	if (t == NULL)
		fprintf(stderr, "  load: %s\n", err);
	CHECK(t != NULL);
	return t;
}

/* Loading dir fails, and the message holds want (and want2, when given). */
static void
load_refused(const char *dir, const char *want, const char *want2)
{
	char err[512] = "";
	br_templates *t = br_templates_load(dir, err, sizeof(err));

	if (t != NULL || strstr(err, want) == NULL || (want2 != NULL && strstr(err, want2) == NULL))
		fprintf(stderr, "  wanted a refusal with \"%s\"%s%s, got %s: %s\n", want, want2 ? " and " : "",
		    want2 ? want2 : "", t ? "a load" : "a refusal", err);
	CHECK(t == NULL);
	CHECK(strstr(err, want) != NULL);
	CHECK(want2 == NULL || strstr(err, want2) != NULL);
}

static char *
render(const br_templates *t, const char *page, const char *lang)
{
	char *html = br_render(t, page, lang, vars, UNIT_N(vars));

	CHECK(html != NULL);
	return html;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

/* ---- partials -------------------------------------------------------- */

/* The real pages: the partials in place, nothing left unresolved, one header and footer each. */
static void
real_pages_resolved(void)
{
	br_templates *t = load_ok(TEMPLATES_DIR);
	size_t i, l;

	for (l = 0; l < br_lang_count(); l++)
		for (i = 0; i < UNIT_N(page_names); i++) {
			char *html = render(t, page_names[i], br_lang_code(l)), want[64];

			CHECK(strstr(html, "{{") == NULL && strstr(html, "}}") == NULL);
			CHECK(count(html, "<head>") == 1 && count(html, "<meta charset=\"utf-8\">") == 1);
			CHECK(count(html, "<header class=\"site-header\">") == 1);
			CHECK(count(html, "<footer class=\"site-footer\">") == 1);
			snprintf(want, sizeof(want), "<html lang=\"%s\">", br_lang_code(l));
			CHECK(strstr(html, want) != NULL);
			/* the shared script, before the page's own */
			CHECK(strstr(html, "<script src=\"/static/js/common.js\" defer></script>") != NULL);
			free(html);
		}
	br_templates_free(&t);
}

/* Each page's <title> is its own string (the error page's: its title value), then the site's name. */
static void
title_per_page(void)
{
	static const char *const title_key[] = { "signin.title", "enroll.title", "enrolled.title", "passkeys.title",
		NULL, "enrollpw.title", "enrollhelp.title", "notfound.title" };
	br_templates *t = load_ok(TEMPLATES_DIR);
	size_t i, l;

	for (l = 0; l < br_lang_count(); l++)
		for (i = 0; i < UNIT_N(page_names); i++) {
			const char *lang = br_lang_code(l);
			char *html = render(t, page_names[i], lang), *esc, want[512];

			esc = br_html_escape(title_key[i] != NULL ? br_t(t, lang, title_key[i]) : "Error <1>");
			CHECK(*esc != '\0');
			snprintf(want, sizeof(want), "<title>%s | %s</title>", esc, br_t(t, lang, "common.site"));
			if (strstr(html, want) == NULL)
				fprintf(stderr, "  %s (%s): no %s\n", page_names[i], lang, want);
			CHECK(strstr(html, want) != NULL);
			CHECK(count(html, "<title>") == 1);
			free(esc);
			free(html);
		}
	br_templates_free(&t);
}

/* The rules of {{> name key=placeholder key="text"}} on a page of our own. */
static void
partial_parameters(void)
{
	const char *dir = copy_templates();
	br_templates *t;
	char *html;

	write_file(dir, "partials/probe.html", "<p title=\"{{$lit}}\">{{$ph}} {{$ph}}</p>\n");
	write_file(dir, "error.html",
	    "<html lang=\"{{lang}}\">[{{> probe ph=message lit=\"a-b c/d\"}}]\n<h1>{{title}}</h1></html>\n");
	t = load_ok(dir);
	html = render(t, "error", "en");
	/* a placeholder parameter is escaped like any placeholder; the file's last newline is the directive's */
	CHECK(strstr(html, "[<p title=\"a-b c/d\">A &amp; B A &amp; B</p>]\n<h1>Error &lt;1&gt;</h1>") != NULL);
	free(html);
	br_templates_free(&t);
}

/* A typo in a partial is a startup error, named with the page and the partial. */
static void
partial_unknown_placeholder_refused(void)
{
	const char *dir = copy_templates();

	edit_file(dir, "partials/footer.html", "{{other_lang_name}}", "{{other_lang_nmae}}");
	load_refused(dir, "via partials/footer.html", "unknown placeholder {{other_lang_nmae}}");
}

static void
partial_unknown_string_refused(void)
{
	const char *dir = copy_templates();

	edit_file(dir, "partials/header.html", "{{t.common.site}}", "{{t.common.sitee}}");
	load_refused(dir, "via partials/header.html", "\"common.sitee\" missing from i18n/");
}

/* A placeholder that exists, but not for every page including the partial. */
static void
partial_placeholder_of_another_page_refused(void)
{
	const char *dir = copy_templates();

	edit_file(dir, "partials/header.html", "</header>", "{{passkeys_url}}</header>");
	load_refused(dir, "via partials/header.html", "unknown placeholder {{passkeys_url}}");
}

static void
include_mistakes_refused(void)
{
	static const struct {
		const char *partial;   /* written as partials/probe.html */
		const char *directive; /* replaces {{> footer}} in login.html */
		const char *want;
	} cases[] = {
		/* the whole of error.html: nothing after the open quote */
		{ "x", NULL, "error.html: {{> probe}}: unclosed \"" },
		{ "x", "{{> nosuch}}", "partials/nosuch.html: cannot open" },
		{ "{{$a}}", "{{> probe}}", "{{$a}} is not given by login.html" },
		{ "{{$a}}", "{{> probe a=message b=username}}", "has no {{$b}}" },
		{ "x", "{{> probe a=\"<b>\"}}", "may not hold" },
		{ "x", "{{> probe a=\"{{lang}}\"}}", "may not hold" },
		{ "x", "{{> probe a=}}", "needs a placeholder name" },
		{ "x", "{{> probe a}}", "expected key=value" },
		{ "x", "{{>}}", "needs a partial's name" },
		{ "{{> footer}}", "{{> probe}}", "cannot include another" },
		{ "{{$a}}", "{{> probe a=nope}}", "unknown placeholder {{nope}}" },
	};
	size_t i;

	for (i = 0; i < UNIT_N(cases); i++) {
		const char *dir = copy_templates();

		write_file(dir, "partials/probe.html", cases[i].partial);
		if (cases[i].directive != NULL)
			edit_file(dir, "login.html", "{{> footer}}", cases[i].directive);
		else
			write_file(dir, "error.html", "<html lang=\"{{lang}}\"><h1>{{title}}</h1>{{> probe a=\"open");
		load_refused(dir, cases[i].want, NULL);
		remove_workdir();
		workdir[0] = '\0';
	}
}

/* A slot outside a partial is no placeholder. */
static void
slot_in_page_refused(void)
{
	const char *dir = copy_templates();

	edit_file(dir, "enrolled.html", "{{> footer}}", "{{$title}}");
	load_refused(dir, "enrolled.html: unknown placeholder {{$title}}", NULL);
}

/* ---- static files ------------------------------------------------------ */

static void
static_files_served(void)
{
	static const char *const scripts[] = { "common", "login", "enroll", "enroll-password", "passkeys" };
	br_templates *t = load_ok(TEMPLATES_DIR);
	const char *ctype = NULL, *text;
	char path[64];
	size_t i, len = 0;

	for (i = 0; i < UNIT_N(scripts); i++) {
		snprintf(path, sizeof(path), "/static/js/%s.js", scripts[i]);
		CHECK((text = br_static_file(t, path, &len, &ctype)) != NULL && len > 0 && strlen(text) == len);
		CHECK(strcmp(ctype, "text/javascript; charset=utf-8") == 0);
	}
	CHECK(br_static_file(t, "/static/bridge.css", &len, &ctype) != NULL);
	CHECK(strcmp(ctype, "text/css; charset=utf-8") == 0);
	for (i = 0; i < br_lang_count(); i++) {
		snprintf(path, sizeof(path), "/i18n/%s.json", br_lang_code(i));
		CHECK(br_static_file(t, path, &len, &ctype) != NULL);
		CHECK(strcmp(ctype, "application/json") == 0);
	}
	CHECK(br_static_file(t, "/static/bridge.js", &len, &ctype) == NULL);
	CHECK(br_static_file(t, "/static/js/", &len, &ctype) == NULL);
	CHECK(br_static_file(t, "/i18n/xx.json", &len, &ctype) == NULL);
	br_templates_free(&t);
}

/* A page may not ask for a file the server does not serve. */
static void
unserved_reference_refused(void)
{
	const char *dir = copy_templates();

	edit_file(dir, "login.html", "/static/js/login.js", "/static/js/signin.js");
	load_refused(dir, "login.html: /static/js/signin.js is not a file the server serves", NULL);
}

/* ---- languages ----------------------------------------------------------- */

static void
lang_table(void)
{
	size_t i, j, n = br_lang_count();

	CHECK(n >= 2);
	CHECK(strcmp(br_lang_code(0), "en") == 0); /* the default, and check-i18n.sh's reference */
	CHECK(br_lang_code(n) == NULL && br_lang_name(n) == NULL);
	for (i = 0; i < n; i++) {
		CHECK(br_lang_code(i) != NULL && *br_lang_code(i) != '\0');
		CHECK(br_lang_name(i) != NULL && *br_lang_name(i) != '\0');
		CHECK(br_lang_find(br_lang_code(i)) == br_lang_code(i));
		for (j = 0; j < i; j++)
			CHECK(strcmp(br_lang_code(i), br_lang_code(j)) != 0);
	}
	CHECK(br_lang_find(NULL) == NULL && br_lang_find("") == NULL && br_lang_find("xx") == NULL);
	CHECK(br_lang_find("EN") == NULL); /* ?lang= and the cookie are the table's codes exactly */
}

static void
lang_pick_every_row(void)
{
	size_t i, n = br_lang_count();
	const char *def = br_lang_code(0);

	CHECK(strcmp(br_lang_pick(NULL, NULL, NULL), def) == 0);
	CHECK(strcmp(br_lang_pick("xx", "yy", "zz-ZZ, qq;q=0.5"), def) == 0);
	for (i = 0; i < n; i++) {
		const char *c = br_lang_code(i), *other = br_lang_code((i + 1) % n), *third = br_lang_code((i + 2) % n);
		char al[128], upper[16];
		size_t k;

		for (k = 0; c[k] && k + 1 < sizeof(upper); k++)
			upper[k] = (char)(c[k] >= 'a' && c[k] <= 'z' ? c[k] - 'a' + 'A' : c[k]);
		upper[k] = '\0';
		/* query, then cookie, then Accept-Language */
		CHECK(br_lang_pick(c, other, other) == c);
		CHECK(br_lang_pick("xx", c, other) == c);
		CHECK(br_lang_pick(NULL, c, other) == c);
		CHECK(br_lang_pick(c, NULL, NULL) == c);
		CHECK(br_lang_pick(upper, third, NULL) == third); /* not a code of the table */
		/* Accept-Language: the first supported tag, any case, any region */
		CHECK(br_lang_pick(NULL, NULL, c) == c);
		snprintf(al, sizeof(al), "%s-XX;q=0.8", upper);
		CHECK(br_lang_pick(NULL, NULL, al) == c);
		snprintf(al, sizeof(al), "zz, %s;q=0.5, %s", c, other);
		CHECK(br_lang_pick("xx", "yy", al) == c);
		snprintf(al, sizeof(al), "%sx, %s", c, other); /* "enx" is not "en" */
		CHECK(br_lang_pick(NULL, NULL, al) == other);
	}
}

/* lang, other_lang, other_lang_name and the t.* strings of every row. */
static void
lang_on_pages(void)
{
	br_templates *t = load_ok(TEMPLATES_DIR);
	size_t i, n = br_lang_count();

	for (i = 0; i < n; i++) {
		const char *c = br_lang_code(i), *o = br_lang_code((i + 1) % n);
		char *html = render(t, "enrolled", c), *want = NULL, *esc, name[32], path[512];
		json_t *j;

		CHECK((esc = br_html_escape(br_lang_name((i + 1) % n))) != NULL);
		CHECK((want = malloc(512)) != NULL);
		snprintf(want, 512, "href=\"?lang=%s\" lang=\"%s\" hreflang=\"%s\" data-lang-switch=\"%s\">%s</a>", o, o, o, o, esc);
		CHECK(strstr(html, want) != NULL);
		snprintf(name, sizeof(name), "i18n/%s.json", c);
		snprintf(path, sizeof(path), "%s/%s", TEMPLATES_DIR, name);
		CHECK((j = json_load_file(path, 0, NULL)) != NULL);
		CHECK(strcmp(br_t(t, c, "enrolled.heading"), json_string_value(json_object_get(j, "enrolled.heading"))) == 0);
		json_decref(j);
		free(want);
		free(esc);
		free(html);
	}
	/* an unknown language gets the default's */
	CHECK(strcmp(br_t(t, "xx", "enrolled.heading"), br_t(t, br_lang_code(0), "enrolled.heading")) == 0);
	CHECK(*br_t(t, br_lang_code(0), "no.such.key") == '\0');
	br_templates_free(&t);
}

/* A string a page uses, missing from any one language: refused at load, naming that language. */
static void
missing_page_string_refused(void)
{
	size_t l;

	for (l = 0; l < br_lang_count(); l++) {
		const char *dir = copy_templates();
		char want[64];

		drop_string(dir, br_lang_code(l), "enroll.heading");
		snprintf(want, sizeof(want), "missing from i18n/%s.json", br_lang_code(l));
		load_refused(dir, "\"enroll.heading\"", l == 0 ? want : NULL);
		remove_workdir();
		workdir[0] = '\0';
	}
}

/* A string only the scripts use, missing from a language other than the default: refused too. */
static void
missing_script_string_refused(void)
{
	size_t l;

	for (l = 1; l < br_lang_count(); l++) {
		const char *dir = copy_templates();
		char want[64];

		drop_string(dir, br_lang_code(l), "status.deleted");
		snprintf(want, sizeof(want), "i18n/%s.json: string \"status.deleted\" missing", br_lang_code(l));
		load_refused(dir, want, NULL);
		remove_workdir();
		workdir[0] = '\0';
	}
}

static void
missing_language_file_refused(void)
{
	const char *dir = copy_templates();
	char path[512];

	snprintf(path, sizeof(path), "%s/i18n/%s.json", dir, br_lang_code(br_lang_count() - 1));
	CHECK(unlink(path) == 0);
	load_refused(dir, path, "cannot open");
}

/* ---- branding ---------------------------------------------------------- */

/* Without [branding]: the built-in names, no logo, an empty custom style; nothing left as {org} or {helpdesk}. */
static void
brand_defaults(void)
{
	br_templates *t = load_ok(TEMPLATES_DIR);
	const char *ctype = NULL, *text;
	size_t len = 99, l;

	for (l = 0; l < br_lang_count(); l++) {
		const char *lang = br_lang_code(l);
		char *html = render(t, "error", lang);
		char path[32];

		CHECK(strstr(br_t(t, lang, "common.site"), "University") != NULL);
		CHECK(strstr(br_t(t, lang, "error.hint"), br_t(t, lang, "common.helpdesk")) != NULL);
		CHECK(strstr(html, "{org}") == NULL && strstr(html, "{helpdesk}") == NULL);
		CHECK(strstr(html, "<img class=\"site-logo\" src=\"\" alt=\"\">") != NULL);
		CHECK(strstr(html, "<a class=\"privacy-link\" href=\"\">") != NULL);
		free(html);
		snprintf(path, sizeof(path), "/i18n/%s.json", lang);
		text = br_static_file(t, path, &len, &ctype);
		CHECK(text != NULL && strstr(text, "{helpdesk}") == NULL && strstr(text, "{org}") == NULL);
	}
	CHECK(br_static_file(t, "/branding/logo", &len, &ctype) == NULL);
	text = br_static_file(t, "/branding/custom.css", &len, &ctype);
	CHECK(text != NULL && len == 0 && strcmp(ctype, "text/css; charset=utf-8") == 0);
	br_templates_free(&t);
}

/* Names per language into every string (pages and the scripts' files), the files served, the links in the footer. */
static void
brand_applied(void)
{
	const char *dir = copy_templates();
	char logo[512], css[512], err[256];
	br_templates *t = load_ok(TEMPLATES_DIR);
	br_brand b = { 0 };
	const char *ctype = NULL, *text;
	size_t len = 0;
	char *html;

	snprintf(logo, sizeof(logo), "%s/logo.svg", dir);
	snprintf(css, sizeof(css), "%s/custom.css", dir);
	write_file(dir, "logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
	write_file(dir, "custom.css", ":root { --accent: red; }");
	b.organisation[0] = "Example <University>";
	b.helpdesk_name[0] = "the IT Service Desk";
	b.helpdesk_name[1] = "ITサービスデスク";
	b.helpdesk_text[0] = "phone 123";
	b.helpdesk_url = "mailto:help@example.edu";
	b.privacy_url = "https://www.example.edu/privacy";
	b.logo_file = logo;
	b.css_file = css;
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) == 0);
	CHECK(strcmp(br_t(t, "en", "common.site"), "Example <University> single sign-on") == 0);
	CHECK(strstr(br_t(t, "en", "error.hint"), "contact the IT Service Desk.") != NULL);
	CHECK(strstr(br_t(t, "ja", "error.hint"), "ITサービスデスク") != NULL);
	/* a language without its own organisation takes the default language's */
	CHECK(strstr(br_t(t, "ja", "common.site"), "Example <University>") != NULL);
	html = render(t, "login", "en");
	CHECK(strstr(html, "Example &lt;University&gt; single sign-on") != NULL);
	CHECK(strstr(html, "<img class=\"site-logo\" src=\"/branding/logo?v=") != NULL);
	CHECK(strstr(html, "<link rel=\"stylesheet\" href=\"/branding/custom.css?v=") != NULL);
	CHECK(strstr(html, "href=\"mailto:help@example.edu\">the IT Service Desk</a>") != NULL);
	CHECK(strstr(html, "<span class=\"helpdesk-text\">phone 123</span>") != NULL);
	CHECK(strstr(html, "href=\"https://www.example.edu/privacy\"") != NULL);
	free(html);
	text = br_static_file(t, "/i18n/ja.json", &len, &ctype);
	CHECK(text != NULL && strstr(text, "ITサービスデスク") != NULL);
	text = br_static_file(t, "/branding/logo", &len, &ctype);
	CHECK(text != NULL && strcmp(ctype, "image/svg+xml") == 0 && len == strlen("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
	text = br_static_file(t, "/branding/custom.css", &len, &ctype);
	CHECK(text != NULL && strncmp(text, ":root", 5) == 0);
	/* a second call replaces the first: no logo now */
	b.logo_file = NULL;
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) == 0);
	CHECK(br_static_file(t, "/branding/logo", &len, &ctype) == NULL);
	br_templates_free(&t);
}

/* What [branding] may not hold: links that are not https:// or mailto:, a logo of another type, a missing file. */
static void
brand_refused(void)
{
	static const char *const bad_urls[] = { "javascript:alert(1)", "http://example.edu/", "https://a.example/\" onclick=\"x",
		"data:text/html,x", "https://a.example/ b" };
	br_templates *t = load_ok(TEMPLATES_DIR);
	br_brand b = { 0 };
	char err[256];
	size_t i;

	for (i = 0; i < UNIT_N(bad_urls); i++) {
		memset(&b, 0, sizeof(b));
		b.helpdesk_url = bad_urls[i];
		CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "helpdesk_url") != NULL);
		memset(&b, 0, sizeof(b));
		b.privacy_url = bad_urls[i];
		CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "privacy_url") != NULL);
	}
	memset(&b, 0, sizeof(b));
	b.logo_file = "/etc/fido-bridge/logo.exe";
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "logo_file") != NULL);
	b.logo_file = "/nonexistent/logo.png";
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "cannot open") != NULL);
	b.logo_file = "logo.png";
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "absolute") != NULL);
	memset(&b, 0, sizeof(b));
	b.css_file = "/etc/fido-bridge/custom.txt";
	CHECK(br_templates_brand(t, &b, err, sizeof(err)) < 0 && strstr(err, "css_file") != NULL);
	/* a refused call left the pages as they were */
	CHECK(strstr(br_t(t, "en", "common.site"), "University") != NULL);
	br_templates_free(&t);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(real_pages_resolved),
		UNIT_CASE(title_per_page),
		UNIT_CASE(partial_parameters),
		UNIT_CASE(partial_unknown_placeholder_refused),
		UNIT_CASE(partial_unknown_string_refused),
		UNIT_CASE(partial_placeholder_of_another_page_refused),
		UNIT_CASE(include_mistakes_refused),
		UNIT_CASE(slot_in_page_refused),
		UNIT_CASE(static_files_served),
		UNIT_CASE(unserved_reference_refused),
		UNIT_CASE(lang_table),
		UNIT_CASE(lang_pick_every_row),
		UNIT_CASE(lang_on_pages),
		UNIT_CASE(missing_page_string_refused),
		UNIT_CASE(missing_script_string_refused),
		UNIT_CASE(missing_language_file_refused),
		UNIT_CASE(brand_defaults),
		UNIT_CASE(brand_applied),
		UNIT_CASE(brand_refused),
	};

	return unit_run("render", cases, UNIT_N(cases));
}
