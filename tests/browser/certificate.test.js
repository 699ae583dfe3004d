'use strict';
// Certificate sign-in (docs/certificate-signin.md) in headless Chromium: the sign-in
// page's way and PIN warning (en, ja), the certificate host behind the real nginx
// front (ssl_verify_client, the certificate forwarded in X-Client-Cert), the IdP
// handoff with a ticket, the refusal pages, and pairing a card from My passkeys.
// The browser's answer to the front's certificate request is Playwright's
// clientCertificates: its own proxy makes the TLS connection to the front with the
// test PKI's certificate and key, as Chromium would after the user picked the card.
// Run through tests/browser/run.sh (it starts the stack, the front and the PKI, and
// sets STACK_CERT_ENV, CERT_HOST, CERT_PKI_DIR).
const { test, describe, before } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Stack } = require('./lib/stack');
const { openSession, shot, PLATFORM } = require('./lib/browser');
const F = require('./lib/flows');
const { T } = require('./lib/strings');

const TIMEOUT = { timeout: 180000 };
const CERT_HOST = process.env.CERT_HOST;
const PKI = process.env.CERT_PKI_DIR;

let stack;

/* The SHA-256 of a test certificate (DER): the pairing's id. */
function certId(name) {
	const der = execFileSync('openssl', ['x509', '-in', path.join(PKI, `${name}.pem`), '-outform', 'DER']);
	return require('node:crypto').createHash('sha256').update(der).digest('hex');
}

before(() => {
	assert.ok(CERT_HOST && PKI, 'CERT_HOST and CERT_PKI_DIR set (run the tests with tests/browser/run.sh)');
	stack = new Stack(process.env.STACK_CERT_ENV);
	// the administrator pairs alice's card (bridgectl cert pair); auth2 is her renewed card, not paired
	stack.bridgectl('cert', 'pair', 'alice', path.join(PKI, 'auth.pem'), '--nickname', 'card');
});

/* A browser whose "card" is the test certificate NAME (null: the user picks none). */
async function withCard(name, opts, fn) {
	const s = await openSession({
		...opts,
		ignoreHTTPSErrors: true, /* the front's own certificate is self-signed */
		clientCertificates: name ? [{
			origin: CERT_HOST, certPath: path.join(PKI, `${name}.pem`), keyPath: path.join(PKI, `${name}.key`),
		}] : undefined,
	});
	try {
		const r = await fn(s);
		assert.deepEqual(s.problems, [], 'no uncaught exceptions, CSP violations or missing files in the pages');
		return r;
	} finally {
		await s.close();
	}
}

function auditSince(mark, event) {
	return stack.audit().slice(mark).filter((e) => e.event === event);
}

async function text(page, selector) {
	return (await page.locator(selector).innerText()).trim();
}

/*
 * The browser is back at the IdP stand-in with a ticket for principal: the stand-in took it
 * (its verdict; gone from memcached) and the return URL cannot be replayed. (The record
 * itself cannot be read on the way: the whole certificate way is one redirect chain from
 * the link, and page.route sees only a chain's first request.)
 */
async function assertSignedIn(s, principal) {
	const result = await F.idpResult(s.page, stack);
	const back = new URL(s.page.url());
	const ticket = back.searchParams.get('ticket');
	assert.match(ticket || '', /^[A-Za-z0-9_-]{43}$/);
	assert.equal(result.ok, true);
	assert.equal(result.principal, principal);
	assert.equal(result.uv, true);
	assert.equal(result.mfa, true);
	assert.equal(result.conversation, back.searchParams.get('conversation'));
	for (const v of await stack.memcachedGet(`ticket:${ticket}`)) {
		assert.equal(v.value, null, `ticket still on ${v.server}`);
	}
	await s.page.goto(back.href);
	assert.equal(JSON.parse(await s.page.textContent('#result')).ok, false, 'the ticket works once');
	return result;
}

/* Nothing to carry back to the IdP: /authn/finish sends this browser to the sign-in page. */
async function assertNoTicket(s) {
	const res = await s.page.request.get(`${stack.bridge}/authn/finish`, { maxRedirects: 0 });
	assert.equal(res.status(), 303);
	assert.match(res.headers().location, /\/login$/);
}

/* From the IdP stand-in to the sign-in page, then "Sign in with My Number Card / certificate". */
async function certificateWay(s, lang = 'en') {
	await F.startAtIdp(s.page, stack);
	const link = s.page.locator('#cert-link');
	assert.ok(await link.isVisible(), 'the sign-in page offers the certificate way');
	assert.equal((await link.innerText()).trim(), T(lang, 'signin.cert_link'));
	assert.equal(await text(s.page, '#cert-pin-warning'), T(lang, 'signin.cert_pin_warning'));
	assert.equal(await link.getAttribute('aria-describedby'), 'cert-pin-warning');
	await link.click();
}

/* The refusal page on the certificate host: 403, its title as the heading. */
async function assertRefusal(s, key) {
	await s.page.waitForURL((u) => u.origin === CERT_HOST && u.pathname === '/authn/certificate');
	assert.equal(await text(s.page, 'h1'), T('en', `${key}.title`));
	assert.equal(await text(s.page, '.notice'), T('en', key));
}

describe('certificate sign-in in Chromium', () => {
	test('the sign-in page offers the card with the PIN warning, in Japanese too', TIMEOUT, async () => {
		await withCard(null, { locale: 'ja-JP', acceptLanguage: 'ja' }, async (s) => {
			await F.startAtIdp(s.page, stack);
			assert.equal((await s.page.locator('#cert-link').innerText()).trim(), T('ja', 'signin.cert_link'));
			assert.equal(await text(s.page, '#cert-pin-warning'), T('ja', 'signin.cert_pin_warning'));
			await shot(s.page, 'cert-login-ja');
		});
	});

	test('a paired card: through the front and back to the IdP with a ticket', TIMEOUT, async () => {
		await withCard('auth', {}, async (s) => {
			const mark = stack.audit().length;
			await certificateWay(s);
			await shot(s.page, 'cert-login');
			await assertSignedIn(s, 'alice');

			const ok = auditSince(mark, 'signin_success');
			assert.equal(ok.length, 1);
			assert.equal(ok[0].username, 'alice');
			assert.equal(ok[0].method, 'certificate');
			assert.equal(ok[0].revocation, 'crl');
			const [pairing] = JSON.parse(stack.bridgectl('cert', 'list', 'alice'));
			assert.equal(pairing.id, certId('auth'));
			assert.ok(pairing.last_used, 'last used is recorded');
		});
	});

	test('a renewed card (not paired): the "may have been renewed" page, no ticket', TIMEOUT, async () => {
		await withCard('auth2', {}, async (s) => {
			const mark = stack.audit().length;
			await certificateWay(s);
			await assertRefusal(s, 'cert.unpaired');
			assert.match(await text(s.page, '.notice'), /renewed/);
			await shot(s.page, 'cert-unpaired');
			await assertNoTicket(s);
			assert.equal(auditSince(mark, 'signin_success').length, 0);
			assert.equal(auditSince(mark, 'cert_signin_failure').length, 1);
		});
	});

	test('the card\'s signature certificate: refused as such, no ticket', TIMEOUT, async () => {
		await withCard('sign', {}, async (s) => {
			const mark = stack.audit().length;
			await certificateWay(s);
			await assertRefusal(s, 'cert.signature');
			await shot(s.page, 'cert-signature');
			await assertNoTicket(s);
			const fail = auditSince(mark, 'cert_signin_failure');
			assert.equal(fail.length, 1);
			assert.equal(fail[0].reason, 'signature_certificate');
		});
	});

	test('no certificate chosen: the "no certificate" page, no ticket', TIMEOUT, async () => {
		await withCard(null, {}, async (s) => {
			await certificateWay(s);
			await assertRefusal(s, 'cert.none');
			await assertNoTicket(s);
		});
	});

	test('My passkeys: "Add My Number Card" pairs the renewed card, which then signs in', TIMEOUT, async () => {
		stack.addUser('kenji', 'Kenji Kato');
		await withCard('auth2', {}, async (s) => {
			const auth = await s.addAuthenticator(PLATFORM);
			await F.enrol(s, stack, 'kenji');
			// a passkey sign-in to My passkeys (no IdP flow): the autofill request signs in at once
			await s.page.goto(`${stack.bridge}/login`);
			await s.page.waitForURL(`${stack.bridge}/passkeys`);
			const add = s.page.locator('#cert-add');
			assert.equal((await add.innerText()).trim(), T('en', 'passkeys.cert_add'));
			assert.equal(await text(s.page, '#cert-add-warning'), T('en', 'signin.cert_pin_warning'));
			await s.page.locator('#cert-empty').waitFor();
			const mark = stack.audit().length;

			await add.click();
			await s.page.waitForURL((u) => u.origin === stack.bridge && u.pathname === '/passkeys/certificate/done');
			assert.equal(await text(s.page, 'h1'), T('en', 'cert.paired.title'));
			await shot(s.page, 'cert-paired');
			const paired = auditSince(mark, 'cert_paired');
			assert.equal(paired.length, 1);
			assert.equal(paired[0].by, 'self');
			const list = JSON.parse(stack.bridgectl('cert', 'list', 'kenji'));
			assert.deepEqual(list.map((c) => c.id), [certId('auth2')]);

			// listed on My passkeys
			await s.page.goto(`${stack.bridge}/passkeys`);
			await s.page.locator('#cert-list > li').first().waitFor();
			assert.equal(await s.page.locator('#cert-list > li').count(), 1);

			// and the card now signs kenji in at the IdP (the passkey's device is away: an
			// autofill request would be answered at once by the virtual authenticator)
			await s.removeAuthenticator(auth);
			await certificateWay(s);
			await assertSignedIn(s, 'kenji');
		});
	});

	test('a card already paired cannot be paired again from My passkeys', TIMEOUT, async () => {
		stack.addUser('mei', 'Mei Mori');
		await withCard('auth', {}, async (s) => {
			await s.addAuthenticator(PLATFORM);
			await F.enrol(s, stack, 'mei');
			await s.page.goto(`${stack.bridge}/login`);
			await s.page.waitForURL(`${stack.bridge}/passkeys`);
			await s.page.click('#cert-add');
			await s.page.waitForURL((u) => u.origin === stack.bridge && u.pathname === '/passkeys/certificate/done');
			assert.equal(await text(s.page, 'h1'), T('en', 'cert.already_paired.title'));
			assert.deepEqual(JSON.parse(stack.bridgectl('cert', 'list', 'mei')), []);
		});
	});
});
