/*
 * br_ticket_verify: the input is a ticket record as memcached would hand it to
 * a shim (JSON text, written by whoever can write there). Invariants: no crash
 * or leak; the answer is 0 or -1 with one of the documented reasons; a record
 * verifies only when its mac is the one br_ticket_mac computes for its fields;
 * and the same record with that mac put in verifies whenever its fields are
 * well typed (so the typed reader and the MAC agree on every field).
 */
#include <string.h>

#include <jansson.h>

#include "../../bridge/app/handoff.h"
#include "fuzz_common.h"

#define TICKET "T1ck3t-kn0wn-answer-AAAAAAAAAAAAAAAAAAAAAAA"
#define CONV "e1s2"
#define STATE "St4te-kn0wn-answer-BBBBBBBBBB"
#define NOW 1767225605

static int
reason_known(const char *why)
{
	static const char *const known[] = { "ok", "malformed", "bad_mac", "conversation_mismatch", "state_mismatch",
		"expired", "future" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(why, known[i]) == 0)
			return 1;
	return 0;
}

/* The record's fields as br_ticket_fields, or -1 when one is missing or of another type. */
static int
fields_of(json_t *r, br_ticket_fields *f)
{
	json_t *ai = json_object_get(r, "auth_instant"), *ex = json_object_get(r, "expires");
	const char *flags[4] = { "uv", "be", "bs", "mfa" };
	int *dst[4] = { &f->uv, &f->be, &f->bs, &f->mfa };

	memset(f, 0, sizeof(*f));
	f->principal = json_string_value(json_object_get(r, "principal"));
	f->conversation = json_string_value(json_object_get(r, "conversation"));
	f->state = json_string_value(json_object_get(r, "state"));
	f->entity = json_string_value(json_object_get(r, "entity"));
	f->credential_id = json_string_value(json_object_get(r, "credential_id"));
	f->aaguid = json_string_value(json_object_get(r, "aaguid"));
	if (f->principal == NULL || f->conversation == NULL || f->state == NULL || f->entity == NULL ||
	    f->credential_id == NULL || f->aaguid == NULL || !json_is_integer(ai) || !json_is_integer(ex) ||
	    !json_is_string(json_object_get(r, "mac")))
		return -1;
	f->auth_instant = json_integer_value(ai);
	f->expires = json_integer_value(ex);
	for (int i = 0; i < 4; i++) {
		json_t *b = json_object_get(r, flags[i]);
		if (!json_is_boolean(b))
			return -1;
		*dst[i] = json_is_true(b);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char key[] = "kat-secret-for-the-handoff-v2-vectors-0123456789";
	br_secrets s = { key, sizeof(key) - 1, NULL, 0 };
	char want[BR_HANDOFF_SIG_LEN + 1];
	br_ticket_fields f;
	const char *why = NULL;
	json_t *r = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	int rc, typed, signable;

	if (r == NULL)
		return 0;
	rc = br_ticket_verify(r, TICKET, CONV, STATE, &s, NOW, 120, &why);
	FZ_CHECK(rc == 0 || rc == -1);
	FZ_CHECK(why != NULL && reason_known(why));
	FZ_CHECK((rc == 0) == (strcmp(why, "ok") == 0));
	typed = json_is_object(r) && fields_of(r, &f) == 0;
	signable = typed && br_ticket_mac(key, sizeof(key) - 1, TICKET, &f, want) == 0;
	if (rc == 0) {
		/* verified: so the fields were typed and the mac is exactly the computed one */
		FZ_CHECK(signable);
		FZ_CHECK(strcmp(want, json_string_value(json_object_get(r, "mac"))) == 0);
	}
	if (signable && json_is_integer(json_object_get(r, "v")) && json_integer_value(json_object_get(r, "v")) == 2) {
		/* with the right mac put in, it gets past the MAC: only binding and time can refuse it */
		json_object_set_new(r, "mac", json_string(want));
		rc = br_ticket_verify(r, TICKET, CONV, STATE, &s, NOW, 120, &why);
		FZ_CHECK(strcmp(why, "malformed") != 0 && strcmp(why, "bad_mac") != 0);
	}
	json_decref(r);
	return 0;
}
