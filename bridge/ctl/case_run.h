/* Run a loaded case through the verifier with the "everything enabled" policy. */
#ifndef BR_CASE_RUN_H
#define BR_CASE_RUN_H

#include "case_file.h"

typedef struct br_case_outcome {
	br_err error;
	br_reg_result reg;   /* registration */
	br_auth_result auth; /* authentication */
} br_case_outcome;

/*
 * A case does not say what the RP offered, so every algorithm (RS1 too) and
 * every format is accepted; a sign-count regression fails.
 */
void br_case_policy(const br_case *c, br_policy *pol);
br_err br_case_run(const br_case *c, const br_policy *pol, br_case_outcome *o);
void br_case_outcome_reset(br_case_outcome *o);

#endif
