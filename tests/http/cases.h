/*
 * The HTTP test cases, by the file that holds them; cases.c runs them from its
 * table (name, group, what). Each case is a function without arguments that
 * checks with harness.h and may end early with REQUIRE or th_skip.
 */
#ifndef HTTP_CASES_H
#define HTTP_CASES_H

/* t_ops.c */
void t_ops(void);

/* t_icons.c */
void t_icons(void);

/* t_pages.c */
void t_pages_root(void);
void t_pages_not_found(void);
void t_pages_enroll_help(void);
void t_pages_error_reference(void);
void t_pages_passkeys_not_hijacked(void);
void t_pages_activity(void);
void t_pages_branding(void);
void t_pages_enrolled_to_passkeys(void);

/* t_enrol.c */
void t_enrol_with_link(void);

/* t_signin.c */
void t_signin_discoverable(void);
void t_signin_username_first(void);

/* t_passkeys.c */
void t_my_passkeys(void);

/* t_certs.c (group certs: tests/certs/run-http-certs.sh) */
void t_cert_self_pairing(void);

/* t_handoff.c */
void t_start_bad_sig(void);
void t_start_stale_ts(void);
void t_start_foreign_return(void);
void t_passive(void);
void t_cancel(void);

/* t_replays.c */
void t_replayed_ticket(void);


/* t_reject_signin.c */
void t_unknown_credential(void);
void t_disabled_account(void);

/* t_reject_requests.c */
void t_oversized_body(void);
void t_malformed_bodies(void);
void t_origin(void);
void t_unknown_flow(void);

/* t_limits.c */
void t_rate_limit_account(void);
void t_rate_limit_account_spelling(void);
void t_rate_limit_verify_refused(void);
void t_rate_limit_address(void);
void t_proxy_connections(void);
void t_connection_limit_default(void);

/* t_single_use.c */
void t_consumed_keys_everywhere(void);
void t_ticket_single_use_shim(void);
void t_ticket_shim_after_fault(void);
void t_standin_ticket_everywhere(void);

/* t_audit.c */
void t_audit_log(void);

/* t_proxy.c */
void t_proxy_client_from_header(void);
void t_proxy_ipv6_prefix(void);
void t_proxy_untrusted_peer(void);
void t_proxy_header_ignored(void);

/* t_state.c */
void t_state_sealed(void);
void t_state_key_is_no_cookie(void);
void t_state_forged_records(void);

/* t_edges.c */
void t_edges_both_framings(void);
void t_edges_library_replies(void);
void t_edges_slow_drip(void);
void t_edges_admin_listener(void);
void t_edges_plus_in_start(void);
void t_edges_missing_cookie(void);
void t_edges_health_detail(void);

#endif
