'use strict';
// The pages' strings (templates/i18n/<lang>.json) with the stack's branding names filled
// in as the bridge does, so that the tests check what the user reads without copying
// the wording.
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./stack');

const cache = {};

/*
 * The stack's [branding] names (tests/stack/start-stack.sh writes them into the bridge's
 * config): the bridge fills {org} and {helpdesk} into every string with them.
 */
function branding() {
	const out = {};
	const envFile = process.env.STACK_ENV;
	if (!envFile || !fs.existsSync(envFile)) {
		return out;
	}
	const conf = /BRIDGE_CONFIG='([^']*)'/.exec(fs.readFileSync(envFile, 'utf8'));
	let section = '';
	for (const line of conf ? fs.readFileSync(conf[1], 'utf8').split('\n') : []) {
		const sec = /^\[([a-z]+)\]/.exec(line);
		const kv = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
		if (sec) {
			section = sec[1];
		} else if (kv && (section === 'branding' || (section === 'webauthn' && kv[1] === 'rp_name'))) {
			out[kv[1]] = kv[2].trim();
		}
	}
	return out;
}

/* What {org} and {helpdesk} become on the pages in lang (the bridge's rules: _ja, then the plain key, then the default). */
function names(lang, raw) {
	const b = branding();
	const pick = (key) => (lang === 'ja' && b[`${key}_ja`]) || b[key] || '';
	return { org: pick('organisation') || b.rp_name || 'University', helpdesk: pick('helpdesk_name') || raw['common.helpdesk'] };
}

function strings(lang) {
	if (!cache[lang]) {
		const raw = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'i18n', `${lang}.json`), 'utf8'));
		const n = names(lang, raw);
		cache[lang] = {};
		for (const [k, v] of Object.entries(raw)) {
			cache[lang][k] = v.replace(/\{org\}/g, n.org).replace(/\{helpdesk\}/g, n.helpdesk);
		}
	}
	return cache[lang];
}

/* T('en', 'status.deleted', {name: 'x'}): the string with {name} filled in, like t() in templates/static/js/common.js does. */
function T(lang, key, vars) {
	const s = strings(lang)[key];
	if (typeof s !== 'string') {
		throw new Error(`templates/i18n/${lang}.json: no string ${key}`);
	}
	return s.replace(/\{([a-z_]+)\}/g, (m, n) => (vars && n in vars ? String(vars[n]) : m));
}

module.exports = { T, strings };
