/* bridgectl config: check a configuration file, list the keys it may hold. */
#include <stdio.h>
#include <string.h>

#include "../config/config.h"
#include "commands.h"
#include "options.h"

static void
print_key(const char *section, const char *key, const char *doc, void *arg)
{
	(void)doc;
	(void)arg;
	printf("%s.%s\n", section, key);
}

/* One problem a line: "FILE:LINE: [section] key: reason", as compilers write them. */
static void
print_problem(void *arg, int line, const char *msg)
{
	const char *path = arg;

	if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", path, line, msg);
	else
		fprintf(stderr, "%s: %s\n", path, msg);
}

static void
config_usage(FILE *f)
{
	fprintf(f, "usage: bridgectl config check [--syntax-only] [--config FILE]\n"
		   "       bridgectl config keys\n"
		   BR_CONFIG_USAGE
		   "  check reports every problem on its own line; --syntax-only skips the rules\n"
		   "  between keys and the files (templates, audit log, secrets). Run it as the\n"
		   "  service's user (sudo -u fido-bridge) to see what the service may open.\n");
}

int
cmd_config(int argc, char **argv)
{
	const char *path = NULL;
	int syntax_only = 0, i, problems;
	br_config c;

	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		config_usage(stdout);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "keys") == 0) {
		br_config_each_key(print_key, NULL);
		return 0;
	}
	if (argc < 1 || strcmp(argv[0], "check") != 0) {
		config_usage(stderr);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--syntax-only") == 0)
			syntax_only = 1;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			config_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bridgectl config check: unexpected \"%s\"\n", argv[i]);
			return 2;
		}
	}
	if (path == NULL)
		path = br_default_config_path();
	if ((problems = br_config_load_report(path, &c, print_problem, (void *)path)) > 0) {
		fprintf(stderr, "%s: %d problem%s\n", path, problems, problems == 1 ? "" : "s");
		return 1;
	}
	if (!syntax_only &&
	    (problems = br_config_check_report(&c, BR_CHECK_RULES | BR_CHECK_FILES, print_problem, (void *)path)) > 0) {
		fprintf(stderr, "%s: %d problem%s\n", path, problems, problems == 1 ? "" : "s");
		br_config_free(&c);
		return 1;
	}
	printf("%s: OK\n", path);
	br_config_free(&c);
	return 0;
}
