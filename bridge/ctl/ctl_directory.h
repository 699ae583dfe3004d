/* What bridgectl's directory commands share (cmd_directory.c). */
#ifndef BR_CTL_DIRECTORY_H
#define BR_CTL_DIRECTORY_H

#include <stddef.h>

#include "../config/config.h"
#include "../store/directory.h"

struct ctl {
	br_config cfg;
	br_directory *dir;
};

/*
 * Pull "--config FILE" (and "--ttl D" when ttl != NULL) out of argv; the rest
 * stay positional. Every pos[0..maxpos-1] is set, NULL past the last one given.
 * Returns the number of positional arguments, -1 after a message.
 */
int ctl_parse_args(int argc, char **argv, const char **config, long *ttl, char **pos, int maxpos);
/* Load the config and open its directory; -1 after a message on stderr. */
int ctl_open_directory(struct ctl *c, const char *config);
void ctl_close_directory(struct ctl *c);
/* The user, or NULL after a message on stderr. */
br_user *ctl_find_user(struct ctl *c, const char *name);
/* Who runs this, for the audit log: $SUDO_USER, else the login name, else the uid's name. */
void ctl_admin(char *out, size_t cap);

#endif
