/* Options every bridgectl command shares. */
#ifndef BR_CTL_OPTIONS_H
#define BR_CTL_OPTIONS_H

/* --config default: $FIDO_BRIDGE_CONFIG, else /etc/fido-bridge/bridge.conf. */
const char *br_default_config_path(void);

#endif
