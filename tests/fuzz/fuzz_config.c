/*
 * br_config_load_report (libinih through our line-counting reader), then the
 * rules between keys. The input is the text of a configuration file.
 * Invariants: the count returned is the number of problems reported; every
 * reported line is 0 or a line of the input; a clean load sets only keys at
 * lines of the input and holds the derived algorithm ids; nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/config/config.h"
#include "fuzz_common.h"

struct seen {
	int count, lines, bad_line;
};

static void
on_problem(void *arg, int line, const char *msg)
{
	struct seen *s = arg;

	s->count++;
	if (line < 0 || line > s->lines || msg == NULL || *msg == '\0')
		s->bad_line = 1;
}

static void
ignore(void *arg, int line, const char *msg)
{
	(void)arg;
	(void)line;
	(void)msg;
}

/* One scratch file for the whole run: the loader reads a path. */
static const char *
scratch(void)
{
	static char path[64];
	int fd;

	if (path[0] != '\0')
		return path;
	snprintf(path, sizeof(path), "%s/fuzz-config-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		abort();
	close(fd);
	return path;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = scratch();
	struct seen s = { 0, 1, 0 };
	br_config c;
	size_t i;
	FILE *f;
	int n;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			s.lines++;
	n = br_config_load_report(path, &c, on_problem, &s);
	FZ_CHECK(n == s.count);
	FZ_CHECK(!s.bad_line);
	if (n == 0) {
		int lines[] = {
			br_config_line(&c, "server", "listen_port"), br_config_line(&c, "webauthn", "origins"),
			br_config_line(&c, "idp", "return_urls"), br_config_line(&c, "ldap", "uri"),
		};
		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
			FZ_CHECK(lines[i] >= 0 && lines[i] <= s.lines);
		FZ_CHECK(c.n_algs == c.algorithms.n && c.n_algs > 0);
		FZ_CHECK(c.listen_port >= 1 && c.listen_port <= 65535);
		(void)br_config_check_report(&c, BR_CHECK_RULES, ignore, NULL);
		br_config_free(&c);
	}
	return 0;
}
