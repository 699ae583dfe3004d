/* The route table and the handlers behind it, one file per area. */
#ifndef BR_ROUTES_H
#define BR_ROUTES_H

#include "server.h"

extern const br_route br_routes[];
extern const size_t br_n_routes;
/* the management listener's: /healthz with the failing part, /metrics */
extern const br_route br_admin_routes[];
extern const size_t br_n_admin_routes;

/* server observe hook: latency histogram and status counts */
void br_routes_observe(void *app, const char *metric, int status, double seconds);

/* h_authn.c: the IdP handoff */
void h_authn_start(void *app, const br_request *req, br_response *res);
void h_authn_finish(void *app, const br_request *req, br_response *res);
void h_cert_start(void *app, const br_request *req, br_response *res);
void h_cert_check(void *app, const br_request *req, br_response *res);
void h_cert_done(void *app, const br_request *req, br_response *res);
void h_cert_pair_start(void *app, const br_request *req, br_response *res);
void h_cert_pair_done(void *app, const br_request *req, br_response *res);
void h_api_certs_list(void *app, const br_request *req, br_response *res);
void h_api_certs_delete(void *app, const br_request *req, br_response *res);
void h_authn_cancel(void *app, const br_request *req, br_response *res);
/* h_pages.c */
void h_page_login(void *app, const br_request *req, br_response *res);
void h_page_enroll(void *app, const br_request *req, br_response *res);
void h_page_enrolled(void *app, const br_request *req, br_response *res);
void h_enrolled_continue(void *app, const br_request *req, br_response *res);
void h_page_passkeys(void *app, const br_request *req, br_response *res);
void h_root(void *app, const br_request *req, br_response *res);
void h_not_found(void *app, const br_request *req, br_response *res);
/* h_signin.c */
void h_api_auth_options(void *app, const br_request *req, br_response *res);
void h_api_auth_verify(void *app, const br_request *req, br_response *res);
/* h_register.c */
void h_api_reg_options(void *app, const br_request *req, br_response *res);
void h_api_reg_verify(void *app, const br_request *req, br_response *res);
/* h_enrol_password.c */
void h_api_enrol_password(void *app, const br_request *req, br_response *res);
/* h_passkeys.c */
void h_signout(void *app, const br_request *req, br_response *res);
void h_api_passkeys_list(void *app, const br_request *req, br_response *res);
void h_api_passkeys_rename(void *app, const br_request *req, br_response *res);
void h_api_passkeys_delete(void *app, const br_request *req, br_response *res);
/* h_ops.c */
void h_healthz(void *app, const br_request *req, br_response *res);        /* public: ok / not ok */
void h_healthz_detail(void *app, const br_request *req, br_response *res); /* admin: the failing part */
void h_metrics(void *app, const br_request *req, br_response *res);
void h_well_known(void *app, const br_request *req, br_response *res);
void h_static(void *app, const br_request *req, br_response *res);
void h_favicon(void *app, const br_request *req, br_response *res);
void h_icon(void *app, const br_request *req, br_response *res);

#endif
