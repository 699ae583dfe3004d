#include "options.h"

#include <stdlib.h>
#include <string.h>

const char *
br_default_config_path(void)
{
	const char *env = getenv("FIDO_BRIDGE_CONFIG");

	return env != NULL && *env != '\0' ? env : "/etc/fido-bridge/bridge.conf";
}

int
br_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}
