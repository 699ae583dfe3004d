/*
 * HTTP-level tests of fido-bridged on a running stack (real slapd, memcached,
 * the IdP stand-in), with a software passkey in the test: enrolment, sign-in
 * through the IdP handoff, My passkeys, and every rejection the bridge
 * promises. Run through tests/http/run.sh, which starts and stops the stack.
 *
 *   test_http_flows [--list | --group main|cache|limits|proxy|edges | CASE...]
 *
 * The cases of a run share the stack: fixtures (alice's and bob's passkeys)
 * are made by the first case that needs them, so any case can also run
 * alone, e.g. tests/http/run.sh --build build -- build/tests/http/test_http_flows my_passkeys
 * Groups: "main" (everything the bridge promises), "cache" (what is in
 * memcached: sealed state, single use across server threads; needs a stack
 * of its own, so that its content is this group's only), "limits" (the
 * per-address limit: needs STACK_LIMIT_ADDRESS low), "proxy" (behind a
 * trusted proxy: needs trusted_proxies = 127.0.0.1 and low limits), "edges"
 * (the request deadline: needs a short header_timeout, STACK_HEADER_TIMEOUT=2s),
 * "certs" (certificate sign-in: needs the test PKI and [certificate] on, which
 * tests/certs/run-http-certs.sh provides).
 *
 * This file holds the one case table (the order the cases run in) and main.
 * The cases are in t_*.c, one concern per file (cases.h lists them by file),
 * the helpers they share in fixtures.c; the stack in stack.c, ceremonies.c,
 * tools.c and memcached.c.
 */
#include <string.h>

#include <curl/curl.h>

#include "cases.h"
#include "harness.h"
#include "stack.h"

static const th_case cases[] = {
	{ "main", "enrol_with_link", t_enrol_with_link, "one-time link -> options -> none attestation -> directory; code used up" },
	{ "main", "ops", t_ops, "/healthz, /metrics, 404/405, static files" },
	{ "main", "icons", t_icons, "/icons/<aaguid>[.dark]: decoded icon, type, sandbox CSP, caching; 404s" },
	{ "main", "signin_discoverable", t_signin_discoverable, "IdP stand-in -> /login -> discoverable passkey -> ticket, taken once" },
	{ "main", "signin_username_first", t_signin_username_first, "allowCredentials for alice, assertion without userHandle" },
	{ "main", "my_passkeys", t_my_passkeys, "local sign-in, list, rename, second passkey, delete, last_passkey" },
	{ "certs", "cert_self_pairing", t_cert_self_pairing, "Add My Number Card from My passkeys, only for that session; then the card signs in" },
	{ "main", "start_bad_sig", t_start_bad_sig, "altered/missing/duplicate sig, altered signed values: 400, no redirect" },
	{ "main", "start_stale_ts", t_start_stale_ts, "ts outside the skew (signed here with the secret): 400" },
	{ "main", "start_foreign_return", t_start_foreign_return, "correctly signed return outside return_urls: 400, no redirect" },
	{ "main", "passive", t_passive, "passive=1: 303 straight back with error=NoPassive" },
	{ "main", "cancel", t_cancel, "use another way: error=NoCredentials, flow gone" },
	{ "main", "replayed_ticket", t_replayed_ticket, "the ticket is taken once" },
	{ "main", "unknown_credential", t_unknown_credential, "404 with credential_id and rp_id" },
	{ "main", "disabled_account", t_disabled_account, "dave's passkey (added over LDAP): account_disabled, AccountDisabled" },
	{ "main", "oversized_body", t_oversized_body, "bodies over max_body_bytes: 413 (length, 100-continue, chunked)" },
	{ "main", "malformed_bodies", t_malformed_bodies, "not JSON, not an object, missing members, padded base64: 400" },
	{ "main", "origin", t_origin, "missing or foreign Origin on every API: 403" },
	{ "main", "unknown_flow", t_unknown_flow, "no, unknown, malformed and finished flow cookies" },
	{ "main", "rate_limit_account", t_rate_limit_account, "options for one account until 429" },
	{ "main", "rate_limit_account_spelling", t_rate_limit_account_spelling, "the per-account limit holds however the username is spelled" },
	{ "limits", "rate_limit_address", t_rate_limit_address, "requests from one address until 429 (limits run only)" },
	{ "limits", "rate_limit_verify_refused", t_rate_limit_verify_refused, "verify refused before its challenge counts per address (limits run only)" },
	{ "cache", "state_sealed", t_state_sealed, "memcached's keys and values hold no cookie, challenge or username" },
	{ "cache", "state_key_is_no_cookie", t_state_key_is_no_cookie, "a session's key from the key list used as fb_session: 403" },
	{ "cache", "state_forged_records", t_state_forged_records, "sessions and flows copied or written into memcached are refused" },
	{ "cache", "standin_ticket_everywhere", t_standin_ticket_everywhere, "after the stand-in took a ticket, no server has it" },
	{ "cache", "ticket_single_use_shim", t_ticket_single_use_shim, "a ticket taken like the IdP shim does cannot be taken again" },
	{ "cache", "consumed_keys_everywhere", t_consumed_keys_everywhere, "consumed challenges and flows gone from every memcached server" },
	{ "main", "pages_root", t_pages_root, "/ goes to the sign-in, or to My passkeys when signed in" },
	{ "main", "pages_not_found", t_pages_not_found, "an unknown path: an HTML 404 page with the security headers" },
	{ "main", "pages_enroll_help", t_pages_enroll_help, "/enroll without a link: how to get one, back to the sign-in" },
	{ "main", "pages_passkeys_not_hijacked", t_pages_passkeys_not_hijacked, "My passkeys' sign-in (fb_local) never completes a waiting SP login (fb_flow)" },
	{ "main", "pages_activity", t_pages_activity, "/api/passkeys: this account's recent sign-ins, newest first, with address" },
	{ "main", "pages_branding", t_pages_branding, "[branding]: names in pages and strings, logo and CSS routes, footer links" },
	{ "main", "pages_enrolled_to_passkeys", t_pages_enrolled_to_passkeys, "\"Go to My passkeys\" after a set-up link: no second sign-in, once" },
	{ "main", "pages_error_reference", t_pages_error_reference, "error page: reference id and time, the same id in the audit" },
	{ "cache", "ticket_shim_after_fault", t_ticket_shim_after_fault, "a memcached stopped: shim and stand-in take unavailable, then exactly once" },
	{ "main", "audit_log", t_audit_log, "one JSON event per line, no ticket/challenge/code/cookie values" },
	{ "proxy", "proxy_client_from_header", t_proxy_client_from_header, "behind a trusted proxy: X-Forwarded-For client counted and logged" },
	{ "proxy", "proxy_ipv6_prefix", t_proxy_ipv6_prefix, "an IPv6 client is counted by its /64" },
	{ "proxy", "proxy_untrusted_peer", t_proxy_untrusted_peer, "X-Forwarded-For from an untrusted peer (127.0.0.2) ignored" },
	{ "proxy", "proxy_connections", t_proxy_connections, "100 connections from a trusted proxy; max_connections_per_address for others" },
	{ "limits", "proxy_header_ignored", t_proxy_header_ignored, "no trusted_proxies: X-Forwarded-For ignored, the client is the peer" },
	{ "limits", "connection_limit_default", t_connection_limit_default, "no trusted_proxies: 64 connections per address" },
	{ "main", "edges_both_framings", t_edges_both_framings, "Content-Length with Transfer-Encoding: 400, Connection: close, nothing smuggled" },
	{ "main", "edges_library_replies", t_edges_library_replies, "libmicrohttpd's own 400/505/414/431 carry the security headers" },
	{ "main", "edges_admin_listener", t_edges_admin_listener, "/metrics and detailed /healthz on the loopback admin listener only" },
	{ "main", "edges_plus_in_start", t_edges_plus_in_start, "start parameters: '+' is a space, %2B a plus" },
	{ "main", "edges_missing_cookie", t_edges_missing_cookie, "a JSON call without fb_flow: 400 expired; without fb_session: 403 forbidden" },
	{ "edges", "edges_slow_drip", t_edges_slow_drip, "a request dripped a byte at a time is dropped at header_timeout (edges run only)" },
	{ "edges", "edges_health_detail", t_edges_health_detail, "a memcached down: public /healthz \"not ok\", the admin one names it (edges run only; last)" },
};

int
main(int argc, char **argv)
{
	int rc;

	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return th_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
	stack_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = th_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
	curl_global_cleanup();
	return rc;
}
