#include "store_error.h"

#include <stdio.h>

static _Thread_local char last[BR_STORE_ERROR_MAX];

void
br_store_error_set(const char *op, const char *what)
{
	snprintf(last, sizeof(last), "%s: %s", op != NULL ? op : "store", what != NULL ? what : "failed");
}

const char *
br_store_error_get(void)
{
	return last;
}

void
br_store_error_clear(void)
{
	last[0] = '\0';
}
