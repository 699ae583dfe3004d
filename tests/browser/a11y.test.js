'use strict';
// Accessibility and compatibility of the pages: axe-core (no serious or critical
// violations) on the sign-in, enrolment, enrolled, My passkeys and error pages in both
// languages and colour schemes; the same pages at 320 px wide; scenario 2 by keyboard
// alone. Run through tests/browser/run.sh.
const { test, describe, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Stack, OUT_DIR } = require('./lib/stack');
const { openSession, shot, PLATFORM } = require('./lib/browser');
const F = require('./lib/flows');
const { T } = require('./lib/strings');

const TIMEOUT = { timeout: 240000 };
const AXE = require.resolve('axe-core/axe.min.js');
const SP = 'https://sp.example.org/shibboleth';

let stack;

before(() => {
	stack = new Stack(process.env.STACK_ENV);
	for (const [uid, name] of [['kate', 'Kate Kowalski'], ['leo', '佐藤 玲央'], ['mia', 'Mia Müller'],
		['noah', '鈴木 直'], ['olga', 'Olga Orlova']]) {
		stack.addUser(uid, name);
	}
});

/*
 * Walks one user through every page, calling visit(name) on each: enroll, enrolled,
 * passkeys, passkeys-rename (the rename panel open), passkeys-delete (the delete
 * question), login (from the IdP), login-error (a message shown), enroll-help ("Set up
 * a passkey" from it), error (a tampered handoff), not-found (an unknown path).
 */
async function everyPage(s, user, visit) {
	const auth = await s.addAuthenticator(PLATFORM);
	const link = stack.enrollLink(user);
	await s.page.goto(link);
	await s.page.locator('#enroll-create').waitFor();
	await s.page.waitForFunction(() => document.getElementById('nickname').value !== '');
	await visit('enroll');
	await s.page.click('#enroll-create');
	await s.page.waitForURL(`${stack.bridge}/enrolled`);
	await visit('enrolled');

	// My passkeys: a sign-in without an IdP flow (the autofill request answers at once)
	await s.page.goto(`${stack.bridge}/login`);
	await s.page.waitForURL(`${stack.bridge}/passkeys`);
	await s.page.locator('#passkey-list > li').first().waitFor();
	await visit('passkeys');
	await s.page.locator('#passkey-list button[id$="-rename"]').first().click();
	await s.page.locator('#passkey-list input[type=text]').waitFor();
	await visit('passkeys-rename');
	await s.page.locator('#passkey-list button[id$="-delete"]').first().click();
	await s.page.locator('.confirm-text').waitFor();
	await visit('passkeys-delete');

	// the sign-in page of an IdP flow, with its autofill request waiting
	const ceremonies = await F.recordCeremonies(s.page);
	await F.loginWithAutofillPending(s, auth, stack, ceremonies);
	await visit('login');
	await s.page.click('#signin-username'); /* no username: a message and aria-invalid */
	await F.statusOf(s.page);
	await visit('login-error');
	await s.page.click('.more-links a[href^="/enroll"]');
	await s.page.locator('#back-to-signin').waitFor();
	await visit('enroll-help');

	// a handoff whose signature does not match
	const start = await s.page.request.get(`${stack.idp}/start?entity=${encodeURIComponent(SP)}`, { maxRedirects: 0 });
	const url = new URL(start.headers().location);
	url.searchParams.set('sig', url.searchParams.get('sig').split('').reverse().join(''));
	await s.page.goto(url.href);
	await visit('error');
	await s.page.goto(`${stack.bridge}/no/such/page`);
	await visit('not-found');
}

function summary(v) {
	return `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`;
}

describe('accessibility and compatibility', () => {
	for (const lang of ['en', 'ja']) {
		test(`axe-core: no serious or critical violations (${lang}, light and dark)`, TIMEOUT, async (t) => {
			const found = [];
			const report = {};
			// axe is injected as an inline script: only this context bypasses the CSP
			const s = await openSession({ bypassCSP: true, acceptLanguage: lang, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
			try {
				await everyPage(s, lang === 'en' ? 'kate' : 'leo', async (name) => {
					assert.equal(await s.page.getAttribute('html', 'lang'), lang, `${name} is in ${lang}`);
					/* each page runs the shared script and only its own (templates/README.md) */
					const { page, scripts } = await s.page.evaluate(() => ({
						page: document.getElementById('app').getAttribute('data-page'),
						scripts: Array.from(document.scripts, (e) => e.src && new URL(e.src).pathname).filter(Boolean),
					}));
					assert.deepEqual(scripts, ['/static/js/common.js'].concat(
						['login', 'enroll', 'passkeys'].includes(page) ? [`/static/js/${page}.js`] : []), `${name}: its scripts`);
					await s.page.addScriptTag({ path: AXE });
					for (const scheme of ['light', 'dark']) {
						await s.page.emulateMedia({ colorScheme: scheme });
						/* the buttons' colour transitions must end first, or axe measures a blend */
						await s.page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))));
						const res = await s.page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
						const key = `${name}/${scheme}`;
						report[key] = res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
							nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })) }));
						for (const v of res.violations) {
							t.diagnostic(`${key}: ${summary(v)}`);
							if (v.impact === 'serious' || v.impact === 'critical') {
								found.push(`${key}: ${summary(v)}`);
							}
						}
					}
					await s.page.emulateMedia({ colorScheme: 'light' });
				});
			} finally {
				fs.mkdirSync(OUT_DIR, { recursive: true });
				fs.writeFileSync(path.join(OUT_DIR, `axe-${lang}.json`), `${JSON.stringify(report, null, 2)}\n`);
				await s.close();
			}
			assert.equal(Object.keys(report).length, 20, 'ten page states in two colour schemes');
			assert.deepEqual(found, [], 'serious or critical axe violations');
		});
	}

	for (const lang of ['en', 'ja']) {
		test(`320 px wide: no horizontal scrolling, the primary buttons visible (${lang})`, TIMEOUT, async () => {
			const problems = [];
			await withSession({ viewport: { width: 320, height: 640 }, acceptLanguage: lang, locale: lang === 'ja' ? 'ja-JP' : 'en-US' }, async (s) => {
				await everyPage(s, lang === 'en' ? 'mia' : 'noah', async (name) => {
					const m = await s.page.evaluate(() => {
						const primary = [...document.querySelectorAll('.btn-primary, #signin-username, #status-retry, .pk-actions .btn')]
							.filter((b) => b.offsetParent !== null);
						return {
							scrollWidth: document.documentElement.scrollWidth,
							bodyScrollWidth: document.body.scrollWidth,
							buttons: primary.map((b) => {
								const r = b.getBoundingClientRect();
								return { id: b.id || b.className, text: b.textContent.trim(), left: r.left, right: r.right,
									width: r.width, height: r.height, clipped: b.scrollWidth > b.clientWidth + 1 };
							}),
						};
					});
					await shot(s.page, `320-${name}-${lang}`);
					if (m.scrollWidth > 320 || m.bodyScrollWidth > 320) {
						problems.push(`${name}: scrollWidth ${m.scrollWidth}/${m.bodyScrollWidth} > 320`);
					}
					const wantButtons = { enroll: 1, enrolled: 1, passkeys: 1, login: 2, 'login-error': 2, 'enroll-help': 1, 'not-found': 1 }[name] || 0;
					if (m.buttons.length < wantButtons) {
						problems.push(`${name}: ${m.buttons.length} primary buttons visible, want ${wantButtons}`);
					}
					for (const b of m.buttons) {
						if (b.left < 0 || b.right > 320 || b.width < 1) {
							problems.push(`${name}: button ${b.id} "${b.text}" outside the 320 px viewport (${b.left}..${b.right})`);
						}
						if (b.height < 44 && !/btn-small/.test(b.id)) {
							problems.push(`${name}: button ${b.id} "${b.text}" is ${b.height} px tall (< 44)`);
						}
						if (b.clipped) {
							problems.push(`${name}: button ${b.id} "${b.text}" clips its text`);
						}
					}
				});
			});
			assert.deepEqual(problems, []);
		});
	}

	test('keyboard alone: scenario 2 with Tab and Enter/Space only', TIMEOUT, async () => {
		await withSession({}, async (s) => {
			const auth = await s.addAuthenticator(PLATFORM);
			await F.enrol(s, stack, 'olga');
			const ceremonies = await F.recordCeremonies(s.page);
			const tickets = await F.watchTickets(s.page, stack);
			const visited = [];

			/* Tab until the element matching selector has the focus; checks focus is visible on the way. */
			async function tabTo(selector, max = 20) {
				for (let i = 0; i < max; i++) {
					await s.page.keyboard.press('Tab');
					const f = await s.page.evaluate((sel) => {
						const a = document.activeElement;
						if (!a || a === document.body) {
							return null;
						}
						const cs = getComputedStyle(a);
						return {
							desc: `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}`,
							match: a.matches(sel),
							visible: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none',
						};
					}, selector);
					if (f) {
						visited.push(f.desc);
						if (f.match) {
							return f;
						}
					}
				}
				throw new Error(`${selector} not reached with ${max} Tabs (visited: ${visited.join(', ')})`);
			}

			// the stand-in's front page: Tab to "Sign in to the demo service", Enter
			await s.setPresence(auth, false);
			await s.page.goto(`${stack.idp}/`);
			await tabTo('#signin');
			const before = ceremonies.length;
			await s.page.keyboard.press('Enter');
			await s.page.waitForURL(`${stack.bridge}/login`);
			await F.waitUntil(() => ceremonies.slice(before).some((c) => c.mediation === 'conditional'), 'autofill request started');
			await s.page.waitForTimeout(1000); /* see F.loginWithAutofillPending */
			await s.setPresence(auth, true);

			// the sign-in page: Tab to "Sign in with a passkey" (its focus ring visible), Space
			const f = await tabTo('#signin-passkey');
			assert.ok(f.visible, 'the focused button shows a focus indicator');
			await shot(s.page, 'keyboard-focus-passkey-button');
			await s.page.keyboard.press('Space');
			const result = await F.idpResult(s.page, stack);
			assert.equal(result.ok, true);
			assert.equal(result.principal, 'olga');
			assert.equal(result.mfa, true);
			assert.equal(tickets.length, 1);
			assert.equal(tickets[0].record.principal, 'olga');
			assert.deepEqual(ceremonies.slice(before).filter((c) => c.mediation === null).map((c) => c.allow), [0],
				'the button (not the autofill) signed in');

			// and again with Enter instead of Space, through ForceAuthn
			await s.setPresence(auth, false);
			await s.page.goto(`${stack.idp}/`);
			await tabTo('#signin-force');
			const before2 = ceremonies.length;
			await s.page.keyboard.press('Enter');
			await s.page.waitForURL(`${stack.bridge}/login`);
			await F.waitUntil(() => ceremonies.slice(before2).some((c) => c.mediation === 'conditional'), 'autofill request started');
			await s.page.waitForTimeout(1000); /* see F.loginWithAutofillPending */
			await s.setPresence(auth, true);
			await tabTo('#signin-passkey');
			await s.page.keyboard.press('Enter');
			const again = await F.idpResult(s.page, stack);
			assert.equal(again.ok, true);
			assert.equal(again.principal, 'olga');
		});
	});
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
