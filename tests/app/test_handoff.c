/*
 * The handoff protocol: start signatures (with and without the optional
 * principal and sp_name), every start rule, return URLs, ticket MACs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/app/handoff.h"
#include "../integration/check.h"

#define KEY "test-secret-0123456789"
#define OLD "old-secret-9876543210"
/* known answers computed with: printf '...' | openssl dgst -sha256 -hmac KEY -binary | base64url */
#define START_SIG "ku520ll4waHhQc4JeUnR7mjOxq6X11LfeMcrCdzRFSM"
#define TICKET_MAC "gesuKpZBM4mIuAXRlDQKr1-qIZ4GDEjmxMdIIOKv4XU"
/* the same start with "\nprincipal=alice", "\nsp_name=..." and both appended to M */
#define START_P_SIG "QtVylfpl0j-UfTITHJAxKNGhvmSWSjbXRId2cfetvVQ"
#define START_N_SIG "0AK5c8WkbYpQ4hmQy63PT4gSDfFnxhaEwKj_YHFj7Ns"
#define START_PN_SIG "DziKfx_l2MMmLcXMbWFB4lFCJuBSuqECJMPnmrjXcFo"
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

static void
known_answers(void)
{
	br_secrets k = secrets(KEY, NULL);
	br_handoff_start s = good_start();
	char sig[BR_HANDOFF_SIG_LEN + 1], mac[BR_HANDOFF_SIG_LEN + 1];

	CHECK(br_handoff_sign_start(&s, k.cur, k.cur_len, sig) == 0);
	CHECK(strcmp(sig, START_SIG) == 0);
	CHECK(br_ticket_mac(k.cur, k.cur_len, "TICKET", "alice", "e1s2", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		  NOW, 1, mac) == 0);
	CHECK(strcmp(mac, TICKET_MAC) == 0);
	br_secrets_wipe(&k);
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

	/* each signed field is covered: changing any breaks the signature */
	s = good_start(); s.conversation = "e1s3"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.state = "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.return_url = "https://idp.example.edu/idp/Authn/fido/finish2"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.entity = ""; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.force = "1"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.passive = "1"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.ts = "1767225601"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);
	s = good_start(); s.sig = "ku520ll4waHhQc4JeUnR7mjOxq6X11LfeMcrCdzRFSN"; CHECK(check(&s, &k) == BR_HANDOFF_BAD_SIGNATURE);

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

/* The optional signed values: covered by the signature, refused when ill-formed, absent is v1 as before. */
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

	/* an old shim's start (no optional value) is v1 unchanged, with either function */
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

static void
ticket_records(void)
{
	br_secrets k = secrets(KEY, NULL), rotated = secrets("new-secret", KEY), wrong = secrets("other", NULL);
	br_ticket_fields f = { "alice", "e1s2", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", NOW, 1, 0, 0, 1, "Y3JlZA", "", NULL };
	json_t *r = br_ticket_record("TICKET", &f, &k);
	const char *why;

	CHECK(r != NULL);
	CHECK(strcmp(json_string_value(json_object_get(r, "mac")), TICKET_MAC) == 0);
	json_object_set_new(r, "v", json_integer(1)); /* the cache stamps it */
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &k, &why) == 0);
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &rotated, &why) == 0);
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &wrong, &why) == -1 && strcmp(why, "bad_mac") == 0);
	CHECK(br_ticket_verify(r, "OTHER", "e1s2", f.state, &k, &why) == -1 && strcmp(why, "bad_mac") == 0);
	CHECK(br_ticket_verify(r, "TICKET", "e1s9", f.state, &k, &why) == -1 && strcmp(why, "conversation_mismatch") == 0);
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &k, &why) == -1 &&
	    strcmp(why, "state_mismatch") == 0);
	/* tampering with what the MAC covers */
	json_object_set_new(r, "mfa", json_false());
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &k, &why) == -1 && strcmp(why, "bad_mac") == 0);
	json_object_set_new(r, "mfa", json_true());
	json_object_set_new(r, "principal", json_string("mallory"));
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &k, &why) == -1 && strcmp(why, "bad_mac") == 0);
	json_object_set_new(r, "principal", json_string("alice"));
	json_object_set_new(r, "v", json_integer(2));
	CHECK(br_ticket_verify(r, "TICKET", "e1s2", f.state, &k, &why) == -1 && strcmp(why, "malformed") == 0);
	json_decref(r);
	br_secrets_wipe(&k);
	br_secrets_wipe(&rotated);
	br_secrets_wipe(&wrong);
}

int
main(void)
{
	known_answers();
	start_rules();
	optional_values();
	return_urls();
	ticket_records();
	printf("test_handoff: ok\n");
	return 0;
}
