#include "render.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define MAX_FILE (512 * 1024)

struct page {
	const char *name;
	const char *allowed; /* space-separated placeholder names besides t.* and the common ones */
	char *text;
};

static const char common[] = " lang other_lang other_lang_name ";

struct static_file {
	const char *path;    /* URL path */
	const char *file;    /* under the templates dir */
	const char *ctype;
	char *text;
	size_t len;
};

struct br_templates {
	struct page pages[6];
	struct static_file files[8];
	json_t *strings[2];  /* en, ja */
};

static const char *const langs[] = { "en", "ja" };

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

static int
allowed(const struct page *p, const char *name, size_t len)
{
	char key[80];

	if (len + 3 > sizeof(key))
		return 0;
	snprintf(key, sizeof(key), " %.*s ", (int)len, name);
	return strstr(common, key) != NULL || strstr(p->allowed, key) != NULL;
}

/* Every {{name}} must be known: a typo is a startup error, not an empty hole on a page. */
static int
validate(const br_templates *t, const struct page *p, char *err, size_t errlen)
{
	const char *s = p->text, *open, *close;
	int l;

	while ((open = strstr(s, "{{")) != NULL) {
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(err, errlen, "%s.html: unclosed {{", p->name);
			return -1;
		}
		const char *name = open + 2;
		size_t len = (size_t)(close - name);
		if (len > 2 && strncmp(name, "t.", 2) == 0) {
			char key[128];
			if (len - 2 >= sizeof(key)) {
				snprintf(err, errlen, "%s.html: placeholder too long", p->name);
				return -1;
			}
			memcpy(key, name + 2, len - 2);
			key[len - 2] = '\0';
			for (l = 0; l < 2; l++)
				if (!json_is_string(json_object_get(t->strings[l], key))) {
					snprintf(err, errlen, "%s.html: string \"%s\" missing from i18n/%s.json", p->name, key, langs[l]);
					return -1;
				}
		} else if (!allowed(p, name, len)) {
			snprintf(err, errlen, "%s.html: unknown placeholder {{%.*s}}", p->name, (int)(len > 60 ? 60 : len), name);
			return -1;
		}
		s = close + 2;
	}
	return 0;
}

br_templates *
br_templates_load(const char *dir, char *err, size_t errlen)
{
	static const struct page pages[] = {
		{ "login", " has_flow entity cancel_url enroll_help_url username message ", NULL },
		{ "enroll", " username display_name code expires ", NULL },
		{ "enrolled", " display_name passkeys_url ", NULL },
		{ "passkeys", " username display_name ", NULL },
		{ "error", " title message ", NULL },
		{ "enroll-password", " username ", NULL },
	};
	static const struct static_file files[] = {
		{ "/static/bridge.css", "static/bridge.css", "text/css; charset=utf-8", NULL, 0 },
		{ "/static/js/common.js", "static/js/common.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/static/js/login.js", "static/js/login.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/static/js/enroll.js", "static/js/enroll.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/static/js/enroll-password.js", "static/js/enroll-password.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/static/js/passkeys.js", "static/js/passkeys.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/i18n/en.json", "i18n/en.json", "application/json", NULL, 0 },
		{ "/i18n/ja.json", "i18n/ja.json", "application/json", NULL, 0 },
	};
	br_templates *t = calloc(1, sizeof(*t));
	json_error_t je;
	size_t i;
	int l;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(t->pages, pages, sizeof(pages));
	memcpy(t->files, files, sizeof(files));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if ((t->files[i].text = slurp(dir, files[i].file, &t->files[i].len, err, errlen)) == NULL)
			goto fail;
	for (l = 0; l < 2; l++) {
		t->strings[l] = json_loadb(t->files[6 + l].text, t->files[6 + l].len, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(t->strings[l])) {
			snprintf(err, errlen, "%s/i18n/%s.json:%d: %s", dir, langs[l], je.line, je.text);
			goto fail;
		}
	}
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s.html", pages[i].name);
		if ((t->pages[i].text = slurp(dir, name, NULL, err, errlen)) == NULL)
			goto fail;
		if (validate(t, &t->pages[i], err, errlen) < 0)
			goto fail;
	}
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
	for (i = 0; i < sizeof(t->pages) / sizeof(t->pages[0]); i++)
		free(t->pages[i].text);
	for (i = 0; i < sizeof(t->files) / sizeof(t->files[0]); i++)
		free(t->files[i].text);
	json_decref(t->strings[0]);
	json_decref(t->strings[1]);
	free(t);
	*tp = NULL;
}

static int
lang_index(const char *lang)
{
	return lang != NULL && strcmp(lang, "ja") == 0 ? 1 : 0;
}

const char *
br_t(const br_templates *t, const char *lang, const char *key)
{
	const char *s = json_string_value(json_object_get(t->strings[lang_index(lang)], key));

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

static const char *
var_value(const br_templates *t, const char *lang, const br_var *vars, size_t n, const char *name, size_t len)
{
	char key[128];
	size_t i;

	if (len > 2 && strncmp(name, "t.", 2) == 0 && len - 2 < sizeof(key)) {
		memcpy(key, name + 2, len - 2);
		key[len - 2] = '\0';
		return br_t(t, lang, key);
	}
	for (i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0)
			return vars[i].value != NULL ? vars[i].value : "";
	if (len == 4 && strncmp(name, "lang", 4) == 0)
		return lang_index(lang) ? "ja" : "en";
	if (len == 10 && strncmp(name, "other_lang", 10) == 0)
		return lang_index(lang) ? "en" : "ja";
	if (len == 15 && strncmp(name, "other_lang_name", 15) == 0)
		return lang_index(lang) ? "English" : "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
	return "";
}

char *
br_render(const br_templates *t, const char *page, const char *lang, const br_var *vars, size_t n)
{
	const struct page *p = NULL;
	const char *s, *open, *close = NULL;
	char *out = NULL, *esc;
	size_t len = 0, cap = 0, i;

	for (i = 0; i < sizeof(t->pages) / sizeof(t->pages[0]); i++)
		if (strcmp(t->pages[i].name, page) == 0)
			p = &t->pages[i];
	if (p == NULL)
		return NULL;
	s = p->text;
	for (;;) {
		size_t lit, vl;
		open = strstr(s, "{{");
		lit = open != NULL ? (size_t)(open - s) : strlen(s);
		esc = NULL;
		vl = 0;
		if (open != NULL) {
			close = strstr(open + 2, "}}");
			esc = br_html_escape(var_value(t, lang, vars, n, open + 2, (size_t)(close - open - 2)));
			if (esc == NULL)
				goto fail;
			vl = strlen(esc);
		}
		if (len + lit + vl + 1 > cap) {
			size_t nc = (cap + lit + vl + 1) * 2;
			char *no = realloc(out, nc);
			if (no == NULL) {
				free(esc);
				goto fail;
			}
			out = no;
			cap = nc;
		}
		memcpy(out + len, s, lit);
		len += lit;
		if (open == NULL)
			break;
		memcpy(out + len, esc, vl);
		len += vl;
		free(esc);
		s = close + 2;
	}
	out[len] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

const char *
br_static_file(const br_templates *t, const char *path, size_t *len, const char **ctype)
{
	size_t i;

	for (i = 0; i < sizeof(t->files) / sizeof(t->files[0]); i++)
		if (strcmp(t->files[i].path, path) == 0) {
			*len = t->files[i].len;
			*ctype = t->files[i].ctype;
			return t->files[i].text;
		}
	return NULL;
}

const char *
br_lang_pick(const char *query, const char *cookie, const char *accept_language)
{
	const char *p;

	if (query != NULL && (strcmp(query, "ja") == 0 || strcmp(query, "en") == 0))
		return strcmp(query, "ja") == 0 ? "ja" : "en";
	if (cookie != NULL && (strcmp(cookie, "ja") == 0 || strcmp(cookie, "en") == 0))
		return strcmp(cookie, "ja") == 0 ? "ja" : "en";
	/* the first of ja / en named in Accept-Language wins (q-values are rarely ordered otherwise) */
	for (p = accept_language; p != NULL && *p; ) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "ja", 2) == 0 && (p[2] == '\0' || p[2] == '-' || p[2] == ',' || p[2] == ';'))
			return "ja";
		if (strncasecmp(p, "en", 2) == 0 && (p[2] == '\0' || p[2] == '-' || p[2] == ',' || p[2] == ';'))
			return "en";
		p = strchr(p, ',');
	}
	return "en";
}
