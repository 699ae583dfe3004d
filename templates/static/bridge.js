/*
 * fido-bridge front end: the sign-in, enrolment and My passkeys ceremonies.
 *
 * Loaded with `defer` by every page in templates/. No dependencies, no eval, no
 * inline handlers (the CSP forbids them). The syntax is deliberately ES5 so that an
 * old browser still parses this file and can be told that it cannot use passkeys;
 * every newer API (fetch, Promise, WebAuthn, Intl, AbortController, the L3 JSON
 * helpers and the Signal API) is feature-detected before use.
 *
 * Strings come from /i18n/<lang>.json (the same file the server uses for {{t.*}}).
 * Data from the server is only ever put into the page with textContent.
 */
(function () {
	"use strict";

	var app = document.getElementById("app");
	if (!app) {
		return;
	}
	var page = app.getAttribute("data-page") || "";
	var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase() === "ja" ? "ja" : "en";

	fixLanguageLinks();

	var canFetch = typeof window.fetch === "function" && typeof window.Promise === "function" &&
	    typeof window.JSON === "object";
	var canWebAuthn = canFetch && !!window.PublicKeyCredential && !!navigator.credentials &&
	    typeof navigator.credentials.get === "function" && typeof navigator.credentials.create === "function";

	if (page !== "login" && page !== "enroll" && page !== "passkeys" && page !== "enroll-password") {
		return; /* error and enrolled pages need nothing more */
	}
	if (!canFetch) {
		unsupported(["signin-card", "enroll-create", "passkey-add"]);
		return;
	}

	var strings = {};
	var fallbackText = app.getAttribute("data-fallback") || "";
	var busy = false;

	/* Server error codes (docs/http-api.md) and the strings that explain them. */
	var SERVER_ERRORS = {
		bad_request: "err.bad_request",
		forbidden: "err.forbidden",
		expired: "err.expired",
		unknown_account: "err.unknown_account",
		no_credentials: "err.no_credentials",
		unknown_credential: "err.unknown_credential",
		account_disabled: "err.account_disabled",
		failed: "err.failed",
		rate_limited: "err.rate_limited",
		last_passkey: "err.last_passkey",
		already_registered: "err.already_registered",
		has_passkeys: "err.has_passkeys",
		unavailable: "err.unavailable",
		network: "err.network"
	};

	loadStrings().then(function () {
		if (page === "login") {
			initLogin();
		} else if (page === "enroll") {
			initEnroll();
		} else if (page === "enroll-password") {
			initEnrollPassword();
		} else {
			initPasskeys();
		}
	});

	/* ------------------------------------------------------------------ */
	/* Small helpers                                                        */
	/* ------------------------------------------------------------------ */

	function noop() {}

	function byId(id) {
		return document.getElementById(id);
	}

	function setHidden(node, hidden) {
		if (!node) {
			return;
		}
		if (hidden) {
			node.setAttribute("hidden", "");
		} else {
			node.removeAttribute("hidden");
		}
	}

	function el(tag, className, text) {
		var node = document.createElement(tag);
		if (className) {
			node.className = className;
		}
		if (text !== undefined && text !== null) {
			node.textContent = String(text);
		}
		return node;
	}

	function makeButton(text, className) {
		var b = el("button", className, text);
		b.setAttribute("type", "button");
		return b;
	}

	function delay(ms) {
		return new Promise(function (resolve) {
			setTimeout(resolve, ms);
		});
	}

	function has(obj, key) {
		return Object.prototype.hasOwnProperty.call(obj, key);
	}

	function trim(s) {
		return String(s).replace(/^\s+|\s+$/g, "");
	}

	function isEnter(e) {
		/* Enter that is not confirming an IME conversion (Japanese input). */
		return (e.key === "Enter" || e.keyCode === 13) && !e.isComposing && e.keyCode !== 229;
	}

	function domError(name) {
		var e = new Error(name);
		e.name = name;
		return e;
	}

	/* Keep the query (e.g. /enroll?u=…&c=…) when switching language. */
	function fixLanguageLinks() {
		if (typeof window.URLSearchParams !== "function" || !document.querySelectorAll) {
			return;
		}
		var links = document.querySelectorAll("a[data-lang-switch]");
		for (var i = 0; i < links.length; i++) {
			var target = links[i].getAttribute("data-lang-switch");
			if (target !== "en" && target !== "ja") {
				continue;
			}
			var params = new URLSearchParams(window.location.search);
			params.set("lang", target);
			links[i].setAttribute("href", window.location.pathname + "?" + params.toString());
		}
	}

	function unsupported(hideIds) {
		setHidden(byId("unsupported"), false);
		for (var i = 0; i < hideIds.length; i++) {
			setHidden(byId(hideIds[i]), true);
		}
	}

	/* ------------------------------------------------------------------ */
	/* Strings                                                              */
	/* ------------------------------------------------------------------ */

	function loadStrings() {
		var load = fetch("/i18n/" + lang + ".json", { credentials: "same-origin" }).then(function (r) {
			return r.ok ? r.json() : {};
		}).then(function (s) {
			if (s && typeof s === "object") {
				strings = s;
			}
		}, noop);
		/* Never let a hung request keep the buttons dead. */
		return Promise.race([load, delay(4000)]);
	}

	/* t("key", {name: value}) with {name} substitution; the generic error if missing. */
	function t(key, vars) {
		var s = has(strings, key) && typeof strings[key] === "string" ? strings[key] : null;
		if (s === null) {
			return fallbackText || key;
		}
		if (vars) {
			s = s.replace(/\{([a-z_]+)\}/g, function (m, name) {
				return has(vars, name) ? String(vars[name]) : m;
			});
		}
		return s;
	}

	/* ------------------------------------------------------------------ */
	/* base64url and the WebAuthn JSON forms                                */
	/* ------------------------------------------------------------------ */

	function toBytes(buf) {
		if (buf instanceof ArrayBuffer) {
			return new Uint8Array(buf);
		}
		return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
	}

	function isBinary(v) {
		return v instanceof ArrayBuffer || (typeof ArrayBuffer.isView === "function" && ArrayBuffer.isView(v));
	}

	function b64urlEncode(buf) {
		var bytes = toBytes(buf);
		var bin = "";
		for (var i = 0; i < bytes.length; i += 0x8000) {
			bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
		}
		return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	}

	function b64urlDecode(s) {
		if (typeof s !== "string" || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) {
			throw new TypeError("not base64url");
		}
		var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
		while (b64.length % 4) {
			b64 += "=";
		}
		var bin = atob(b64);
		var out = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) {
			out[i] = bin.charCodeAt(i);
		}
		return out.buffer;
	}

	function shallowCopy(obj) {
		var out = {};
		for (var k in obj) {
			if (has(obj, k)) {
				out[k] = obj[k];
			}
		}
		return out;
	}

	function descriptors(list) {
		if (!Array.isArray(list)) {
			return list;
		}
		return list.map(function (d) {
			var c = shallowCopy(d);
			c.id = b64urlDecode(d.id);
			return c;
		});
	}

	/* PublicKeyCredentialRequestOptionsJSON -> PublicKeyCredentialRequestOptions */
	function requestOptions(json) {
		var PKC = window.PublicKeyCredential;
		if (typeof PKC.parseRequestOptionsFromJSON === "function") {
			try {
				return PKC.parseRequestOptionsFromJSON(json);
			} catch (e) {
				/* fall through to the manual conversion */
			}
		}
		var o = shallowCopy(json);
		o.challenge = b64urlDecode(json.challenge);
		if (json.allowCredentials) {
			o.allowCredentials = descriptors(json.allowCredentials);
		}
		return o;
	}

	/* PublicKeyCredentialCreationOptionsJSON -> PublicKeyCredentialCreationOptions */
	function creationOptions(json) {
		var PKC = window.PublicKeyCredential;
		if (typeof PKC.parseCreationOptionsFromJSON === "function") {
			try {
				return PKC.parseCreationOptionsFromJSON(json);
			} catch (e) {
				/* fall through to the manual conversion */
			}
		}
		var o = shallowCopy(json);
		o.challenge = b64urlDecode(json.challenge);
		o.user = shallowCopy(json.user);
		o.user.id = b64urlDecode(json.user.id);
		if (json.excludeCredentials) {
			o.excludeCredentials = descriptors(json.excludeCredentials);
		}
		return o;
	}

	/* Binary values anywhere in v become base64url (for extension results). */
	function jsonable(v) {
		if (isBinary(v)) {
			return b64urlEncode(v);
		}
		if (Array.isArray(v)) {
			return v.map(jsonable);
		}
		if (v && typeof v === "object") {
			var out = {};
			for (var k in v) {
				if (has(v, k)) {
					out[k] = jsonable(v[k]);
				}
			}
			return out;
		}
		return v;
	}

	/* PublicKeyCredential -> its JSON form (RegistrationResponseJSON / AuthenticationResponseJSON). */
	function credentialJSON(cred) {
		if (typeof cred.toJSON === "function") {
			try {
				var j = cred.toJSON();
				if (j && typeof j.id === "string" && typeof j.rawId === "string" && j.response) {
					return j;
				}
			} catch (e) {
				/* fall through to the manual serializer */
			}
		}
		var r = cred.response;
		var resp = { clientDataJSON: b64urlEncode(r.clientDataJSON) };
		if (r.attestationObject) {
			resp.attestationObject = b64urlEncode(r.attestationObject);
			if (typeof r.getAuthenticatorData === "function") {
				try {
					resp.authenticatorData = b64urlEncode(r.getAuthenticatorData());
				} catch (e) {
					/* optional */
				}
			}
			var transports = [];
			if (typeof r.getTransports === "function") {
				try {
					transports = r.getTransports() || [];
				} catch (e) {
					/* optional */
				}
			}
			resp.transports = transports;
		} else {
			resp.authenticatorData = b64urlEncode(r.authenticatorData);
			resp.signature = b64urlEncode(r.signature);
			resp.userHandle = r.userHandle && r.userHandle.byteLength ? b64urlEncode(r.userHandle) : null;
		}
		var ext = {};
		if (typeof cred.getClientExtensionResults === "function") {
			try {
				ext = jsonable(cred.getClientExtensionResults() || {});
			} catch (e) {
				ext = {};
			}
		}
		return {
			id: cred.id,
			rawId: b64urlEncode(cred.rawId),
			type: cred.type,
			authenticatorAttachment: cred.authenticatorAttachment || null,
			clientExtensionResults: ext,
			response: resp
		};
	}

	/* ------------------------------------------------------------------ */
	/* Talking to the server                                                */
	/* ------------------------------------------------------------------ */

	function serverError(code, body) {
		var e = new Error(code);
		e.name = "BridgeServerError";
		e.isServer = true;
		e.code = code;
		e.body = body || null;
		e.serverMessage = body && typeof body.message === "string" ? body.message : "";
		return e;
	}

	function codeForStatus(status) {
		if (status === 403) {
			return "forbidden";
		}
		if (status === 400 || status === 413) {
			return "bad_request";
		}
		if (status === 429) {
			return "rate_limited";
		}
		if (status >= 500) {
			return "unavailable";
		}
		return "unknown";
	}

	function handleResponse(r) {
		return r.json().then(null, function () {
			return null;
		}).then(function (body) {
			if (r.ok && body && body.ok === true) {
				return body;
			}
			var code = body && typeof body.error === "string" ? body.error : codeForStatus(r.status);
			throw serverError(code, body);
		});
	}

	function networkError() {
		throw serverError("network", null);
	}

	/* POST a JSON body; resolves with the {"ok":true,…} answer, rejects with a server error. */
	function postJSON(path, body) {
		return fetch(path, {
			method: "POST",
			credentials: "same-origin",
			cache: "no-store",
			headers: { "Content-Type": "application/json", "Accept": "application/json" },
			body: JSON.stringify(body)
		}).then(handleResponse, networkError);
	}

	function getJSON(path) {
		return fetch(path, {
			method: "GET",
			credentials: "same-origin",
			cache: "no-store",
			headers: { "Accept": "application/json" }
		}).then(handleResponse, networkError);
	}

	/* Only same-origin paths: never an open redirect. */
	function go(next, fallback) {
		var target = typeof next === "string" && /^\/(?![\/\\])/.test(next) ? next : fallback;
		window.location.assign(target);
	}

	function signalUnknownCredential(body) {
		var PKC = window.PublicKeyCredential;
		if (!PKC || typeof PKC.signalUnknownCredential !== "function" || !body ||
		    typeof body.rp_id !== "string" || typeof body.credential_id !== "string") {
			return;
		}
		try {
			PKC.signalUnknownCredential({ rpId: body.rp_id, credentialId: body.credential_id }).then(null, noop);
		} catch (e) {
			/* best effort */
		}
	}

	/* ------------------------------------------------------------------ */
	/* Status region                                                        */
	/* ------------------------------------------------------------------ */

	var statusSeq = 0;

	/*
	 * kind: "busy" | "error" | "success" | "info".
	 * opts: {hint, retry, reload, signin, focus}
	 * The text is cleared first and written a moment later so that a screen
	 * reader announces the same message again after a second failure.
	 */
	function showStatus(kind, text, opts) {
		opts = opts || {};
		var box = byId("status-box");
		var region = byId("status");
		var seq = ++statusSeq;
		setHidden(byId("server-message"), true);
		if (!box || !region) {
			return;
		}
		box.className = "status-box is-" + kind;
		byId("status-text").textContent = "";
		byId("status-hint").textContent = "";
		setHidden(byId("status-retry"), !opts.retry);
		setHidden(byId("status-reload"), !opts.reload);
		setHidden(byId("status-signin"), !opts.signin);
		setHidden(byId("status-actions"), !(opts.retry || opts.reload || (opts.signin && byId("status-signin"))));
		setTimeout(function () {
			if (seq !== statusSeq) {
				return;
			}
			byId("status-text").textContent = text || "";
			byId("status-hint").textContent = opts.hint || "";
			if (opts.focus) {
				region.focus();
			}
		}, 50);
	}

	function clearStatus() {
		statusSeq++;
		var box = byId("status-box");
		if (box) {
			box.className = "status-box";
			byId("status-text").textContent = "";
			byId("status-hint").textContent = "";
			setHidden(byId("status-actions"), true);
		}
	}

	/*
	 * An error (DOMException from WebAuthn, or a server/network error) in plain words.
	 * ceremony: "get" | "create" | "api".
	 */
	function describe(err, ceremony, hasFlow) {
		var d = { text: t("err.generic"), hint: "", retry: true, reload: false, signin: false };
		if (err && err.isServer) {
			var key = has(SERVER_ERRORS, err.code) ? SERVER_ERRORS[err.code] : null;
			d.text = key ? t(key) : (err.serverMessage || t("err.generic"));
			switch (err.code) {
			case "expired":
				d.reload = true;
				break;
			case "forbidden":
				d.retry = false;
				d.reload = true;
				break;
			case "account_disabled":
				d.retry = false;
				break;
			case "unknown_credential":
				signalUnknownCredential(err.body);
				break;
			case "no_credentials":
				d.hint = t(hasFlow ? "err.no_credentials_hint" : "err.no_credentials_hint_noflow");
				break;
			case "last_passkey":
				if (err.serverMessage) {
					d.text = err.serverMessage;
				}
				break;
			default:
				break;
			}
			return d;
		}
		var name = err && typeof err.name === "string" ? err.name : "";
		switch (name) {
		case "NotAllowedError":
			if (ceremony === "create") {
				d.text = t("err.notallowed_create");
			} else {
				d.text = t("err.notallowed");
				d.hint = t(hasFlow ? "err.notallowed_hint" : "err.notallowed_hint_noflow");
			}
			break;
		case "InvalidStateError":
			d.text = ceremony === "create" ? t("err.invalidstate") : t("err.generic");
			break;
		case "AbortError":
			d.text = t("err.abort");
			break;
		case "SecurityError":
			d.text = t("err.security");
			d.retry = false;
			break;
		case "NotSupportedError":
		case "ConstraintError":
			d.text = t("err.notsupported");
			break;
		default:
			break;
		}
		return d;
	}

	function showError(err, ceremony, hasFlow, extra) {
		var d = describe(err, ceremony, hasFlow);
		if (extra) {
			extra(d);
		}
		showStatus("error", d.text, { hint: d.hint, retry: d.retry, reload: d.reload, signin: d.signin, focus: true });
	}

	/* Buttons stay focusable while busy (aria-disabled), clicks are ignored. */
	function setBusy(on, buttons) {
		busy = on;
		for (var i = 0; i < buttons.length; i++) {
			if (buttons[i]) {
				if (on) {
					buttons[i].setAttribute("aria-disabled", "true");
				} else {
					buttons[i].removeAttribute("aria-disabled");
				}
			}
		}
	}

	function onClick(node, fn) {
		if (node) {
			node.addEventListener("click", function (e) {
				e.preventDefault();
				fn(e);
			});
		}
	}

	/* ------------------------------------------------------------------ */
	/* Ceremonies                                                           */
	/* ------------------------------------------------------------------ */

	/*
	 * options -> navigator.credentials.get -> verify.
	 * onCredential() runs once the user has picked a passkey (before verify).
	 */
	function authenticate(body, mediation, signal, onCredential) {
		return postJSON("/api/authenticate/options", body).then(function (res) {
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
			return postJSON("/api/authenticate/verify", credentialJSON(cred));
		});
	}

	/* options -> navigator.credentials.create -> verify. extra goes into both bodies. */
	function register(extra, nickname, onCredential) {
		return postJSON("/api/register/options", extra).then(function (res) {
			return navigator.credentials.create({ publicKey: creationOptions(res.publicKey) });
		}).then(function (cred) {
			if (!cred) {
				throw domError("NotAllowedError");
			}
			if (onCredential) {
				onCredential();
			}
			var body = { credential: credentialJSON(cred), nickname: nickname };
			for (var k in extra) {
				if (has(extra, k)) {
					body[k] = extra[k];
				}
			}
			return postJSON("/api/register/verify", body);
		});
	}

	/* ------------------------------------------------------------------ */
	/* Nicknames                                                            */
	/* ------------------------------------------------------------------ */

	function chars(s) {
		return typeof Array.from === "function" ? Array.from(s) : s.split("");
	}

	/* Control characters out, whitespace trimmed, at most 64 characters. */
	function cleanNickname(s) {
		var c = chars(trim(String(s || "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "")));
		return trim(c.slice(0, 64).join(""));
	}

	function validNickname(s) {
		var n = chars(s).length;
		return n >= 1 && n <= 64 && !/[\u0000-\u001f\u007f-\u009f]/.test(s);
	}

	/* "Chrome on Windows" and the like, from User-Agent Client Hints or the UA string. */
	function guessDeviceName() {
		var browser = "";
		var os = "";
		var uad = navigator.userAgentData;
		if (uad && Array.isArray(uad.brands)) {
			var brandNames = { "Google Chrome": "Chrome", "Microsoft Edge": "Edge", "Opera": "Opera", "Brave": "Brave", "Vivaldi": "Vivaldi" };
			for (var i = 0; i < uad.brands.length; i++) {
				var b = uad.brands[i] && uad.brands[i].brand;
				if (b && has(brandNames, b)) {
					browser = brandNames[b];
					break;
				}
			}
			var platforms = { "Windows": "Windows", "macOS": "macOS", "Android": "Android", "Chrome OS": "ChromeOS", "Chromium OS": "ChromeOS", "Linux": "Linux", "iOS": "iPhone" };
			if (typeof uad.platform === "string" && has(platforms, uad.platform)) {
				os = platforms[uad.platform];
			}
		}
		var ua = navigator.userAgent || "";
		if (!browser) {
			if (/Edg(A|iOS)?\//.test(ua)) {
				browser = "Edge";
			} else if (/OPR\/|Opera/.test(ua)) {
				browser = "Opera";
			} else if (/SamsungBrowser\//.test(ua)) {
				browser = "Samsung Internet";
			} else if (/Firefox\/|FxiOS\//.test(ua)) {
				browser = "Firefox";
			} else if (/Chrome\/|CriOS\//.test(ua)) {
				browser = "Chrome";
			} else if (/Safari\//.test(ua)) {
				browser = "Safari";
			}
		}
		if (!os) {
			if (/iPhone|iPod/.test(ua)) {
				os = "iPhone";
			} else if (/iPad/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1)) {
				os = "iPad";
			} else if (/Android/.test(ua)) {
				os = "Android";
			} else if (/Windows/.test(ua)) {
				os = "Windows";
			} else if (/CrOS/.test(ua)) {
				os = "ChromeOS";
			} else if (/Mac OS X|Macintosh/.test(ua)) {
				os = "macOS";
			} else if (/Linux/.test(ua)) {
				os = "Linux";
			}
		}
		if (browser && os) {
			return cleanNickname(t("nickname.guess", { browser: browser, os: os }));
		}
		return browser || os;
	}

	function nicknameOrDefault(value) {
		return cleanNickname(value) || cleanNickname(guessDeviceName()) || t("nickname.default");
	}

	/* ------------------------------------------------------------------ */
	/* Dates                                                                */
	/* ------------------------------------------------------------------ */

	function formatDate(d, withTime) {
		if (!isFinite(d.getTime())) {
			return "";
		}
		var o = { year: "numeric", month: "short", day: "numeric" };
		if (withTime) {
			o.hour = "numeric";
			o.minute = "2-digit";
		}
		try {
			return new Intl.DateTimeFormat(lang, o).format(d);
		} catch (e) {
			return withTime ? d.toLocaleString() : d.toLocaleDateString();
		}
	}

	function timeElement(unix, withTime) {
		var d = new Date(unix * 1000);
		var node = el("time", null, formatDate(d, withTime));
		if (isFinite(d.getTime())) {
			node.setAttribute("datetime", d.toISOString());
		}
		return node;
	}

	/* ------------------------------------------------------------------ */
	/* login.html                                                           */
	/* ------------------------------------------------------------------ */

	function initLogin() {
		var hasFlow = app.getAttribute("data-has-flow") === "1";
		var cancel = byId("cancel-link");
		if (cancel && cancel.parentNode) {
			setHidden(cancel.parentNode, !hasFlow);
		}
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
			showStatus("success", t("status.signed_in"));
			go(res.next, hasFlow ? "/authn/finish" : "/passkeys");
		}

		function startConditional() {
			var PKC = window.PublicKeyCredential;
			if (busy || cond || condStarts >= 4 || typeof PKC.isConditionalMediationAvailable !== "function" ||
			    typeof window.AbortController !== "function") {
				return;
			}
			condStarts++;
			var controller = new AbortController();
			var me = { controller: controller, done: null };
			var picked = false;
			cond = me;
			var p;
			try {
				p = Promise.resolve(PKC.isConditionalMediationAvailable());
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
			if (busy) {
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

	/* ------------------------------------------------------------------ */
	/* enroll.html                                                          */
	/* ------------------------------------------------------------------ */

	function initEnroll() {
		var code = app.getAttribute("data-code") || "";
		var username = app.getAttribute("data-username") || "";
		var nick = byId("nickname");
		var btn = byId("enroll-create");
		var buttons = [btn, byId("status-retry")];

		var expires = byId("expires");
		if (expires) {
			var d = new Date(expires.getAttribute("datetime") || "");
			var text = formatDate(d, true);
			if (text) {
				expires.textContent = text;
			}
		}
		if (nick && !nick.value) {
			nick.value = guessDeviceName();
		}
		if (!canWebAuthn) {
			unsupported(["enroll-create"]);
			return;
		}

		function create() {
			if (busy) {
				return;
			}
			setBusy(true, buttons);
			showStatus("busy", t("status.waiting_create"));
			register({ code: code, username: username }, nicknameOrDefault(nick ? nick.value : ""), function () {
				showStatus("busy", t("status.saving"));
			}).then(function (res) {
				showStatus("success", t("status.created"));
				go(res.next, "/passkeys");
			}, function (err) {
				setBusy(false, buttons);
				showError(err, "create", false);
			});
		}

		onClick(btn, create);
		if (nick) {
			nick.addEventListener("keydown", function (e) {
				if (isEnter(e)) {
					e.preventDefault();
					create();
				}
			});
		}
		onClick(byId("status-retry"), create);
		onClick(byId("status-reload"), function () {
			window.location.reload();
		});
	}

	/* ------------------------------------------------------------------ */
	/* enroll-password.html: the directory password opens an enrolment      */
	/* ------------------------------------------------------------------ */

	function initEnrollPassword() {
		var form = byId("enrollpw-form");
		var user = byId("enrollpw-username");
		var pass = byId("enrollpw-password");
		var buttons = [byId("enrollpw-submit")];

		if (!form) {
			return;
		}
		form.addEventListener("submit", function (e) {
			e.preventDefault();
			if (busy) {
				return;
			}
			var u = user ? user.value.trim() : "";
			var p = pass ? pass.value : "";
			if (!u || !p) {
				showStatus("error", t("err.bad_request"), { focus: true });
				return;
			}
			setBusy(true, buttons);
			showStatus("busy", t("status.checking_password"));
			postJSON("/api/enrol/password", { username: u, password: p }).then(function (res) {
				if (pass) {
					pass.value = "";
				}
				go(res.next, "/enroll");
			}, function (err) {
				if (pass) {
					pass.value = "";
				}
				setBusy(false, buttons);
				showError(err, "get", false);
			});
		});
	}

	/* ------------------------------------------------------------------ */
	/* passkeys.html                                                        */
	/* ------------------------------------------------------------------ */

	function initPasskeys() {
		var list = byId("passkey-list");
		var loading = byId("list-loading");
		var empty = byId("list-empty");
		var addBtn = byId("passkey-add");
		var retryAction = null;
		var itemButtons = [];

		function allButtons() {
			return [addBtn, byId("status-retry")].concat(itemButtons);
		}

		function busyOn() {
			setBusy(true, allButtons());
		}

		function busyOff() {
			setBusy(false, allButtons());
		}

		/* Errors here: a lost session means "sign in again", not "reload". */
		function fail(err, ceremony, retry) {
			retryAction = retry || null;
			showError(err, ceremony, false, function (d) {
				if (err && err.isServer && (err.code === "forbidden" || err.code === "expired")) {
					d.signin = true;
					d.retry = false;
					d.reload = false;
					d.text = t("err.session");
				}
				if (!retryAction) {
					d.retry = false;
				}
			});
		}

		function signalAll(data) {
			var PKC = window.PublicKeyCredential;
			if (!PKC || !data || typeof data.rp_id !== "string" || !data.user || typeof data.user.id !== "string") {
				return;
			}
			var ids = [];
			var items = Array.isArray(data.passkeys) ? data.passkeys : [];
			for (var i = 0; i < items.length; i++) {
				if (items[i] && typeof items[i].id === "string") {
					ids.push(items[i].id);
				}
			}
			try {
				if (typeof PKC.signalAllAcceptedCredentials === "function") {
					PKC.signalAllAcceptedCredentials({ rpId: data.rp_id, userId: data.user.id, allAcceptedCredentialIds: ids }).then(null, noop);
				}
				if (typeof PKC.signalCurrentUserDetails === "function" && typeof data.user.name === "string") {
					PKC.signalCurrentUserDetails({
						rpId: data.rp_id,
						userId: data.user.id,
						name: data.user.name,
						displayName: typeof data.user.displayName === "string" ? data.user.displayName : data.user.name
					}).then(null, noop);
				}
			} catch (e) {
				/* best effort */
			}
		}

		function load() {
			setHidden(loading, false);
			return getJSON("/api/passkeys").then(function (data) {
				render(data);
				signalAll(data);
			}, function (err) {
				setHidden(loading, true);
				fail(err, "api", load);
			});
		}

		function render(data) {
			setHidden(loading, true);
			while (list.firstChild) {
				list.removeChild(list.firstChild);
			}
			itemButtons = [];
			var items = Array.isArray(data.passkeys) ? data.passkeys : [];
			setHidden(empty, items.length > 0);
			for (var i = 0; i < items.length; i++) {
				if (items[i] && typeof items[i].id === "string") {
					list.appendChild(renderItem(items[i], i));
				}
			}
		}

		function nameOf(pk) {
			return typeof pk.nickname === "string" && pk.nickname ? pk.nickname : t("passkeys.unnamed");
		}

		function addMeta(dl, label, value) {
			var row = el("div", "pk-meta-row");
			row.appendChild(el("dt", null, label));
			var dd = el("dd");
			if (typeof value === "string") {
				dd.textContent = value;
			} else {
				dd.appendChild(value);
			}
			row.appendChild(dd);
			dl.appendChild(row);
		}

		function closePanels() {
			var panels = list.querySelectorAll(".pk-panel");
			for (var i = 0; i < panels.length; i++) {
				setHidden(panels[i], true);
				while (panels[i].firstChild) {
					panels[i].removeChild(panels[i].firstChild);
				}
			}
			var toggles = list.querySelectorAll("button[aria-expanded]");
			for (var j = 0; j < toggles.length; j++) {
				toggles[j].setAttribute("aria-expanded", "false");
			}
		}

		function renderItem(pk, i) {
			var base = "pk-" + i;
			var li = el("li", "pk");

			var head = el("div", "pk-head");
			var h = el("h3", "pk-name", nameOf(pk));
			h.id = base + "-name";
			head.appendChild(h);
			if (pk.synced === true) {
				head.appendChild(el("span", "badge", t("passkeys.synced")));
			}
			li.appendChild(head);

			var dl = el("dl", "pk-meta");
			addMeta(dl, t("passkeys.type"), typeof pk.authenticator === "string" && pk.authenticator ? pk.authenticator : t("passkeys.authenticator_unknown"));
			addMeta(dl, t("passkeys.created"), typeof pk.created === "number" && pk.created > 0 ? timeElement(pk.created, false) : "–");
			addMeta(dl, t("passkeys.last_used"), typeof pk.last_used === "number" && pk.last_used > 0 ? timeElement(pk.last_used, true) : t("passkeys.never_used"));
			li.appendChild(dl);

			var actions = el("div", "pk-actions");
			var renameBtn = makeButton(t("passkeys.rename"), "btn btn-secondary btn-small");
			renameBtn.id = base + "-rename";
			renameBtn.setAttribute("aria-labelledby", renameBtn.id + " " + h.id);
			renameBtn.setAttribute("aria-expanded", "false");
			var deleteBtn = makeButton(t("passkeys.delete"), "btn btn-danger btn-small");
			deleteBtn.id = base + "-delete";
			deleteBtn.setAttribute("aria-labelledby", deleteBtn.id + " " + h.id);
			deleteBtn.setAttribute("aria-expanded", "false");
			actions.appendChild(renameBtn);
			actions.appendChild(deleteBtn);
			li.appendChild(actions);

			var panel = el("div", "pk-panel");
			panel.id = base + "-panel";
			setHidden(panel, true);
			renameBtn.setAttribute("aria-controls", panel.id);
			deleteBtn.setAttribute("aria-controls", panel.id);
			li.appendChild(panel);
			itemButtons.push(renameBtn, deleteBtn);

			function closePanel(focusTo) {
				setHidden(panel, true);
				while (panel.firstChild) {
					panel.removeChild(panel.firstChild);
				}
				renameBtn.setAttribute("aria-expanded", "false");
				deleteBtn.setAttribute("aria-expanded", "false");
				if (focusTo) {
					focusTo.focus();
				}
			}

			function openRename() {
				if (busy) {
					return;
				}
				closePanels();
				clearStatus();
				var field = el("div", "field");
				var label = el("label", null, t("passkeys.rename_label"));
				var input = el("input");
				input.id = base + "-nickname";
				label.setAttribute("for", input.id);
				input.setAttribute("type", "text");
				input.setAttribute("maxlength", "64");
				input.setAttribute("autocomplete", "off");
				input.setAttribute("spellcheck", "false");
				input.value = typeof pk.nickname === "string" ? pk.nickname : "";
				var problem = el("p", "field-error");
				problem.id = base + "-nickname-error";
				setHidden(problem, true);
				field.appendChild(label);
				field.appendChild(input);
				field.appendChild(problem);

				var row = el("div", "panel-actions");
				var save = makeButton(t("passkeys.save"), "btn btn-primary btn-small");
				var cancel = makeButton(t("passkeys.cancel"), "btn btn-secondary btn-small");
				row.appendChild(save);
				row.appendChild(cancel);
				panel.appendChild(field);
				panel.appendChild(row);
				setHidden(panel, false);
				renameBtn.setAttribute("aria-expanded", "true");
				itemButtons.push(save, cancel);

				function submit() {
					if (busy) {
						return;
					}
					var value = trim(input.value);
					if (!validNickname(value)) {
						problem.textContent = t("err.nickname_invalid");
						setHidden(problem, false);
						input.setAttribute("aria-invalid", "true");
						input.setAttribute("aria-describedby", problem.id);
						input.focus();
						return;
					}
					busyOn();
					postJSON("/api/passkeys/rename", { id: pk.id, nickname: value }).then(function () {
						busyOff();
						pk.nickname = value;
						h.textContent = value;
						closePanel(renameBtn);
						showStatus("success", t("status.renamed", { name: value }));
					}, function (err) {
						busyOff();
						fail(err, "api", submit);
					});
				}

				onClick(save, submit);
				onClick(cancel, function () {
					closePanel(renameBtn);
				});
				input.addEventListener("keydown", function (e) {
					if (isEnter(e)) {
						e.preventDefault();
						submit();
					} else if (e.key === "Escape" || e.key === "Esc") {
						e.preventDefault();
						closePanel(renameBtn);
					}
				});
				input.focus();
				input.select();
			}

			function openDelete() {
				if (busy) {
					return;
				}
				closePanels();
				clearStatus();
				var confirmAll = false;
				var question = el("p", "confirm-text", t("passkeys.delete_confirm", { name: nameOf(pk) }));
				question.id = base + "-confirm";
				question.setAttribute("tabindex", "-1");
				var row = el("div", "panel-actions");
				var yes = makeButton(t("passkeys.delete_yes"), "btn btn-danger btn-small");
				var keep = makeButton(t("passkeys.keep"), "btn btn-secondary btn-small");
				row.appendChild(yes);
				row.appendChild(keep);
				panel.appendChild(question);
				panel.appendChild(row);
				panel.className = "pk-panel pk-panel-danger";
				setHidden(panel, false);
				deleteBtn.setAttribute("aria-expanded", "true");
				itemButtons.push(yes, keep);

				function submit() {
					if (busy) {
						return;
					}
					busyOn();
					postJSON("/api/passkeys/delete", { id: pk.id, confirm: confirmAll }).then(function () {
						busyOff();
						showStatus("success", t("status.deleted", { name: nameOf(pk) }), { focus: true });
						load();
					}, function (err) {
						busyOff();
						if (err && err.isServer && err.code === "last_passkey" && !confirmAll) {
							/* The server's words, then ask once more with confirm:true. */
							confirmAll = true;
							question.textContent = err.serverMessage || t("err.last_passkey");
							yes.textContent = t("passkeys.delete_anyway");
							question.focus();
							return;
						}
						fail(err, "api", submit);
					});
				}

				onClick(yes, submit);
				onClick(keep, function () {
					closePanel(deleteBtn);
				});
				panel.addEventListener("keydown", function (e) {
					if (e.key === "Escape" || e.key === "Esc") {
						e.preventDefault();
						closePanel(deleteBtn);
					}
				});
				question.focus();
			}

			onClick(renameBtn, function () {
				if (renameBtn.getAttribute("aria-expanded") === "true") {
					closePanel(renameBtn);
				} else {
					panel.className = "pk-panel";
					openRename();
				}
			});
			onClick(deleteBtn, function () {
				if (deleteBtn.getAttribute("aria-expanded") === "true") {
					closePanel(deleteBtn);
				} else {
					openDelete();
				}
			});
			return li;
		}

		function add() {
			if (busy) {
				return;
			}
			closePanels();
			busyOn();
			showStatus("busy", t("status.waiting_create"));
			register({}, nicknameOrDefault(""), function () {
				showStatus("busy", t("status.saving"));
			}).then(function () {
				busyOff();
				showStatus("success", t("status.added"), { focus: true });
				load();
			}, function (err) {
				busyOff();
				fail(err, "create", add);
			});
		}

		onClick(byId("status-retry"), function () {
			if (retryAction) {
				retryAction();
			}
		});
		onClick(byId("status-reload"), function () {
			window.location.reload();
		});

		if (canWebAuthn) {
			onClick(addBtn, add);
		} else {
			unsupported(["passkey-add"]);
		}
		if (!has(strings, "passkeys.heading")) {
			/* Without the strings the list would be unreadable. */
			setHidden(loading, true);
			showStatus("error", fallbackText, { reload: true, focus: false });
			return;
		}
		load();
	}
}());
