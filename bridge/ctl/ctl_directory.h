/* What bridgectl's directory commands share (cmd_directory.c): options, opening the directory, a user. */
#ifndef BR_CTL_DIRECTORY_H
#define BR_CTL_DIRECTORY_H

#include "../config/config.h"
#include "../store/directory.h"

struct ctl {
	br_config cfg;
	br_directory *dir;
};

/*
 * Pull "--config FILE" (and "--ttl D" when ttl != NULL) out of argv; the rest
 * stay positional. Every pos[0..maxpos-1] is set, NULL past the last one given.
 * The count of positional arguments, or -1.
 */
int parse_args(int argc, char **argv, const char **config, long *ttl, char **pos, int maxpos);
/* Load the configuration and open its directory; 0, or -1 with the reason on stderr. */
int open_directory(struct ctl *c, const char *config);
void close_directory(struct ctl *c);
/* Look a user up, explaining a failure on stderr. */
br_user *find_user(struct ctl *c, const char *name);

#endif
