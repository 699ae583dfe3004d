'use strict';
// Debian's Chromium through playwright-core, one fresh profile per session,
// and the DevTools protocol's virtual WebAuthn authenticators.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { OUT_DIR } = require('./stack');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

/* A platform passkey: built-in authenticator, resident keys, user verification. */
const PLATFORM = {
	protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
	isUserVerified: true, automaticPresenceSimulation: true,
};
/* A roaming security key without resident keys (username-first only). */
const SECURITY_KEY = {
	protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true,
	isUserVerified: true, automaticPresenceSimulation: true,
};

/*
 * A browser session: a persistent context in a fresh mkdtemp profile, one page, a
 * CDP session on it with WebAuthn enabled. opts: {locale, acceptLanguage, bypassCSP,
 * viewport, clientCertificates, ignoreHTTPSErrors}. clientCertificates is Playwright's
 * ([{origin, certPath, keyPath}]): Playwright's own proxy answers the TLS front's
 * certificate request with it, as a browser would after the user picked the certificate.
 * Call close() on every path (it removes the profile).
 */
async function openSession(opts = {}) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-chromium-'));
	let context;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: FLAGS,
			locale: opts.locale || 'en-US',
			extraHTTPHeaders: opts.acceptLanguage ? { 'Accept-Language': opts.acceptLanguage } : undefined,
			bypassCSP: !!opts.bypassCSP,
			viewport: opts.viewport || { width: 1024, height: 768 },
			clientCertificates: opts.clientCertificates,
			ignoreHTTPSErrors: !!opts.ignoreHTTPSErrors,
			timeout: 30000,
		});
	} catch (e) {
		/* a Chromium that failed to start may still be writing its profile: the launch error matters */
		try {
			fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
		} catch {
			/* left under run.sh's temp dir, which it removes */
		}
		throw e;
	}
	const page = context.pages()[0] || await context.newPage();
	page.setDefaultTimeout(opts.timeout || 30000);
	/* what must not happen on any page: uncaught exceptions, CSP violations, missing files */
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
			problems.push(`${page.url()}: ${m.text()}`);
		}
	});
	page.on('pageerror', (e) => problems.push(`${page.url()}: uncaught ${e}`));
	/* nor a page asking for a script, style or string file the bridge does not serve */
	page.on('response', (r) => {
		if (r.status() >= 400 && /^\/(static|i18n)\//.test(new URL(r.url()).pathname)) {
			problems.push(`${page.url()}: ${r.status()} for ${r.url()}`);
		}
	});
	const cdp = await context.newCDPSession(page);
	await cdp.send('WebAuthn.enable', { enableUI: !!opts.enableUI });
	const s = {
		context, page, cdp, profile, problems,
		async addAuthenticator(options) {
			const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options });
			return authenticatorId;
		},
		async removeAuthenticator(authenticatorId) {
			await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
		},
		async credentials(authenticatorId) {
			return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
		},
		/* Off: the authenticator never sees a touch, so requests wait (e.g. a pending autofill). */
		async setPresence(authenticatorId, enabled) {
			await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
		},
		async addCredential(authenticatorId, credential) {
			await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
		},
		async setUserVerified(authenticatorId, isUserVerified) {
			await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
		},
		async close() {
			try {
				await context.close();
			} finally {
				fs.rmSync(profile, { recursive: true, force: true });
			}
		},
	};
	return s;
}

/* Full-page screenshot into tests/out/browser/NAME.png. */
async function shot(page, name) {
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const file = path.join(OUT_DIR, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
	return file;
}

module.exports = { openSession, shot, PLATFORM, SECURITY_KEY, CHROMIUM, FLAGS };
