/* br_read_file (bridge/app/readfile.c): whole, capped, NUL-terminated, or a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/app/readfile.h"
#include "unit.h"

static char dir[64];

static const char *
put(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void
reads(void)
{
	unsigned char *b = (unsigned char *)"x";
	size_t n = 99;
	const char *why = NULL;

	CHECK_INT(br_read_file(put("ok.pem", "abc"), 3, &b, &n, &why), 0);
	CHECK(b != NULL && n == 3 && memcmp(b, "abc", 4) == 0);  /* the NUL after the bytes */
	free(b);
	/* one byte over the cap is refused, never cut short */
	CHECK_INT(br_read_file(put("big.pem", "abcd"), 3, &b, &n, &why), -1);
	CHECK(b == NULL && n == 0 && strcmp(why, "larger than the limit") == 0);
	CHECK_INT(br_read_file(put("empty.pem", ""), 100, &b, &n, &why), -1);
	CHECK(b == NULL && strcmp(why, "empty") == 0);
	CHECK_INT(br_read_file(dir, 100, &b, &n, &why), -1);
	CHECK(b == NULL && strcmp(why, "not a regular file") == 0);
	CHECK_INT(br_read_file("/nonexistent/readfile-test", 100, &b, &n, &why), -1);
	CHECK(b == NULL && strstr(why, "No such file") != NULL);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(reads),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/bridge-readfile.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = unit_run("readfile", cases, UNIT_N(cases));
	unlink(put("ok.pem", ""));
	unlink(put("big.pem", ""));
	unlink(put("empty.pem", ""));
	rmdir(dir);
	return rc;
}
