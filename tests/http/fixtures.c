/*
 * The helpers the HTTP test cases share: alice and bob, JSON and page checks,
 * the bridge's config.
 */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ceremonies.h"
#include "client.h"
#include "harness.h"
#include "softkey.h"
#include "stack.h"

sk_key alice, bob;
int alice_ready;
static int bob_ready;

void
need_alice(void)
{
	if (alice_ready)
		return;
	sk_key_new(&alice);
	enrol("alice", &alice, "test key");
	alice_ready = 1;
}

void
need_bob(void)
{
	if (bob_ready)
		return;
	sk_key_new(&bob);
	enrol("bob", &bob, "bob's key");
	bob_ready = 1;
}

char *
rand_b64(size_t n)
{
	unsigned char b[64];

	sk_random(b, n);
	return sk_b64url(b, n);
}

const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
jtrue(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

int
jfalse(const json_t *o, const char *k)
{
	return json_is_false(json_object_get(o, k));
}

int
is_public_key(const json_t *d)
{
	const char *t = jstr(d, "type");

	return t != NULL && strcmp(t, "public-key") == 0;
}

int
streq_json_error(const hc_resp *r, const char *code)
{
	const char *e = json_string_value(json_object_get(r->json, "error"));

	return e != NULL && strcmp(e, code) == 0;
}

/* The first value of a multi-valued attribute in a result/record. */
const char *
attr0(const json_t *rec, const char *name)
{
	return json_string_value(json_array_get(json_object_get(json_object_get(rec, "attributes"), name), 0));
}

/* A bridge error page that must not redirect anywhere. */
void
expect_error_page(const hc_resp *r, long status)
{
	EXPECT_STATUS(r, status);
	CHECKF(hc_header_get(r, "Location") == NULL, "%s: error answer redirects to %s", r->url, hc_header_get(r, "Location"));
	CHECKF(strstr(r->body, "data-page=\"error\"") != NULL, "%s: not the error page: %.200s", r->url, r->body);
	CHECKF(hc_set_cookie(r, "fb_flow") == NULL || strstr(hc_set_cookie(r, "fb_flow"), "Max-Age=0") != NULL,
	    "%s: an error page started a flow: %s", r->url, hc_set_cookie(r, "fb_flow"));
}

/* ---- the bridge's config ---- */

/* The value of [section] key in the bridge's config file (last one wins), or NULL. */
char *
conf_value(const char *section, const char *key)
{
	char *text = file_read(E.config), *p, *val = NULL;
	char cur[64] = "";

	for (p = text; p != NULL && *p;) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len), *eq;
		if (line[0] == '[') {
			snprintf(cur, sizeof(cur), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
		} else if (strcmp(cur, section) == 0 && (eq = strchr(line, '=')) != NULL) {
			char *k = line, *v = eq + 1, *e = eq;
			while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			*e = '\0';
			while (*v == ' ' || *v == '\t')
				v++;
			if (strcmp(k, key) == 0) {
				free(val);
				val = strdup(v);
			}
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	free(text);
	return val;
}

/* The stack trusts 127.0.0.1 as a proxy. */
int
proxy_stack(void)
{
	char *v = conf_value("server", "trusted_proxies");
	int yes = v != NULL && strstr(v, "127.0.0.1") != NULL;

	free(v);
	return yes;
}

int
bridge_port(void)
{
	const char *c = strrchr(E.bridge, ':');

	return c != NULL ? atoi(c + 1) : 0;
}
