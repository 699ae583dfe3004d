'use strict';
// The pages around the ceremonies (issue 16): "Set up a passkey" from the sign-in and
// back, a page for an unknown path, the error page's reference id, My passkeys with an
// SP login left waiting, "Go to My passkeys" after an enrolment, the passkey on this
// device and the recent activity, Japanese line breaking. Screenshots go to
// tests/out/browser/ (the ones in docs/screenshots are copies of these).
// Run through tests/browser/run.sh (it starts the stacks and sets STACK_ENV).
const { test, describe, before } = require('node:test');
const assert = require('node:assert/strict');
const { Stack } = require('./lib/stack');
const { openSession, shot, PLATFORM } = require('./lib/browser');
const F = require('./lib/flows');
const { T } = require('./lib/strings');

const TIMEOUT = { timeout: 180000 };

let stack;
let namedStack;  /* the second stack: its names file names the virtual authenticators' AAGUID, with icons */
const VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';

before(() => {
	stack = new Stack(process.env.STACK_ENV);
	namedStack = new Stack(process.env.STACK_UV_ENV);
	namedStack.addUser('iris', 'Iris Ito');
	for (const [uid, name] of [['paula', 'Paula Park'], ['quinn', 'Quinn Quade'], ['rei', '山田 玲']]) {
		stack.addUser(uid, name);
	}
});

async function withSession(opts, fn) {
	const s = await openSession(opts);
	try {
		const r = await fn(s);
		assert.deepEqual(s.problems, [], 'no uncaught exceptions, CSP violations or missing files in the pages');
		return r;
	} finally {
		await s.close();
	}
}

async function text(page, selector) {
	return (await page.locator(selector).innerText()).trim();
}

describe('pages', () => {
	test('"Set up a passkey" during an SP sign-in: how to get a link, then back to that sign-in', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			await s.addAuthenticator(PLATFORM);
			await F.startAtIdp(s.page, stack);
			assert.equal(await s.page.getAttribute('#app', 'data-has-flow'), '1');
			await s.page.getByRole('link', { name: T('en', 'signin.setup') }).click();
			await s.page.waitForURL(`${stack.bridge}/enroll`);
			assert.equal(await s.page.getAttribute('#app', 'data-page'), 'enroll-help');
			assert.equal(await text(s.page, 'h1'), T('en', 'enrollhelp.heading'));
			assert.equal(await s.page.locator('.notice-error').count(), 0, 'no red error box');
			assert.equal(await s.page.locator('.steps li').count(), 3);
			await shot(s.page, 'p1-enroll-help');
			await s.page.click('#back-to-signin');
			await s.page.waitForURL(`${stack.bridge}/login`);
			assert.equal(await s.page.getAttribute('#app', 'data-has-flow'), '1', 'back at the same SP sign-in');
		});
	});

	test('an unknown path is a page; an error page carries a reference id that is in the audit log', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			const res = await s.page.goto(`${stack.bridge}/no/such/page`);
			assert.equal(res.status(), 404);
			assert.match(res.headers()['content-security-policy'], /default-src 'none'/);
			assert.equal(await s.page.getAttribute('#app', 'data-page'), 'not-found');
			assert.equal(await text(s.page, 'h1'), T('en', 'notfound.heading'));
			await shot(s.page, 'p2-not-found');
			await s.page.click('#go-home');
			await s.page.waitForURL(`${stack.bridge}/login?for=passkeys`);

			// a handoff whose signature does not match
			const start = await s.page.request.get(`${stack.idp}/start?entity=${encodeURIComponent('https://sp.example.org/shibboleth')}`,
				{ maxRedirects: 0 });
			const url = new URL(start.headers().location);
			url.searchParams.set('sig', url.searchParams.get('sig').split('').reverse().join(''));
			await s.page.goto(url.href);
			assert.equal(await s.page.getAttribute('#app', 'data-page'), 'error');
			const ref = await text(s.page, '#error-ref');
			assert.match(ref, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
			assert.match(await text(s.page, '#error-time'), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
			const lines = stack.audit().filter((e) => e.ref === ref).map((e) => e.event);
			assert.ok(lines.includes('handoff_rejected') && lines.includes('error_page'), `audit lines with ${ref}: ${lines}`);
			await shot(s.page, 'p2-error-reference');
		});
	});

	test('after an enrolment, "Go to My passkeys" opens it without a sign-in; the new passkey is on this device', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			await s.addAuthenticator(PLATFORM);
			const ceremonies = await F.recordCeremonies(s.page);
			await F.enrol(s, stack, 'paula', { nickname: 'Work laptop' });
			const before = ceremonies.length;
			await s.page.click('#go-passkeys');
			await s.page.waitForURL(`${stack.bridge}/passkeys`);
			await s.page.locator('#passkey-list > li').first().waitFor();
			assert.equal(ceremonies.slice(before).filter((c) => c.kind === 'get').length, 0, 'no sign-in ceremony');
			assert.match(await text(s.page, '.signed-in'), /Paula Park/);
			assert.equal(await text(s.page, '#passkey-list .badge-here'), T('en', 'passkeys.this_device'));
			await s.page.locator('#activity-list li').first().waitFor();
			const acts = await s.page.locator('#activity-list .act-what').allInnerTexts();
			assert.deepEqual(acts.slice(0, 2), [T('en', 'activity.signin_after_enrolment'),
				T('en', 'activity.added_named', { name: 'Work laptop' })]);
			await shot(s.page, 'p3-passkeys-after-enrolment');
		});
	});

	test('My passkeys with an SP sign-in waiting in the same browser: its own sign-in, no ticket for the SP', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			const auth = await s.addAuthenticator(PLATFORM);
			await F.enrol(s, stack, 'quinn');
			const tickets = await F.watchTickets(s.page, stack);
			const ceremonies = await F.recordCeremonies(s.page);
			// the SP sends the user here, who leaves the page without signing in
			await F.loginWithAutofillPending(s, auth, stack, ceremonies);
			const mark = stack.audit().length;
			// ...and later opens My passkeys (the autofill request there signs in at once)
			await s.page.goto(`${stack.bridge}/passkeys`);
			await s.page.waitForURL(`${stack.bridge}/passkeys`);
			await s.page.locator('#passkey-list > li').first().waitFor();
			assert.match(await text(s.page, '.signed-in'), /Quinn Quade/);
			assert.equal(tickets.length, 0, 'no way back to the SP');
			const signins = stack.audit().slice(mark).filter((e) => e.event === 'signin_success');
			assert.equal(signins.length, 1);
			assert.equal(signins[0].entity ?? null, null, 'the sign-in was My passkeys\', not the SP\'s');
			// the passkey is marked as this device's and as the one this sign-in used
			assert.equal(await text(s.page, '#passkey-list .badge-here'), T('en', 'passkeys.this_device'));
			assert.equal(await text(s.page, '#passkey-list .badge-now'), T('en', 'passkeys.signed_in_with'));
			const first = s.page.locator('#activity-list li').first();
			assert.equal(await first.locator('.act-what').innerText(), T('en', 'activity.signin_passkeys'));
			assert.match(await first.locator('.act-from').innerText(), /127\.0\.0\.1|::1/);
			await shot(s.page, 'p4-passkeys-device-activity');
			// the SP's sign-in is still there for its tab (autofill signs in at once), and goes back to the SP
			await s.page.goto(`${stack.bridge}/login`);
			const result = await F.idpResult(s.page, stack);
			assert.equal(result.ok, true);
			assert.equal(result.principal, 'quinn');
		});
	});

	test('My passkeys draws the model\'s icon, served by the bridge (no data: URL), light and dark', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			await s.addAuthenticator(PLATFORM);
			await F.enrol(s, namedStack, 'iris', { nickname: 'Iris laptop' });
			await s.page.click('#go-passkeys');
			await s.page.waitForURL(`${namedStack.bridge}/passkeys`);
			const img = s.page.locator('#passkey-list > li .pk-icon img');
			await img.waitFor();
			assert.equal(await img.getAttribute('alt'), 'Virtual test key');
			assert.equal(await img.getAttribute('src'), `/icons/${VIRTUAL_AAGUID}`);
			// drawn: decoded by the browser under the page's CSP (img-src 'self')
			await s.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
			assert.equal(await img.evaluate((el) => el.naturalWidth), 16);
			await shot(s.page, 'p5-passkeys-icon');
			await s.page.emulateMedia({ colorScheme: 'dark' });
			await s.page.waitForFunction((el) => el.currentSrc.endsWith('.dark') && el.complete && el.naturalWidth > 0,
				await img.elementHandle());
			await s.page.emulateMedia({ colorScheme: 'light' });

			// the route: the right type and headers; an unknown AAGUID or a bad name is a 404
			const light = await fetch(`${namedStack.bridge}/icons/${VIRTUAL_AAGUID}`);
			assert.equal(light.status, 200);
			assert.equal(light.headers.get('content-type'), 'image/png');
			assert.equal(light.headers.get('x-content-type-options'), 'nosniff');
			assert.equal(light.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox");
			assert.equal(light.headers.get('cache-control'), 'public, max-age=86400');
			const png = Buffer.from(await light.arrayBuffer());
			assert.equal(png.subarray(1, 4).toString(), 'PNG');
			const dark = await fetch(`${namedStack.bridge}/icons/${VIRTUAL_AAGUID.toUpperCase()}.dark`);
			assert.equal(dark.status, 200);
			assert.equal(dark.headers.get('content-type'), 'image/svg+xml');
			assert.match(await dark.text(), /^<svg /);
			for (const p of ['00000000-0000-0000-0000-000000000001', `${VIRTUAL_AAGUID}.light`, `${VIRTUAL_AAGUID}x`, '', '..%2Fbridge.conf']) {
				assert.equal((await fetch(`${namedStack.bridge}/icons/${p}`)).status, 404, p);
			}
			// the main stack has no names file: no icon, and the model shown by its kind
			assert.equal((await fetch(`${stack.bridge}/icons/${VIRTUAL_AAGUID}`)).status, 404);
		});
	});

	test('Japanese: strict line breaking, phrase-based wrapping, the same term for the set-up link', TIMEOUT, async () => {
		await withSession({ acceptLanguage: 'ja', locale: 'ja-JP', viewport: { width: 360, height: 740 } }, async (s) => {
			await s.page.goto(`${stack.bridge}/enroll`);
			assert.equal(await s.page.getAttribute('html', 'lang'), 'ja');
			const style = await s.page.evaluate(() => {
				const cs = getComputedStyle(document.body);
				return { lineBreak: cs.lineBreak, wordBreak: cs.wordBreak };
			});
			assert.equal(style.lineBreak, 'strict');
			assert.equal(style.wordBreak, 'auto-phrase');
			await shot(s.page, 'p5-enroll-help-ja');
			// no line of the page starts with a prolonged sound mark or small kana
			const starts = await s.page.evaluate(() => {
				const out = [];
				const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
				for (let n = walker.nextNode(); n; n = walker.nextNode()) {
					const r = document.createRange();
					let top = null;
					for (let i = 0; i < n.length; i++) {
						r.setStart(n, i);
						r.setEnd(n, i + 1);
						const rect = r.getClientRects()[0];
						if (rect && top !== null && rect.top > top + 2) {
							out.push(n.data[i]);
						}
						if (rect) {
							top = rect.top;
						}
					}
				}
				return out;
			});
			assert.deepEqual(starts.filter((c) => /[ーぁぃぅぇぉっゃゅょァィゥェォッャュョ。、）」]/.test(c)), [],
				'a line starts with a character strict line breaking keeps off the start');
			const strings = require('./lib/strings').strings('ja');
			const linkTerms = Object.values(strings).join('\n').match(/(設定用リンク|登録リンク|1回だけ使えるリンク|登録用のリンク)/g);
			assert.equal(linkTerms, null, `other words for the set-up link: ${linkTerms}`);
			assert.ok(Object.values(strings).some((v) => v.includes('登録用リンク')));
		});
	});
});
