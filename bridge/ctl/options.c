#include "options.h"

#include <stdlib.h>

const char *
br_default_config_path(void)
{
	const char *env = getenv("FIDO_BRIDGE_CONFIG");

	return env != NULL && *env != '\0' ? env : "/etc/fido-bridge/bridge.conf";
}
