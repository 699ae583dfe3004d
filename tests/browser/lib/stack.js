'use strict';
// The stack under test (started by run.sh with tests/stack/start-stack.sh):
// its env file, bridgectl, the directory (ldapsearch/ldapadd as the rootdn),
// the ticket records in memcached and the audit log.
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUILD = process.env.BUILD_DIR || path.join(ROOT, 'build');
const OUT_DIR = process.env.BROWSER_OUT_DIR || path.join(ROOT, 'tests', 'out', 'browser');

function parseEnv(file) {
	const env = {};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
		if (m) {
			env[m[1]] = m[2];
		}
	}
	return env;
}

class Stack {
	constructor(envFile) {
		if (!envFile || !fs.existsSync(envFile)) {
			throw new Error(`stack env file missing: ${envFile} (run the tests with tests/browser/run.sh)`);
		}
		this.env = parseEnv(envFile);
		for (const k of ['BRIDGE_URL', 'IDP_URL', 'BRIDGE_CONFIG', 'AUDIT_LOG', 'LDAP_URI', 'LDAP_ADMIN_DN',
			'LDAP_ADMIN_PW', 'LDAP_PEOPLE_BASE', 'MEMCACHED_SERVERS']) {
			if (!this.env[k]) {
				throw new Error(`${envFile}: ${k} missing`);
			}
		}
		this.bridge = this.env.BRIDGE_URL;
		this.idp = this.env.IDP_URL;
		// [memcached] prefix in the bridge.conf that start-stack.sh writes
		const conf = fs.readFileSync(this.env.BRIDGE_CONFIG, 'utf8');
		const m = /^prefix\s*=\s*(\S+)\s*$/m.exec(conf);
		this.prefix = m ? m[1] : 'fidobridge:';
		const uv = /^user_verification\s*=\s*(\S+)\s*$/m.exec(conf);
		this.userVerification = uv ? uv[1] : 'preferred';
	}

	bridgectl(...args) {
		return execFileSync(path.join(BUILD, 'bridgectl'), [...args, '--config', this.env.BRIDGE_CONFIG],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	}

	/* An administrator issues a one-time enrolment link. */
	enrollLink(user) {
		const out = this.bridgectl('enroll', user).trim().split('\n').pop();
		if (!out.startsWith(`${this.bridge}/enroll?`)) {
			throw new Error(`bridgectl enroll ${user}: unexpected output ${out}`);
		}
		return out;
	}

	userShow(user) {
		return JSON.parse(this.bridgectl('user', 'show', user));
	}

	/* The user's fidoCredential entries, read straight from slapd as the rootdn. */
	ldapCredentials(user) {
		const out = execFileSync('ldapsearch', ['-LLL', '-x', '-o', 'ldif-wrap=no', '-H', this.env.LDAP_URI,
			'-D', this.env.LDAP_ADMIN_DN, '-w', this.env.LDAP_ADMIN_PW,
			'-b', `uid=${user},${this.env.LDAP_PEOPLE_BASE}`, '-s', 'one', '(objectClass=fidoCredential)'],
		{ encoding: 'utf8' });
		const entries = [];
		for (const block of out.split(/\n\n+/)) {
			if (!block.trim()) {
				continue;
			}
			const e = {};
			for (const line of block.split('\n')) {
				const m = /^([A-Za-z][A-Za-z0-9-]*)(::?) ?(.*)$/.exec(line);
				if (!m) {
					continue;
				}
				const v = m[2] === '::' ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
				(e[m[1]] = e[m[1]] || []).push(v);
			}
			entries.push(e);
		}
		return entries;
	}

	/* A fresh person entry (so that every scenario starts from a clean account). */
	addUser(uid, displayName, extra = []) {
		const ldif = [
			`dn: uid=${uid},${this.env.LDAP_PEOPLE_BASE}`,
			'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson',
			'objectClass: inetOrgPerson', 'objectClass: eduPerson',
			`uid: ${uid}`, `cn:: ${Buffer.from(displayName, "utf8").toString("base64")}`, `sn: ${uid}`,
			`displayName:: ${Buffer.from(displayName, 'utf8').toString('base64')}`,
			`mail: ${uid}@example.edu`,
			`eduPersonPrincipalName: ${uid}@example.edu`,
			'eduPersonAffiliation: student', 'eduPersonAffiliation: member',
			...extra, '',
		].join('\n');
		try {
			execFileSync('ldapadd', ['-x', '-H', this.env.LDAP_URI, '-D', this.env.LDAP_ADMIN_DN, '-w', this.env.LDAP_ADMIN_PW],
				{ input: ldif, stdio: ['pipe', 'ignore', 'pipe'] });
		} catch (e) {
			if (e.status !== 68) { /* 68: already exists (a second run against the same stack) */
				throw new Error(`ldapadd ${uid}: ${e.stderr}`);
			}
		}
	}

	/* What every memcached server holds under key (with the prefix): [{server, value|null}] */
	async memcachedGet(key) {
		const full = this.prefix + key;
		const out = [];
		for (const server of this.env.MEMCACHED_SERVERS.split(',')) {
			const [host, port] = server.split(':');
			out.push({ server, value: await mcGet(host, Number(port), full) });
		}
		return out;
	}

	/* The ticket record as the IdP would read it, or null when no server holds it. */
	async ticketRecord(ticket) {
		const vals = (await this.memcachedGet(`ticket:${ticket}`)).filter((v) => v.value !== null);
		return vals.length ? JSON.parse(vals[0].value) : null;
	}

	audit() {
		if (!fs.existsSync(this.env.AUDIT_LOG)) {
			return [];
		}
		return fs.readFileSync(this.env.AUDIT_LOG, 'utf8').split('\n').filter(Boolean).map((l) => {
			try {
				return JSON.parse(l);
			} catch {
				return { raw: l };
			}
		});
	}
}

/* memcached text protocol: get one key; resolves with the value (string) or null. */
function mcGet(host, port, key) {
	return new Promise((resolve, reject) => {
		const sock = net.connect({ host, port });
		let buf = Buffer.alloc(0);
		const timer = setTimeout(() => {
			sock.destroy();
			reject(new Error(`memcached ${host}:${port}: timeout`));
		}, 3000);
		sock.on('connect', () => sock.write(`get ${key}\r\n`));
		sock.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			const s = buf.toString('latin1');
			if (s === 'END\r\n' || s.endsWith('\r\nEND\r\n')) {
				clearTimeout(timer);
				sock.end();
				const m = /^VALUE \S+ \d+ (\d+)\r\n/.exec(s);
				resolve(m ? buf.subarray(m[0].length, m[0].length + Number(m[1])).toString('utf8') : null);
			}
		});
		sock.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
	});
}

module.exports = { Stack, ROOT, BUILD, OUT_DIR, parseEnv };
