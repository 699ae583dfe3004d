/*
 * login.html: sign-in with a passkey (discoverable, username-first, autofill).
 * Needs js/common.js first.
 */
(function () {
	"use strict";

	var B = window.FidoBridge;
	if (!B) {
		return; /* common.js did not run */
	}
	var app = B.app;
	var canWebAuthn = B.canWebAuthn;
	var noop = B.noop;
	var byId = B.byId;
	var setHidden = B.setHidden;
	var delay = B.delay;
	var trim = B.trim;
	var isEnter = B.isEnter;
	var domError = B.domError;
	var unsupported = B.unsupported;
	var t = B.t;
	var requestOptions = B.requestOptions;
	var credentialJSON = B.credentialJSON;
	var postJSON = B.postJSON;
	var go = B.go;
	var showStatus = B.showStatus;
	var showError = B.showError;
	var setBusy = B.setBusy;
	var onClick = B.onClick;

	/*
	 * options -> navigator.credentials.get -> verify.
	 * onCredential() runs once the user has picked a passkey (before verify).
	 */
	var used = null; /* the credential of the last verify: remembered once it signed in */

	function authenticate(body, mediation, signal, onCredential) {
		/* My passkeys' own sign-in names its flow: it must never finish an IdP sign-in left in this browser */
		var q = app.getAttribute("data-for") === "passkeys" ? "?for=passkeys" : "";
		return postJSON("/api/authenticate/options" + q, body).then(function (res) {
			if (signal && signal.aborted) {
				throw domError("AbortError");
			}
			var req = { publicKey: requestOptions(res.publicKey) };
			if (mediation) {
				req.mediation = mediation;
			}
			if (signal) {
				req.signal = signal;
			}
			return navigator.credentials.get(req);
		}).then(function (cred) {
			if (!cred) {
				throw domError("NotAllowedError");
			}
			if (onCredential) {
				onCredential();
			}
			used = cred;
			return postJSON("/api/authenticate/verify" + q, credentialJSON(cred));
		});
	}

	function initLogin() {
		var hasFlow = app.getAttribute("data-has-flow") === "1";
		var cancel = byId("cancel-link");
		if (cancel && cancel.parentNode) {
			setHidden(cancel.parentNode, !hasFlow);
		}
		/*
		 * "Use another way" is a POST (a link another site shows must not end a
		 * sign-in); the way back to the IdP is then /authn/finish.
		 */
		onClick(cancel, function () {
			postJSON(cancel.getAttribute("data-url") || "/authn/cancel", {}).then(function (res) {
				go(res.next, "/authn/finish");
			}, function (err) {
				showError(err, "get", hasFlow);
			});
		});
		var btnPasskey = byId("signin-passkey");
		var btnUser = byId("signin-username");
		var input = byId("username");
		var buttons = [btnPasskey, btnUser, byId("status-retry")];
		if (!canWebAuthn) {
			unsupported(["signin-card"]);
			return;
		}

		var lastMode = "passkey";
		var cond = null;        /* the pending conditional request: {controller, done} */
		var condStarts = 0;     /* restarts are capped: no loop against the server */

		function finishSignIn(res) {
			B.rememberCredential(used, true);
			showStatus("success", t("status.signed_in"));
			go(res.next, hasFlow ? "/authn/finish" : "/passkeys");
		}

		function startConditional() {
			var PKC = window.PublicKeyCredential;
			if (B.isBusy() || cond || condStarts >= 4 || !PKC || typeof window.AbortController !== "function") {
				return;
			}
			condStarts++;
			var controller = new AbortController();
			var me = { controller: controller, done: null };
			var picked = false;
			cond = me;
			var p;
			try {
				p = B.canConditionalGet();
			} catch (e) {
				p = Promise.resolve(false);
			}
			me.done = p.then(function (available) {
				if (!available || controller.signal.aborted) {
					return null;
				}
				return authenticate({}, "conditional", controller.signal, function () {
					picked = true;
					setBusy(true, buttons);
					showStatus("busy", t("status.checking"));
				});
			}).then(function (res) {
				if (cond === me) {
					cond = null;
				}
				if (res) {
					finishSignIn(res);
				}
			}, function (err) {
				if (cond === me) {
					cond = null;
				}
				if (controller.signal.aborted && !picked) {
					return; /* we stopped it for a modal ceremony */
				}
				setBusy(false, buttons);
				if (!picked && !(err && err.isServer)) {
					return; /* the browser gave up on autofill by itself: stay quiet */
				}
				showError(err, "get", hasFlow);
				startConditional();
			});
		}

		/* Abort autofill and wait (briefly) until the browser has let go of it. */
		function stopConditional() {
			var c = cond;
			cond = null;
			if (!c) {
				return Promise.resolve();
			}
			c.controller.abort();
			return Promise.race([c.done.then(noop, noop), delay(1000)]);
		}

		function runModal(mode) {
			if (B.isBusy()) {
				return;
			}
			var body = {};
			if (mode === "username") {
				var name = trim(input.value);
				if (!name) {
					input.setAttribute("aria-invalid", "true");
					showStatus("error", t("err.username_required"));
					input.focus();
					return;
				}
				input.removeAttribute("aria-invalid");
				body = { username: name };
			}
			lastMode = mode;
			setBusy(true, buttons);
			showStatus("busy", t("status.waiting"));
			stopConditional().then(function () {
				return authenticate(body, null, null, function () {
					showStatus("busy", t("status.checking"));
				});
			}).then(finishSignIn, function (err) {
				setBusy(false, buttons);
				showError(err, "get", hasFlow);
				startConditional();
			});
		}

		onClick(btnPasskey, function () {
			runModal("passkey");
		});
		onClick(btnUser, function () {
			runModal("username");
		});
		input.addEventListener("keydown", function (e) {
			if (isEnter(e)) {
				e.preventDefault();
				runModal("username");
			}
		});
		input.addEventListener("input", function () {
			input.removeAttribute("aria-invalid");
		});
		onClick(byId("status-retry"), function () {
			runModal(lastMode);
		});
		onClick(byId("status-reload"), function () {
			window.location.reload();
		});

		startConditional();
	}

	B.start("login", ["signin-card"], initLogin);
}());
