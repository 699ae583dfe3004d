/*
 * Authenticator transports (WebAuthn AuthenticatorTransport) as a bitmask,
 * with the one table of their names. Unknown names are dropped, as the
 * specification asks of relying parties.
 */
#ifndef BR_TRANSPORT_H
#define BR_TRANSPORT_H

#include <stddef.h>

#include <jansson.h>

enum {
	BR_TRANSPORT_USB = 1u << 0,
	BR_TRANSPORT_NFC = 1u << 1,
	BR_TRANSPORT_BLE = 1u << 2,
	BR_TRANSPORT_INTERNAL = 1u << 3,
	BR_TRANSPORT_HYBRID = 1u << 4,
	BR_TRANSPORT_SMART_CARD = 1u << 5,
};
#define BR_TRANSPORT_COUNT 6

/* The bit for exactly len bytes of name, 0 when it is not a transport. */
unsigned br_transport_from_name(const char *name, size_t len);
/* The name of the i-th transport (0 <= i < BR_TRANSPORT_COUNT), and its bit. */
const char *br_transport_name(size_t i);
unsigned br_transport_bit(size_t i);

/* The known names in a JSON array (anything else in it is ignored). */
unsigned br_transports_from_json(const json_t *array);
/* ["usb","nfc"] in table order; NULL on OOM. */
json_t *br_transports_to_json(unsigned mask);
/* "usb,nfc" into out (cap >= 64 always fits); "" for none. */
void br_transports_to_text(unsigned mask, char *out, size_t cap);

#endif
