#include "routes.h"

#include "../app/app.h"

/* Exact paths, or prefixes ending in '/'. Order does not matter: paths are disjoint. */
const br_route br_routes[] = {
	{ "GET", "/authn/start", h_authn_start, "authn_start" },
	{ "GET", "/authn/finish", h_authn_finish, "authn_finish" },
	{ "POST", "/authn/cancel", h_authn_cancel, "authn_cancel" },
	{ "GET", "/authn/certificate/start", h_cert_start, "cert_start" },
	{ "GET", "/authn/certificate", h_cert_check, "cert_check" },
	{ "GET", "/authn/certificate/done", h_cert_done, "cert_done" },
	{ "GET", "/passkeys/certificate/start", h_cert_pair_start, "cert_pair_start" },
	{ "GET", "/passkeys/certificate/done", h_cert_pair_done, "cert_pair_done" },
	{ "GET", "/api/certificates", h_api_certs_list, "api_certs_list" },
	{ "POST", "/api/certificates/delete", h_api_certs_delete, "api_certs_delete" },
	{ "POST", "/signout", h_signout, "signout" },
	{ "GET", "/", h_root, "root" },
	{ "GET", "/login", h_page_login, "page_login" },
	{ "GET", "/enroll", h_page_enroll, "page_enroll" },
	{ "GET", "/enrolled", h_page_enrolled, "page_enrolled" },
	{ "POST", "/enrolled", h_enrolled_continue, "enrolled_continue" },
	{ "GET", "/passkeys", h_page_passkeys, "page_passkeys" },
	{ "POST", "/api/authenticate/options", h_api_auth_options, "api_auth_options" },
	{ "POST", "/api/authenticate/verify", h_api_auth_verify, "api_auth_verify" },
	{ "POST", "/api/enrol/password", h_api_enrol_password, "api_enrol_password" },
	{ "POST", "/api/register/options", h_api_reg_options, "api_reg_options" },
	{ "POST", "/api/register/verify", h_api_reg_verify, "api_reg_verify" },
	{ "GET", "/api/passkeys", h_api_passkeys_list, "api_passkeys_list" },
	{ "POST", "/api/passkeys/rename", h_api_passkeys_rename, "api_passkeys_rename" },
	{ "POST", "/api/passkeys/delete", h_api_passkeys_delete, "api_passkeys_delete" },
	{ "GET", "/healthz", h_healthz, "healthz" },
	{ "GET", "/.well-known/webauthn", h_well_known, "well_known" },
	{ "GET", "/static/", h_static, "static" },
	{ "GET", "/i18n/", h_static, "static" },
	{ "GET", "/branding/", h_static, "static" },
	{ "GET", "/favicon.ico", h_favicon, "static" },
	{ "GET", "/icons/", h_icon, "icon" },
};
const size_t br_n_routes = sizeof(br_routes) / sizeof(br_routes[0]);

/* The management listener ([server] admin_listen): not for the public. */
const br_route br_admin_routes[] = {
	{ "GET", "/healthz", h_healthz_detail, "admin_healthz" },
	{ "GET", "/metrics", h_metrics, "admin_metrics" },
};
const size_t br_n_admin_routes = sizeof(br_admin_routes) / sizeof(br_admin_routes[0]);

void
br_routes_observe(void *app, const char *metric, int status, double seconds)
{
	br_metrics_request(((br_app *)app)->metrics, metric, status, seconds);
}
