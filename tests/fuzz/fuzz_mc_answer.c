/*
 * The memcached client's answer parser (bridge/store/mc_wire.c, mcw_answer)
 * over what a server, or anything that took its address, could send: the
 * input is written into one end of a socket pair, closed, and read back as
 * answers until the connection is given up. Odd bytes of the first input byte
 * choose, per answer, whether a value is wanted. Invariants: a value comes
 * only when asked for, NUL-terminated at its length and no longer than the
 * input; the connection is closed after any failure but SERVER_ERROR; and
 * the reading ends (every answer consumes input, or the connection closes).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../bridge/store/mc_wire.h"
#include "fuzz_common.h"

#define INPUT_MAX 65536  /* well under a socket pair's buffer: the write never blocks */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mcw_conn c;
	int sv[2];
	size_t i, n;
	unsigned char pick;

	if (size < 1 || size > INPUT_MAX)
		return 0;
	pick = data[0];
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	n = size > 0 ? (size_t)write(sv[1], data, size) : 0;
	close(sv[1]);
	if (n != size) {
		close(sv[0]);
		return 0;
	}
	mcw_init(&c, 0);
	c.fd = sv[0];
	/* each answer takes at least 2 bytes ("\r\n"), so size + 1 rounds always reach the end */
	for (i = 0; i <= size + 1 && c.fd >= 0; i++) {
		int want = (pick >> (i % 8)) & 1;
		char *val = NULL;
		size_t vlen = 0;
		const char *why = NULL;
		mcw_ans a = mcw_answer(&c, want ? &val : NULL, want ? &vlen : NULL, &why);

		FZ_CHECK(a == MCW_HIT || a == MCW_NO || a == MCW_FAIL);
		if (a == MCW_FAIL) {
			FZ_CHECK(why != NULL && val == NULL);
			FZ_CHECK(c.fd < 0 || strcmp(why, "server error") == 0);
		}
		if (val != NULL) {
			FZ_CHECK(a == MCW_HIT && want && vlen <= size && val[vlen] == '\0');
			free(val);
		}
	}
	FZ_CHECK(c.fd < 0);
	return 0;
}
