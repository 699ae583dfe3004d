#include "render.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define MAX_FILE (512 * 1024)
#define MAX_PARAMS 8

/*
 * The supported languages. The first row is the default. Adding a language is a
 * row here and templates/i18n/<code>.json with every key of the default's file.
 */
static const struct lang {
	const char *code; /* BCP 47, as in <html lang>, ?lang= and fb_lang */
	const char *name; /* in itself, for the language switch */
} langs[] = {
	{ "en", "English" },
	{ "ja", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" }, /* 日本語 */
};
#define NLANG (sizeof(langs) / sizeof(langs[0]))
_Static_assert(NLANG <= BR_LANG_MAX, "more languages than br_brand holds");

static const struct page_def {
	const char *name;
	const char *allowed; /* space-separated placeholder names besides t.* and the common ones */
} page_defs[] = {
	{ "login", " has_flow signin_for entity service cancel_url enroll_help_url username message cert_enabled cert_url cert_label " },
	{ "enroll", " username display_name code expires " },
	{ "enrolled", " display_name passkeys_url " },
	{ "passkeys", " username display_name cert_pairing " },
	{ "error", " title message hint ref when " },
	{ "enroll-password", " username " },
	{ "enroll-help", " back_url " },
	{ "not-found", " " },
	{ "notice", " title message back_url " },
};
#define NPAGE (sizeof(page_defs) / sizeof(page_defs[0]))

static const char common[] = " lang other_lang other_lang_name org logo_url custom_css_url helpdesk_name helpdesk_url "
    "helpdesk_text privacy_url ";

/* Served as "/" + the path under the templates dir; the i18n files come from langs[]. */
static const char *const static_files[] = {
	"static/bridge.css",
	"static/js/common.js",
	"static/js/login.js",
	"static/js/enroll.js",
	"static/js/enroll-password.js",
	"static/js/passkeys.js",
};
#define NSTATIC (sizeof(static_files) / sizeof(static_files[0]))

struct page {
	const struct page_def *def;
	char *text; /* partials already in place */
};

struct static_file {
	char path[64]; /* URL path */
	const char *ctype;
	char *text;
	size_t len;
};

/* What [branding] set, ready for the pages (brand_apply). */
struct brand {
	char *org[NLANG];
	char *helpdesk_name[NLANG];
	char *helpdesk_text[NLANG];
	char *helpdesk_url;
	char *privacy_url;
	char logo_url[48];              /* "/branding/logo?v=…", "" without a logo */
	char css_url[48];               /* "/branding/custom.css?v=…" */
};

#define NBRAND 2                        /* the logo and the custom CSS */

struct br_templates {
	struct page pages[NPAGE];
	struct static_file files[NSTATIC + NLANG + NBRAND];
	json_t *strings[NLANG];         /* as in i18n/<lang>.json */
	json_t *shown[NLANG];           /* the same with {org} and {helpdesk} filled in */
	struct brand brand;
};

/* A growing string; on allocation failure ok drops to 0 and the text is freed. */
struct buf {
	char *s;
	size_t len, cap;
	int ok;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (!b->ok)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (ns == NULL) {
			free(b->s);
			b->s = NULL;
			b->ok = 0;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *
slurp(const char *dir, const char *name, size_t *len, char *err, size_t errlen)
{
	char path[1024], *buf;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	if ((buf = malloc(MAX_FILE + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) {
		free(buf);
		snprintf(err, errlen, "%s: larger than %d bytes", path, MAX_FILE);
		return NULL;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* ---- languages ---------------------------------------------------------- */

size_t
br_lang_count(void)
{
	return NLANG;
}

const char *
br_lang_code(size_t i)
{
	return i < NLANG ? langs[i].code : NULL;
}

const char *
br_lang_name(size_t i)
{
	return i < NLANG ? langs[i].name : NULL;
}

const char *
br_lang_find(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < NLANG; i++)
		if (strcmp(code, langs[i].code) == 0)
			return langs[i].code;
	return NULL;
}

/* Unknown languages get the default's strings. */
static size_t
lang_index(const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL && i < NLANG; i++)
		if (strcmp(lang, langs[i].code) == 0)
			return i;
	return 0;
}

const char *
br_lang_pick(const char *query, const char *cookie, const char *accept_language)
{
	const char *p, *c;
	size_t i, n;

	if ((c = br_lang_find(query)) != NULL || (c = br_lang_find(cookie)) != NULL)
		return c;
	/* the first supported language named in Accept-Language wins (q-values are rarely ordered otherwise) */
	for (p = accept_language; p != NULL && *p; ) {
		while (*p == ' ' || *p == ',')
			p++;
		for (i = 0; i < NLANG; i++) {
			n = strlen(langs[i].code);
			if (strncasecmp(p, langs[i].code, n) == 0 &&
			    (p[n] == '\0' || p[n] == '-' || p[n] == ',' || p[n] == ';' || p[n] == ' '))
				return langs[i].code;
		}
		p = strchr(p, ',');
	}
	return langs[0].code;
}

/* ---- loading ------------------------------------------------------------ */

static int
allowed(const struct page_def *p, const char *name, size_t len)
{
	char key[80];

	if (len + 3 > sizeof(key))
		return 0;
	snprintf(key, sizeof(key), " %.*s ", (int)len, name);
	return strstr(common, key) != NULL || strstr(p->allowed, key) != NULL;
}

/*
 * Every {{name}} in text must be known: a typo is a startup error, not an empty
 * hole on a page. where names the file for the message ("login.html", or
 * "login.html via partials/head.html").
 */
static int
validate(const br_templates *t, const struct page_def *p, const char *text, const char *where,
    char *err, size_t errlen)
{
	const char *s = text, *open, *close;
	size_t l;

	while ((open = strstr(s, "{{")) != NULL) {
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(err, errlen, "%s: unclosed {{", where);
			return -1;
		}
		const char *name = open + 2;
		size_t len = (size_t)(close - name);
		if (len > 2 && strncmp(name, "t.", 2) == 0) {
			char key[128];
			if (len - 2 >= sizeof(key)) {
				snprintf(err, errlen, "%s: placeholder too long", where);
				return -1;
			}
			memcpy(key, name + 2, len - 2);
			key[len - 2] = '\0';
			for (l = 0; l < NLANG; l++)
				if (!json_is_string(json_object_get(t->strings[l], key))) {
					snprintf(err, errlen, "%s: string \"%s\" missing from i18n/%s.json", where, key, langs[l].code);
					return -1;
				}
		} else if (!allowed(p, name, len)) {
			snprintf(err, errlen, "%s: unknown placeholder {{%.*s}}", where, (int)(len > 60 ? 60 : len), name);
			return -1;
		}
		s = close + 2;
	}
	return 0;
}

/* Every src="/static/…" and href="/i18n/…" must be one the server serves: a page never asks for a 404. */
static int
check_refs(const br_templates *t, const char *text, const char *where, char *err, size_t errlen)
{
	static const char *const attrs[] = { "src=\"", "href=\"" };
	const char *s, *v, *end;
	size_t a, i, n;

	for (a = 0; a < 2; a++)
		for (s = text; (s = strstr(s, attrs[a])) != NULL; s = end) {
			v = s + strlen(attrs[a]);
			if ((end = strchr(v, '"')) == NULL)
				break;
			if (strncmp(v, "/static/", 8) != 0 && strncmp(v, "/i18n/", 6) != 0)
				continue;
			n = (size_t)(end - v);
			for (i = 0; i < NSTATIC + NLANG; i++)
				if (strlen(t->files[i].path) == n && strncmp(t->files[i].path, v, n) == 0)
					break;
			if (i == NSTATIC + NLANG) {
				snprintf(err, errlen, "%s: %.*s is not a file the server serves (render.c static_files)",
				    where, (int)(n > 80 ? 80 : n), v);
				return -1;
			}
		}
	return 0;
}

struct param {
	char key[32];
	const char *value; /* into the page's text */
	size_t len;
	int literal;       /* "text" rather than a placeholder name */
	int used;
};

/* {{> name key=placeholder key="text" …}} at s (just after "{{>"); *end just after its "}}". */
static int
parse_include(const char *s, const char *page, char *name, size_t namelen, struct param *pv, size_t *np,
    const char **end, char *err, size_t errlen)
{
	size_t n;

	*np = 0;
	while (*s == ' ')
		s++;
	for (n = 0; (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-') && n + 1 < namelen; n++)
		name[n] = s[n];
	name[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "%s.html: {{> needs a partial's name (partials/NAME.html)", page);
		return -1;
	}
	s += n;
	for (;;) {
		struct param *p = &pv[*np];
		while (*s == ' ')
			s++;
		if (strncmp(s, "}}", 2) == 0)
			break;
		if (*np == MAX_PARAMS) {
			snprintf(err, errlen, "%s.html: {{> %s}} has more than %d parameters", page, name, MAX_PARAMS);
			return -1;
		}
		for (n = 0; (islower((unsigned char)s[n]) || s[n] == '_') && n + 1 < sizeof(p->key); n++)
			p->key[n] = s[n];
		p->key[n] = '\0';
		if (n == 0 || s[n] != '=') {
			snprintf(err, errlen, "%s.html: {{> %s}}: expected key=value or }} at \"%.20s\"", page, name, s);
			return -1;
		}
		s += n + 1;
		p->literal = *s == '"';
		if (p->literal) {
			/* plain text only: it goes into the page unescaped, and must not make a {{ */
			for (p->value = ++s; *s && *s != '"'; s++)
				if (strchr("<>&'{}", *s) != NULL || (unsigned char)*s < 0x20) {
					snprintf(err, errlen, "%s.html: {{> %s}}: %s=\"…\" may not hold <>&'{} or control characters",
					    page, name, p->key);
					return -1;
				}
			if (*s != '"') {
				snprintf(err, errlen, "%s.html: {{> %s}}: unclosed \"", page, name);
				return -1;
			}
			p->len = (size_t)(s - p->value);
			s++;
		} else {
			for (p->value = s; islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '.'; s++)
				;
			p->len = (size_t)(s - p->value);
			if (p->len == 0) {
				snprintf(err, errlen, "%s.html: {{> %s}}: %s= needs a placeholder name or \"text\"", page, name, p->key);
				return -1;
			}
		}
		p->used = 0;
		(*np)++;
	}
	*end = s + 2;
	return 0;
}

/*
 * The partial with its {{$key}} slots filled: a placeholder parameter becomes
 * {{value}} (so it is checked and escaped like any other), a "text" one the text.
 */
static int
fill_partial(const char *page, const char *file, const char *text, struct param *pv, size_t np,
    struct buf *out, char *err, size_t errlen)
{
	const char *s = text, *open, *close;
	size_t n = strlen(text), i;

	/* the file's last newline belongs to the directive's line */
	if (n > 0 && text[n - 1] == '\n')
		n--;
	while ((open = strstr(s, "{{")) != NULL && open < text + n) {
		if (open[2] == '>') {
			snprintf(err, errlen, "%s: a partial cannot include another", file);
			return -1;
		}
		if (open[2] != '$') {
			buf_add(out, s, (size_t)(open + 2 - s));
			s = open + 2;
			continue;
		}
		if ((close = strstr(open, "}}")) == NULL) {
			snprintf(err, errlen, "%s: unclosed {{$", file);
			return -1;
		}
		for (i = 0; i < np; i++)
			if (strlen(pv[i].key) == (size_t)(close - open - 3) && strncmp(pv[i].key, open + 3, strlen(pv[i].key)) == 0)
				break;
		if (i == np) {
			snprintf(err, errlen, "%s: {{%.*s}} is not given by %s.html", file, (int)(close - open - 2 > 40 ? 40 : close - open - 2),
			    open + 2, page);
			return -1;
		}
		buf_add(out, s, (size_t)(open - s));
		if (!pv[i].literal)
			buf_add(out, "{{", 2);
		buf_add(out, pv[i].value, pv[i].len);
		if (!pv[i].literal)
			buf_add(out, "}}", 2);
		pv[i].used = 1;
		s = close + 2;
	}
	buf_add(out, s, (size_t)(text + n - s));
	for (i = 0; i < np; i++)
		if (!pv[i].used) {
			snprintf(err, errlen, "%s.html: %s has no {{$%s}}", page, file, pv[i].key);
			return -1;
		}
	return 0;
}

/*
 * The page's text with every {{> name …}} replaced by templates/partials/name.html,
 * once, at load time: what is left is an ordinary page for validate().
 */
static char *
resolve_partials(const br_templates *t, const char *dir, const struct page_def *p, const char *text,
    char *err, size_t errlen)
{
	struct buf out = { NULL, 0, 0, 1 };
	const char *s = text, *open, *end;

	buf_add(&out, "", 0);
	while ((open = strstr(s, "{{>")) != NULL) {
		struct param pv[MAX_PARAMS];
		struct buf piece = { NULL, 0, 0, 1 };
		char name[33], file[64], where[128], *ptext;
		size_t np;
		int rc;

		buf_add(&out, s, (size_t)(open - s));
		if (parse_include(open + 3, p->name, name, sizeof(name), pv, &np, &end, err, errlen) < 0)
			goto fail;
		snprintf(file, sizeof(file), "partials/%s.html", name);
		if ((ptext = slurp(dir, file, NULL, err, errlen)) == NULL)
			goto fail;
		buf_add(&piece, "", 0);
		rc = fill_partial(p->name, file, ptext, pv, np, &piece, err, errlen);
		free(ptext);
		snprintf(where, sizeof(where), "%s.html via %s", p->name, file);
		if (rc == 0 && !piece.ok)
			snprintf(err, errlen, "out of memory");
		if (rc < 0 || !piece.ok || validate(t, p, piece.s, where, err, errlen) < 0) {
			free(piece.s);
			goto fail;
		}
		buf_add(&out, piece.s, piece.len);
		free(piece.s);
		s = end;
	}
	buf_add(&out, s, strlen(s));
	if (!out.ok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return out.s;
fail:
	free(out.s);
	return NULL;
}

static const char *
content_type(const char *file)
{
	const char *dot = strrchr(file, '.');

	if (dot != NULL && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot != NULL && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	return "application/json";
}

/* NB: gcc's analyzer loses the text once it is in the templates' table and calls it a leak; br_templates_free frees it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int
load_file(const char *dir, struct static_file *f, const char *file, char *err, size_t errlen)
{
	snprintf(f->path, sizeof(f->path), "/%s", file);
	f->ctype = content_type(file);
	return (f->text = slurp(dir, file, &f->len, err, errlen)) != NULL ? 0 : -1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- branding ----------------------------------------------------------- */

static void
brand_clear(struct brand *b)
{
	size_t l;

	for (l = 0; l < NLANG; l++) {
		free(b->org[l]);
		free(b->helpdesk_name[l]);
		free(b->helpdesk_text[l]);
	}
	free(b->helpdesk_url);
	free(b->privacy_url);
	memset(b, 0, sizeof(*b));
}

/* s with every {org} and {helpdesk} replaced; malloc'd, NULL on OOM. */
static char *
fill_names(const char *s, const char *org, const char *helpdesk)
{
	struct buf out = { NULL, 0, 0, 1 };
	const char *p;

	buf_add(&out, "", 0);
	while ((p = strchr(s, '{')) != NULL) {
		buf_add(&out, s, (size_t)(p - s));
		if (strncmp(p, "{org}", 5) == 0) {
			buf_add(&out, org, strlen(org));
			s = p + 5;
		} else if (strncmp(p, "{helpdesk}", 10) == 0) {
			buf_add(&out, helpdesk, strlen(helpdesk));
			s = p + 10;
		} else {
			buf_add(&out, p, 1);
			s = p + 1;
		}
	}
	buf_add(&out, s, strlen(s));
	return out.ok ? out.s : NULL;
}

/* The value for language l: its own, else the default language's, else def (may be NULL). */
static const char *
per_lang(const char *const v[BR_LANG_MAX], size_t l, const char *def)
{
	if (v[l] != NULL && *v[l] != '\0')
		return v[l];
	if (v[0] != NULL && *v[0] != '\0')
		return v[0];
	return def;
}

/* A link in the footer: https:// (http:// only for localhost) or mailto:, nothing that could run or leave a quote. */
static int
url_ok(const char *u)
{
	size_t i;

	if (u == NULL || *u == '\0')
		return 1;
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "mailto:", 7) != 0 && strncmp(u, "http://localhost", 16) != 0)
		return 0;
	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == '"' || u[i] == '\'' || u[i] == '<' || u[i] == '>' || u[i] == '\\')
			return 0;
	return i <= 512;
}

/* FNV-1a of the bytes, for the ?v= that lets a browser keep a file for a day and still see a new one at once. */
static unsigned long
digest(const char *p, size_t n)
{
	unsigned long h = 2166136261UL;
	size_t i;

	for (i = 0; i < n; i++)
		h = ((h ^ (unsigned char)p[i]) * 16777619UL) & 0xffffffffUL;
	return h;
}

static const char *
logo_type(const char *file)
{
	const char *dot = strrchr(file, '.');

	if (dot == NULL)
		return NULL;
	if (strcasecmp(dot, ".svg") == 0)
		return "image/svg+xml";
	if (strcasecmp(dot, ".png") == 0)
		return "image/png";
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
		return "image/jpeg";
	if (strcasecmp(dot, ".webp") == 0)
		return "image/webp";
	return NULL;
}

/* A branding file (an absolute path) into f, served at url_path; "" (empty, served) when path is NULL. */
static int
brand_file(struct static_file *f, const char *url_path, const char *path, const char *ctype, char *err, size_t errlen)
{
	char *dir, *slash;
	int rc;

	free(f->text);
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", url_path);
	f->ctype = ctype;
	if (path == NULL || *path == '\0') {
		f->text = strdup("");
		return f->text != NULL ? 0 : -1;
	}
	if (path[0] != '/' || (dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: not an absolute path", path);
		return -1;
	}
	slash = strrchr(dir, '/');
	*slash = '\0';
	rc = (f->text = slurp(*dir ? dir : "/", slash + 1, &f->len, err, errlen)) != NULL ? 0 : -1;
	free(dir);
	return rc;
}

int
br_templates_brand(br_templates *t, const br_brand *b, char *err, size_t errlen)
{
	static const br_brand none;
	struct brand nb;
	json_t *shown[NLANG];
	const char *ltype = NULL, *key;
	json_t *v;
	size_t l, i;
	int ok = 1;

	if (b == NULL)
		b = &none;
	if (!url_ok(b->helpdesk_url) || !url_ok(b->privacy_url)) {
		snprintf(err, errlen, "[branding] %s: not an https:// or mailto: URL", url_ok(b->helpdesk_url) ? "privacy_url" : "helpdesk_url");
		return -1;
	}
	if (b->logo_file != NULL && *b->logo_file != '\0' && (ltype = logo_type(b->logo_file)) == NULL) {
		snprintf(err, errlen, "[branding] logo_file: %s is not .svg, .png, .jpg or .webp", b->logo_file);
		return -1;
	}
	if (b->css_file != NULL && *b->css_file != '\0' &&
	    (strlen(b->css_file) < 4 || strcmp(b->css_file + strlen(b->css_file) - 4, ".css") != 0)) {
		snprintf(err, errlen, "[branding] css_file: %s does not end in .css", b->css_file);
		return -1;
	}
	memset(&nb, 0, sizeof(nb));
	for (l = 0; l < NLANG; l++) {
		const char *text = per_lang(b->helpdesk_text, l, NULL);

		nb.org[l] = strdup(per_lang(b->organisation, l, "University"));
		nb.helpdesk_name[l] = strdup(per_lang(b->helpdesk_name, l,
		    json_string_value(json_object_get(t->strings[l], "common.helpdesk")) != NULL ?
		    json_string_value(json_object_get(t->strings[l], "common.helpdesk")) : ""));
		nb.helpdesk_text[l] = text != NULL ? strdup(text) : NULL;
		ok = ok && nb.org[l] != NULL && nb.helpdesk_name[l] != NULL && (text == NULL || nb.helpdesk_text[l] != NULL);
	}
	nb.helpdesk_url = b->helpdesk_url != NULL && *b->helpdesk_url ? strdup(b->helpdesk_url) : NULL;
	nb.privacy_url = b->privacy_url != NULL && *b->privacy_url ? strdup(b->privacy_url) : NULL;
	/* every string of every language with the names filled in, before anything is replaced */
	for (l = 0; l < NLANG; l++) {
		shown[l] = json_object();
		json_object_foreach(t->strings[l], key, v) {
			char *f = json_is_string(v) && ok ? fill_names(json_string_value(v), nb.org[l], nb.helpdesk_name[l]) : NULL;
			ok = ok && f != NULL && json_object_set_new(shown[l], key, json_string(f)) == 0;
			free(f);
		}
	}
	if (!ok) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (brand_file(&t->files[NSTATIC + NLANG], "/branding/logo", b->logo_file, ltype, err, errlen) < 0 ||
	    brand_file(&t->files[NSTATIC + NLANG + 1], "/branding/custom.css", b->css_file, "text/css; charset=utf-8", err,
		errlen) < 0)
		goto fail;
	if (b->logo_file != NULL && *b->logo_file != '\0')
		snprintf(nb.logo_url, sizeof(nb.logo_url), "/branding/logo?v=%08lx",
		    digest(t->files[NSTATIC + NLANG].text, t->files[NSTATIC + NLANG].len));
	else
		t->files[NSTATIC + NLANG].path[0] = '\0'; /* no logo: /branding/logo is a 404 */
	snprintf(nb.css_url, sizeof(nb.css_url), "/branding/custom.css?v=%08lx",
	    digest(t->files[NSTATIC + NLANG + 1].text, t->files[NSTATIC + NLANG + 1].len));
	/* the scripts' string files are the filled-in strings */
	for (l = 0; l < NLANG; l++) {
		struct static_file *f = &t->files[NSTATIC + l];
		char *text = json_dumps(shown[l], JSON_INDENT(2) | JSON_SORT_KEYS);

		if (text == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		free(f->text);
		f->text = text;
		f->len = strlen(text);
	}
	for (l = 0; l < NLANG; l++) {
		json_decref(t->shown[l]);
		t->shown[l] = shown[l];
	}
	brand_clear(&t->brand);
	t->brand = nb;
	return 0;
fail:
	for (i = 0; i < NLANG; i++)
		json_decref(shown[i]);
	brand_clear(&nb);
	return -1;
}

br_templates *
br_templates_load(const char *dir, char *err, size_t errlen)
{
	br_templates *t = calloc(1, sizeof(*t));
	json_error_t je;
	const char *key;
	json_t *v;
	size_t i, l;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < NSTATIC; i++)
		if (load_file(dir, &t->files[i], static_files[i], err, errlen) < 0)
			goto fail;
	for (l = 0; l < NLANG; l++) {
		struct static_file *f = &t->files[NSTATIC + l];
		char file[32];

		snprintf(file, sizeof(file), "i18n/%s.json", langs[l].code);
		if (load_file(dir, f, file, err, errlen) < 0)
			goto fail;
		t->strings[l] = json_loadb(f->text, f->len, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(t->strings[l])) {
			snprintf(err, errlen, "%s/%s:%d: %s", dir, file, je.line, je.text);
			goto fail;
		}
	}
	/* a language without one of the default's strings would show the script's fallback text */
	for (l = 1; l < NLANG; l++)
		json_object_foreach(t->strings[0], key, v)
			if (!json_is_string(json_object_get(t->strings[l], key))) {
				snprintf(err, errlen, "%s/i18n/%s.json: string \"%s\" missing (it is in %s.json)", dir,
				    langs[l].code, key, langs[0].code);
				goto fail;
			}
	for (i = 0; i < NPAGE; i++) {
		char name[64], *raw;

		t->pages[i].def = &page_defs[i];
		snprintf(name, sizeof(name), "%s.html", page_defs[i].name);
		if ((raw = slurp(dir, name, NULL, err, errlen)) == NULL)
			goto fail;
		t->pages[i].text = resolve_partials(t, dir, &page_defs[i], raw, err, errlen);
		free(raw);
		if (t->pages[i].text == NULL ||
		    validate(t, &page_defs[i], t->pages[i].text, name, err, errlen) < 0 ||
		    check_refs(t, t->pages[i].text, name, err, errlen) < 0)
			goto fail;
	}
	/* the built-in names until br_templates_brand says otherwise */
	if (br_templates_brand(t, NULL, err, errlen) < 0)
		goto fail;
	return t;
fail:
	br_templates_free(&t);
	return NULL;
}

void
br_templates_free(br_templates **tp)
{
	br_templates *t;
	size_t i;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	for (i = 0; i < NPAGE; i++)
		free(t->pages[i].text);
	for (i = 0; i < NSTATIC + NLANG + NBRAND; i++)
		free(t->files[i].text);
	for (i = 0; i < NLANG; i++) {
		json_decref(t->strings[i]);
		json_decref(t->shown[i]);
	}
	brand_clear(&t->brand);
	free(t);
	*tp = NULL;
}

/* ---- rendering ---------------------------------------------------------- */

const char *
br_t(const br_templates *t, const char *lang, const char *key)
{
	const char *s = json_string_value(json_object_get(t->shown[lang_index(lang)], key));

	return s != NULL ? s : "";
}

/* Escaped length first, then the copy (measure, then write). */
char *
br_html_escape(const char *s)
{
	size_t n = 0, i;
	char *out, *o;

	for (i = 0; s[i]; i++)
		switch (s[i]) {
		case '&': n += 5; break;
		case '<': case '>': n += 4; break;
		case '"': n += 6; break;
		case '\'': n += 5; break;
		default: n++;
		}
	if ((out = o = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; s[i]; i++)
		switch (s[i]) {
		case '&': memcpy(o, "&amp;", 5); o += 5; break;
		case '<': memcpy(o, "&lt;", 4); o += 4; break;
		case '>': memcpy(o, "&gt;", 4); o += 4; break;
		case '"': memcpy(o, "&quot;", 6); o += 6; break;
		case '\'': memcpy(o, "&#39;", 5); o += 5; break;
		default: *o++ = s[i];
		}
	*o = '\0';
	return out;
}

static int
is_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncmp(name, want, len) == 0;
}

static const char *
var_value(const br_templates *t, const char *lang, const br_var *vars, size_t n, const char *name, size_t len)
{
	/* with more than two languages the switch offers the next one in the table */
	size_t li = lang_index(lang), other = (li + 1) % NLANG;
	char key[128];
	size_t i;

	if (len > 2 && strncmp(name, "t.", 2) == 0 && len - 2 < sizeof(key)) {
		memcpy(key, name + 2, len - 2);
		key[len - 2] = '\0';
		return br_t(t, lang, key);
	}
	for (i = 0; i < n; i++)
		if (is_name(name, len, vars[i].name))
			return vars[i].value != NULL ? vars[i].value : "";
	if (is_name(name, len, "lang"))
		return langs[li].code;
	if (is_name(name, len, "other_lang"))
		return langs[other].code;
	if (is_name(name, len, "other_lang_name"))
		return langs[other].name;
	if (is_name(name, len, "org"))
		return t->brand.org[li];
	if (is_name(name, len, "helpdesk_name"))
		return t->brand.helpdesk_name[li];
	if (is_name(name, len, "helpdesk_text"))
		return t->brand.helpdesk_text[li] != NULL ? t->brand.helpdesk_text[li] : "";
	if (is_name(name, len, "helpdesk_url"))
		return t->brand.helpdesk_url != NULL ? t->brand.helpdesk_url : "";
	if (is_name(name, len, "privacy_url"))
		return t->brand.privacy_url != NULL ? t->brand.privacy_url : "";
	if (is_name(name, len, "logo_url"))
		return t->brand.logo_url;
	if (is_name(name, len, "custom_css_url"))
		return t->brand.css_url;
	return "";
}

char *
br_render(const br_templates *t, const char *page, const char *lang, const br_var *vars, size_t n)
{
	const struct page *p = NULL;
	const char *s, *open, *close;
	struct buf out = { NULL, 0, 0, 1 };
	size_t i;

	for (i = 0; i < NPAGE; i++)
		if (strcmp(t->pages[i].def->name, page) == 0)
			p = &t->pages[i];
	if (p == NULL)
		return NULL;
	buf_add(&out, "", 0);
	/* validate() saw every {{ close at load time */
	for (s = p->text; (open = strstr(s, "{{")) != NULL; s = close + 2) {
		char *esc;

		close = strstr(open + 2, "}}");
		buf_add(&out, s, (size_t)(open - s));
		if ((esc = br_html_escape(var_value(t, lang, vars, n, open + 2, (size_t)(close - open - 2)))) == NULL) {
			free(out.s);
			return NULL;
		}
		buf_add(&out, esc, strlen(esc));
		free(esc);
	}
	buf_add(&out, s, strlen(s));
	return out.ok ? out.s : NULL;
}

const char *
br_static_file(const br_templates *t, const char *path, size_t *len, const char **ctype)
{
	size_t i;

	for (i = 0; i < NSTATIC + NLANG + NBRAND; i++)
		if (t->files[i].text != NULL && strcmp(t->files[i].path, path) == 0) {
			*len = t->files[i].len;
			*ctype = t->files[i].ctype;
			return t->files[i].text;
		}
	return NULL;
}
