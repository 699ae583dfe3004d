/*
 * Authenticator policies assigned by directory group, through the services
 * (registration, sign-in) over the real stores: the private slapd with
 * ldap-schema/sample-directory.ldif and memcached that with-services.sh
 * starts. alice is staff, bob a student, carol faculty (eduPersonAffiliation).
 * Policies: staff must use device-bound passkeys; students may use synced
 * ones, and those count as multi-factor; everyone else gets the default
 * (synced allowed, not multi-factor).
 * By group: the test slapd runs the memberof overlay; a group added here over
 * LDAP (hanako in cn=it-admins) gives its member memberOf, and a policy
 * matching memberOf applies to her and not to carol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../bridge/app/enrolment.h"
#include "../../bridge/app/registration.h"
#include "../../bridge/app/signin.h"
#include "../app/svc_fixture.h"

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s not set: run me through tests/integration/with-services.sh --slapd --memcached 1\n", name);
		exit(1);
	}
	return v;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0);
}

#define AFFILIATION_POLICIES \
	"[policy staff]\nmatch = eduPersonAffiliation=staff\ndevice_bound = true\nhints = security-key\n" \
	"[policy students]\nmatch = eduPersonAffiliation=student\nmfa_synced = true\n" \
	"[policy default]\nmfa = true\n"

#define GROUP_DN "cn=it-admins,ou=groups,dc=example,dc=edu"
#define GROUP_POLICIES \
	"[ldap]\nattributes = uid, mail, displayName, eduPersonAffiliation, memberOf\n" \
	"[policy admins]\nmatch = memberOf=" GROUP_DN "\ndevice_bound = true\n" \
	"[policy default]\nmfa_synced = true\n"

/* The real app from a config naming the running slapd and memcached, with these policies. */
static void
open_real(svc *s, const char *policies)
{
	char path[200], conf[4096], err[512];

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/policy-test.XXXXXX");
	CHECK(mkdtemp(s->dir) != NULL);
	snprintf(s->audit, sizeof(s->audit), "%s/audit.log", s->dir);
	snprintf(path, sizeof(path), "%s/secret", s->dir);
	put(path, "an IdP secret of more than thirty-two bytes\n");
	snprintf(path, sizeof(path), "%s/state.key", s->dir);
	put(path, "a state key of at least thirty-two bytes for sealing\n");
	snprintf(path, sizeof(path), "%s/bind.pw", s->dir);
	put(path, need_env("LDAP_BRIDGE_PW"));
	snprintf(conf, sizeof(conf),
	    "[server]\npublic_url = " SVC_ORIGIN "\naudit_log = %s\nstate_key_file = %s/state.key\n"
	    "[webauthn]\nrp_id = " SVC_RP_ID "\norigins = " SVC_ORIGIN "\n"
	    "[idp]\nsecret_file = %s/secret\nreturn_urls = https://idp.example.edu/idp/Authn/External/\n"
	    "[ldap]\nuri = %s\nbind_dn = %s\nbind_password_file = %s/bind.pw\nuser_base = %s\n"
	    "[memcached]\nservers = %s\nprefix = policytest%ld:\n%s",
	    s->audit, s->dir, s->dir, need_env("LDAP_URI"), need_env("LDAP_BRIDGE_DN"), s->dir,
	    need_env("LDAP_PEOPLE_BASE"), need_env("MEMCACHED_SERVERS"), (long)getpid(), policies);
	snprintf(path, sizeof(path), "%s/bridge.conf", s->dir);
	put(path, conf);
	if (br_config_load(path, &s->app.cfg, err, sizeof(err)) < 0 || br_config_check(&s->app.cfg, err, sizeof(err)) < 0 ||
	    br_app_init(&s->app, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		CHECK(0);
	}
	s->who.client = "192.0.2.10";
	s->who.now = (int64_t)time(NULL);   /* memcached keeps real time */
}

static br_result
enrol(svc *s, const char *user, uint8_t flags, sk_key *k)
{
	char code[BR_ENROL_CODE_LEN + 1], sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	sk_reg_opts o;
	json_t *cred;
	br_result r;

	memset(&o, 0, sizeof(o));
	o.flags_set = 1;
	o.flags = flags;
	sk_key_new(k);
	svc_enrol_link(s, user, code);
	svc_open_link(s, user, code, sid);
	chal = svc_reg_challenge(s, sid, k);
	cred = svc_registration(k, chal, &o);
	r = br_registration_verify(&s->app, &s->who, sid, cred, NULL, &done);
	json_decref(cred);
	free(chal);
	return r;
}

/* Sign in with k (its BE flag as at registration); the MFA verdict of the audit line. */
static int
signin_mfa(svc *s, sk_key *k, int be)
{
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	sk_auth_opts o;
	json_t *a, *ev;
	int mfa;

	memset(&o, 0, sizeof(o));
	o.flags_set = 1;
	o.flags = SK_UP | SK_UV | (be ? SK_BE | SK_BS : 0);
	svc_local_flow(s, flow);
	chal = svc_signin_challenge(s, flow, NULL);
	a = svc_assertion(k, chal, &o);
	CHECK_INT(br_signin_verify(&s->app, &s->who, flow, a, &done), BR_RESULT_OK);
	json_decref(a);
	free(chal);
	ev = svc_audit_last(s, "signin_success");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "credential_id")), k->cred_id_b64) == 0);
	mfa = json_is_true(json_object_get(ev, "mfa"));
	json_decref(ev);
	return mfa;
}

static void
policy_by_affiliation(void)
{
	svc s;
	sk_key staff_synced, staff_bound, student_synced, faculty_synced;
	json_t *ev;

	open_real(&s, AFFILIATION_POLICIES);
	/* staff: a synced passkey is refused with the policy named; a device-bound one is not */
	CHECK_INT(enrol(&s, "alice", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &staff_synced), BR_RESULT_AUTHENTICATOR_REFUSED);
	ev = svc_audit_last(&s, "registration_failure");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "reason")), "policy_synced") == 0 &&
	    strcmp(json_string_value(json_object_get(ev, "policy")), "staff") == 0);
	json_decref(ev);
	CHECK_INT(enrol(&s, "alice", SK_UP | SK_UV | SK_AT, &staff_bound), BR_RESULT_OK);
	/* student: synced allowed, and multi-factor under the students policy */
	CHECK_INT(enrol(&s, "bob", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &student_synced), BR_RESULT_OK);
	/* faculty: no group policy, the default: synced allowed, but not multi-factor */
	CHECK_INT(enrol(&s, "carol", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &faculty_synced), BR_RESULT_OK);

	CHECK(signin_mfa(&s, &staff_bound, 0));
	CHECK(signin_mfa(&s, &student_synced, 1));
	CHECK(!signin_mfa(&s, &faculty_synced, 1));
	sk_key_free(&staff_synced);
	sk_key_free(&staff_bound);
	sk_key_free(&student_synced);
	sk_key_free(&faculty_synced);
	svc_close(&s);
}

/* As an administrator would: the group, over LDAP as the rootdn, so that the overlay sees it. */
static void
add_group(void)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ldapadd -x -H '%s' -D '%s' -w '%s' >/dev/null", need_env("LDAP_URI"),
	    need_env("LDAP_ADMIN_DN"), need_env("LDAP_ADMIN_PW"));
	CHECK((p = popen(cmd, "w")) != NULL);
	fputs("dn: ou=groups,dc=example,dc=edu\nobjectClass: organizationalUnit\nou: groups\n\n"
	    "dn: " GROUP_DN "\nobjectClass: groupOfNames\ncn: it-admins\n"
	    "member: uid=hanako,ou=people,dc=example,dc=edu\n", p);
	CHECK_INT(pclose(p), 0);
}

static void
policy_by_group(void)
{
	svc s;
	sk_key admin_synced, admin_bound, other_synced;
	json_t *ev;

	add_group();
	open_real(&s, GROUP_POLICIES);
	/* hanako is in it-admins (memberOf from the overlay): a synced passkey is refused under "admins" */
	CHECK_INT(enrol(&s, "hanako", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &admin_synced), BR_RESULT_AUTHENTICATOR_REFUSED);
	ev = svc_audit_last(&s, "registration_failure");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "reason")), "policy_synced") == 0 &&
	    strcmp(json_string_value(json_object_get(ev, "policy")), "admins") == 0);
	json_decref(ev);
	CHECK_INT(enrol(&s, "hanako", SK_UP | SK_UV | SK_AT, &admin_bound), BR_RESULT_OK);
	/* carol is in no group: the default, where a synced passkey is allowed and counts as multi-factor */
	CHECK_INT(enrol(&s, "carol", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &other_synced), BR_RESULT_OK);
	CHECK(signin_mfa(&s, &admin_bound, 0));
	CHECK(signin_mfa(&s, &other_synced, 1));
	sk_key_free(&admin_synced);
	sk_key_free(&admin_bound);
	sk_key_free(&other_synced);
	svc_close(&s);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(policy_by_affiliation),
		UNIT_CASE(policy_by_group),
	};

	return unit_run("policy_groups", cases, UNIT_N(cases));
}
