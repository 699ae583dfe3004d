/*
 * Pages from templates/: {{name}} placeholders, always HTML-escaped, checked
 * against each page's allowed names when the templates load; t.<key> strings
 * from templates/i18n/<lang>.json. Also the static scripts, style and string
 * files, read once at startup.
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

/* page is "login", "enroll", ...; lang "en" or "ja". malloc'd HTML, NULL on error. */
char *br_render(const br_templates *t, const char *page, const char *lang, const br_var *vars, size_t n);
/* A translated string ("" when the key is unknown). */
const char *br_t(const br_templates *t, const char *lang, const char *key);
/* A static file by its URL path ("/static/js/common.js", "/i18n/en.json"), or NULL. */
const char *br_static_file(const br_templates *t, const char *path, size_t *len, const char **ctype);

/* Language from ?lang=, then the fb_lang cookie, then Accept-Language; "en" by default. */
const char *br_lang_pick(const char *query, const char *cookie, const char *accept_language);

/* HTML-escape into a malloc'd string. */
char *br_html_escape(const char *s);

#endif
