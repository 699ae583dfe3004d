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

int
cmd_config(int argc, char **argv)
{
	char err[512];
	const char *path = NULL;
	int syntax_only = 0, i;
	br_config c;

	if (argc >= 1 && strcmp(argv[0], "keys") == 0) {
		br_config_each_key(print_key, NULL);
		return 0;
	}
	if (argc < 1 || strcmp(argv[0], "check") != 0) {
		fprintf(stderr, "usage: bridgectl config check [--syntax-only] --config FILE\n"
				"       bridgectl config keys\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--syntax-only") == 0)
			syntax_only = 1;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			fprintf(stderr, "bridgectl config check: unexpected \"%s\"\n", argv[i]);
			return 2;
		}
	}
	if (path == NULL)
		path = br_default_config_path();
	if (br_config_load(path, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s\n", err);
		return 1;
	}
	if (!syntax_only && br_config_check(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bridgectl: %s: %s\n", path, err);
		br_config_free(&c);
		return 1;
	}
	printf("%s: OK\n", path);
	br_config_free(&c);
	return 0;
}
