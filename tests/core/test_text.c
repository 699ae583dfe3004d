/*
 * The rules with one owner (core/text.c, core/transport.c, the enumeration
 * names of core/enum_names.c) and the one time codec (core/timefmt.c). Regressions named after the bugs they closed: a
 * nickname with a C1 control that the API once accepted and the directory
 * refused, and a 31 February that once became 3 March.
 */
#include <stdint.h>
#include <string.h>

#include "enum_names.h"
#include "text.h"
#include "timefmt.h"
#include "transport.h"
#include "unit.h"

static int
utf8(const char *s, int no_controls)
{
	return br_utf8_ok((const unsigned char *)s, strlen(s), no_controls, NULL);
}

static void
utf8_strict(void)
{
	size_t n = 0;

	CHECK(br_utf8_ok((const unsigned char *)"a\xc3\xa9\xe9\x8d\xb5\xf0\x9f\x94\x91", 10, 1, &n) && n == 4);
	CHECK(!utf8("\xc0\xaf", 0));            /* overlong '/' */
	CHECK(!utf8("\xe0\x80\xaf", 0));        /* overlong, three bytes */
	CHECK(!utf8("\xed\xa0\x80", 0));        /* a surrogate */
	CHECK(!utf8("\xf4\x90\x80\x80", 0));    /* above U+10FFFF */
	CHECK(!utf8("\xc3", 0));                /* cut short */
	CHECK(!utf8("\x80", 0));                /* a lone continuation byte */
	CHECK(!br_utf8_ok((const unsigned char *)"a\0b", 3, 0, NULL));
	CHECK(utf8("tab\there", 0) && !utf8("tab\there", 1));
	CHECK(utf8("\xc2\x85", 0) && !utf8("\xc2\x85", 1));  /* NEL, C1 */
	CHECK(utf8("\xc2\xa0", 1));             /* NBSP is text */
}

static void
nickname_c1_control_refused(void)
{
	char s[4 * BR_NICKNAME_MAX + 8];
	size_t i;

	CHECK(!br_nickname_ok("Key\xc2\x85One"));
	CHECK(!br_nickname_ok("Key\x7fOne"));
	CHECK(!br_nickname_ok("Key\nOne"));
	CHECK(!br_nickname_ok(""));
	CHECK(!br_nickname_ok(NULL));
	CHECK(br_nickname_ok("YubiKey \xe9\x8d\xb5"));
	for (i = 0; i < BR_NICKNAME_MAX; i++)
		memcpy(s + 3 * i, "\xe9\x8d\xb5", 3);
	s[3 * BR_NICKNAME_MAX] = '\0';
	CHECK(br_nickname_ok(s));               /* 64 characters, 192 bytes */
	memcpy(s + 3 * BR_NICKNAME_MAX, "x", 2);
	CHECK(!br_nickname_ok(s));              /* 65 */
}

static void
aaguid_and_fmt(void)
{
	static const unsigned char a[16] = { 0xee, 0x88, 0x28, 0x79, 0x72, 0x1c, 0x49, 0x13, 0x97, 0x75, 0x3d, 0xfc,
		0xce, 0x97, 0x07, 0x2a };
	static const unsigned char zero[16];
	char t[BR_AAGUID_TEXT_LEN + 1];

	br_aaguid_format(a, t);
	CHECK(strcmp(t, "ee882879-721c-4913-9775-3dfcce97072a") == 0 && br_aaguid_text_ok(t));
	CHECK(br_aaguid_text_ok("EE882879-721C-4913-9775-3DFCCE97072A"));
	CHECK(!br_aaguid_text_ok("ee882879-721c-4913-9775-3dfcce97072"));
	CHECK(!br_aaguid_text_ok("ee882879x721c-4913-9775-3dfcce97072a"));
	CHECK(!br_aaguid_text_ok("ee882879-721c-4913-9775-3dfcce97072a0"));
	CHECK(!br_aaguid_text_ok(""));
	CHECK(br_aaguid_is_zero(zero) && !br_aaguid_is_zero(a));
	CHECK(br_fmt_ok("packed") && br_fmt_ok("android-safetynet") && br_fmt_ok("fido-u2f"));
	CHECK(!br_fmt_ok("") && !br_fmt_ok("pa cked") && !br_fmt_ok("x)(y") && !br_fmt_ok("abcdefghijklmnopqrstuvwx"));
}

static void
transports_table(void)
{
	json_t *in = json_pack("[s, s, s, i, s, s]", "nfc", "usb", "quantum", 7, "usb", "smart-card");
	json_t *out;
	char text[64];
	unsigned m = br_transports_from_json(in);

	CHECK(m == (BR_TRANSPORT_USB | BR_TRANSPORT_NFC | BR_TRANSPORT_SMART_CARD));
	out = br_transports_to_json(m);
	CHECK(json_array_size(out) == 3 && strcmp(json_string_value(json_array_get(out, 0)), "usb") == 0 &&
	    strcmp(json_string_value(json_array_get(out, 2)), "smart-card") == 0);
	br_transports_to_text(m, text, sizeof(text));
	CHECK(strcmp(text, "usb,nfc,smart-card") == 0);
	br_transports_to_text(0, text, sizeof(text));
	CHECK(text[0] == '\0');
	br_transports_to_text((1u << BR_TRANSPORT_COUNT) - 1, text, sizeof(text));
	CHECK(strcmp(text, "usb,nfc,ble,internal,hybrid,smart-card") == 0);
	CHECK(br_transport_from_name("usb", 3) == BR_TRANSPORT_USB && br_transport_from_name("usbx", 3) == BR_TRANSPORT_USB);
	CHECK(br_transport_from_name("usb", 2) == 0 && br_transport_from_name("USB", 3) == 0);
	CHECK(br_transport_name(BR_TRANSPORT_COUNT) == NULL && br_transport_bit(BR_TRANSPORT_COUNT) == 0);
	json_decref(in);
	json_decref(out);
}

static int
gt(const char *s, int64_t *t)
{
	return br_gentime_parse(s, strlen(s), t);
}

static void
gentime_february_31_refused(void)
{
	int64_t t = 0;

	CHECK(gt("20260231000000Z", &t) < 0);
	CHECK(gt("20250229000000Z", &t) < 0);
	CHECK(gt("19000229000000Z", &t) < 0);
	CHECK(gt("20240229000000Z", &t) == 0 && t == 1709164800);
	CHECK(gt("20000229000000Z", &t) == 0);
	CHECK(gt("20260431000000Z", &t) < 0);
	CHECK(gt("20261301000000Z", &t) < 0 && gt("20260001000000Z", &t) < 0 && gt("20260100000000Z", &t) < 0);
	CHECK(gt("20260101240000Z", &t) < 0 && gt("20260101236000Z", &t) < 0);
}

static void
gentime_forms(void)
{
	int64_t t = 0;
	char out[BR_GENTIME_LEN + 1];

	CHECK(gt("20231114221320Z", &t) == 0 && t == 1700000000);
	CHECK(gt("2023111422Z", &t) == 0 && t == 1699999200);
	CHECK(gt("202311142213Z", &t) == 0 && t == 1699999980);
	CHECK(gt("20231114221320.123Z", &t) == 0 && t == 1700000000);
	CHECK(gt("20231115071320+0900", &t) == 0 && t == 1700000000);
	CHECK(gt("20231114211320-01", &t) == 0 && t == 1700000000);
	CHECK(gt("20231114221360Z", &t) == 0 && t == 1700000000 + 39);  /* leap second */
	CHECK(gt("20231114221320", &t) < 0);     /* no zone */
	CHECK(gt("20231114221320Zx", &t) < 0);   /* trailing */
	CHECK(gt("20231114221320.Z", &t) < 0);
	CHECK(gt("20231114221320+2400", &t) < 0);
	CHECK(gt("2023111422132Z", &t) < 0);
	CHECK(br_gentime_parse("20231114221320Z", 14, &t) < 0);  /* length is the caller's */
	CHECK(br_gentime_write(1700000000, out, sizeof(out)) == 0 && strcmp(out, "20231114221320Z") == 0);
	CHECK(br_gentime_write(-1, out, sizeof(out)) < 0);
	CHECK(br_gentime_write(INT64_C(253402300800), out, sizeof(out)) < 0);
	CHECK(br_gentime_write(0, out, 15) < 0);
	CHECK(br_gentime_write(INT64_C(253402300799), out, sizeof(out)) == 0 && strcmp(out, "99991231235959Z") == 0);
}

static void
iso_forms(void)
{
	int64_t t = 0;
	char out[32];

	CHECK(br_iso_parse("2023-11-14T22:13:20Z", &t) == 0 && t == 1700000000);
	CHECK(br_iso_parse("2026-02-31T00:00:00Z", &t) < 0);
	CHECK(br_iso_parse("2023-11-14T22:13:20", &t) < 0);
	CHECK(br_iso_parse("2023-11-14 22:13:20Z", &t) < 0);
	CHECK(br_iso_parse("2023-11-14T22:13:2xZ", &t) < 0);
	CHECK(br_iso_parse("2023-11-14T22:13:20.5Z", &t) < 0);
	CHECK(br_time_to_iso(1700000000, out, sizeof(out)) == 0 && strcmp(out, "2023-11-14T22:13:20Z") == 0);
}

static void
enum_names(void)
{
	static const br_enum_name one[] = { { "only", 7 }, { NULL, 0 } };
	static const br_enum_name two[] = { { "reject", 0 }, { "flag", 1 }, { NULL, 0 } };
	static const br_enum_name three[] = { { "a", 2 }, { "b", 1 }, { "c", 0 }, { NULL, 0 } };
	static const br_enum_name none[] = { { NULL, 0 } };
	char out[32];
	int v = -5;

	br_enum_choices(one, out, sizeof(out));
	CHECK(strcmp(out, "only") == 0);
	br_enum_choices(two, out, sizeof(out));
	CHECK(strcmp(out, "reject or flag") == 0);
	br_enum_choices(three, out, sizeof(out));
	CHECK(strcmp(out, "a, b or c") == 0);
	br_enum_choices(none, out, sizeof(out));
	CHECK(strcmp(out, "") == 0);
	/* cut to fit, always terminated */
	br_enum_choices(two, out, 8);
	CHECK(strcmp(out, "reject ") == 0);
	br_enum_choices(two, out, 1);
	CHECK(out[0] == '\0');

	CHECK(br_enum_parse(three, "b", &v) == 0 && v == 1);
	CHECK(br_enum_parse(three, "B", &v) == -1 && v == 1);
	CHECK(br_enum_parse(three, "", &v) == -1 && br_enum_parse(three, NULL, &v) == -1);
	CHECK(br_enum_parse(none, "a", &v) == -1 && v == 1);
	CHECK(strcmp(br_enum_name_of(three, 0), "c") == 0);
	CHECK(br_enum_name_of(three, 3) == NULL && br_enum_name_of(none, 0) == NULL);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(utf8_strict),
		UNIT_CASE(nickname_c1_control_refused),
		UNIT_CASE(aaguid_and_fmt),
		UNIT_CASE(transports_table),
		UNIT_CASE(gentime_february_31_refused),
		UNIT_CASE(gentime_forms),
		UNIT_CASE(iso_forms),
		UNIT_CASE(enum_names),
	};

	return unit_run("text", cases, UNIT_N(cases));
}
