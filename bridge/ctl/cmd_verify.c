/* bridgectl verify: one JSON verdict line per recorded ceremony. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../core/b64url.h"
#include "case_run.h"
#include "commands.h"
#include "options.h"

static json_t *
b64_json(const br_blob *b)
{
	char *s = br_b64url_encode_alloc(b->ptr, b->len);
	json_t *j = s != NULL ? json_string(s) : json_null();

	free(s);
	return j;
}

static json_t *
aaguid_json(const unsigned char a[16])
{
	char s[37];

	snprintf(s, sizeof(s),
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
	    a[12], a[13], a[14], a[15]);
	return json_string(s);
}

static void
print_outcome(const br_case *c, const br_case_outcome *o)
{
	json_t *j = json_object();
	int ok = o->error == BR_OK;
	char *line;

	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "ok", json_boolean(ok));
	json_object_set_new(j, "error", ok ? json_null() : json_string(br_strerr(o->error)));
	if (ok && c->is_registration) {
		json_object_set_new(j, "fmt", json_string(o->reg.fmt));
		json_object_set_new(j, "attestation_type", json_string(br_att_type_name(o->reg.att_type)));
		json_object_set_new(j, "credential_id", b64_json(&o->reg.credential_id));
		json_object_set_new(j, "public_key_cose", b64_json(&o->reg.public_key_cose));
		json_object_set_new(j, "aaguid", aaguid_json(o->reg.aaguid));
		json_object_set_new(j, "sign_count", json_integer(o->reg.sign_count));
		json_object_set_new(j, "uv", json_boolean(o->reg.uv));
		json_object_set_new(j, "be", json_boolean(o->reg.be));
		json_object_set_new(j, "bs", json_boolean(o->reg.bs));
	} else if (ok) {
		json_object_set_new(j, "fmt", json_null());
		json_object_set_new(j, "attestation_type", json_null());
		json_object_set_new(j, "credential_id", b64_json(&c->response.raw_id));
		json_object_set_new(j, "public_key_cose", b64_json(&c->cred_public_key));
		json_object_set_new(j, "aaguid", json_null());
		json_object_set_new(j, "sign_count", json_integer(o->auth.sign_count));
		json_object_set_new(j, "uv", json_boolean(o->auth.uv));
		json_object_set_new(j, "be", json_boolean(o->auth.be));
		json_object_set_new(j, "bs", json_boolean(o->auth.bs));
	}
	line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line != NULL)
		printf("%s\n", line);
	free(line);
	json_decref(j);
}

int
cmd_verify(int argc, char **argv)
{
	static const char usage[] = "usage: bridgectl verify [--] CASE.json...\n"
				    "  one JSON verdict line per recorded ceremony; exit 1 when a case cannot be read\n";
	char err[512];
	int i = 0, status = 0;

	if (br_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	/* an option is not a case file: "--halp" must not be opened (after "--", anything is a file) */
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		fprintf(stderr, "bridgectl verify: unknown option %s\n%s", argv[i], usage);
		return 2;
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	for (; i < argc; i++) {
		br_case c;
		br_case_outcome o;
		br_policy pol;

		if (br_case_load(argv[i], &c, err, sizeof(err)) < 0) {
			fprintf(stderr, "bridgectl verify: %s: cannot read case: %s\n", argv[i], err);
			status = 1;
			continue;
		}
		br_case_policy(&c, &pol);
		br_case_run(&c, &pol, &o);
		print_outcome(&c, &o);
		br_case_outcome_reset(&o);
		br_case_free(&c);
	}
	fflush(stdout);
	return status;
}
