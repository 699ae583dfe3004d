/*
 * Stopping a test's server process (memcached) with SIGSTOP, for the tests
 * of a cache server that stops answering (tests/http t_single_use,
 * tests/integration test_cache_fault). C beside the scripts that start the
 * servers; Linux only (/proc).
 */
#ifndef SVC_PROC_STOP_H
#define SVC_PROC_STOP_H

#include <stddef.h>
#include <sys/types.h>

/*
 * SIGSTOP pid, then wait (up to 2 s) until every one of its threads is
 * stopped: kill() returns before the group stop has reached them, and a
 * thread still running would answer a request the test means to go
 * unanswered. 0, or -1 with the reason in why (cap bytes).
 */
int svc_stop_process(pid_t pid, char *why, size_t cap);

#endif
