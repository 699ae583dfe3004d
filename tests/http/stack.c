/* The running stack for the HTTP tests: environment and config, secrets seen, requests to the bridge, the audit log. */
#include "stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

struct stack_env E;

char *
xfmt(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL) {
		fprintf(stderr, "xfmt: out of memory\n");
		exit(99);
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

int
starts_with(const char *s, const char *prefix)
{
	return s != NULL && prefix != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

char *
file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((buf = realloc(buf, cap)) == NULL) {
				fclose(f);
				return NULL;
			}
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "http tests: %s is not set: run them through tests/http/run.sh\n", name);
		exit(2);
	}
	return v;
}

/* The value of key in [section] of the INI file text, or NULL (malloc'd). */
static char *
conf_get(const char *text, const char *section, const char *key)
{
	char sect[1024] = "";
	const char *p = text;

	while (p != NULL && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (line[0] == '[') {
			char *e = strchr(line, ']');
			if (e != NULL) {
				*e = '\0';
				snprintf(sect, sizeof(sect), "%s", line + 1);
			}
		} else if (strcmp(sect, section) == 0) {
			char *eq = strchr(line, '='), *k = line, *v, *end;
			if (eq != NULL) {
				*eq = '\0';
				v = eq + 1;
				while (*k == ' ' || *k == '\t')
					k++;
				for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
					end[-1] = '\0';
				while (*v == ' ' || *v == '\t')
					v++;
				for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'); end--)
					end[-1] = '\0';
				if (strcmp(k, key) == 0)
					return strdup(v);
			}
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return NULL;
}

static long
conf_long(const char *text, const char *section, const char *key, long dflt)
{
	char *v = conf_get(text, section, key);
	long n = v != NULL ? strtol(v, NULL, 10) : dflt;

	free(v);
	return n;
}

void
stack_init(void)
{
	char *conf, *v, *path;

	E.bridge = need_env("BRIDGE_URL");
	{
		const char *h = strstr(E.bridge, "://");
		h = h != NULL ? h + 3 : E.bridge;
		snprintf(E.host, sizeof(E.host), "%.*s", (int)strcspn(h, ":/"), h);
	}
	E.idp = need_env("IDP_URL");
	E.admin = need_env("ADMIN_URL");
	E.config = need_env("BRIDGE_CONFIG");
	E.audit = need_env("AUDIT_LOG");
	E.dir = need_env("STACK_DIR");
	E.bridgectl = need_env("BRIDGECTL");
	E.ldap_uri = need_env("LDAP_URI");
	E.admin_dn = need_env("LDAP_ADMIN_DN");
	E.admin_pw = need_env("LDAP_ADMIN_PW");
	E.base = need_env("LDAP_BASE");
	E.people = need_env("LDAP_PEOPLE_BASE");
	E.mc_ports = need_env("MEMCACHED_PORTS");
	setenv("LDAPNOINIT", "1", 1);
	if ((conf = file_read(E.config)) == NULL) {
		fprintf(stderr, "http tests: cannot read %s\n", E.config);
		exit(2);
	}
	v = conf_get(conf, "memcached", "prefix");
	snprintf(E.prefix, sizeof(E.prefix), "%s", v != NULL ? v : "fidobridge:");
	free(v);
	/* the defaults of bridge/config/config.c when the file does not say */
	E.limit_address = conf_long(conf, "limits", "per_address", 120);
	E.limit_account = conf_long(conf, "limits", "per_account", 10);
	E.max_body = conf_long(conf, "server", "max_body_bytes", 65536);
	v = conf_get(conf, "idp", "secret_file");
	path = v != NULL ? v : xfmt("%s/idp.secret", E.dir);
	free(conf);
	if ((conf = file_read(path)) == NULL) {
		fprintf(stderr, "http tests: cannot read the handoff secret %s\n", path);
		exit(2);
	}
	conf[strcspn(conf, "\r\n")] = '\0';
	snprintf(E.secret, sizeof(E.secret), "%s", conf);
	free(conf);
	free(path);
}

/* ---- secrets ---- */

#define MAX_SECRETS 2048
static struct {
	char kind[64];                 /* a label or a cookie name (check_cookies reads up to 63) */
	char value[128];
} secrets[MAX_SECRETS];
static int nsecrets;

void
note_secret(const char *kind, const char *value)
{
	int i;

	if (value == NULL || strlen(value) < 8 || strlen(value) >= sizeof(secrets[0].value))
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i].value, value) == 0)
			return;
	if (nsecrets == MAX_SECRETS)
		return;
	snprintf(secrets[nsecrets].kind, sizeof(secrets[0].kind), "%s", kind);
	snprintf(secrets[nsecrets].value, sizeof(secrets[0].value), "%s", value);
	nsecrets++;
}

int
n_secrets(void)
{
	return nsecrets;
}

const char *
secret_kind(int i)
{
	return secrets[i].kind;
}

const char *
secret_value(int i)
{
	return secrets[i].value;
}

/* ---- bridge requests ---- */

/*
 * Browsers share keep-alive connections (client.c), so consecutive requests
 * reach the same server thread; t_consumed_keys_everywhere and
 * t_ticket_single_use_shim use fresh connections on purpose.
 */
hc_browser *
browser(void)
{
	return hc_browser_new(E.bridge);
}

static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p != NULL ? strchr(p + 3, '/') : NULL;
	return p != NULL ? p : "/";
}

static int
contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

/* What every bridge response must carry, whatever it is. */
void
bridge_response_checks(const hc_resp *r)
{
	const char *csp = hc_header_get(r, "Content-Security-Policy"), *cc = hc_header_get(r, "Cache-Control");
	const char *path = url_path(r->url), *v;
	int i, cacheable;

	if (r->status == 0)
		return; /* a transport error: the status check of the caller says so */
	CHECKF(csp != NULL && strstr(csp, "default-src 'none'") != NULL && strstr(csp, "script-src 'self'") != NULL &&
	    strstr(csp, "frame-ancestors 'none'") != NULL && strstr(csp, "unsafe-inline") == NULL &&
	    strstr(csp, "unsafe-eval") == NULL,
	    "%s (HTTP %ld): Content-Security-Policy \"%s\"", r->url, r->status, csp != NULL ? csp : "(none)");
	CHECKF(hc_header_count(r, "Content-Security-Policy") == 1, "%s: %d CSP headers", r->url,
	    hc_header_count(r, "Content-Security-Policy"));
	v = hc_header_get(r, "Referrer-Policy");
	CHECKF(v != NULL && strcmp(v, "no-referrer") == 0, "%s (HTTP %ld): Referrer-Policy \"%s\"", r->url, r->status,
	    v != NULL ? v : "(none)");
	v = hc_header_get(r, "X-Content-Type-Options");
	CHECKF(v != NULL && strcasecmp(v, "nosniff") == 0, "%s: X-Content-Type-Options \"%s\"", r->url, v != NULL ? v : "(none)");
	v = hc_header_get(r, "X-Frame-Options");
	CHECKF(v != NULL && strcasecmp(v, "DENY") == 0, "%s: X-Frame-Options \"%s\"", r->url, v != NULL ? v : "(none)");
	/* only the script, the style, the strings, the branding files and the well-known file may be cached */
	cacheable = r->status == 200 && (starts_with(path, "/static/") || starts_with(path, "/i18n/") ||
	    starts_with(path, "/branding/") || starts_with(path, "/.well-known/"));
	if (!cacheable)
		CHECKF(cc != NULL && strcmp(cc, "no-store") == 0, "%s (HTTP %ld): Cache-Control \"%s\", want no-store", r->url,
		    r->status, cc != NULL ? cc : "(none)");
	for (i = 0; (v = hc_header_nth(r, "Set-Cookie", i)) != NULL; i++) {
		const char *eq = strchr(v, '=');
		char name[64], value[128];
		size_t vl;
		if (eq == NULL)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
		vl = strcspn(eq + 1, ";");
		snprintf(value, sizeof(value), "%.*s", (int)(vl < sizeof(value) ? vl : sizeof(value) - 1), eq + 1);
		CHECKF(strstr(v, "; SameSite=Lax") != NULL, "%s: cookie without SameSite=Lax: %s", r->url, v);
		CHECKF(strstr(v, "; Path=/") != NULL, "%s: cookie without Path=/: %s", r->url, v);
		CHECKF(!contains_ci(v, "domain="), "%s: cookie with a Domain: %s", r->url, v);
		if (strcmp(name, "fb_flow") == 0 || strcmp(name, "fb_local") == 0 || strcmp(name, "fb_session") == 0) {
			CHECKF(strstr(v, "; HttpOnly") != NULL, "%s: %s cookie without HttpOnly: %s", r->url, name, v);
			note_secret(name, value);
		}
	}
}

static char *
bridge_url(const char *path_or_url)
{
	if (starts_with(path_or_url, "http://") || starts_with(path_or_url, "https://"))
		return strdup(path_or_url);
	return xfmt("%s%s", E.bridge, path_or_url);
}

long
bget(hc_browser *b, const char *path_or_url, hc_resp *r)
{
	char *u = bridge_url(path_or_url);

	hc_get(b, u, r);
	free(u);
	bridge_response_checks(r);
	return r->status;
}

long
bpost(hc_browser *b, const char *path, const char *body, hc_resp *r)
{
	char *u = bridge_url(path);

	hc_post_json(b, u, body, r);
	free(u);
	bridge_response_checks(r);
	return r->status;
}

long
bform(hc_browser *b, const char *path, const char *body, hc_resp *r)
{
	char *u = bridge_url(path);

	hc_post_form(b, u, body, r);
	free(u);
	bridge_response_checks(r);
	return r->status;
}

long
bpostj(hc_browser *b, const char *path, json_t *body, hc_resp *r)
{
	char *s = json_dumps(body, JSON_COMPACT);
	long st;

	json_decref(body);
	REQUIRE(s != NULL);
	st = bpost(b, path, s, r);
	free(s);
	return st;
}

/* ---- misc ---- */

char *
hmac_b64url(const char *key, const char *msg)
{
	unsigned char mac[64];
	size_t n = 0;

	REQUIRE(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, strlen(key), (const unsigned char *)msg, strlen(msg),
	    mac, sizeof(mac), &n) != NULL && n == 32);
	return sk_b64url(mac, n);
}

int
audit_count(const char *event, const char *reason)
{
	char *text = file_read(E.audit), *p;
	int n = 0;

	for (p = text; p != NULL && *p;) {
		char *eol = strchr(p, '\n');
		json_error_t je;
		json_t *j;
		if (eol != NULL)
			*eol = '\0';
		j = json_loads(p, 0, &je);
		if (json_is_object(j) && json_string_value(json_object_get(j, "event")) != NULL &&
		    strcmp(json_string_value(json_object_get(j, "event")), event) == 0 &&
		    (reason == NULL || (json_string_value(json_object_get(j, "reason")) != NULL &&
			strcmp(json_string_value(json_object_get(j, "reason")), reason) == 0)))
			n++;
		json_decref(j);
		p = eol != NULL ? eol + 1 : NULL;
	}
	free(text);
	return n;
}
