/*
 * The handoff protocol: start signatures (with and without the optional
 * principal and sp_name), every start rule, return URLs, ticket MACs over
 * every field, the two labels kept apart, and the cross-language known
 * answers of tests/handoff/known-answers-v2.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/app/handoff.h"
#include "../integration/check.h"

#define KEY "test-secret-0123456789"
#define OLD "old-secret-9876543210"
/*
 * known answers computed with: printf 'fido-bridge start v2\n...' | openssl dgst -sha256 -hmac KEY -binary | base64url
 * (the ticket's cross-language vector is tests/handoff/known-answers-v2.txt, read by known_answers())
 */
#define START_SIG "2yviniWc6nx5npbrric19Fx_9J00mr0rk2SCgwo-Dzo"
/* the same start with "\nprincipal=alice", "\nsp_name=..." and both appended to M */
#define START_P_SIG "soMBCAuc4Gd_3u1VVsNKcINGAEdfJJVx8HUtBZe-iG8"
#define START_N_SIG "nV9JscmFfP-bLzJoLUZ8fl8LH1Y9PYBrjSIYm5LMaec"
#define START_PN_SIG "Wwmoi5TIyFd6-_FpVQpF_d1icD216Ni8_IcEyHQKzOc"
/* what v1 (label "v1") signed for good_start(): refused now */
#define START_V1_SIG "ku520ll4waHhQc4JeUnR7mjOxq6X11LfeMcrCdzRFSM"
#define SP_NAME "\xe3\x83\xa0\xe3\x83\xbc\xe3\x83\x89\xe3\x83\xab (Moodle)" /* "ムードル (Moodle)" */
#define NOW 1767225600

static char prefix0[] = "https://idp.example.edu/idp/Authn/fido/";
static char *prefixes[] = { prefix0 };

static br_secrets
secrets(const char *cur, const char *prev)
{
	br_secrets s = { NULL, 0, NULL, 0 };

	s.cur = (unsigned char *)strdup(cur);
	s.cur_len = strlen(cur);
	if (prev != NULL) {
		s.prev = (unsigned char *)strdup(prev);
		s.prev_len = strlen(prev);
	}
	return s;
}

static br_handoff_start
good_start(void)
{
	br_handoff_start s = {
		.conversation = "e1s2",
		.state = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		.return_url = "https://idp.example.edu/idp/Authn/fido/finish",
		.entity = "https://sp.example.org/shibboleth",
		.force = "0", .passive = "0", .ts = "1767225600", .sig = START_SIG,
	};
	return s;
}

static br_handoff_rc
check(const br_handoff_start *s, const br_secrets *sec)
{
	return br_handoff_check_start(s, sec, NOW, 120, prefixes, 1);
}

/* ---- the shared vector file: "name=value" lines ---- */

#define KAT_MAX 64
static struct { char *name, *value; } kat_v[KAT_MAX];
static int kat_n;

static void
kat_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '='), *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (line[0] == '#' || eq == NULL)
			continue;
		CHECK(kat_n < KAT_MAX);
		*eq = '\0';
		kat_v[kat_n].name = strdup(line);
		kat_v[kat_n].value = strdup(eq + 1);
		kat_n++;
	}
	fclose(f);
}

static const char *
kat(const char *name)
{
	for (int i = 0; i < kat_n; i++)
		if (strcmp(kat_v[i].name, name) == 0)
			return kat_v[i].value;
	fprintf(stderr, "known-answers file: no %s\n", name);
	CHECK(0);
	return NULL;
}

static void
kat_free(void)
{
	for (int i = 0; i < kat_n; i++) {
		free(kat_v[i].name);
		free(kat_v[i].value);
	}
	kat_n = 0;
}

static br_ticket_fields
kat_fields(void)
{
	br_ticket_fields f = {
		.principal = kat("principal"), .conversation = kat("conversation"), .state = kat("state"),
		.entity = kat("entity"), .auth_instant = atoll(kat("auth_instant")), .expires = atoll(kat("expires")),
		.uv = atoi(kat("uv")), .be = atoi(kat("be")), .bs = atoi(kat("bs")), .mfa = atoi(kat("mfa")),
		.credential_id = kat("credential_id"), .aaguid = kat("aaguid"), .attributes = NULL,
	};
	return f;
}

static void
known_answers(void)
{
	br_secrets k = secrets(KEY, NULL), v = secrets(kat("secret"), NULL);
	br_handoff_start s = good_start();
	br_ticket_fields f = kat_fields();
	br_handoff_ext x = { kat("principal"), NULL };
	char sig[BR_HANDOFF_SIG_LEN + 1], mac[BR_HANDOFF_SIG_LEN + 1];

	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	CHECK(strcmp(sig, START_SIG) == 0);
	/* the vectors the Java shim and OpenSSL check too */
	CHECK(br_ticket_mac(v.cur, v.cur_len, kat("ticket"), &f, mac) == 0);
	if (strcmp(mac, kat("ticket_mac")) != 0)
		fprintf(stderr, "ticket mac %s, the vector says %s\n", mac, kat("ticket_mac"));
	CHECK(strcmp(mac, kat("ticket_mac")) == 0);
	s.conversation = kat("conversation");
	s.state = kat("state");
	s.return_url = kat("return");
	s.entity = kat("entity");
	s.ts = kat("auth_instant");
	CHECK(br_handoff_sign_start(&s, v.cur, v.cur_len, sig) == 0 && strcmp(sig, kat("start_sig")) == 0);
	CHECK(br_handoff_sign_start_ext(&s, &x, v.cur, v.cur_len, sig) == 0 && strcmp(sig, kat("start_p_sig")) == 0);
	br_secrets_wipe(&k);
	br_secrets_wipe(&v);
}

static void
start_rules(void)
{
	br_secrets k = secrets(KEY, NULL), rotated = secrets("new-secret", KEY), wrong = secrets("other", NULL);
	br_handoff_start s = good_start();
	char sig[BR_HANDOFF_SIG_LEN + 1];

	CHECK(check(&s, &k) == BR_HANDOFF_OK);
	/* the previous secret still verifies during a rotation */
	CHECK(check(&s, &rotated) == BR_HANDOFF_OK);
	CHECK(check(&s, &wrong) == BR_HANDOFF_BAD_SIGNATURE);
	/* what a v1 shim signs (first line "v1") is no longer a start */
	s.sig = START_V1_SIG;
	CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);

	/* each signed field is covered: changing any breaks the signature */
	s = good_start(); s.conversation = "e1s3"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.state = "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.return_url = "https://idp.example.edu/idp/Authn/fido/finish2"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.entity = ""; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.force = "1"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.passive = "1"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.ts = "1767225601"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.sig = "2yviniWc6nx5npbrric19Fx_9J00mr0rk2SCgwo-Dzp"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);

	/* missing and malformed */
	s = good_start(); s.sig = NULL; CHECK(check(&s, &k) == BR_HANDOFF_MISSING);
	s = good_start(); s.entity = NULL; CHECK(check(&s, &k) == BR_HANDOFF_MISSING);
	s = good_start(); s.sig = "short"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.state = "tooshort"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.conversation = "e1s2\nx"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.conversation = ""; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.force = "yes"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.ts = "-5"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.return_url = "javascript:alert(1)"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.return_url = "https://idp.example.edu/idp/Authn/fido/finish#x"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);
	s = good_start(); s.entity = "a\nb"; CHECK(check(&s, &k) == BR_HANDOFF_MALFORMED);

	/* stale or future ts, correctly signed */
	s = good_start(); s.ts = "1767225000";
	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	s.sig = sig;
	CHECK(check(&s, &k) == BR_HANDOFF_STALE);
	s.ts = "1767226000";
	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	CHECK(check(&s, &k) == BR_HANDOFF_STALE);

	/* a foreign return, correctly signed (a leaked secret must not make an open redirect... still refused) */
	s = good_start(); s.return_url = "https://idp.example.edu.evil.org/idp/Authn/fido/finish";
	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	s.sig = sig;
	CHECK(check(&s, &k) == BR_HANDOFF_RETURN_REFUSED);
	s.return_url = "https://idp.example.edu/idp/profile/other";
	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	CHECK(check(&s, &k) == BR_HANDOFF_RETURN_REFUSED);

	br_secrets_wipe(&k);
	br_secrets_wipe(&rotated);
	br_secrets_wipe(&wrong);
	CHECK(k.cur == NULL && k.cur_len == 0);
}

static br_handoff_rc
check_x(const br_handoff_start *s, const char *principal, const char *sp_name, const br_secrets *sec)
{
	br_handoff_ext x = { principal, sp_name };

	return br_handoff_check_start_ext(s, &x, sec, NOW, 120, prefixes, 1);
}

static int
sign_x(const br_handoff_start *s, const char *principal, const char *sp_name, const br_secrets *k,
    char sig[BR_HANDOFF_SIG_LEN + 1])
{
	br_handoff_ext x = { principal, sp_name };

	return br_handoff_sign_start_ext(s, &x, k->cur, k->cur_len, sig);
}

/* The optional signed values: covered by the signature, refused when ill-formed, absent leaves M as without them. */
static void
optional_values(void)
{
	br_secrets k = secrets(KEY, NULL), rotated = secrets("new-secret", KEY);
	br_handoff_start s = good_start();
	char sig[BR_HANDOFF_SIG_LEN + 1], big[BR_HANDOFF_SP_NAME_MAX + 2];
	size_t i;

	/* known answers, each value signed */
	CHECK(sign_x(&s, "alice", NULL, &k, sig) == 0 && strcmp(sig, START_P_SIG) == 0);
	CHECK(sign_x(&s, NULL, SP_NAME, &k, sig) == 0 && strcmp(sig, START_N_SIG) == 0);
	CHECK(sign_x(&s, "alice", SP_NAME, &k, sig) == 0 && strcmp(sig, START_PN_SIG) == 0);
	CHECK(sign_x(&s, NULL, NULL, &k, sig) == 0 && strcmp(sig, START_SIG) == 0);
	s.sig = START_P_SIG;
	CHECK(check_x(&s, "alice", NULL, &k) == BR_HANDOFF_OK);
	CHECK(check_x(&s, "alice", NULL, &rotated) == BR_HANDOFF_OK);
	s.sig = START_N_SIG;
	CHECK(check_x(&s, NULL, SP_NAME, &k) == BR_HANDOFF_OK);
	s.sig = START_PN_SIG;
	CHECK(check_x(&s, "alice", SP_NAME, &k) == BR_HANDOFF_OK);

	/* an old shim's start (no optional value) is signed as before, with either function */
	s = good_start();
	CHECK(check_x(&s, NULL, NULL, &k) == BR_HANDOFF_OK);
	CHECK(br_handoff_check_start_ext(&s, NULL, &k, NOW, 120, prefixes, 1) == BR_HANDOFF_OK);
	/* ... and an optional value added to it is unsigned: refused */
	CHECK(check_x(&s, "alice", NULL, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check_x(&s, NULL, "Moodle", &k) == BR_HANDOFF_BAD_SIGNATURE);
	/* dropped, changed or swapped: refused */
	s.sig = START_P_SIG;
	CHECK(check_x(&s, NULL, NULL, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE); /* a bridge that ignores the value refuses too */
	CHECK(check_x(&s, "mallory", NULL, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check_x(&s, "Alice", NULL, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check_x(&s, "alice", "Moodle", &k) == BR_HANDOFF_BAD_SIGNATURE);
	/* one value cannot pose as the other ("principal=x" is not "sp_name=x") */
	CHECK(check_x(&s, NULL, "alice", &k) == BR_HANDOFF_BAD_SIGNATURE);
	s.sig = START_PN_SIG;
	CHECK(check_x(&s, "alice", NULL, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check_x(&s, NULL, SP_NAME, &k) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(check_x(&s, SP_NAME, "alice", &k) == BR_HANDOFF_BAD_SIGNATURE);
	/* the base fields stay covered with the values present */
	s.entity = "";
	CHECK(check_x(&s, "alice", SP_NAME, &k) == BR_HANDOFF_BAD_SIGNATURE);

	/* present means it follows its rule, before the signature is even looked at */
	{
		const char *bad_principals[] = { "", " alice", "alice ", "al\nice", "al\x01ice", "al\x7f", "\xc3\x28",
			"\xed\xa0\x80", "a\xc2\x85" /* C1 NEL */ };
		const char *bad_names[] = { "", "Moo\ndle", "Moo\tdle", "\xff", "\xc0\xaf" };
		s = good_start();
		for (i = 0; i < sizeof(bad_principals) / sizeof(bad_principals[0]); i++) {
			CHECK(check_x(&s, bad_principals[i], NULL, &k) == BR_HANDOFF_MALFORMED);
			CHECK(sign_x(&s, bad_principals[i], NULL, &k, sig) == -1);
		}
		for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
			CHECK(check_x(&s, NULL, bad_names[i], &k) == BR_HANDOFF_MALFORMED);
			CHECK(sign_x(&s, NULL, bad_names[i], &k, sig) == -1);
		}
	}
	/* the length limits, at and one past */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = good_start();
	CHECK(check_x(&s, NULL, big, &k) == BR_HANDOFF_MALFORMED);
	big[BR_HANDOFF_SP_NAME_MAX] = '\0';
	CHECK(sign_x(&s, NULL, big, &k, sig) == 0);
	s.sig = sig;
	CHECK(check_x(&s, NULL, big, &k) == BR_HANDOFF_OK);
	s = good_start();
	big[BR_HANDOFF_PRINCIPAL_MAX + 1] = '\0';
	CHECK(check_x(&s, big, NULL, &k) == BR_HANDOFF_MALFORMED);
	big[BR_HANDOFF_PRINCIPAL_MAX] = '\0';
	CHECK(sign_x(&s, big, NULL, &k, sig) == 0);
	s.sig = sig;
	CHECK(check_x(&s, big, NULL, &k) == BR_HANDOFF_OK);
	/* inner spaces and non-ASCII text are fine */
	s = good_start();
	CHECK(sign_x(&s, "d\xc3\xbcrer smith", "Service \xe2\x80\x94 caf\xc3\xa9", &k, sig) == 0);
	s.sig = sig;
	CHECK(check_x(&s, "d\xc3\xbcrer smith", "Service \xe2\x80\x94 caf\xc3\xa9", &k) == BR_HANDOFF_OK);
	/* the other rules still apply: a stale start with valid values is stale */
	s.ts = "1767225000";
	CHECK(sign_x(&s, "alice", NULL, &k, sig) == 0);
	CHECK(check_x(&s, "alice", NULL, &k) == BR_HANDOFF_STALE);

	br_secrets_wipe(&k);
	br_secrets_wipe(&rotated);
}

static void
return_urls(void)
{
	char *u = br_handoff_return("https://idp.example.edu/finish", "e1s2", "st&=x", "ticket", "T+/ ");

	CHECK(u != NULL && strcmp(u, "https://idp.example.edu/finish?conversation=e1s2&state=st%26%3Dx&ticket=T%2B%2F%20") == 0);
	free(u);
	u = br_handoff_return("https://idp.example.edu/finish?a=1", "e1s2", "s", "error", "NoPassive");
	CHECK(u != NULL && strcmp(u, "https://idp.example.edu/finish?a=1&conversation=e1s2&state=s&error=NoPassive") == 0);
	free(u);
}

/* A record from the vector file, signed with its secret (what the bridge writes). */
static json_t *
kat_record(const br_secrets *v)
{
	br_ticket_fields f = kat_fields();
	json_t *r = br_ticket_record(kat("ticket"), &f, v);

	CHECK(r != NULL);
	return r;
}

static int
verify_kat(const json_t *r, const br_secrets *v, int64_t now, const char **why)
{
	return br_ticket_verify(r, kat("ticket"), kat("conversation"), kat("state"), v, now, 120, why);
}

static void
ticket_records(void)
{
	br_secrets v = secrets(kat("secret"), NULL), rotated = secrets("new-secret", kat("secret")),
		   wrong = secrets("other", NULL);
	int64_t now = atoll(kat("auth_instant")) + 5;
	json_t *r = kat_record(&v), *t;
	const char *why, *key;
	json_t *val;
	/* each MAC'd field, and a value of the same type that differs */
	struct { const char *field; json_t *other; } changes[] = {
		{ "principal", json_string("zoe") }, { "conversation", json_string("e1s3") },
		{ "state", json_string("St4te-kn0wn-answer-BBBBBBBBBC") }, { "entity", json_string("https://sp.example.org/") },
		{ "auth_instant", json_integer(1767225601) }, { "expires", json_integer(1767225661) },
		{ "uv", json_false() }, { "be", json_true() }, { "bs", json_true() }, { "mfa", json_false() },
		{ "credential_id", json_string("Y3JlZGVudGlhbC1pZB") }, { "aaguid", json_string("") },
	};
	size_t i;

	CHECK(json_integer_value(json_object_get(r, "v")) == BR_TICKET_VERSION);
	CHECK(strcmp(json_string_value(json_object_get(r, "mac")), kat("ticket_mac")) == 0);
	CHECK(json_integer_value(json_object_get(r, "expires")) == atoll(kat("expires")));
	CHECK(verify_kat(r, &v, now, &why) == 0 && strcmp(why, "ok") == 0);
	CHECK(verify_kat(r, &rotated, now, &why) == 0);
	CHECK(verify_kat(r, &wrong, now, &why) == -1 && strcmp(why, "bad_mac") == 0);
	CHECK(br_ticket_verify(r, "OTHER", kat("conversation"), kat("state"), &v, now, 120, &why) == -1 &&
	    strcmp(why, "bad_mac") == 0);
	CHECK(br_ticket_verify(r, kat("ticket"), "e1s9", kat("state"), &v, now, 120, &why) == -1 &&
	    strcmp(why, "conversation_mismatch") == 0);
	CHECK(br_ticket_verify(r, kat("ticket"), kat("conversation"), "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &v, now, 120,
	    &why) == -1 && strcmp(why, "state_mismatch") == 0);

	/* any one MAC'd field changed: refused */
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		t = json_deep_copy(r);
		json_object_set_new(t, changes[i].field, changes[i].other);
		CHECK(verify_kat(t, &v, now, &why) == -1);
		if (strcmp(why, "bad_mac") != 0)
			fprintf(stderr, "%s changed: %s\n", changes[i].field, why);
		CHECK(strcmp(why, "bad_mac") == 0);
		json_decref(t);
	}
	/* any field missing, or of another type: malformed */
	json_object_foreach(r, key, val) {
		if (strcmp(key, "attributes") == 0)
			continue;
		t = json_deep_copy(r);
		json_object_del(t, key);
		CHECK(verify_kat(t, &v, now, &why) == -1 && strcmp(why, "malformed") == 0);
		json_object_set_new(t, key, json_is_string(val) ? json_integer(1) : json_string("1"));
		CHECK(verify_kat(t, &v, now, &why) == -1 && strcmp(why, "malformed") == 0);
		json_decref(t);
	}
	/* a v1 record (the old version number) is not read as v2 */
	t = json_deep_copy(r);
	json_object_set_new(t, "v", json_integer(1));
	CHECK(verify_kat(t, &v, now, &why) == -1 && strcmp(why, "malformed") == 0);
	json_decref(t);
	/* attributes are informational, outside the MAC: the shim does not use them */
	t = json_deep_copy(r);
	json_object_set_new(t, "attributes", json_pack("{s:[s]}", "mail", "x@example.org"));
	CHECK(verify_kat(t, &v, now, &why) == 0);
	json_decref(t);

	/* the times: past expires (+ skew) or an instant in the future is refused */
	CHECK(verify_kat(r, &v, atoll(kat("expires")) + 120, &why) == 0);
	CHECK(verify_kat(r, &v, atoll(kat("expires")) + 121, &why) == -1 && strcmp(why, "expired") == 0);
	CHECK(verify_kat(r, &v, atoll(kat("auth_instant")) - 121, &why) == -1 && strcmp(why, "future") == 0);

	/* a value with a newline is never signed, so no record can shift lines */
	{
		br_ticket_fields f = kat_fields();
		char mac[BR_HANDOFF_SIG_LEN + 1];

		f.principal = "zo\nconversation=e1s2";
		CHECK(br_ticket_mac(v.cur, v.cur_len, kat("ticket"), &f, mac) == -1);
		CHECK(br_ticket_record(kat("ticket"), &f, &v) == NULL);
		f = kat_fields();
		f.expires = -1;
		CHECK(br_ticket_mac(v.cur, v.cur_len, kat("ticket"), &f, mac) == -1);
	}
	json_decref(r);
	br_secrets_wipe(&v);
	br_secrets_wipe(&rotated);
	br_secrets_wipe(&wrong);
}

/* The two labels: a start signature is never a ticket MAC, a ticket MAC never a start signature. */
static void
labels_apart(void)
{
	br_secrets v = secrets(kat("secret"), NULL);
	br_handoff_start s = good_start();
	br_handoff_ext x = { kat("principal"), NULL };
	int64_t now = atoll(kat("auth_instant"));
	json_t *r = kat_record(&v);
	const char *why;

	s.conversation = kat("conversation");
	s.state = kat("state");
	s.return_url = kat("return");
	s.entity = kat("entity");
	s.ts = kat("auth_instant");
	/* the genuine ones pass */
	s.sig = kat("start_sig");
	CHECK(br_handoff_check_start(&s, &v, now, 120, prefixes, 1) == BR_HANDOFF_OK);
	CHECK(verify_kat(r, &v, now, &why) == 0);
	/* the ticket's mac as the start's sig: refused */
	s.sig = kat("ticket_mac");
	CHECK(br_handoff_check_start(&s, &v, now, 120, prefixes, 1) == BR_HANDOFF_BAD_SIGNATURE);
	CHECK(br_handoff_check_start_ext(&s, &x, &v, now, 120, prefixes, 1) == BR_HANDOFF_BAD_SIGNATURE);
	/* a start's sig (with or without principal) as the record's mac: refused */
	json_object_set_new(r, "mac", json_string(kat("start_sig")));
	CHECK(verify_kat(r, &v, now, &why) == -1 && strcmp(why, "bad_mac") == 0);
	json_object_set_new(r, "mac", json_string(kat("start_p_sig")));
	CHECK(verify_kat(r, &v, now, &why) == -1 && strcmp(why, "bad_mac") == 0);
	json_decref(r);
	br_secrets_wipe(&v);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_handoff tests/handoff/known-answers-v2.txt\n");
		return 2;
	}
	kat_load(argv[1]);
	known_answers();
	start_rules();
	optional_values();
	return_urls();
	ticket_records();
	labels_apart();
	kat_free();
	printf("test_handoff: ok\n");
	return 0;
}
