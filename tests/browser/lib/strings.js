'use strict';
// The pages' strings (templates/i18n/<lang>.json), so that the tests check what the
// user reads without copying the wording.
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./stack');

const cache = {};

function strings(lang) {
	if (!cache[lang]) {
		cache[lang] = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'i18n', `${lang}.json`), 'utf8'));
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
