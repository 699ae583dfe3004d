/*
 * Pages from templates/: {{name}} placeholders, always HTML-escaped, checked
 * against each page's allowed names when the templates load; t.<key> strings
 * from templates/i18n/<lang>.json; {{> name …}} includes templates/partials/
 * name.html, resolved at load time (templates/README.md). Also the static
 * scripts, style and string files, read once at startup.
 */
#ifndef BR_RENDER_H
#define BR_RENDER_H

#include <stddef.h>

typedef struct br_templates br_templates;

typedef struct br_var {
	const char *name;
	const char *value;
} br_var;

br_templates *br_templates_load(const char *dir, char *err, size_t errlen);
void br_templates_free(br_templates **t);

/* The most languages the table in render.c may hold (the arrays below). */
#define BR_LANG_MAX 8

/*
 * Branding ([branding] in the config, docs/operations.md): by language index
 * (as br_lang_code), NULL for unset: a language without its own value takes
 * the default language's, then the built-in one (organisation: "University";
 * help desk: the string common.helpdesk). organisation and helpdesk_name
 * replace {org} and {helpdesk} in every string, for the pages and the
 * scripts alike, so the help desk has one name everywhere. The files are
 * read once here: the logo (.svg, .png, .jpg, .webp) is served at
 * /branding/logo, the custom CSS (after bridge.css) at /branding/custom.css
 * (empty when none), each with ?v=<digest> in the pages so that they can be
 * cached for a day.
 */
typedef struct br_brand {
	const char *organisation[BR_LANG_MAX];
	const char *helpdesk_name[BR_LANG_MAX];
	const char *helpdesk_text[BR_LANG_MAX];   /* e.g. phone and opening hours, shown in the footer */
	const char *helpdesk_url;                 /* https:// or mailto:, the help desk link in the footer */
	const char *privacy_url;
	const char *logo_file;
	const char *css_file;
} br_brand;

/* Apply b (replaces what an earlier call set). -1 with a message (unreadable file, bad URL, ...). */
int br_templates_brand(br_templates *t, const br_brand *b, char *err, size_t errlen);

/* page is "login", "enroll", ...; lang one of br_lang_code(). malloc'd HTML, NULL on error. */
char *br_render(const br_templates *t, const char *page, const char *lang, const br_var *vars, size_t n);
/* A translated string ("" when the key is unknown). */
const char *br_t(const br_templates *t, const char *lang, const char *key);
/* A static file by its URL path ("/static/js/common.js", "/i18n/en.json"), or NULL. */
const char *br_static_file(const br_templates *t, const char *path, size_t *len, const char **ctype);

/*
 * The supported languages, one table in render.c; index 0 is the default.
 * Loop with: for (i = 0; i < br_lang_count(); i++) ... br_lang_code(i) ...
 */
size_t br_lang_count(void);
/* The code of language i ("en", "ja"), or NULL when i >= br_lang_count(). */
const char *br_lang_code(size_t i);
/* Its name in itself ("English", "日本語"), or NULL when i >= br_lang_count(). */
const char *br_lang_name(size_t i);
/* The table's own string for code when it is supported (exact match), else NULL. */
const char *br_lang_find(const char *code);

/*
 * Language from ?lang=, then the fb_lang cookie (exact codes), then the first
 * supported one named in Accept-Language; br_lang_code(0) by default. Always
 * one of the table's strings.
 */
const char *br_lang_pick(const char *query, const char *cookie, const char *accept_language);

/* HTML-escape into a malloc'd string. */
char *br_html_escape(const char *s);

#endif
