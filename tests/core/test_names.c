/*
 * The authenticator names file (core/names.c): the shipped data file parses
 * with the names it promises; each malformed shape is refused with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "unit.h"

static int
parse(const char *json, char *why, size_t cap)
{
	br_names *n = NULL;
	int rc = br_names_parse((const unsigned char *)json, strlen(json), &n, why, cap);

	CHECK((rc == 0) == (n != NULL));
	br_names_free(&n);
	return rc;
}

static void
shipped_file(void)
{
	FILE *f = fopen(SHIPPED_NAMES, "rb");
	unsigned char buf[1 << 16], a[16];
	size_t len;
	br_names *n = NULL;
	const br_name_entry *e;
	char why[160];

	CHECK(f != NULL);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_INT(br_names_parse(buf, len, &n, why, sizeof(why)), 0);
	CHECK(n->n >= 10);
	CHECK_INT(br_aaguid_parse("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", 36, a), 0);
	CHECK((e = br_names_find(n, a)) != NULL && strcmp(e->name, "iCloud Keychain") == 0);
	CHECK_INT(br_aaguid_parse("EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4", 36, a), 0);
	CHECK((e = br_names_find(n, a)) != NULL && strcmp(e->name, "Google Password Manager") == 0);
	CHECK_INT(br_aaguid_parse("00000000-0000-0000-0000-000000000001", 36, a), 0);
	CHECK(br_names_find(n, a) == NULL);
	br_names_free(&n);
}

static void
icons_kept_or_dropped(void)
{
	static const char json[] = "{\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"Key\","
	    "\"icon_light\":\"data:image/svg+xml;base64,PHN2Zz4=\",\"icon_dark\":\"https://evil.example/x.png\"}}";
	br_names *n = NULL;
	char why[160];

	CHECK_INT(br_names_parse((const unsigned char *)json, sizeof(json) - 1, &n, why, sizeof(why)), 0);
	CHECK(n->n == 1 && n->v[0].icon_light != NULL && n->v[0].icon_dark == NULL);
	br_names_free(&n);
}

static void
malformed_refused(void)
{
	char why[160];

	CHECK_INT(parse("{}", why, sizeof(why)), 0);
	CHECK_INT(parse("[]", why, sizeof(why)), -1);
	CHECK_INT(parse("{\"not-an-aaguid\":{\"name\":\"x\"}}", why, sizeof(why)), -1);
	CHECK(strstr(why, "not an AAGUID") != NULL);
	CHECK_INT(parse("{\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"\"}}", why, sizeof(why)), -1);
	CHECK_INT(parse("{\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"a\\u0007b\"}}", why, sizeof(why)), -1);
	CHECK_INT(parse("{\"ee882879-721c-4913-9775-3dfcce97072a\":\"Key\"}", why, sizeof(why)), -1);
	CHECK_INT(parse("{\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"a\"},"
	    "\"EE882879-721C-4913-9775-3DFCCE97072A\":{\"name\":\"b\"}}", why, sizeof(why)), -1);
	CHECK(strstr(why, "twice") != NULL);
	CHECK_INT(parse("{\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"a\"},"
	    "\"ee882879-721c-4913-9775-3dfcce97072a\":{\"name\":\"b\"}}", why, sizeof(why)), -1);
	CHECK_INT(br_names_parse(NULL, 0, &(br_names *){ NULL }, why, sizeof(why)), -1);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(shipped_file),
		UNIT_CASE(icons_kept_or_dropped),
		UNIT_CASE(malformed_refused),
	};

	return unit_run("names", cases, UNIT_N(cases));
}
