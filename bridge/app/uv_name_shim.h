/* MERGE: replaced by br_uv_policy_name in core/ceremony.h */
#ifndef BR_UV_NAME_SHIM_H
#define BR_UV_NAME_SHIM_H
static inline const char *
br_uv_policy_name(br_uv_policy p)
{
	return p == BR_UV_REQUIRED ? "required" : p == BR_UV_DISCOURAGED ? "discouraged" : "preferred";
}
#endif
