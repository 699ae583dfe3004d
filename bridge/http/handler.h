/* What every route handler uses: the services, the request guard and the replies. */
#ifndef BR_HANDLER_H
#define BR_HANDLER_H

#include "../app/app.h"
#include "../app/session.h"
#include "http.h"
#include "json_guard.h"
#include "reply.h"
#include "routes.h"

/* The caller as the services see it. */
static inline br_caller
br_req_caller(const br_request *req)
{
	br_caller who = { req->client, req->now, req->ref };

	return who;
}

/* {"ok":true,"next":<url>}: where the page goes after a ceremony. */
static inline void
br_reply_next(br_response *res, const char *next)
{
	br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", next));
}

#endif
