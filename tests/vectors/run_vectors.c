#define _POSIX_C_SOURCE 200809L
/*
 * Runs `bridgectl verify` over every shared case and compares each printed
 * verdict with the case's "expect" (bridgectl itself never reads it).
 * usage: run_vectors BRIDGECTL CASE_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MAX_FILES 4096

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Compare expect's fields (those present) with the verdict line. FORMAT.md
 * calls expect.error informative (verifiers order their checks differently),
 * so a different name for a rejected case is reported, not failed; the
 * per-check error codes are pinned by the unit tests.
 */
static int
check_case(const char *path, json_t *got)
{
	static const char *const fields[] = { "ok", "error", "fmt", "attestation_type",
		"credential_id", "public_key_cose", "aaguid", "sign_count", "uv", "be", "bs" };
	json_error_t je;
	json_t *c = json_load_file(path, 0, &je), *exp;
	size_t i;
	int bad = 0;

	if (c == NULL || !json_is_object(exp = json_object_get(c, "expect"))) {
		printf("FAIL %s: unreadable case or no expect\n", path);
		json_decref(c);
		return 1;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *e = json_object_get(exp, fields[i]), *g = json_object_get(got, fields[i]);
		if (e == NULL)
			continue;
		if (!json_equal(e, g) && strcmp(fields[i], "error") == 0 &&
		    json_is_false(json_object_get(got, "ok"))) {
			printf("NOTE %s: rejected with %s, the recording project said %s\n",
			    json_string_value(json_object_get(c, "name")),
			    json_string_value(g) ? json_string_value(g) : "?", json_string_value(e) ? json_string_value(e) : "?");
		} else if (!json_equal(e, g)) {
			char *es = json_dumps(e, JSON_ENCODE_ANY), *gs = g ? json_dumps(g, JSON_ENCODE_ANY) : NULL;
			printf("FAIL %s: %s expected %s, got %s\n", json_string_value(json_object_get(c, "name")),
			    fields[i], es ? es : "?", gs ? gs : "(absent)");
			free(es);
			free(gs);
			bad = 1;
		}
	}
	json_decref(c);
	return bad;
}

int
main(int argc, char **argv)
{
	char **files = NULL, *cmd = NULL, line[65536];
	size_t n = 0, i, cmdlen = 0;
	struct dirent *de;
	DIR *d;
	FILE *p;
	json_t *verdicts;
	int failed = 0, passed = 0, st;

	if (argc != 3) {
		fprintf(stderr, "usage: run_vectors BRIDGECTL CASE_DIR\n");
		return 2;
	}
	if ((d = opendir(argv[2])) == NULL) {
		fprintf(stderr, "run_vectors: cannot open %s\n", argv[2]);
		return 2;
	}
	files = calloc(MAX_FILES, sizeof(char *));
	while (files != NULL && (de = readdir(d)) != NULL && n < MAX_FILES) {
		size_t len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
			size_t plen = strlen(argv[2]) + len + 2;
			files[n] = malloc(plen);
			snprintf(files[n], plen, "%s/%s", argv[2], de->d_name);
			n++;
		}
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "run_vectors: no cases in %s\n", argv[2]);
		return 2;
	}
	qsort(files, n, sizeof(*files), name_cmp);
	cmdlen = strlen(argv[1]) + 16;
	for (i = 0; i < n; i++)
		cmdlen += strlen(files[i]) + 3;
	cmd = malloc(cmdlen);
	snprintf(cmd, cmdlen, "'%s' verify", argv[1]);
	for (i = 0; i < n; i++) {
		strcat(cmd, " '");
		strcat(cmd, files[i]);
		strcat(cmd, "'");
	}
	if ((p = popen(cmd, "r")) == NULL) {
		fprintf(stderr, "run_vectors: cannot run bridgectl\n");
		return 2;
	}
	/* bridgectl prints one line per readable case, in argument order */
	verdicts = json_object();
	while (fgets(line, sizeof(line), p) != NULL) {
		json_error_t je;
		json_t *got = json_loads(line, 0, &je);
		const char *name = json_string_value(json_object_get(got, "name"));
		if (name == NULL) {
			printf("FAIL verdict is not a JSON object with a name: %s", line);
			failed++;
		} else {
			json_object_set(verdicts, name, got);
		}
		json_decref(got);
	}
	for (i = 0; i < n; i++) {
		json_error_t je;
		json_t *c = json_load_file(files[i], 0, &je), *got;
		const char *name = json_string_value(json_object_get(c, "name"));
		got = name != NULL ? json_object_get(verdicts, name) : NULL;
		if (got == NULL) {
			printf("FAIL %s: no verdict line\n", files[i]);
			failed++;
		} else if (check_case(files[i], got)) {
			failed++;
		} else {
			passed++;
		}
		json_decref(c);
	}
	json_decref(verdicts);
	st = pclose(p);
	if (st != 0) {
		printf("FAIL bridgectl verify exited with status %d\n", st);
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(cmd);
	return failed == 0 ? 0 : 1;
}
