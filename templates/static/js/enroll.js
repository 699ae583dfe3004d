/*
 * enroll.html: the first passkey from a one-time link. Needs js/common.js first.
 */
(function () {
	"use strict";

	var B = window.FidoBridge;
	if (!B) {
		return; /* common.js did not run */
	}
	var app = B.app;
	var canWebAuthn = B.canWebAuthn;
	var byId = B.byId;
	var isEnter = B.isEnter;
	var unsupported = B.unsupported;
	var t = B.t;
	var go = B.go;
	var showStatus = B.showStatus;
	var showError = B.showError;
	var setBusy = B.setBusy;
	var onClick = B.onClick;
	var register = B.register;
	var guessDeviceName = B.guessDeviceName;
	var nicknameOrDefault = B.nicknameOrDefault;
	var formatDate = B.formatDate;

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
		var guess = "";
		if (nick && !nick.value) {
			guess = guessDeviceName();
			nick.value = guess;
		}
		if (!canWebAuthn) {
			unsupported(["enroll-create"]);
			return;
		}

		/*
		 * After a password check (no link code), a browser that can may add the
		 * passkey by itself (conditional create); the button stays for the rest.
		 */
		var upgrade = null;
		if (!code && typeof window.AbortController === "function") {
			upgrade = new AbortController();
			B.registerConditional({ code: code, username: username }, nicknameOrDefault(guess), upgrade.signal).then(function (res) {
				if (res && !B.isBusy()) {
					showStatus("success", t("status.created"));
					go(res.next, "/passkeys");
				}
			}, function () {
				/* not offered, declined or aborted: the button is there */
			});
		}

		function create() {
			if (B.isBusy()) {
				return;
			}
			if (upgrade) {
				upgrade.abort();
				upgrade = null;
			}
			setBusy(true, buttons);
			showStatus("busy", t("status.waiting_create"));
			var value = nick ? nick.value : "";
			register({ code: code, username: username }, nicknameOrDefault(value), function () {
				showStatus("busy", t("status.saving"));
			}, !value || value === guess).then(function (res) {
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

	B.start("enroll", ["enroll-create"], initEnroll);
}());
