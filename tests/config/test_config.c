/* The configuration loader: values, bounds, unknown keys, cross-key rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/config/config.h"
#include "../../bridge/core/cose.h"
#include "../integration/check.h"

static char dir[] = "/tmp/bridge-config-XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "w")) != NULL);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text; returns 0/-1 and leaves the message in err. */
static int
load(const char *text, br_config *c, char *err, size_t errlen)
{
	return br_config_load(write_file("bridge.conf", text), c, err, errlen);
}

static void
defaults(void)
{
	br_config c;
	char err[256];

	CHECK(load("", &c, err, sizeof(err)) == 0);
	CHECK(c.listen_port == 8443);
	CHECK(c.user_verification == BR_UV_PREFERRED);
	CHECK(c.ticket_ttl_s == 60 && c.challenge_ttl_s == 300 && c.enrolment_link_ttl_s == 7 * 86400);
	CHECK(c.n_algs == 6 && c.algs[0] == BR_COSE_ES256 && c.algs[1] == BR_COSE_EDDSA);
	CHECK(c.refuse_safetynet == 1);
	CHECK(c.sign_count_policy == BR_SIGN_COUNT_REJECT);
	CHECK(c.resident_key == BR_RESIDENT_KEY_PREFERRED && c.attestation == BR_ATTESTATION_NONE);
	CHECK(c.ldap_attributes.n == 6 && strcmp(c.ldap_attributes.v[3], "eduPersonPrincipalName") == 0);
	CHECK(c.rp_id == NULL && c.secret_file == NULL);
	/* defaults alone do not make a working bridge */
	CHECK(br_config_check(&c, err, sizeof(err)) == -1 && strstr(err, "rp_id") != NULL);
	br_config_free(&c);
}

static void
values(void)
{
	br_config c;
	char err[256];

	CHECK(load("[webauthn]\nrp_id = example.edu\norigins = https://login.example.edu , https://sso.example.edu\n"
		   "user_verification = required\nalgorithms = EdDSA, ES256\nchallenge_ttl = 90s\n"
		   "[idp]\nticket_ttl = 30\n[ldap]\nstarttls = yes\ntimeout_ms = 250\n", &c, err, sizeof(err)) == 0);
	CHECK(strcmp(c.rp_id, "example.edu") == 0);
	CHECK(c.origins.n == 2 && strcmp(c.origins.v[1], "https://sso.example.edu") == 0);
	CHECK(c.user_verification == BR_UV_REQUIRED);
	CHECK(c.n_algs == 2 && c.algs[0] == BR_COSE_EDDSA && c.algs[1] == BR_COSE_ES256);
	CHECK(c.challenge_ttl_s == 90 && c.ticket_ttl_s == 30);
	CHECK(c.ldap_starttls == 1 && c.ldap_timeout_ms == 250);
	br_config_free(&c);
}

static void
expect_error(const char *text, int line, const char *needle)
{
	br_config c;
	char err[256], want[32];

	CHECK(load(text, &c, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), ":%d: ", line);
	if (strstr(err, want) == NULL || strstr(err, needle) == NULL) {
		fprintf(stderr, "unexpected message: %s (want line %d, \"%s\")\n", err, line, needle);
		exit(1);
	}
}

static void
errors(void)
{
	br_config c;
	char err[256];

	expect_error("[server]\nlisten_port = 300x\n", 2, "not an integer");
	expect_error("[server]\nlisten_port = 70000\n", 2, "between 1 and 65535");
	expect_error("[server]\n\nlisten_prot = 80\n", 3, "unknown key");
	expect_error("[srever]\nlisten_port = 80\n", 2, "unknown key");
	expect_error("[idp]\nticket_ttl = 5m\n", 2, "between 5s and 60s");
	expect_error("[idp]\nticket_ttl = soon\n", 2, "not a duration");
	expect_error("[ldap]\nstarttls = maybe\n", 2, "true or false");
	expect_error("[webauthn]\nuser_verification = always\n", 2, "required, preferred or discouraged");
	expect_error("this is not ini\n", 1, "");
	CHECK(load("[webauthn]\nalgorithms = ES256, ES257\n", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "ES257") != NULL);
	CHECK(br_config_load("/nonexistent/bridge.conf", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot open") != NULL);
}

/* The enumerated keys: each word stored as its value, the name lookups its inverse. */
static int
enum_value(const char *key, const char *word)
{
	br_config c;
	char text[128], err[256];
	int v = -1;

	snprintf(text, sizeof(text), "[webauthn]\n%s = %s\n", key, word);
	if (load(text, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s = %s: %s\n", key, word, err);
		exit(1);
	}
	if (strcmp(key, "user_verification") == 0)
		v = (int)c.user_verification;
	else if (strcmp(key, "resident_key") == 0)
		v = (int)c.resident_key;
	else if (strcmp(key, "sign_count_policy") == 0)
		v = (int)c.sign_count_policy;
	else if (strcmp(key, "attestation") == 0)
		v = (int)c.attestation;
	br_config_free(&c);
	return v;
}

static void
enums(void)
{
	static const struct {
		const char *key, *word;
		int value;
	} ok[] = {
		{ "user_verification", "required", BR_UV_REQUIRED },
		{ "user_verification", "preferred", BR_UV_PREFERRED },
		{ "user_verification", "discouraged", BR_UV_DISCOURAGED },
		{ "resident_key", "required", BR_RESIDENT_KEY_REQUIRED },
		{ "resident_key", "preferred", BR_RESIDENT_KEY_PREFERRED },
		{ "resident_key", "discouraged", BR_RESIDENT_KEY_DISCOURAGED },
		{ "sign_count_policy", "reject", BR_SIGN_COUNT_REJECT },
		{ "sign_count_policy", "flag", BR_SIGN_COUNT_FLAG },
		{ "attestation", "none", BR_ATTESTATION_NONE },
		{ "attestation", "direct", BR_ATTESTATION_DIRECT },
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *name = NULL;
		if (enum_value(ok[i].key, ok[i].word) != ok[i].value) {
			fprintf(stderr, "%s = %s is not stored as %d\n", ok[i].key, ok[i].word, ok[i].value);
			exit(1);
		}
		if (strcmp(ok[i].key, "user_verification") == 0)
			name = br_uv_policy_name((br_uv_policy)ok[i].value);
		else if (strcmp(ok[i].key, "resident_key") == 0)
			name = br_resident_key_name((br_resident_key)ok[i].value);
		else if (strcmp(ok[i].key, "sign_count_policy") == 0)
			name = br_sign_count_policy_name((br_sign_count_policy)ok[i].value);
		else
			name = br_attestation_name((br_attestation)ok[i].value);
		CHECK(name != NULL && strcmp(name, ok[i].word) == 0);
	}
	/* a value outside the enumeration has no name */
	CHECK(br_resident_key_name((br_resident_key)7) == NULL && br_attestation_name((br_attestation)-1) == NULL);
	CHECK(br_sign_count_policy_name((br_sign_count_policy)2) == NULL && br_uv_policy_name((br_uv_policy)3) == NULL);

	/* anything else is refused, and the message lists the choices in order */
	expect_error("[webauthn]\nuser_verification = always\n", 2, "user_verification: must be required, preferred or discouraged");
	expect_error("[webauthn]\nuser_verification = Required\n", 2, "must be required, preferred or discouraged");
	expect_error("[webauthn]\nresident_key = yes\n", 2, "resident_key: must be required, preferred or discouraged");
	expect_error("[webauthn]\n\nsign_count_policy = ignore\n", 3, "sign_count_policy: must be reject or flag");
	expect_error("[webauthn]\nattestation = indirect\n", 2, "attestation: must be none or direct");
	expect_error("[webauthn]\nattestation =\n", 2, "attestation: must be none or direct");
}

#define COMPLETE_TMPL \
    "[server]\npublic_url = https://login.example.edu\nstate_key_file = %s\n" \
    "[webauthn]\nrp_id = example.edu\norigins = %s\n" \
    "[idp]\nsecret_file = %s\nreturn_urls = %s\n" \
    "[ldap]\nuri = ldap://127.0.0.1\nuser_base = ou=people,dc=example,dc=edu\nbind_dn = cn=x\nbind_password_file = %s\n" \
    "[memcached]\nservers = 127.0.0.1:11211\n"

static int
check_with(const char *origins, const char *returns, char *err, size_t errlen)
{
	char text[2048], secret[256];
	br_config c;
	int rc;

	snprintf(secret, sizeof(secret), "%s", write_file("secret", "s3cr3t-value\n"));
	snprintf(text, sizeof(text), COMPLETE_TMPL, secret, origins, secret, returns, secret);
	CHECK(load(text, &c, err, errlen) == 0);
	rc = br_config_check(&c, err, errlen);
	br_config_free(&c);
	return rc;
}

static void
cross_checks(void)
{
	char err[256];

	CHECK(check_with("https://login.example.edu", "https://idp.example.edu/idp/finish", err, sizeof(err)) == 0);
	/* an origin under another domain is not ours */
	CHECK(check_with("https://login.example.org", "https://idp.example.edu/idp/finish", err, sizeof(err)) == -1);
	CHECK(strstr(err, "outside rp_id") != NULL);
	/* a look-alike suffix is not a subdomain */
	CHECK(check_with("https://evilexample.edu", "https://idp.example.edu/idp/finish", err, sizeof(err)) == -1);
	/* plain http only on loopback */
	CHECK(check_with("http://login.example.edu", "https://idp.example.edu/idp/finish", err, sizeof(err)) == -1);
	/* a return prefix without a path would admit https://idp.example.edu.evil.org */
	CHECK(check_with("https://login.example.edu", "https://idp.example.edu", err, sizeof(err)) == -1);
	CHECK(strstr(err, "return_urls") != NULL);
}

static void
secrets_and_durations(void)
{
	char err[128], *s;
	size_t n = 0;

	s = br_config_read_secret(write_file("k", "abc\n"), &n, err, sizeof(err));
	CHECK(s != NULL && n == 3 && strcmp(s, "abc") == 0);
	free(s);
	CHECK(br_config_read_secret(write_file("e", "\n"), &n, err, sizeof(err)) == NULL);
	CHECK(br_parse_duration("15m") == 900 && br_parse_duration("2h") == 7200 && br_parse_duration("7d") == 604800);
	CHECK(br_parse_duration("10") == 10 && br_parse_duration("10x") == -1 && br_parse_duration("-5") == -1);
	CHECK(br_parse_duration("5mm") == -1 && br_parse_duration("") == -1);
}

/* [server] trusted_proxies and max_connections_per_address */
static void
proxies(void)
{
	br_config c;
	char err[256];
	unsigned char a[16];

	CHECK(load("", &c, err, sizeof(err)) == 0);
	CHECK(c.trusted_proxies.n == 0 && c.max_connections_per_address == 64);
	br_config_free(&c);
	/* commas and/or white space between entries */
	CHECK(load("[server]\ntrusted_proxies = 127.0.0.1, ::1 10.0.0.0/8,fd00::/8\t192.0.2.128/25\n"
		   "max_connections_per_address = 0\n", &c, err, sizeof(err)) == 0);
	CHECK(c.trusted_proxies.n == 5 && c.max_connections_per_address == 0);
	CHECK(br_ip_parse("10.9.8.7", 8, a) == 0 && br_ip_in(&c.trusted_proxies, a));
	CHECK(br_ip_parse("::ffff:127.0.0.1", 16, a) == 0 && br_ip_in(&c.trusted_proxies, a));
	CHECK(br_ip_parse("192.0.2.200", 11, a) == 0 && br_ip_in(&c.trusted_proxies, a));
	CHECK(br_ip_parse("192.0.2.100", 11, a) == 0 && !br_ip_in(&c.trusted_proxies, a));
	CHECK(br_ip_parse("127.0.0.2", 9, a) == 0 && !br_ip_in(&c.trusted_proxies, a));
	br_config_free(&c);
	/* a key given twice is a mistake (one value would be lost), not a replacement; an empty value is the empty list */
	expect_error("[server]\ntrusted_proxies = 10.0.0.0/8\ntrusted_proxies = 192.0.2.1\n", 3, "set again (first at line 2)");
	CHECK(load("[server]\ntrusted_proxies =\n", &c, err, sizeof(err)) == 0);
	CHECK(c.trusted_proxies.n == 0);
	br_config_free(&c);
	/* every bad entry is named, with its line */
	expect_error("[server]\ntrusted_proxies = 127.0.0.1, 10.0.0.0/33\n", 2, "\"10.0.0.0/33\" has a prefix length over 32");
	expect_error("[server]\ntrusted_proxies = fd00::/129\n", 2, "\"fd00::/129\" has a prefix length over 128");
	expect_error("[server]\n\ntrusted_proxies = 10.1.2.3/8\n", 3, "\"10.1.2.3/8\" has address bits set after the prefix length");
	expect_error("[server]\ntrusted_proxies = proxy.example.edu\n", 2, "\"proxy.example.edu\" is not an IPv4 or IPv6 address");
	expect_error("[server]\ntrusted_proxies = 127.0.0.1:8080\n", 2, "\"127.0.0.1:8080\" is not an IPv4 or IPv6 address");
	expect_error("[server]\ntrusted_proxies = 10.0.0.0 /8\n", 2, "\"/8\" is not");
	expect_error("[server]\ntrusted_proxies = 10.0.0.0/8;\n", 2, "\"10.0.0.0/8;\" has a malformed prefix length");
	expect_error("[server]\ntrusted_proxies = [::1]\n", 2, "\"[::1]\"");
	expect_error("[server]\ntrusted_proxies = ::1 fe80::1%eth0\n", 2, "\"fe80::1%eth0\"");
	expect_error("[server]\nmax_connections_per_address = -1\n", 2, "between 0 and 1000");
	expect_error("[server]\nmax_connections_per_address = many\n", 2, "not an integer");
}

/* [server] admin_listen and header_timeout */
static void
admin_listener(void)
{
	br_config c;
	char err[256], addr[BR_IP_TEXT_MAX];
	int port = 0;

	/* the default: loopback only */
	CHECK(load("", &c, err, sizeof(err)) == 0);
	CHECK(c.admin_listen != NULL && strcmp(c.admin_listen, "127.0.0.1:9091") == 0);
	CHECK(c.header_timeout_s == 10);
	br_config_free(&c);
	CHECK(br_listen_parse("127.0.0.1:9091", addr, sizeof(addr), &port) == 0 && strcmp(addr, "127.0.0.1") == 0 &&
	    port == 9091);
	CHECK(br_listen_parse("[::1]:9100", addr, sizeof(addr), &port) == 0 && strcmp(addr, "::1") == 0 && port == 9100);
	CHECK(br_listen_parse("off", addr, sizeof(addr), &port) == 1);
	CHECK(br_listen_parse("::1:9100", addr, sizeof(addr), &port) == -1);      /* IPv6 needs brackets */
	CHECK(br_listen_parse("localhost:9091", addr, sizeof(addr), &port) == -1); /* numeric only */
	CHECK(br_listen_parse("127.0.0.1", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("127.0.0.1:", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("127.0.0.1:0", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("127.0.0.1:65536", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("127.0.0.1:+80", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("127.0.0.1:80x", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse(":9091", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("[]:9091", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("[127.0.0.1]:9091", addr, sizeof(addr), &port) == -1);
	CHECK(br_listen_parse("Off", addr, sizeof(addr), &port) == -1);
	expect_error("[server]\nheader_timeout = 0s\n", 2, "between");
}

/* A complete config with more INI text after it: br_config_check's answer. */
static int
check_extra(const char *extra, char *err, size_t errlen)
{
	char text[4096], secret[256];
	br_config c;
	int rc;

	snprintf(secret, sizeof(secret), "%s", write_file("secret", "s3cr3t-value\n"));
	snprintf(text, sizeof(text), COMPLETE_TMPL, secret, "https://login.example.edu", secret, "https://idp.example.edu/idp/finish",
	    secret);
	strncat(text, extra, sizeof(text) - strlen(text) - 1);
	CHECK(load(text, &c, err, errlen) == 0);
	rc = br_config_check(&c, err, errlen);
	br_config_free(&c);
	return rc;
}

/* [branding]: links and files the pages would refuse at startup are refused by the check */
static void
branding(void)
{
	char err[256], extra[1024], logo[256], css[256];

	snprintf(logo, sizeof(logo), "%s", write_file("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
	snprintf(css, sizeof(css), "%s", write_file("custom.css", ":root{}"));
	CHECK(check_extra("[branding]\norganisation =\nlogo_file =\nhelpdesk_url =\n", err, sizeof(err)) == 0);
	snprintf(extra, sizeof(extra), "[branding]\nhelpdesk_url = mailto:help@example.edu\nprivacy_url = https://www.example.edu/p\n"
	    "logo_file = %s\ncss_file = %s\n", logo, css);
	CHECK(check_extra(extra, err, sizeof(err)) == 0);
	CHECK(check_extra("[branding]\nhelpdesk_url = javascript:alert(1)\n", err, sizeof(err)) == -1 && strstr(err, "helpdesk_url"));
	CHECK(check_extra("[branding]\nprivacy_url = mailto:x@example.edu\n", err, sizeof(err)) == -1 && strstr(err, "privacy_url"));
	CHECK(check_extra("[branding]\nprivacy_url = http://www.example.edu/\n", err, sizeof(err)) == -1);
	CHECK(check_extra("[branding]\nlogo_file = /nonexistent/logo.svg\n", err, sizeof(err)) == -1 && strstr(err, "logo_file"));
	snprintf(extra, sizeof(extra), "[branding]\nlogo_file = %s\n", css);
	CHECK(check_extra(extra, err, sizeof(err)) == -1 && strstr(err, "logo_file"));
	snprintf(extra, sizeof(extra), "[branding]\ncss_file = %s\n", logo);
	CHECK(check_extra(extra, err, sizeof(err)) == -1 && strstr(err, "css_file"));
	CHECK(check_extra("[branding]\ncss_file = custom.css\n", err, sizeof(err)) == -1 && strstr(err, "css_file"));
	unlink(logo);
	unlink(css);
}

int
main(void)
{
	CHECK(mkdtemp(dir) != NULL);
	defaults();
	values();
	errors();
	enums();
	cross_checks();
	secrets_and_durations();
	proxies();
	admin_listener();
	branding();
	unlink(write_file("bridge.conf", ""));
	unlink(write_file("secret", ""));
	unlink(write_file("k", ""));
	unlink(write_file("e", ""));
	rmdir(dir);
	printf("test_config: ok\n");
	return 0;
}
