/* Options every bridgectl command shares. */
#ifndef BR_CTL_OPTIONS_H
#define BR_CTL_OPTIONS_H

/* --config default: $FIDO_BRIDGE_CONFIG, else /etc/fido-bridge/bridge.conf. */
const char *br_default_config_path(void);

/* Is -h or --help among the arguments (before a "--")? Commands then print their usage and exit 0. */
int br_wants_help(int argc, char **argv);

/* The text every usage message ends with: where --config defaults to. */
#define BR_CONFIG_USAGE "  --config FILE defaults to $FIDO_BRIDGE_CONFIG, else /etc/fido-bridge/bridge.conf\n"

#endif
