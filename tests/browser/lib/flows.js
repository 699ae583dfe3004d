'use strict';
// What a user does on the pages, and what the tests watch while they do it.
const assert = require('node:assert/strict');

/* The one-time link from bridgectl, opened and used to create a passkey; ends on /enrolled. */
async function enrol(s, stack, user, { nickname, link } = {}) {
	link = link || stack.enrollLink(user);
	await s.page.goto(link);
	await s.page.locator('#enroll-create').waitFor();
	if (nickname !== undefined) {
		await s.page.fill('#nickname', nickname);
	}
	await s.page.click('#enroll-create');
	await s.page.waitForURL(`${stack.bridge}/enrolled`);
	return link;
}

/*
 * Every navigator.credentials.get/create call the pages make, in order, with its
 * mediation and the allowCredentials count (an init script reports them through a
 * binding, so they survive the navigations; the page's CSP is not touched).
 */
async function recordCeremonies(page) {
	const calls = [];
	await page.exposeBinding('__fbRecordCeremony', (_src, c) => {
		calls.push(c);
	});
	await page.addInitScript(() => {
		const creds = navigator.credentials;
		if (!creds || typeof creds.get !== 'function') {
			return;
		}
		const get = creds.get.bind(creds);
		const create = creds.create.bind(creds);
		const report = (kind, o) => {
			try {
				window.__fbRecordCeremony({
					kind,
					path: location.pathname,
					mediation: (o && o.mediation) || null,
					allow: o && o.publicKey && o.publicKey.allowCredentials ? o.publicKey.allowCredentials.length : null,
					userVerification: (o && o.publicKey && (o.publicKey.userVerification ||
						(o.publicKey.authenticatorSelection && o.publicKey.authenticatorSelection.userVerification))) || null,
				});
			} catch {
				/* recording only */
			}
		};
		creds.get = (o) => {
			report('get', o);
			return get(o);
		};
		creds.create = (o) => {
			report('create', o);
			return create(o);
		};
	});
	return calls;
}

/*
 * Runs a route handler that fetches the real answer and hands it on. When the page
 * has already given up on the request (a navigation cancelled it), there is nobody
 * to hand it to: that is not an error of the test.
 */
async function passOn(route, fn) {
	try {
		await fn();
	} catch (e) {
		if (!/disposed|closed|cancel|already handled|Target page/i.test(String(e && e.message))) {
			await route.abort().catch(() => {});
			throw e;
		}
	}
}

/*
 * The JSON API calls of the pages: [{path, method, body, status, answer}]. A route
 * fetches each real answer, notes it and hands it to the page unchanged (so that the
 * answer can be read even when the page navigates away right after it).
 */
async function recordApi(page, stack) {
	const calls = [];
	await page.route((url) => url.origin === stack.bridge && url.pathname.startsWith('/api/'), async (route) => {
		const req = route.request();
		const entry = { path: new URL(req.url()).pathname, method: req.method(), body: null, status: null, answer: null };
		calls.push(entry);
		try {
			entry.body = req.postData() ? JSON.parse(req.postData()) : null;
		} catch {
			entry.body = req.postData();
		}
		await passOn(route, async () => {
			const res = await route.fetch();
			entry.status = res.status();
			const body = await res.body();
			try {
				entry.answer = JSON.parse(body.toString('utf8'));
			} catch {
				/* not JSON */
			}
			await route.fulfill({ response: res, body });
		});
	});
	return calls;
}

/*
 * The bridge's answers to /authn/finish (the 303 back to the IdP, after a sign-in or
 * after "use another way" posted /authn/cancel), with the ticket record as memcached holds it at that moment, read before the
 * browser follows the redirect (so before the stand-in takes the ticket):
 * [{path, location, ticket, error, record}]. The route fetches the real answer and
 * hands it to the browser unchanged. (page.route never sees the redirect's target,
 * so the IdP's /finish cannot be caught on the way in.)
 */
async function watchTickets(page, stack) {
	const seen = [];
	const entryOf = (path, status, location) => {
		const entry = { path, status, location: null, ticket: null, error: null, record: null };
		if (location) {
			const back = new URL(location, stack.bridge);
			entry.location = back.href;
			entry.ticket = back.searchParams.get('ticket');
			entry.error = back.searchParams.get('error');
		}
		return entry;
	};
	await page.route((url) => url.origin === stack.bridge && url.pathname === '/authn/finish',
		(route) => passOn(route, async () => {
			const res = await route.fetch({ maxRedirects: 0 });
			const entry = entryOf('/authn/finish', res.status(), res.headers().location);
			if (entry.ticket) {
				entry.record = await stack.ticketRecord(entry.ticket);
			}
			seen.push(entry);
			await route.fulfill({ response: res, body: await res.body() });
		}));
	return seen;
}

/* From the stand-in's front page to the bridge's sign-in page (link: #signin, #signin-force). */
async function startAtIdp(page, stack, link = '#signin') {
	await page.goto(`${stack.idp}/`);
	await page.click(link);
	await page.waitForURL(`${stack.bridge}/login`);
	await page.locator('#signin-passkey').waitFor();
}

/*
 * To the sign-in page with the page's autofill request (conditional mediation) left
 * pending, as when the user does not pick a passkey from the username field. Chromium's
 * virtual authenticator answers a conditional request at once when it is issued
 * while presence simulation is on, and a request it received with presence off stays
 * pending for good; so presence is off until the page has issued its conditional
 * get, and on again for what the user does next (the button aborts the autofill
 * request and starts a modal one).
 */
async function loginWithAutofillPending(s, authenticatorId, stack, ceremonies, link = '#signin') {
	const before = ceremonies.length;
	await s.setPresence(authenticatorId, false);
	await startAtIdp(s.page, stack, link);
	await waitUntil(() => ceremonies.slice(before).some((c) => c.kind === 'get' && c.mediation === 'conditional'),
		'the sign-in page starts an autofill (conditional) request on load');
	await s.page.waitForTimeout(1000); /* let it reach the authenticator */
	await s.setPresence(authenticatorId, true);
}

async function waitUntil(fn, what, timeout = 30000) {
	const end = Date.now() + timeout;
	while (!fn()) {
		if (Date.now() > end) {
			throw new Error(`timed out waiting until ${what}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
}

/* The stand-in's verdict (its <pre id="result"> JSON) once the browser is back there. */
async function idpResult(page, stack) {
	await page.waitForURL((u) => u.origin === stack.idp && u.pathname === '/finish');
	return JSON.parse(await page.textContent('#result'));
}

/* Waits until the status region shows text and returns {kind, text, hint}. */
async function statusOf(page, { contains } = {}) {
	const handle = await page.waitForFunction((want) => {
		const t = document.getElementById('status-text');
		if (!t || t.textContent.trim() === '' || (want && !t.textContent.includes(want))) {
			return null;
		}
		return {
			kind: (document.getElementById('status-box').className.match(/is-(\w+)/) || [])[1] || '',
			text: t.textContent.trim(),
			hint: document.getElementById('status-hint').textContent.trim(),
		};
	}, contains || null);
	return handle.jsonValue();
}

/* Checks a ticket record against the protocol (docs/handoff-protocol.md section 3). */
function assertTicketRecord(rec, { principal, conversation, uv, mfa, credentialId, aaguid, mail }) {
	assert.ok(rec, 'memcached holds the ticket record when the browser reaches the IdP');
	assert.equal(rec.v, 2);
	assert.equal(rec.principal, principal);
	assert.equal(rec.conversation, conversation);
	assert.equal(rec.entity, 'https://sp.example.org/shibboleth');
	assert.equal(rec.uv, uv);
	assert.equal(rec.mfa, mfa);
	assert.equal(rec.be, false);
	assert.equal(rec.bs, false);
	assert.equal(typeof rec.state, 'string');
	assert.match(rec.mac, /^[A-Za-z0-9_-]{43}$/);
	assert.ok(Math.abs(rec.auth_instant - Date.now() / 1000) < 120, `auth_instant ${rec.auth_instant} is now`);
	assert.ok(Number.isInteger(rec.expires) && rec.expires > rec.auth_instant && rec.expires <= rec.auth_instant + 60,
		`expires ${rec.expires} within the ticket TTL after auth_instant ${rec.auth_instant}`);
	if (credentialId) {
		assert.equal(rec.credential_id, credentialId);
	}
	if (aaguid) {
		assert.equal(rec.aaguid, aaguid);
	}
	assert.equal(typeof rec.attributes, 'object');
	if (mail) {
		assert.deepEqual(rec.attributes.mail, [mail]);
	}
}

/* base64 (CDP) to base64url (the bridge, LDAP). */
function b64url(b64) {
	return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

module.exports = {
	passOn, enrol, recordCeremonies, recordApi, watchTickets, startAtIdp, loginWithAutofillPending, waitUntil,
	idpResult, statusOf, assertTicketRecord, b64url,
};
