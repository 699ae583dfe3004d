#define _POSIX_C_SOURCE 200809L
#include "proc_stop.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* 1 when a thread of /proc/<pid>/task is not in state T/t, 0 when none is, -1 when the directory is gone. */
static int
any_running(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int running = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[400], buf[512], *rp;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/stat", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		/* "tid (comm) S ...": the state follows the last ')' (comm may hold one) */
		if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL && rp[1] == ' ' &&
		    rp[2] != 'T' && rp[2] != 't')
			running = 1;
		fclose(f);
	}
	closedir(d);
	return running;
}

int
svc_stop_process(pid_t pid, char *why, size_t cap)
{
	struct timespec pause = { 0, 5000000L };
	char dir[64];
	int tries, r;

	if (kill(pid, SIGSTOP) != 0) {
		snprintf(why, cap, "kill(%d, SIGSTOP): %s", (int)pid, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	for (tries = 0; tries < 400; tries++) {
		if ((r = any_running(dir)) < 0) {
			snprintf(why, cap, "%s: %s", dir, strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		nanosleep(&pause, NULL);
	}
	snprintf(why, cap, "process %d did not stop within 2 s", (int)pid);
	return -1;
}
