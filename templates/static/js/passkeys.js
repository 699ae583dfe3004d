/*
 * passkeys.html: My passkeys (list, rename, delete, add; the Signal API).
 * Needs js/common.js first.
 */
(function () {
	"use strict";

	var B = window.FidoBridge;
	if (!B) {
		return; /* common.js did not run */
	}
	var canWebAuthn = B.canWebAuthn;
	var fallbackText = B.fallbackText;
	var noop = B.noop;
	var byId = B.byId;
	var setHidden = B.setHidden;
	var el = B.el;
	var makeButton = B.makeButton;
	var trim = B.trim;
	var isEnter = B.isEnter;
	var unsupported = B.unsupported;
	var t = B.t;
	var getJSON = B.getJSON;
	var postJSON = B.postJSON;
	var showStatus = B.showStatus;
	var clearStatus = B.clearStatus;
	var showError = B.showError;
	var setBusy = B.setBusy;
	var onClick = B.onClick;
	var register = B.register;
	var validNickname = B.validNickname;
	var nicknameOrDefault = B.nicknameOrDefault;
	var formatDate = B.formatDate;

	function timeElement(unix, withTime) {
		var d = new Date(unix * 1000);
		var node = el("time", null, formatDate(d, withTime));
		if (isFinite(d.getTime())) {
			node.setAttribute("datetime", d.toISOString());
		}
		return node;
	}

	function initPasskeys() {
		var list = byId("passkey-list");
		var loading = byId("list-loading");
		var empty = byId("list-empty");
		var addBtn = byId("passkey-add");
		var retryAction = null;
		var itemButtons = [];
		var here = [];      /* ids of the passkeys on this device */
		var now = null;     /* the id this sign-in used */
		var renameOf = {};      /* passkey id -> opens its rename panel (after adding it) */

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
				if (err && err.isServer && err.code === "reauthenticate") {
					d.signin = true;
					d.retry = false;
					d.reload = false;
					d.text = t("err.reauthenticate");
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
			renameOf = {};
			var items = Array.isArray(data.passkeys) ? data.passkeys : [];
			setHidden(empty, items.length > 0);
			here = B.deviceCredentials();
			now = B.signedInWith();
			for (var i = 0; i < items.length; i++) {
				if (items[i] && typeof items[i].id === "string") {
					list.appendChild(renderItem(items[i], i));
				}
			}
			renderActivity(Array.isArray(data.activity) ? data.activity : [], items);
		}

		/* One line of the recent activity: what happened (with the SP or the passkey), when, from where. */
		function activityText(a, names) {
			var name = typeof a.credential_id === "string" && names[a.credential_id] ? names[a.credential_id] : "";
			switch (a.event) {
			case "signin_success":
				return typeof a.service === "string" && a.service ? t("activity.signin", { service: a.service }) :
					t("activity.signin_passkeys");
			case "signin_after_enrolment":
				return t("activity.signin_after_enrolment");
			case "registration":
				return name ? t("activity.added_named", { name: name }) : t("activity.added");
			case "credential_renamed":
				return name ? t("activity.renamed_named", { name: name }) : t("activity.renamed");
			case "credential_deleted":
				return t("activity.deleted");
			case "signed_out":
				return t("activity.signed_out");
			default:
				return "";
			}
		}

		function renderActivity(acts, items) {
			var box = byId("activity-list");
			var none = byId("activity-empty");
			var names = {};
			var shown = 0;
			if (!box) {
				return;
			}
			for (var k = 0; k < items.length; k++) {
				if (items[k] && typeof items[k].id === "string") {
					names[items[k].id] = nameOf(items[k]);
				}
			}
			while (box.firstChild) {
				box.removeChild(box.firstChild);
			}
			for (var i = 0; i < acts.length; i++) {
				var a = acts[i];
				var text = a && typeof a.event === "string" ? activityText(a, names) : "";
				if (!text) {
					continue;
				}
				var li = el("li", "act");
				li.appendChild(el("span", "act-what", text));
				var meta = el("span", "act-meta");
				if (typeof a.ts === "number" && a.ts > 0) {
					meta.appendChild(timeElement(a.ts, true));
				}
				if (typeof a.client === "string" && a.client) {
					meta.appendChild(el("span", "act-from", t("activity.from", { address: a.client })));
				}
				li.appendChild(meta);
				box.appendChild(li);
				shown++;
			}
			setHidden(none, shown > 0);
		}

		function nameOf(pk) {
			return typeof pk.nickname === "string" && pk.nickname ? pk.nickname : t("passkeys.unnamed");
		}

		/* The model's name, or only its kind in the page's language (never "unknown"). */
		function modelOf(pk) {
			if (pk.authenticator_generic !== true && typeof pk.authenticator === "string" && pk.authenticator) {
				return pk.authenticator;
			}
			return t(pk.authenticator_kind === "passkey" ? "passkeys.kind_passkey" : "passkeys.kind_security_key");
		}

		/*
		 * The model's icon, served by the bridge (/icons/<aaguid>; the CSP draws
		 * no data: URLs), in the dark variant when the page is dark and there is one.
		 */
		function iconOf(pk) {
			if (typeof pk.icon !== "string" || pk.icon.indexOf("/icons/") !== 0) {
				return null;
			}
			var pic = el("picture", "pk-icon");
			if (typeof pk.icon_dark === "string" && pk.icon_dark.indexOf("/icons/") === 0) {
				var dark = el("source");
				dark.setAttribute("srcset", pk.icon_dark);
				dark.setAttribute("media", "(prefers-color-scheme: dark)");
				pic.appendChild(dark);
			}
			var img = el("img");
			img.setAttribute("src", pk.icon);
			img.setAttribute("alt", modelOf(pk));
			img.setAttribute("width", "32");
			img.setAttribute("height", "32");
			/* a broken icon is left out rather than shown as a broken image */
			img.addEventListener("error", function () {
				if (pic.parentNode) {
					pic.parentNode.removeChild(pic);
				}
			});
			pic.appendChild(img);
			return pic;
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
			var icon = iconOf(pk);
			if (icon) {
				head.appendChild(icon);
			}
			var h = el("h3", "pk-name", nameOf(pk));
			h.id = base + "-name";
			head.appendChild(h);
			if (pk.synced === true) {
				head.appendChild(el("span", "badge", t("passkeys.synced")));
			}
			if (here.indexOf(pk.id) >= 0) {
				head.appendChild(el("span", "badge badge-here", t("passkeys.this_device")));
			}
			if (now === pk.id) {
				head.appendChild(el("span", "badge badge-now", t("passkeys.signed_in_with")));
			}
			li.appendChild(head);

			var dl = el("dl", "pk-meta");
			addMeta(dl, t("passkeys.type"), modelOf(pk));
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

			/* keepStatus: opened after adding, under the "added" message */
			function openRename(keepStatus) {
				if (B.isBusy()) {
					return;
				}
				closePanels();
				if (keepStatus !== true) {
					clearStatus();
				}
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
					if (B.isBusy()) {
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
				if (B.isBusy()) {
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
					if (B.isBusy()) {
						return;
					}
					busyOn();
					postJSON("/api/passkeys/delete", { id: pk.id, confirm: confirmAll }).then(function () {
						B.forgetCredential(pk.id);
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

			renameOf[pk.id] = function (keepStatus) {
				panel.className = "pk-panel";
				openRename(keepStatus);
			};
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
			if (B.isBusy()) {
				return;
			}
			closePanels();
			busyOn();
			showStatus("busy", t("status.waiting_create"));
			var newId = null;
			register({}, nicknameOrDefault(""), function (cred) {
				newId = cred && typeof cred.id === "string" ? cred.id : null;
				showStatus("busy", t("status.saving"));
			}, true).then(function () {
				busyOff();
				showStatus("success", t("status.added"), { focus: true });
				return load().then(function () {
					/* ask for a nickname, prefilled with what the server named it (the model, or our guess) */
					if (newId && Object.prototype.hasOwnProperty.call(renameOf, newId)) {
						renameOf[newId](true);
					}
				});
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
		if (!B.hasString("passkeys.heading")) {
			/* Without the strings the list would be unreadable. */
			setHidden(loading, true);
			showStatus("error", fallbackText, { reload: true, focus: false });
			return;
		}
		load();
		initCertificates();
	}

	/* Paired certificates (My Number Card): listed, each removable after a confirmation. */
	function initCertificates() {
		var app = byId("app");
		var list = byId("cert-list");
		var empty = byId("cert-empty");
		if (!app || app.getAttribute("data-cert") !== "1" || !list) {
			return;
		}

		function load() {
			return getJSON("/api/certificates").then(render, function (err) {
				showError(err, null, false);
			});
		}

		function render(data) {
			var certs = data && Array.isArray(data.certificates) ? data.certificates : [];
			while (list.firstChild) {
				list.removeChild(list.firstChild);
			}
			setHidden(empty, certs.length > 0);
			certs.forEach(function (c) {
				list.appendChild(item(c));
			});
		}

		function item(c) {
			var li = el("li", "pk-item");
			var name = typeof c.nickname === "string" && c.nickname !== "" ? c.nickname : t("certs.default_name");
			var dl = el("dl", "pk-meta");
			var remove = makeButton(t("certs.remove"), "btn btn-secondary");
			var armed = false;
			li.appendChild(el("h3", "pk-name", name));
			dl.appendChild(el("dt", null, t("certs.issuer")));
			dl.appendChild(el("dd", null, c.issuer));
			dl.appendChild(el("dt", null, t("certs.expires")));
			var dd = el("dd");
			dd.appendChild(timeElement(c.not_after, false));
			dl.appendChild(dd);
			li.appendChild(dl);
			li.appendChild(remove);
			onClick(remove, function () {
				if (!armed) {
					/* the first press asks; the second removes */
					armed = true;
					remove.textContent = t("certs.remove_confirm");
					return;
				}
				remove.disabled = true;
				postJSON("/api/certificates/delete", { id: c.id }).then(load, function (err) {
					remove.disabled = false;
					showError(err, null, false);
				});
			});
			return li;
		}

		load();
	}

	B.start("passkeys", ["passkey-add"], initPasskeys);
}());
