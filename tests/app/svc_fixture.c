#include "svc_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/app/enrol.h"
#include "../../bridge/app/enrolment.h"
#include "../../bridge/app/login.h"
#include "../../bridge/app/registration.h"
#include "../../bridge/app/signin.h"
#include "../../bridge/config/config.h"

static const char base_conf[] =
	"[server]\n"
	"public_url = " SVC_ORIGIN "\n"
	"audit_log = %s\n"
	"state_key_file = %s/state.key\n"
	"[webauthn]\n"
	"rp_id = " SVC_RP_ID "\n"
	"origins = " SVC_ORIGIN "\n"
	"[idp]\n"
	"secret_file = %s/secret\n"
	"return_urls = https://idp.example.edu/idp/Authn/External/\n"
	"[ldap]\n"
	"uri = ldap://127.0.0.1:1\n"
	"user_base = " SVC_PEOPLE "\n"
	"sasl_external = true\n"
	"[memcached]\n"
	"servers = 127.0.0.1:1\n";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
}

static void
add_user(br_directory *d, const char *name, const char *display, int disabled)
{
	char dn[128];
	json_t *attrs = json_pack("{s:[s], s:[s], s:[s]}", "uid", name, "displayName", display, "mail", "x@example.edu");

	snprintf(dn, sizeof(dn), "uid=%s," SVC_PEOPLE, name);
	CHECK(mem_dir_add_user(d, name, dn, attrs, disabled) == 0);
	json_decref(attrs);
}

void
svc_open(svc *s, const char *extra_conf)
{
	char path[160], *conf, err[512];
	size_t n;
	br_cache *cache;
	br_directory *dir;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/svc-test.XXXXXX");
	CHECK(mkdtemp(s->dir) != NULL);
	snprintf(s->audit, sizeof(s->audit), "%s/audit.log", s->dir);
	snprintf(path, sizeof(path), "%s/secret", s->dir);
	write_file(path, "an IdP secret of more than thirty-two bytes\n");
	snprintf(path, sizeof(path), "%s/state.key", s->dir);
	write_file(path, "a state key of at least thirty-two bytes for sealing\n");
	n = sizeof(base_conf) + strlen(s->audit) + 2 * strlen(s->dir) + (extra_conf != NULL ? strlen(extra_conf) : 0) + 16;
	CHECK((conf = malloc(n)) != NULL);
	snprintf(conf, n, base_conf, s->audit, s->dir, s->dir);
	if (extra_conf != NULL)
		strcat(conf, extra_conf);
	snprintf(path, sizeof(path), "%s/bridge.conf", s->dir);
	write_file(path, conf);
	free(conf);
	if (br_config_load(path, &s->app.cfg, err, sizeof(err)) < 0 || br_config_check(&s->app.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "config: %s\n", err);
		CHECK(0);
	}
	CHECK((cache = mem_cache_open()) != NULL);
	CHECK((dir = mem_dir_open(3600)) != NULL);
	add_user(dir, "alice", "Alice Liddell", 0);
	add_user(dir, "bob", "Bob", 0);
	add_user(dir, "dave", "Dave", 1);
	if (br_app_setup(&s->app, cache, dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		CHECK(0);
	}
	s->who.client = "192.0.2.10";
	s->who.now = SVC_NOW;
	mem_cache_set_now(cache, SVC_NOW);
}

void
svc_close(svc *s)
{
	char path[160];

	br_app_free(&s->app);
	snprintf(path, sizeof(path), "rm -rf '%s'", s->dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", s->dir);
}

static int
each_line(const svc *s, const char *event, const char *reason, json_t **last)
{
	FILE *f = fopen(s->audit, "r");
	char line[8192];
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *j = json_loads(line, 0, NULL);
		const char *e = json_string_value(json_object_get(j, "event"));
		const char *r = json_string_value(json_object_get(j, "reason"));

		if (e != NULL && strcmp(e, event) == 0 && (reason == NULL || (r != NULL && strcmp(r, reason) == 0))) {
			n++;
			if (last != NULL) {
				json_decref(*last);
				*last = json_incref(j);
			}
		}
		json_decref(j);
	}
	fclose(f);
	return n;
}

int
svc_audit_count(const svc *s, const char *event, const char *reason)
{
	return each_line(s, event, reason, NULL);
}

json_t *
svc_audit_last(const svc *s, const char *event)
{
	json_t *last = NULL;

	each_line(s, event, NULL, &last);
	return last;
}

void
svc_idp_flow(svc *s, char flow_id[BR_ID_LEN + 1])
{
	svc_idp_flow_ext(s, NULL, NULL, flow_id);
}

void
svc_idp_flow_ext(svc *s, const char *principal, const char *sp_name, char flow_id[BR_ID_LEN + 1])
{
	char ts[24], sig[BR_HANDOFF_SIG_LEN + 1];
	br_handoff_start st = {
		.conversation = "e1s1", .state = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		.return_url = SVC_RETURN, .entity = SVC_ENTITY, .force = "0", .passive = "0", .ts = ts, .sig = sig,
	};
	br_handoff_ext x = { principal, sp_name };
	br_login_next next;

	snprintf(ts, sizeof(ts), "%lld", (long long)s->who.now);
	CHECK(br_handoff_sign_start_ext(&st, &x, s->app.secrets.cur, s->app.secrets.cur_len, sig) == 0);
	CHECK_INT(br_login_start(&s->app, &s->who, &st, &x, &next), BR_RESULT_OK);
	CHECK(next.back_url == NULL && strlen(next.flow_id) == BR_ID_LEN);
	memcpy(flow_id, next.flow_id, BR_ID_LEN + 1);
	br_login_next_reset(&next);
}

void
svc_local_flow(svc *s, char flow_id[BR_ID_LEN + 1])
{
	br_login_page p;

	CHECK_INT(br_login_page_flow(&s->app, &s->who, NULL, &p), BR_RESULT_OK);
	CHECK(!p.idp && strlen(p.flow_id) == BR_ID_LEN);
	memcpy(flow_id, p.flow_id, BR_ID_LEN + 1);
	br_login_page_reset(&p);
}

char *
svc_signin_challenge(svc *s, const char *flow_id, const char *username)
{
	json_t *pk = NULL;
	char *chal;

	CHECK_INT(br_signin_options(&s->app, &s->who, flow_id, username, &pk), BR_RESULT_OK);
	CHECK(json_is_string(json_object_get(pk, "challenge")));
	chal = strdup(json_string_value(json_object_get(pk, "challenge")));
	json_decref(pk);
	return chal;
}

json_t *
svc_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o)
{
	sk_auth_opts d;

	memset(&d, 0, sizeof(d));
	if (o != NULL)
		d = *o;
	if (d.origin == NULL)
		d.origin = SVC_ORIGIN;
	if (d.rp_id == NULL)
		d.rp_id = SVC_RP_ID;
	d.challenge = challenge;
	return sk_assertion(k, &d);
}

void
svc_enrol_link(svc *s, const char *username, char *code)
{
	char value[256];
	br_user *u = svc_user(s, username);

	CHECK(br_enrol_make(s->who.now + 86400, code, value, sizeof(value)) == 0);
	CHECK_INT(br_dir_add_enrolment_code(s->app.dir, u, value), BR_DIR_OK);
	br_user_free(&u);
}

void
svc_open_link(svc *s, const char *username, const char *code, char session_id[BR_ID_LEN + 1])
{
	br_enrol_view v;

	CHECK_INT(br_enrol_open_link(&s->app, &s->who, username, code, 1, &v), BR_RESULT_OK);
	CHECK(strlen(v.session_id) == BR_ID_LEN);
	memcpy(session_id, v.session_id, BR_ID_LEN + 1);
	br_enrol_view_reset(&v);
}

char *
svc_reg_challenge(svc *s, const char *session_id, sk_key *k)
{
	json_t *pk = NULL;
	char *chal;

	CHECK_INT(br_registration_options(&s->app, &s->who, session_id, &pk), BR_RESULT_OK);
	CHECK(sk_key_set_user_handle(k, json_string_value(json_object_get(json_object_get(pk, "user"), "id"))) == 0);
	chal = strdup(json_string_value(json_object_get(pk, "challenge")));
	json_decref(pk);
	return chal;
}

json_t *
svc_registration(sk_key *k, const char *challenge, const sk_reg_opts *o)
{
	sk_reg_opts d;

	memset(&d, 0, sizeof(d));
	if (o != NULL)
		d = *o;
	if (d.origin == NULL)
		d.origin = SVC_ORIGIN;
	if (d.rp_id == NULL)
		d.rp_id = SVC_RP_ID;
	d.challenge = challenge;
	return sk_registration(k, &d);
}

void
svc_enrol(svc *s, const char *username, sk_key *k)
{
	char code[BR_ENROL_CODE_LEN + 1], sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;

	sk_key_new(k);
	svc_enrol_link(s, username, code);
	svc_open_link(s, username, code, sid);
	chal = svc_reg_challenge(s, sid, k);
	cred = svc_registration(k, chal, NULL);
	CHECK_INT(br_registration_verify(&s->app, &s->who, sid, cred, "test key", &done), BR_RESULT_OK);
	CHECK(done.enrolled);
	json_decref(cred);
	free(chal);
}

void
svc_signin_local(svc *s, sk_key *k, char session_id[BR_ID_LEN + 1])
{
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a;

	svc_local_flow(s, flow);
	chal = svc_signin_challenge(s, flow, NULL);
	a = svc_assertion(k, chal, NULL);
	CHECK_INT(br_signin_verify(&s->app, &s->who, flow, a, &done), BR_RESULT_OK);
	CHECK(done.local && strlen(done.session_id) == BR_ID_LEN);
	memcpy(session_id, done.session_id, BR_ID_LEN + 1);
	json_decref(a);
	free(chal);
}

br_result
svc_cancel(svc *s, const char *flow_id, const char *reason, br_login_next *next)
{
	br_result r = br_login_cancel(&s->app, &s->who, flow_id, reason);

	memset(next, 0, sizeof(*next));
	if (r != BR_RESULT_OK)
		return r;
	r = br_login_finish(&s->app, &s->who, flow_id, next);
	CHECK(r != BR_RESULT_OK || next->back_url != NULL);  /* a cancelled flow always goes back */
	return r;
}

br_user *
svc_user(svc *s, const char *username)
{
	br_user *u = NULL;

	CHECK_INT(br_dir_find_user(s->app.dir, username, &u), BR_DIR_OK);
	return u;
}
