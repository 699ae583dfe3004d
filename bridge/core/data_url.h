/*
 * Image data: URLs (RFC 2397) as the FIDO metadata and the passkey-provider
 * list carry authenticator icons: "data:image/png;base64,...". Only the
 * image types a page may draw, only base64 (strict, padded), size-capped,
 * and the bytes must start the way their type says. Pure.
 */
#ifndef BR_DATA_URL_H
#define BR_DATA_URL_H

#include <stddef.h>

#include "buf.h"

#define BR_ICON_BYTES_MAX (96u << 10)  /* decoded (a 128 KiB data: URL); a larger icon is not drawn */

/*
 * Decode the image in s (len chars, no NUL needed). Accepted media types
 * (any case): image/png, image/svg+xml, image/webp, image/jpeg, with
 * parameters (name=value) before ";base64," ignored. *ctype gets the
 * canonical Content-Type (a static string). Returns 0, or -1 (out empty,
 * *ctype NULL) for anything else: another scheme or type, no base64, bad
 * base64, more than max bytes decoded, bytes not of the stated type.
 */
int br_data_url_image(const char *s, size_t len, size_t max, const char **ctype, br_blob *out);

/* 1 when s (NUL-terminated) is an image br_data_url_image accepts with BR_ICON_BYTES_MAX. */
int br_data_url_image_ok(const char *s);

#endif
