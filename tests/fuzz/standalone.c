/*
 * Replay corpora through a fuzz target without libFuzzer (any C compiler):
 *   fuzz_<t>_replay PATH...
 * Each PATH is a file or a directory whose regular files (not recursing, names
 * starting with '.' skipped) are fed one by one, in name order, to
 * LLVMFuzzerTestOneInput. Each input gets its own exactly sized heap copy so
 * that a sanitizer build catches over-reads. A broken invariant aborts (the
 * target prints which); finding no input at all is an error too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int
run_file(const char *path, size_t *count)
{
	FILE *f;
	struct stat st;
	unsigned char *buf;
	size_t len;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	/* never hand the target NULL, even for an empty input (libFuzzer does not) */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    (len > 0 && fread(buf, 1, len, f) != len)) {
		fprintf(stderr, "%s: read failed\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (getenv("FUZZ_REPLAY_VERBOSE") != NULL)
		fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*count)++;
	return 0;
}

static int
skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int
run_path(const char *path, size_t *count)
{
	struct dirent **names = NULL;
	struct stat st;
	char *full;
	int i, n, rc = 0;
	size_t len;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	if ((n = scandir(path, &names, skip_dot, alphasort)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		len = strlen(path) + 1 + strlen(names[i]->d_name) + 1;
		if ((full = malloc(len)) == NULL) {
			rc = -1;
		} else {
			snprintf(full, len, "%s/%s", path, names[i]->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && run_file(full, count) < 0)
				rc = -1;
			free(full);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			rc = 1;
	printf("%s: replayed %zu inputs\n", argv[0], count);
	if (count == 0) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		rc = 1;
	}
	return rc;
}
