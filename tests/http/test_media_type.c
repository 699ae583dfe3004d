/*
 * The JSON API's Content-Type check (br_content_type_is_json,
 * bridge/http/json_guard.c): exactly application/json, then nothing or
 * parameters. Pure function, no server.
 */
#include <string.h>

#include "../../bridge/http/json_guard.h"
#include "unit.h"

static int
is_json(const char *s)
{
	return br_content_type_is_json(s, strlen(s));
}

static void
accepts_json_and_parameters(void)
{
	CHECK(is_json("application/json"));
	CHECK(is_json("Application/JSON"));
	CHECK(is_json("application/json;charset=utf-8"));
	CHECK(is_json("application/json; charset=utf-8"));
	CHECK(is_json("application/json ; charset=UTF-8"));
	CHECK(is_json("application/json\t;x=y"));
	CHECK(is_json("application/json  ")); /* trailing blanks */
}

static void
refuses_other_types(void)
{
	CHECK(!is_json("application/jsonx"));
	CHECK(!is_json("application/json-patch+json"));
	CHECK(!is_json("application/json5"));
	CHECK(!is_json("application/json,text/plain"));
	CHECK(!is_json("application/json x"));
	CHECK(!is_json("application/jso"));
	CHECK(!is_json("application/x-www-form-urlencoded"));
	CHECK(!is_json("text/plain"));
	CHECK(!is_json("multipart/form-data; boundary=application/json"));
	CHECK(!is_json(""));
	CHECK(!br_content_type_is_json(NULL, 0));
}

static void
reads_only_len_bytes(void)
{
	/* what follows the given length does not count, either way */
	CHECK(br_content_type_is_json("application/jsonx", 16));
	CHECK(!br_content_type_is_json("application/json", 15));
	CHECK(br_content_type_is_json("application/json;", 17));
	CHECK(!br_content_type_is_json("application/json\0x", 18)); /* a NUL is not a parameter */
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(accepts_json_and_parameters),
		UNIT_CASE(refuses_other_types),
		UNIT_CASE(reads_only_len_bytes),
	};

	return unit_run("media_type", cases, UNIT_N(cases));
}
