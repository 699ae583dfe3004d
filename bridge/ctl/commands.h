/* bridgectl subcommands: each takes the arguments after its name. */
#ifndef BR_COMMANDS_H
#define BR_COMMANDS_H

int cmd_verify(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_enrolment(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_credential(int argc, char **argv);
int cmd_directory(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_ssh(int argc, char **argv);
int cmd_mds(int argc, char **argv);
int cmd_names(int argc, char **argv);
/* bridgectl mds check (cmd_directory.c: it reads the directory) */
int cmd_mds_check(const char *config);

#endif
