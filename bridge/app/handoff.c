#include "handoff.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "../core/text.h"

#define CONVERSATION_MAX 64
#define STATE_MIN 22   /* 128 bits in base64url */
#define STATE_MAX 128
#define RETURN_MAX 2048
#define ENTITY_MAX 1024

void
br_secrets_wipe(br_secrets *s)
{
	if (s->cur != NULL)
		OPENSSL_clear_free(s->cur, s->cur_len);
	if (s->prev != NULL)
		OPENSSL_clear_free(s->prev, s->prev_len);
	memset(s, 0, sizeof(*s));
}

const char *
br_handoff_rc_name(br_handoff_rc rc)
{
	switch (rc) {
	case BR_HANDOFF_OK:
		return "ok";
	case BR_HANDOFF_MISSING:
		return "missing_parameter";
	case BR_HANDOFF_MALFORMED:
		return "malformed_parameter";
	case BR_HANDOFF_BAD_SIGNATURE:
		return "bad_signature";
	case BR_HANDOFF_STALE:
		return "stale_timestamp";
	case BR_HANDOFF_RETURN_REFUSED:
		return "return_not_allowed";
	}
	return "unknown";
}

/* The HMAC implementation, fetched once: a fetch per start and per ticket costs a lookup each. */
static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_fetch(void)
{
	hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* HMAC-SHA256 over the parts joined by "\n", base64url into out. */
static int
hmac_lines(const unsigned char *key, size_t key_len, const char *const *parts, size_t n,
    char out[BR_HANDOFF_SIG_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0, i;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int rc = -1;

	if (key == NULL || key_len == 0)
		return -1;
	if (pthread_once(&hmac_once, hmac_fetch) != 0 || hmac_impl == NULL ||
	    (ctx = EVP_MAC_CTX_new(hmac_impl)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)(uintptr_t)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if (i > 0 && EVP_MAC_update(ctx, (const unsigned char *)"\n", 1) != 1)
			goto out;
		if (EVP_MAC_update(ctx, (const unsigned char *)parts[i], strlen(parts[i])) != 1)
			goto out;
	}
	if (EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) != 1 || maclen != 32)
		goto out;
	br_b64url_encode(mac, maclen, out);
	rc = 0;
out:
	br_wipe(mac, sizeof(mac));
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/*
 * The signed lines of a start: the label and seven values, then "principal=<value>" and
 * "sp_name=<value>" for those present, in that order. No value holds "\n", so
 * the line count and the names say which are there. The optional lines are
 * written into the caller's buffers (their rules bound the length).
 */
#define START_PARTS_MAX 10
struct start_lines {
	const char *parts[START_PARTS_MAX];
	size_t n;
	char principal[sizeof("principal=") + BR_HANDOFF_PRINCIPAL_MAX];
	char sp_name[sizeof("sp_name=") + BR_HANDOFF_SP_NAME_MAX];
};

/* 1..max bytes of strict UTF-8 without control characters (section 1.1). */
static int
optional_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && br_utf8_ok((const unsigned char *)s, n, 1, NULL);
}

/* A principal as the IdP's UsernamePrincipal keeps it: not blank at either end. */
static int
principal_ok(const char *s)
{
	size_t n = strlen(s);

	return optional_ok(s, BR_HANDOFF_PRINCIPAL_MAX) && s[0] != ' ' && s[n - 1] != ' ';
}

static int
start_lines(const br_handoff_start *s, const br_handoff_ext *x, struct start_lines *l)
{
	static const br_handoff_ext none = { NULL, NULL };

	l->parts[0] = BR_HANDOFF_START_LABEL;
	l->parts[1] = s->conversation;
	l->parts[2] = s->state;
	l->parts[3] = s->return_url;
	l->parts[4] = s->entity;
	l->parts[5] = s->force;
	l->parts[6] = s->passive;
	l->parts[7] = s->ts;
	for (int i = 1; i < 8; i++)
		if (l->parts[i] == NULL || strchr(l->parts[i], '\n') != NULL)
			return -1;
	l->n = 8;
	if (x == NULL)
		x = &none;
	if (x->principal != NULL) {
		if (!principal_ok(x->principal))
			return -1;
		snprintf(l->principal, sizeof(l->principal), "principal=%s", x->principal);
		l->parts[l->n++] = l->principal;
	}
	if (x->sp_name != NULL) {
		if (!optional_ok(x->sp_name, BR_HANDOFF_SP_NAME_MAX))
			return -1;
		snprintf(l->sp_name, sizeof(l->sp_name), "sp_name=%s", x->sp_name);
		l->parts[l->n++] = l->sp_name;
	}
	return 0;
}

int
br_handoff_sign_start_ext(const br_handoff_start *s, const br_handoff_ext *x, const unsigned char *key,
    size_t key_len, char out[BR_HANDOFF_SIG_LEN + 1])
{
	struct start_lines l;

	if (start_lines(s, x, &l) < 0)
		return -1;
	return hmac_lines(key, key_len, l.parts, l.n, out);
}

int
br_handoff_sign_start(const br_handoff_start *s, const unsigned char *key, size_t key_len,
    char out[BR_HANDOFF_SIG_LEN + 1])
{
	return br_handoff_sign_start_ext(s, NULL, key, key_len, out);
}

static int
only_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* No control characters, spaces or fragments: what a shim's URL never has. */
static int
url_clean(const char *s)
{
	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '#' || *s == '\\')
			return 0;
	return 1;
}

static int
sig_matches(const char *expected, const char *given)
{
	return br_ct_equal(expected, strlen(expected), given, strlen(given));
}

br_handoff_rc
br_handoff_check_start_ext(const br_handoff_start *s, const br_handoff_ext *x, const br_secrets *secrets,
    int64_t now, int skew_s, char *const *return_prefixes, size_t n_prefixes)
{
	char want[BR_HANDOFF_SIG_LEN + 1];
	struct start_lines l;
	long long ts;
	char *end;
	size_t i, n;
	int ok = 0;

	if (s->conversation == NULL || s->state == NULL || s->return_url == NULL || s->entity == NULL ||
	    s->force == NULL || s->passive == NULL || s->ts == NULL || s->sig == NULL)
		return BR_HANDOFF_MISSING;
	n = strlen(s->conversation);
	if (n == 0 || n > CONVERSATION_MAX || !only_chars(s->conversation, "._-"))
		return BR_HANDOFF_MALFORMED;
	n = strlen(s->state);
	if (n < STATE_MIN || n > STATE_MAX || !only_chars(s->state, "_-"))
		return BR_HANDOFF_MALFORMED;
	if (strlen(s->return_url) > RETURN_MAX || !url_clean(s->return_url))
		return BR_HANDOFF_MALFORMED;
	if (strlen(s->entity) > ENTITY_MAX || strchr(s->entity, '\n') != NULL)
		return BR_HANDOFF_MALFORMED;
	if ((strcmp(s->force, "0") != 0 && strcmp(s->force, "1") != 0) ||
	    (strcmp(s->passive, "0") != 0 && strcmp(s->passive, "1") != 0))
		return BR_HANDOFF_MALFORMED;
	if (strlen(s->ts) == 0 || strlen(s->ts) > 12 || !only_chars(s->ts, "") ||
	    strspn(s->ts, "0123456789") != strlen(s->ts))
		return BR_HANDOFF_MALFORMED;
	if (strlen(s->sig) != BR_HANDOFF_SIG_LEN || !only_chars(s->sig, "_-"))
		return BR_HANDOFF_MALFORMED;
	/* present means signed: an empty or ill-formed optional value is refused, never ignored */
	if (x != NULL && ((x->principal != NULL && !principal_ok(x->principal)) ||
	    (x->sp_name != NULL && !optional_ok(x->sp_name, BR_HANDOFF_SP_NAME_MAX))))
		return BR_HANDOFF_MALFORMED;

	/* the signature first: nothing unsigned steers what follows */
	if (start_lines(s, x, &l) < 0)
		return BR_HANDOFF_MALFORMED;
	if (hmac_lines(secrets->cur, secrets->cur_len, l.parts, l.n, want) == 0)
		ok |= sig_matches(want, s->sig);
	if (secrets->prev_len > 0 && hmac_lines(secrets->prev, secrets->prev_len, l.parts, l.n, want) == 0)
		ok |= sig_matches(want, s->sig);
	br_wipe(want, sizeof(want));
	if (!ok)
		return BR_HANDOFF_BAD_SIGNATURE;

	errno = 0;
	ts = strtoll(s->ts, &end, 10);
	if (errno != 0 || *end != '\0')
		return BR_HANDOFF_MALFORMED;
	if (ts < now - skew_s || ts > now + skew_s)
		return BR_HANDOFF_STALE;

	for (i = 0; i < n_prefixes; i++)
		if (strncmp(s->return_url, return_prefixes[i], strlen(return_prefixes[i])) == 0)
			return BR_HANDOFF_OK;
	return BR_HANDOFF_RETURN_REFUSED;
}

br_handoff_rc
br_handoff_check_start(const br_handoff_start *s, const br_secrets *secrets, int64_t now,
    int skew_s, char *const *return_prefixes, size_t n_prefixes)
{
	return br_handoff_check_start_ext(s, NULL, secrets, now, skew_s, return_prefixes, n_prefixes);
}

char *
br_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *out;

	if (n > (SIZE_MAX - 1) / 3 || (out = malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

char *
br_handoff_return(const char *return_url, const char *conversation, const char *state,
    const char *key, const char *value)
{
	char *c = br_url_encode(conversation), *st = br_url_encode(state), *v = br_url_encode(value);
	char *out = NULL;
	size_t len;

	if (c != NULL && st != NULL && v != NULL) {
		len = strlen(return_url) + strlen(c) + strlen(st) + strlen(key) + strlen(v) + 32;
		if ((out = malloc(len)) != NULL)
			snprintf(out, len, "%s%cconversation=%s&state=%s&%s=%s", return_url,
			    strchr(return_url, '?') != NULL ? '&' : '?', c, st, key, v);
	}
	free(c);
	free(st);
	if (v != NULL)
		br_wipe(v, strlen(v));
	free(v);
	return out;
}

/* The MAC'd lines of a record, in their order; NULL values and newlines refused. */
#define TICKET_LINES 14
struct ticket_lines {
	const char *parts[TICKET_LINES];
	char *owned[TICKET_LINES];      /* the "name=value" lines, malloc'd */
};

static void
ticket_lines_free(struct ticket_lines *l)
{
	for (int i = 0; i < TICKET_LINES; i++) {
		if (l->owned[i] != NULL)
			br_wipe(l->owned[i], strlen(l->owned[i]));
		free(l->owned[i]);
		l->owned[i] = NULL;
	}
}

static int
ticket_line(struct ticket_lines *l, int i, const char *name, const char *value)
{
	size_t n;

	if (value == NULL || strchr(value, '\n') != NULL)
		return -1;
	n = strlen(name) + 1 + strlen(value) + 1;
	if ((l->owned[i] = malloc(n)) == NULL)
		return -1;
	snprintf(l->owned[i], n, "%s=%s", name, value);
	l->parts[i] = l->owned[i];
	return 0;
}

static int
ticket_lines(const char *ticket, const br_ticket_fields *f, struct ticket_lines *l)
{
	char inst[24], exp[24];
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (f->auth_instant < 0 || f->expires < 0)
		return -1;
	snprintf(inst, sizeof(inst), "%" PRId64, f->auth_instant);
	snprintf(exp, sizeof(exp), "%" PRId64, f->expires);
	l->parts[0] = BR_HANDOFF_TICKET_LABEL;
	rc |= ticket_line(l, 1, "ticket", ticket);
	rc |= ticket_line(l, 2, "principal", f->principal);
	rc |= ticket_line(l, 3, "conversation", f->conversation);
	rc |= ticket_line(l, 4, "state", f->state);
	rc |= ticket_line(l, 5, "entity", f->entity != NULL ? f->entity : "");
	rc |= ticket_line(l, 6, "auth_instant", inst);
	rc |= ticket_line(l, 7, "expires", exp);
	rc |= ticket_line(l, 8, "uv", f->uv ? "1" : "0");
	rc |= ticket_line(l, 9, "be", f->be ? "1" : "0");
	rc |= ticket_line(l, 10, "bs", f->bs ? "1" : "0");
	rc |= ticket_line(l, 11, "mfa", f->mfa ? "1" : "0");
	rc |= ticket_line(l, 12, "credential_id", f->credential_id);
	rc |= ticket_line(l, 13, "aaguid", f->aaguid != NULL ? f->aaguid : "");
	if (rc != 0) {
		ticket_lines_free(l);
		return -1;
	}
	return 0;
}

int
br_ticket_mac(const unsigned char *key, size_t key_len, const char *ticket, const br_ticket_fields *f,
    char out[BR_HANDOFF_SIG_LEN + 1])
{
	struct ticket_lines l;
	int rc;

	if (ticket_lines(ticket, f, &l) < 0)
		return -1;
	rc = hmac_lines(key, key_len, l.parts, TICKET_LINES, out);
	ticket_lines_free(&l);
	return rc;
}

json_t *
br_ticket_record(const char *ticket, const br_ticket_fields *f, const br_secrets *secrets)
{
	char mac[BR_HANDOFF_SIG_LEN + 1];
	json_t *attrs;

	if (br_ticket_mac(secrets->cur, secrets->cur_len, ticket, f, mac) < 0)
		return NULL;
	attrs = f->attributes != NULL ? json_incref(f->attributes) : json_object();
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:b, s:s, s:s, s:o, s:s}",
	    "v", BR_TICKET_VERSION,
	    "principal", f->principal, "conversation", f->conversation, "state", f->state,
	    "entity", f->entity != NULL ? f->entity : "", "auth_instant", (json_int_t)f->auth_instant, "expires", (json_int_t)f->expires,
	    "uv", f->uv, "be", f->be, "bs", f->bs, "mfa", f->mfa,
	    "credential_id", f->credential_id, "aaguid", f->aaguid != NULL ? f->aaguid : "",
	    "attributes", attrs,
	    "mac", mac);
}

/* A record's fields, strictly typed: -1 when one is missing or of another type. */
static int
ticket_fields_of(const json_t *r, br_ticket_fields *f, const char **mac)
{
	const json_t *v = json_object_get(r, "v"), *ai = json_object_get(r, "auth_instant"),
		     *ex = json_object_get(r, "expires");
	const char *flags[4] = { "uv", "be", "bs", "mfa" };
	int *dst[4] = { &f->uv, &f->be, &f->bs, &f->mfa };

	memset(f, 0, sizeof(*f));
	if (!json_is_object(r) || !json_is_integer(v) || json_integer_value(v) != BR_TICKET_VERSION ||
	    !json_is_integer(ai) || !json_is_integer(ex) || json_integer_value(ai) < 0 || json_integer_value(ex) < 0)
		return -1;
	f->principal = json_string_value(json_object_get(r, "principal"));
	f->conversation = json_string_value(json_object_get(r, "conversation"));
	f->state = json_string_value(json_object_get(r, "state"));
	f->entity = json_string_value(json_object_get(r, "entity"));
	f->credential_id = json_string_value(json_object_get(r, "credential_id"));
	f->aaguid = json_string_value(json_object_get(r, "aaguid"));
	*mac = json_string_value(json_object_get(r, "mac"));
	if (f->principal == NULL || f->conversation == NULL || f->state == NULL || f->entity == NULL ||
	    f->credential_id == NULL || f->aaguid == NULL || *mac == NULL)
		return -1;
	f->auth_instant = json_integer_value(ai);
	f->expires = json_integer_value(ex);
	for (int i = 0; i < 4; i++) {
		const json_t *b = json_object_get(r, flags[i]);
		if (!json_is_boolean(b))
			return -1;
		*dst[i] = json_is_true(b);
	}
	return 0;
}

int
br_ticket_verify(const json_t *record, const char *ticket, const char *conversation, const char *state,
    const br_secrets *secrets, int64_t now, int skew_s, const char **why)
{
	char want[BR_HANDOFF_SIG_LEN + 1];
	br_ticket_fields f;
	const char *mac = NULL;
	int ok = 0;

	*why = "malformed";
	if (ticket_fields_of(record, &f, &mac) < 0)
		return -1;
	if (br_ticket_mac(secrets->cur, secrets->cur_len, ticket, &f, want) == 0)
		ok |= br_ct_equal(want, strlen(want), mac, strlen(mac));
	if (secrets->prev_len > 0 && br_ticket_mac(secrets->prev, secrets->prev_len, ticket, &f, want) == 0)
		ok |= br_ct_equal(want, strlen(want), mac, strlen(mac));
	br_wipe(want, sizeof(want));
	if (!ok) {
		*why = "bad_mac";
		return -1;
	}
	if (strcmp(f.conversation, conversation) != 0) {
		*why = "conversation_mismatch";
		return -1;
	}
	if (!br_ct_equal(f.state, strlen(f.state), state, strlen(state))) {
		*why = "state_mismatch";
		return -1;
	}
	if (now > f.expires + skew_s) {
		*why = "expired";
		return -1;
	}
	if (f.auth_instant > now + skew_s) {
		*why = "future";
		return -1;
	}
	*why = "ok";
	return 0;
}
