/*
 * fido-bridge front end, the part every page shares: strings, base64url and the
 * WebAuthn JSON forms, fetch helpers, the status region, the busy state, nicknames,
 * dates. It defines one object, window.FidoBridge, for the page's own script
 * (js/login.js, js/enroll.js, js/enroll-password.js, js/passkeys.js), which the
 * page loads after this one (both `defer`, so they run in that order).
 *
 * Classic scripts, not ES modules, and ES5 syntax on purpose: an old browser still
 * parses them and can be told that it cannot use passkeys (templates/README.md).
 * Every newer API (fetch, Promise, WebAuthn, Intl, AbortController, the L3 JSON
 * helpers and the Signal API) is feature-detected before use. No dependencies, no
 * eval, no inline handlers (the CSP forbids them).
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
	/* A language code as the server writes it (render.c's langs[]): also a safe file name. */
	var LANG_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
	var lang = document.documentElement.getAttribute("lang") || "";
	if (!LANG_CODE.test(lang)) {
		lang = "en";
	}

	fixLanguageLinks();

	var canFetch = typeof window.fetch === "function" && typeof window.Promise === "function" &&
	    typeof window.JSON === "object";
	var canWebAuthn = canFetch && !!window.PublicKeyCredential && !!navigator.credentials &&
	    typeof navigator.credentials.get === "function" && typeof navigator.credentials.create === "function";

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

	/*
	 * A page script's entry: init() runs on its own page only, once the strings are
	 * in; without fetch the page says that passkeys cannot work here and hides hideIds.
	 */
	function start(name, hideIds, init) {
		if (name !== page) {
			return;
		}
		if (!canFetch) {
			unsupported(hideIds);
			return;
		}
		loadStrings().then(init);
	}

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
			if (!LANG_CODE.test(target || "")) {
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


	/* ------------------------------------------------------------------ */
	/* This device's passkeys                                               */
	/* ------------------------------------------------------------------ */

	/*
	 * Which passkeys are on this device: the ids of those created or used here
	 * by the platform authenticator (authenticatorAttachment "platform"), in
	 * localStorage; and the one this sign-in used (any kind), in
	 * sessionStorage. Credential ids are public identifiers, not secrets. Only
	 * a hint for My passkeys: storage can be off (private mode), or cleared.
	 */
	var DEVICE_KEY = "fidobridge.device_credentials";
	var SIGNIN_KEY = "fidobridge.signed_in_with";

	function storage(kind) {
		try {
			var st = window[kind];
			return st && typeof st.getItem === "function" ? st : null;
		} catch (e) {
			return null; /* blocked by the browser's settings */
		}
	}

	function deviceCredentials() {
		var st = storage("localStorage");
		try {
			var v = st ? JSON.parse(st.getItem(DEVICE_KEY) || "[]") : [];
			return Array.isArray(v) ? v.filter(function (x) { return typeof x === "string"; }) : [];
		} catch (e) {
			return [];
		}
	}

	function saveDeviceCredentials(ids) {
		var st = storage("localStorage");
		try {
			if (st) {
				st.setItem(DEVICE_KEY, JSON.stringify(ids.slice(0, 20)));
			}
		} catch (e) {
			/* full or blocked: only a hint is lost */
		}
	}

	/* A credential (PublicKeyCredential) was created or used here; signedIn: it signed in. */
	function rememberCredential(cred, signedIn) {
		if (!cred || typeof cred.id !== "string") {
			return;
		}
		if (cred.authenticatorAttachment === "platform") {
			var ids = deviceCredentials().filter(function (x) { return x !== cred.id; });
			ids.unshift(cred.id);
			saveDeviceCredentials(ids);
		}
		var ss = storage("sessionStorage");
		if (signedIn && ss) {
			try {
				ss.setItem(SIGNIN_KEY, cred.id);
			} catch (e) {
				/* as above */
			}
		}
	}

	function forgetCredential(id) {
		saveDeviceCredentials(deviceCredentials().filter(function (x) { return x !== id; }));
	}

	function signedInWith() {
		var ss = storage("sessionStorage");
		try {
			return ss ? ss.getItem(SIGNIN_KEY) : null;
		} catch (e) {
			return null;
		}
	}

	/*
	 * WebAuthn L3 PublicKeyCredential.getClientCapabilities(), once: what this
	 * browser can do ({conditionalGet, hybridTransport, ...}: true, false, or
	 * absent when unknown). {} where the browser has no such method.
	 */
	var capsPromise = null;
	function clientCapabilities() {
		if (!capsPromise) {
			var PKC = window.PublicKeyCredential;
			capsPromise = Promise.resolve({});
			if (PKC && typeof PKC.getClientCapabilities === "function") {
				try {
					capsPromise = Promise.resolve(PKC.getClientCapabilities()).then(function (c) {
						return c && typeof c === "object" ? c : {};
					}, function () {
						return {};
					});
				} catch (e) {
					capsPromise = Promise.resolve({});
				}
			}
		}
		return capsPromise;
	}

	/* Conditional (autofill) sign-in: the capability when the browser states it, else the older test. */
	function canConditionalGet() {
		var PKC = window.PublicKeyCredential;
		return clientCapabilities().then(function (c) {
			if (typeof c.conditionalGet === "boolean") {
				return c.conditionalGet;
			}
			if (!PKC || typeof PKC.isConditionalMediationAvailable !== "function") {
				return false;
			}
			return Promise.resolve(PKC.isConditionalMediationAvailable()).catch(function () {
				return false;
			});
		});
	}

	/* The server's hints without those the browser says it cannot follow (no phone, no built-in authenticator). */
	function usableHints(hints, c) {
		if (!Array.isArray(hints)) {
			return hints;
		}
		return hints.filter(function (h) {
			if (h === "hybrid") {
				return c.hybridTransport !== false;
			}
			if (h === "client-device") {
				return c.userVerifyingPlatformAuthenticator !== false && c.passkeyPlatformAuthenticator !== false;
			}
			return true;
		});
	}

	/*
	 * options -> navigator.credentials.create -> verify. extra goes into both
	 * bodies. nicknameIsGuess: the nickname is only our guess of the device,
	 * so the server may name the passkey after its model instead.
	 */
	function register(extra, nickname, onCredential, nicknameIsGuess) {
		var created = null;
		return postJSON("/api/register/options", extra).then(function (res) {
			return clientCapabilities().then(function (c) {
				var pk = res.publicKey;
				if (pk && pk.hints) {
					pk = shallowCopy(pk);
					pk.hints = usableHints(pk.hints, c);
				}
				return navigator.credentials.create({ publicKey: creationOptions(pk) });
			});
		}).then(function (cred) {
			if (!cred) {
				throw domError("NotAllowedError");
			}
			created = cred;
			if (onCredential) {
				onCredential(cred);
			}
			var body = { credential: credentialJSON(cred), nickname: nickname, nickname_is_guess: nicknameIsGuess === true };
			for (var k in extra) {
				if (has(extra, k)) {
					body[k] = extra[k];
				}
			}
			return postJSON("/api/register/verify", body);
		}).then(function (res) {
			rememberCredential(created, false);
			return res;
		});
	}

	/*
	 * WebAuthn L3 conditional create (the automatic passkey upgrade): the
	 * browser may make a passkey without asking, right after the user's
	 * password was filled in. Only where getClientCapabilities says
	 * conditionalCreate; the server accepts it only for a challenge it
	 * issued for one, after a password check. Resolves null when not offered.
	 */
	function registerConditional(extra, nickname, signal) {
		return clientCapabilities().then(function (c) {
			if (c.conditionalCreate !== true) {
				return null;
			}
			var opts = shallowCopy(extra);
			opts.conditional = true;
			return postJSON("/api/register/options", opts).then(function (res) {
				return navigator.credentials.create({ publicKey: creationOptions(res.publicKey), mediation: "conditional", signal: signal });
			}).then(function (cred) {
				if (!cred) {
					return null;
				}
				var body = shallowCopy(extra);
				body.credential = credentialJSON(cred);
				body.nickname = nickname;
				body.nickname_is_guess = true;
				body.conditional = true;
				return postJSON("/api/register/verify", body).then(function (res) {
					rememberCredential(cred, false);
					return res;
				});
			});
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

	window.FidoBridge = {
		app: app,
		canWebAuthn: canWebAuthn,
		fallbackText: fallbackText,
		start: start,
		noop: noop,
		byId: byId,
		setHidden: setHidden,
		el: el,
		makeButton: makeButton,
		delay: delay,
		trim: trim,
		isEnter: isEnter,
		domError: domError,
		unsupported: unsupported,
		t: t,
		hasString: function (key) {
			return has(strings, key);
		},
		requestOptions: requestOptions,
		credentialJSON: credentialJSON,
		postJSON: postJSON,
		getJSON: getJSON,
		go: go,
		showStatus: showStatus,
		clearStatus: clearStatus,
		showError: showError,
		setBusy: setBusy,
		isBusy: function () {
			return busy;
		},
		onClick: onClick,
		register: register,
		clientCapabilities: clientCapabilities,
		registerConditional: registerConditional,
		canConditionalGet: canConditionalGet,
		rememberCredential: rememberCredential,
		forgetCredential: forgetCredential,
		deviceCredentials: deviceCredentials,
		signedInWith: signedInWith,
		validNickname: validNickname,
		guessDeviceName: guessDeviceName,
		nicknameOrDefault: nicknameOrDefault,
		formatDate: formatDate
	};
}());
