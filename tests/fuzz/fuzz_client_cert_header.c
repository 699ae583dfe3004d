/*
 * br_cc_header_decode: the forwarded client-certificate header (RFC 9440
 * byte sequence, URL-escaped PEM, PEM). Invariants: on success the output
 * is one non-empty DER certificate that br_x509_from_der takes whole, and the
 * facts, the usage rule and the OpenSSH line run on it without failing
 * badly; on failure the output is empty. The header is length-bounded, so
 * the same bytes with one more trailing byte must not be read past.
 */
#include <stdlib.h>
#include <string.h>

#include "clientcert.h"
#include "fuzz_common.h"
#include "x509.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_blob der = { NULL, 0 };
	br_cc_facts f;
	br_cc_err r;
	char field[128], *line;
	X509 *x;

	r = br_cc_header_decode((const char *)data, size, &der);
	if (r != BR_CC_OK) {
		FZ_CHECK(r == BR_CC_HEADER || r == BR_CC_CERTIFICATE);
		FZ_CHECK(der.ptr == NULL && der.len == 0);
		fz_end_input();
		return 0;
	}
	FZ_CHECK(size <= BR_CC_HEADER_MAX);
	FZ_CHECK(der.ptr != NULL && der.len > 0 && der.len <= size);
	FZ_CHECK((x = br_x509_from_der(der.ptr, der.len)) != NULL);
	if (br_cc_facts_get(x, &f) == BR_CC_OK) {
		FZ_CHECK(strlen(f.cert_sha256) == 64 && strlen(f.spki_sha256) == 64);
		FZ_CHECK(f.serial[0] != '\0');
	}
	r = br_cc_check_usage(x, NULL, 0);
	FZ_CHECK(r == BR_CC_OK || r == BR_CC_USAGE || r == BR_CC_SIGNATURE_CERT || r == BR_CC_CERTIFICATE);
	if (br_cc_field(x, "email", field, sizeof(field)) == 0)
		FZ_CHECK(strlen(field) < sizeof(field));
	(void)br_cc_field(x, "upn", field, sizeof(field));
	(void)br_cc_field(x, "CN", field, sizeof(field));
	if ((line = br_cc_ssh_rsa_line(x, "fuzz")) != NULL) {
		FZ_CHECK(strncmp(line, "ssh-rsa ", 8) == 0 && strchr(line, '\n') == NULL);
		free(line);
	}
	X509_free(x);
	br_blob_reset(&der);
	fz_end_input();
	return 0;
}
