/* The running stack for the HTTP tests: HTTP helpers, directory, memcached, audit log. */
#include "stack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	/* only the script, the style, the strings and the well-known file may be cached */
	cacheable = r->status == 200 && (starts_with(path, "/static/") || starts_with(path, "/i18n/") ||
	    starts_with(path, "/.well-known/"));
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
		if (strcmp(name, "fb_flow") == 0 || strcmp(name, "fb_session") == 0) {
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

/* ---- ceremonies ---- */

char *
idp_start(hc_browser *b, const char *query)
{
	hc_resp r = { 0 };
	char *url = xfmt("%s/start%s%s", E.idp, query != NULL ? "?" : "", query != NULL ? query : ""), *loc;
	char *want = xfmt("%s/authn/start?", E.bridge);

	hc_get(b, url, &r);
	free(url);
	REQUIRE_STATUS(&r, 303);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "the stand-in sent us to %s, want %s...", loc != NULL ? loc : "(none)", want);
	free(want);
	hc_resp_reset(&r);
	return loc;
}

void
idp_begin(hc_browser *b, const char *query)
{
	hc_resp r = { 0 };
	char *start = idp_start(b, query), *flow;

	bget(b, start, &r);
	free(start);
	REQUIRE_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	REQUIREF(hc_set_cookie(&r, "fb_flow") != NULL, "/authn/start did not set fb_flow");
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	CHECKF(strstr(r.body, "data-page=\"login\"") != NULL && strstr(r.body, "data-has-flow=\"1\"") != NULL,
	    "/login with an IdP flow: not the login page with data-has-flow=\"1\"");
	/* the page belongs to the flow /authn/start made: it must not start another one */
	CHECKF(hc_set_cookie(&r, "fb_flow") == NULL, "/login replaced the IdP flow's cookie: %s", hc_set_cookie(&r, "fb_flow"));
	flow = hc_cookie(b, "fb_flow");
	REQUIREF(flow != NULL && strlen(flow) == 43, "fb_flow cookie \"%s\"", flow != NULL ? flow : "(none)");
	free(flow);
	hc_resp_reset(&r);
}

char *
auth_options(hc_browser *b, const char *body, json_t **pk)
{
	hc_resp r = { 0 };
	json_t *p;
	const char *chal;
	char *out;

	bpost(b, "/api/authenticate/options", body, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	p = json_object_get(r.json, "publicKey");
	chal = json_string_value(json_object_get(p, "challenge"));
	REQUIREF(chal != NULL && strlen(chal) == 43, "options: challenge \"%s\"", chal != NULL ? chal : "(none)");
	note_secret("challenge", chal);
	out = strdup(chal);
	if (pk != NULL)
		*pk = json_incref(p);
	hc_resp_reset(&r);
	return out;
}

json_t *
make_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o)
{
	sk_auth_opts a;

	if (o != NULL)
		a = *o;
	else
		memset(&a, 0, sizeof(a));
	if (a.origin == NULL)
		a.origin = E.bridge;
	if (a.rp_id == NULL)
		a.rp_id = RP_ID;
	a.challenge = challenge;
	return sk_assertion(k, &a);
}

char *
auth_verify_ok(hc_browser *b, json_t *cred)
{
	hc_resp r = { 0 };
	char *next;

	bpostj(b, "/api/authenticate/verify", cred, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	REQUIREF(hc_json_str(&r, "next") != NULL, "verify: no next in %s", r.body);
	next = strdup(hc_json_str(&r, "next"));
	hc_resp_reset(&r);
	return next;
}

char *
bridge_finish(hc_browser *b)
{
	hc_resp r = { 0 };
	char *want = xfmt("%s/finish?", E.idp), *loc, *ticket;
	const char *del;

	bget(b, "/authn/finish", &r);
	REQUIRE_STATUS(&r, 303);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "/authn/finish sent us to %s, want %s...", loc != NULL ? loc : "(none)", want);
	/* the flow is over: its cookie goes */
	del = hc_set_cookie(&r, "fb_flow");
	CHECKF(del != NULL && strstr(del, "Max-Age=0") != NULL, "/authn/finish did not delete fb_flow: %s",
	    del != NULL ? del : "(no Set-Cookie)");
	if ((ticket = hc_query_param(loc, "ticket")) != NULL)
		note_secret("ticket", ticket);
	free(ticket);
	free(want);
	hc_resp_reset(&r);
	return loc;
}

static char *
html_unescape(const char *s, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' }, { "&#x27;", '\'' } };
	char *out = malloc(n + 1), *o = out;
	size_t i, k;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n;) {
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (strncmp(s + i, ents[k].ent, strlen(ents[k].ent)) == 0)
				break;
		if (k < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[k].c;
			i += strlen(ents[k].ent);
		} else {
			*o++ = s[i++];
		}
	}
	*o = '\0';
	return out;
}

json_t *
idp_result(hc_browser *b, const char *url, long *status)
{
	hc_resp r = { 0 };
	const char *start, *end;
	char *text;
	json_error_t je;
	json_t *j;

	hc_get(b, url, &r);
	*status = r.status;
	start = strstr(r.body, "<pre id=\"result\">");
	if (start == NULL) {
		hc_resp_reset(&r);
		return NULL;
	}
	start += strlen("<pre id=\"result\">");
	end = strstr(start, "</pre>");
	if (end == NULL) {
		hc_resp_reset(&r);
		return NULL;
	}
	text = html_unescape(start, (size_t)(end - start));
	j = text != NULL ? json_loads(text, 0, &je) : NULL;
	free(text);
	hc_resp_reset(&r);
	return j;
}

void
expect_no_ticket(hc_browser *b)
{
	hc_resp r = { 0 };

	bget(b, "/authn/finish", &r);
	if (EXPECT_STATUS(&r, 303))
		CHECKF(starts_with(hc_header_get(&r, "Location"), "/login"),
		    "/authn/finish without a sign-in went to %s (a ticket was issued?)", hc_header_get(&r, "Location"));
	hc_resp_reset(&r);
}

json_t *
signin_via_idp(hc_browser *b, sk_key *k, const char *username, char **finish_url)
{
	char *chal, *next, *url, *body;
	sk_auth_opts o;
	json_t *res;
	long st;

	idp_begin(b, SP_ENTITY_Q);
	body = username != NULL ? xfmt("{\"username\":\"%s\"}", username) : strdup("{}");
	chal = auth_options(b, body, NULL);
	free(body);
	memset(&o, 0, sizeof(o));
	o.no_user_handle = username != NULL;
	next = auth_verify_ok(b, make_assertion(k, chal, &o));
	CHECK_STR(next, "/authn/finish");
	url = bridge_finish(b);
	res = idp_result(b, url, &st);
	REQUIREF(st == 200 && res != NULL && json_is_true(json_object_get(res, "ok")), "stand-in result (HTTP %ld): %s", st,
	    res != NULL ? json_dumps(res, JSON_COMPACT) : "(none)");
	if (finish_url != NULL)
		*finish_url = url;
	else
		free(url);
	free(chal);
	free(next);
	return res;
}

hc_browser *
signin_local(sk_key *k)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *chal, *flow;
	const char *sess;

	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	CHECKF(strstr(r.body, "data-has-flow=\"0\"") != NULL, "/login without an IdP flow: data-has-flow is not 0");
	REQUIREF(hc_set_cookie(&r, "fb_flow") != NULL, "/login without a flow set no fb_flow (the local flow)");
	chal = auth_options(b, "{}", NULL);
	bpostj(b, "/api/authenticate/verify", make_assertion(k, chal, NULL), &r);
	REQUIRE_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/passkeys");
	sess = hc_set_cookie(&r, "fb_session");
	REQUIREF(sess != NULL, "a My passkeys sign-in set no fb_session");
	flow = hc_cookie(b, "fb_flow");
	CHECKF(flow == NULL, "the local flow cookie stayed after sign-in: %s", flow);
	free(flow);
	free(chal);
	hc_resp_reset(&r);
	return b;
}

char *
signed_start(const char *conversation, const char *state, const char *ret, const char *entity,
    const char *force, const char *passive, long long ts)
{
	char *m = xfmt("v1\n%s\n%s\n%s\n%s\n%s\n%s\n%lld", conversation, state, ret, entity, force, passive, ts);
	char *sig = hmac_b64url(E.secret, m);
	char *c = hc_urlencode(conversation), *s = hc_urlencode(state), *r = hc_urlencode(ret), *e = hc_urlencode(entity);
	char *url = xfmt("%s/authn/start?conversation=%s&state=%s&return=%s&entity=%s&force=%s&passive=%s&ts=%lld&sig=%s",
	    E.bridge, c, s, r, e, force, passive, ts, sig);

	free(m);
	free(sig);
	free(c);
	free(s);
	free(r);
	free(e);
	return url;
}

/* ---- processes ---- */

/* Run argv with input on stdin; stdout returned, stderr into *err (both malloc'd). */
static char *
run(const char *const argv[], const char *input, int *status, char **err)
{
	int in[2], out[2], er[2], st = 0;
	pid_t pid;
	char *bufs[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 };
	int fds[2], i;

	if (pipe(in) < 0 || pipe(out) < 0 || pipe(er) < 0) {
		perror("pipe");
		exit(99);
	}
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(99);
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(er[1], 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		close(er[0]);
		close(er[1]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(er[1]);
	if (input != NULL) {
		size_t left = strlen(input);
		const char *p = input;
		while (left > 0) {
			ssize_t n = write(in[1], p, left);
			if (n <= 0)
				break;
			p += n;
			left -= (size_t)n;
		}
	}
	close(in[1]);
	fds[0] = out[0];
	fds[1] = er[0];
	/* small outputs only: read one pipe to its end, then the other */
	for (i = 0; i < 2; i++) {
		char chunk[4096];
		ssize_t n;
		while ((n = read(fds[i], chunk, sizeof(chunk))) > 0) {
			bufs[i] = realloc(bufs[i], lens[i] + (size_t)n + 1);
			memcpy(bufs[i] + lens[i], chunk, (size_t)n);
			lens[i] += (size_t)n;
		}
		close(fds[i]);
		if (bufs[i] == NULL)
			bufs[i] = calloc(1, 1);
		bufs[i][lens[i]] = '\0';
	}
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (err != NULL)
		*err = bufs[1];
	else
		free(bufs[1]);
	return bufs[0];
}

/* ---- enrolment ---- */

char *
enrol_link(const char *user)
{
	const char *argv[] = { E.bridgectl, "enroll", user, "--config", E.config, NULL };
	char *err = NULL, *out, *want = xfmt("%s/enroll?", E.bridge), *code;
	int st;

	out = run(argv, NULL, &st, &err);
	REQUIREF(st == 0, "bridgectl enroll %s: exit %d: %s", user, st, err);
	out[strcspn(out, "\r\n")] = '\0';
	REQUIREF(starts_with(out, want), "bridgectl enroll printed \"%s\", want %s...", out, want);
	code = hc_query_param(out, "c");
	REQUIREF(code != NULL && strlen(code) >= 8, "enrolment link without a code: %s", out);
	note_secret("enrolment_code", code);
	free(code);
	free(want);
	free(err);
	return out;
}

json_t *
reg_options(hc_browser *b)
{
	hc_resp r = { 0 };
	json_t *pk;
	const char *chal;

	bpost(b, "/api/register/options", "{}", &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	pk = json_object_get(r.json, "publicKey");
	chal = json_string_value(json_object_get(pk, "challenge"));
	REQUIREF(chal != NULL && strlen(chal) == 43, "register options: challenge \"%s\"", chal != NULL ? chal : "(none)");
	note_secret("challenge", chal);
	json_incref(pk);
	hc_resp_reset(&r);
	return pk;
}

json_t *
make_registration(sk_key *k, const char *challenge, const sk_reg_opts *o)
{
	sk_reg_opts a;

	if (o != NULL)
		a = *o;
	else
		memset(&a, 0, sizeof(a));
	if (a.origin == NULL)
		a.origin = E.bridge;
	if (a.rp_id == NULL)
		a.rp_id = RP_ID;
	a.challenge = challenge;
	return sk_registration(k, &a);
}

void
enrol(const char *user, sk_key *k, const char *nick)
{
	char *link = enrol_link(user);
	hc_browser *b = browser();
	hc_resp r = { 0 };
	json_t *pk;

	bget(b, link, &r);
	REQUIRE_STATUS(&r, 200);
	pk = reg_options(b);
	REQUIREF(sk_key_set_user_handle(k, json_string_value(json_object_get(json_object_get(pk, "user"), "id"))) == 0,
	    "register options: no usable user.id");
	bpostj(b, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(k, json_string_value(json_object_get(pk, "challenge")), NULL), "nickname", nick), &r);
	REQUIRE_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/enrolled");
	json_decref(pk);
	hc_resp_reset(&r);
	hc_browser_free(b);
	free(link);
}

/* ---- the directory ---- */

json_t *
user_show(const char *user)
{
	const char *argv[] = { E.bridgectl, "user", "show", user, "--config", E.config, NULL };
	char *err = NULL, *out;
	json_error_t je;
	json_t *j;
	int st;

	out = run(argv, NULL, &st, &err);
	REQUIREF(st == 0, "bridgectl user show %s: exit %d: %s", user, st, err);
	j = json_loads(out, 0, &je);
	REQUIREF(json_is_object(j), "bridgectl user show %s: not JSON: %s", user, out);
	free(out);
	free(err);
	return j;
}

json_t *
user_cred(json_t *show, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(show, "credentials"), i, c)
		if (json_string_value(json_object_get(c, "id")) != NULL && strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return c;
	return NULL;
}

size_t
user_ncreds(const char *user)
{
	json_t *u = user_show(user);
	size_t n = json_array_size(json_object_get(u, "credentials"));

	json_decref(u);
	return n;
}

char *
user_creds_text(const char *user)
{
	json_t *u = user_show(user);
	char *s = json_dumps(json_object_get(u, "credentials"), JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(u);
	return s;
}

char *
ldap_search(const char *base, const char *filter, const char *attr)
{
	const char *argv[] = { "ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", E.ldap_uri, "-D", E.admin_dn, "-w",
		E.admin_pw, "-b", base, filter, attr, NULL };
	char *err = NULL, *out;
	int st;

	out = run(argv, NULL, &st, &err);
	/* 32: no such object (the base is gone) counts as nothing found */
	REQUIREF(st == 0 || st == 32, "ldapsearch -b %s %s: exit %d: %s", base, filter, st, err);
	free(err);
	return out;
}

void
ldap_modify(const char *ldif)
{
	const char *argv[] = { "ldapmodify", "-x", "-H", E.ldap_uri, "-D", E.admin_dn, "-w", E.admin_pw, NULL };
	char *err = NULL, *out;
	int st;

	out = run(argv, ldif, &st, &err);
	REQUIREF(st == 0, "ldapmodify: exit %d: %s\n%s", st, err, ldif);
	free(out);
	free(err);
}

void
make_user(const char *uid, const char *display)
{
	char *ldif = xfmt("dn: uid=%s,%s\nchangetype: add\nobjectClass: top\nobjectClass: person\n"
			  "objectClass: organizationalPerson\nobjectClass: inetOrgPerson\nobjectClass: eduPerson\n"
			  "uid: %s\ncn: %s\nsn: Test\ndisplayName: %s\nmail: %s@example.edu\n"
			  "eduPersonPrincipalName: %s@example.edu\neduPersonAffiliation: member\n\n",
	    uid, E.people, uid, display, display, uid, uid);

	ldap_modify(ldif);
	free(ldif);
}

char *
b64std(const unsigned char *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out == NULL)
		exit(99);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

unsigned char *
b64std_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), pad = 0;
	unsigned char *out = malloc(len + 1);
	int k;

	if (out == NULL || len % 4 != 0 || (k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len)) < 0) {
		free(out);
		return NULL;
	}
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	*n = (size_t)k - pad;
	return out;
}

/* ---- memcached (text protocol, meta commands) ---- */

static int
mc_connect(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	REQUIRE(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIREF(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "memcached on port %d: %s", port, strerror(errno));
	return fd;
}

/* "mg KEY v t": the value (malloc'd) or NULL; *ttl the remaining TTL. */
static char *
mc_get_one(int port, const char *key, long *ttl)
{
	char req[512], buf[65536 + 512];
	size_t len = 0;
	int fd = mc_connect(port);
	char *out = NULL;

	snprintf(req, sizeof(req), "mg %s v t\r\n", key);
	REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *eol;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if ((eol = strstr(buf, "\r\n")) == NULL)
			continue;
		if (strncmp(buf, "VA ", 3) != 0)
			break; /* EN (miss) or an error line */
		{
			size_t size = strtoul(buf + 3, NULL, 10);
			char *t = strstr(buf, " t");
			if (len >= (size_t)(eol - buf) + 2 + size + 2) {
				out = malloc(size + 1);
				memcpy(out, eol + 2, size);
				out[size] = '\0';
				if (ttl != NULL)
					*ttl = t != NULL && t < eol ? strtol(t + 2, NULL, 10) : -2;
				break;
			}
		}
	}
	close(fd);
	return out;
}

/* "md KEY": 1 deleted, 0 not found. */
static int
mc_delete_one(int port, const char *key)
{
	char req[512], buf[256];
	size_t len = 0;
	int fd = mc_connect(port);

	snprintf(req, sizeof(req), "md %s\r\n", key);
	REQUIRE(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	REQUIREF(strncmp(buf, "HD", 2) == 0 || strncmp(buf, "NF", 2) == 0, "memcached md %s: %s", key, buf);
	return strncmp(buf, "HD", 2) == 0;
}

static int
mc_ports(int out[8])
{
	char *ports = strdup(E.mc_ports), *save = NULL, *p;
	int n = 0;

	for (p = strtok_r(ports, " ,", &save); p != NULL && n < 8; p = strtok_r(NULL, " ,", &save))
		out[n++] = atoi(p);
	free(ports);
	return n;
}

char *
mc_lookup(const char *key, int *copies, long *ttl)
{
	char *full = xfmt("%s%s", E.prefix, key), *found = NULL;
	int ports[8], n = mc_ports(ports), i;

	*copies = 0;
	for (i = 0; i < n; i++) {
		long t = -2;
		char *v = mc_get_one(ports[i], full, &t);
		if (v == NULL)
			continue;
		(*copies)++;
		if (found == NULL) {
			found = v;
			if (ttl != NULL)
				*ttl = t;
		} else {
			free(v);
		}
	}
	free(full);
	return found;
}

char *
shim_take(const char *key)
{
	char *full = xfmt("%s%s", E.prefix, key), *found = NULL;
	int ports[8], n = mc_ports(ports), had[8], i, won = 1, any = 0;

	/* every server first, then delete wherever it was: the winner deletes them all */
	for (i = 0; i < n; i++) {
		char *v = mc_get_one(ports[i], full, NULL);
		had[i] = v != NULL;
		any |= had[i];
		if (v != NULL && found == NULL)
			found = v;
		else
			free(v);
	}
	for (i = 0; i < n; i++)
		if (had[i] && !mc_delete_one(ports[i], full))
			won = 0;
	free(full);
	if (!any || !won) {
		free(found);
		return NULL;
	}
	return found;
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
