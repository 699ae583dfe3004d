/*
 * enroll-password.html: the directory password opens an enrolment.
 * Needs js/common.js first.
 */
(function () {
	"use strict";

	var B = window.FidoBridge;
	if (!B) {
		return; /* common.js did not run */
	}
	var byId = B.byId;
	var t = B.t;
	var postJSON = B.postJSON;
	var go = B.go;
	var showStatus = B.showStatus;
	var showError = B.showError;
	var setBusy = B.setBusy;

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
			if (B.isBusy()) {
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

	B.start("enroll-password", [], initEnrollPassword);
}());
