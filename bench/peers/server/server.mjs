#!/usr/bin/env node
// The comparison peer for the full-login load benchmark (bench/load/run.sh).
//
// A small Node.js FIDO server of the kind earlier designs used, built on
// @simplewebauthn/server, ldapts and memjs, that speaks the bridge's handoff
// protocol (docs/handoff-protocol.md) and its sign-in API (docs/http-api.md)
// against the same slapd and memcached, so one load generator drives either:
//
//   GET  /authn/start                  signed start, same rules and HMAC; flow in memcached, fb_flow cookie
//   POST /api/authenticate/options     {} or {"username":..}; challenge record bound to the flow
//   POST /api/authenticate/verify      credential JSON -> verifyAuthenticationResponse; ticket record + MAC
//   GET  /authn/finish                 303 to the IdP with conversation, state and ticket
//
// It reads the bridge's own configuration file (INI), so both run with the same
// settings: rp_id, origins, secret, return URLs, TTLs, LDAP, memcached, limits.
// It follows the same rules where they cost work: a rate-limit counter per
// request, the last-used write only when older than last_used_interval, an
// audit line per event. It is for comparison only, not a product: no pages,
// no registration, plain http on loopback. With several memcached servers it
// writes 1 + [memcached] replicas copies and takes as the bridge does (gets on
// every server, then the deletes), each step's requests sent together.
//
// usage: node server.mjs --config bridge.conf [--port N] [--audit FILE] [--ldap-pool N]

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import { Attribute, Change, Client as LdapClient } from 'ldapts';
import memjs from 'memjs';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';

// ------------------------------------------------------------------ config

function die(msg) {
  process.stderr.write(`peer: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { config: null, port: null, audit: null, ldapPool: 4 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--config': o.config = v; i++; break;
      case '--port': o.port = Number(v); i++; break;
      case '--audit': o.audit = v; i++; break;
      case '--ldap-pool': o.ldapPool = Number(v); i++; break;
      default: die(`unknown argument ${argv[i]}\nusage: node server.mjs --config bridge.conf [--port N] [--audit FILE] [--ldap-pool N]`);
    }
  }
  if (!o.config) die('--config is required');
  return o;
}

function readIni(path) {
  const out = {};
  let section = '';
  for (const raw of fs.readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) { section = m[1]; continue; }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out[`${section}.${line.slice(0, eq).trim()}`] = line.slice(eq + 1).trim();
  }
  return out;
}

function duration(s, dflt) {
  if (s === undefined || s === '') return dflt;
  const m = /^(\d+)([smhd]?)$/.exec(s);
  if (!m) die(`bad duration ${s}`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

const list = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);
const readSecret = (p) => Buffer.from(fs.readFileSync(p, 'utf8').split(/\r?\n/)[0], 'utf8');

const args = parseArgs(process.argv.slice(2));
const ini = readIni(args.config);
const C = {
  port: args.port ?? Number(ini['server.listen_port'] ?? 8443),
  address: ini['server.listen_address'] ?? '127.0.0.1',
  maxBody: Number(ini['server.max_body_bytes'] ?? 65536),
  rpId: ini['webauthn.rp_id'],
  origins: list(ini['webauthn.origins']),
  uv: ini['webauthn.user_verification'] ?? 'preferred',
  challengeTtl: duration(ini['webauthn.challenge_ttl'], 300),
  ceremonyTimeout: duration(ini['webauthn.ceremony_timeout'], 120),
  mfaAaguids: list(ini['webauthn.mfa_aaguids']).map((x) => x.toLowerCase()),
  secret: readSecret(ini['idp.secret_file']),
  prevSecret: ini['idp.previous_secret_file'] ? readSecret(ini['idp.previous_secret_file']) : null,
  returnUrls: list(ini['idp.return_urls']),
  skew: duration(ini['idp.max_clock_skew'], 120),
  ticketTtl: duration(ini['idp.ticket_ttl'], 60),
  flowTtl: duration(ini['idp.flow_ttl'], 900),
  ldapUri: ini['ldap.uri'],
  bindDn: ini['ldap.bind_dn'],
  bindPw: ini['ldap.bind_password_file'] ? fs.readFileSync(ini['ldap.bind_password_file'], 'utf8').split(/\r?\n/)[0] : '',
  userBase: ini['ldap.user_base'],
  userAttr: ini['ldap.username_attribute'] ?? 'uid',
  attributes: list(ini['ldap.attributes'] ?? 'uid,mail,displayName,eduPersonPrincipalName,eduPersonAffiliation,eduPersonScopedAffiliation'),
  disabledAttr: ini['ldap.disabled_attribute'] ?? 'employeeType',
  disabledValue: (ini['ldap.disabled_value'] ?? 'disabled').toLowerCase(),
  ldapTimeout: Number(ini['ldap.timeout_ms'] ?? 3000),
  lastUsedInterval: duration(ini['ldap.last_used_interval'], 3600),
  mcServers: list(ini['memcached.servers']),
  mcReplicas: Number(ini['memcached.replicas'] ?? 0),
  prefix: ini['memcached.prefix'] ?? 'fidobridge:',
  mcTimeout: Number(ini['memcached.timeout_ms'] ?? 500),
  limitAddress: Number(ini['limits.per_address'] ?? 120),
  limitAccount: Number(ini['limits.per_account'] ?? 10),
};
if (!C.rpId || C.origins.length === 0 || C.returnUrls.length === 0 || !C.ldapUri || !C.userBase || C.mcServers.length === 0) {
  die(`${args.config}: rp_id, origins, return_urls, ldap uri/user_base and memcached servers are required`);
}

// ------------------------------------------------------------------ stores

const mcs = C.mcServers.map((s) => memjs.Client.create(s, { timeout: C.mcTimeout / 1000, retries: 1, logger: { log() {} } }));
const copies = Math.min(mcs.length, 1 + C.mcReplicas);
// the servers for a key, in its order: a rotation by a string hash (the peer's own placement)
function order(key) {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return mcs.map((_, i) => mcs[(h + i) % mcs.length]);
}
const mc = {
  async set(key, value, opts) {
    const ok = await Promise.all(order(key).slice(0, copies).map((c) => c.set(key, value, opts)));
    return ok.some(Boolean);
  },
  async get(key) {
    for (const c of order(key)) {
      const r = await c.get(key);
      if (r.value) return r;
    }
    return { value: null };
  },
  // gets on every server together, then the first copy's delete decides, then the rest together
  async take(key) {
    const rs = await Promise.all(mcs.map((c) => c.get(key)));
    const found = mcs.filter((_, i) => rs[i].value);
    if (found.length === 0 || !(await found[0].delete(key))) return null;
    const rest = await Promise.all(found.slice(1).map((c) => c.delete(key)));
    return rest.every(Boolean) ? rs.find((r) => r.value).value : null;
  },
  increment(key, d, opts) { return order(key)[0].increment(key, d, opts); },
  close() { for (const c of mcs) c.close(); },
};

// A few connections, bound before the server listens; requests take them in turn
// (ldapts multiplexes operations on each). A dropped one is bound again once,
// by whichever request finds it first, the others wait for that same bind.
const ldapPool = [];
for (let i = 0; i < Math.max(1, args.ldapPool); i++) {
  ldapPool.push({ client: new LdapClient({ url: C.ldapUri, timeout: C.ldapTimeout, connectTimeout: C.ldapTimeout, autoRebind: true }), binding: null });
}
let ldapNext = 0;
function bindOnce(e) {
  e.binding ??= e.client.bind(C.bindDn, C.bindPw).finally(() => { e.binding = null; });
  return e.binding;
}
async function ldap() {
  const e = ldapPool[ldapNext++ % ldapPool.length];
  if (e.binding || !e.client.isConnected) await bindOnce(e);
  return e.client;
}

const USER_ATTRS = [...new Set([C.userAttr, 'fidoUserHandle', C.disabledAttr, ...C.attributes])];
const CRED_ATTRS = ['fidoCredentialId', 'fidoPublicKey', 'fidoSignCount', 'fidoAAGUID', 'fidoTransports',
  'fidoBackupEligible', 'fidoBackupState', 'fidoLastUsed'];
const BUFFER_ATTRS = ['fidoPublicKey', 'fidoUserHandle'];

function escapeFilter(v) {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const first = (e, a) => (Array.isArray(e[a]) ? e[a][0] : e[a]);
const all = (e, a) => (e[a] === undefined ? [] : Array.isArray(e[a]) ? e[a] : [e[a]]);

function gentimeParse(s) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : 0;
}
function gentime(t) {
  return new Date(t * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

function userFromEntry(e) {
  const attributes = {};
  for (const a of C.attributes) {
    const v = all(e, a);
    if (v.length) attributes[a] = v.map(String);
  }
  const handle = first(e, 'fidoUserHandle');
  return {
    dn: e.dn,
    username: String(first(e, C.userAttr) ?? ''),
    handle: handle ? Buffer.from(handle) : null,
    disabled: all(e, C.disabledAttr).some((v) => String(v).toLowerCase() === C.disabledValue),
    attributes,
  };
}

function credFromEntry(e) {
  return {
    dn: e.dn,
    id: String(first(e, 'fidoCredentialId')),
    publicKey: new Uint8Array(first(e, 'fidoPublicKey')),
    counter: Number(first(e, 'fidoSignCount') ?? 0),
    aaguid: String(first(e, 'fidoAAGUID') ?? ''),
    transports: all(e, 'fidoTransports').map(String),
    be: String(first(e, 'fidoBackupEligible') ?? '').toUpperCase() === 'TRUE',
    lastUsed: gentimeParse(String(first(e, 'fidoLastUsed') ?? '')),
  };
}

async function findUser(username) {
  const c = await ldap();
  const { searchEntries } = await c.search(C.userBase, {
    scope: 'sub', filter: `(${C.userAttr}=${escapeFilter(username)})`, attributes: USER_ATTRS,
    explicitBufferAttributes: BUFFER_ATTRS, sizeLimit: 2,
  });
  if (searchEntries.length !== 1) return null;
  const user = userFromEntry(searchEntries[0]);
  const creds = await c.search(user.dn, {
    scope: 'one', filter: '(objectClass=fidoCredential)', attributes: CRED_ATTRS, explicitBufferAttributes: BUFFER_ATTRS,
  });
  user.creds = creds.searchEntries.map(credFromEntry);
  return user;
}

// The credential entry by its id, then its parent: the user.
async function findByCredential(id) {
  const c = await ldap();
  const { searchEntries } = await c.search(C.userBase, {
    scope: 'sub', filter: `(&(objectClass=fidoCredential)(fidoCredentialId=${escapeFilter(id)}))`,
    attributes: CRED_ATTRS, explicitBufferAttributes: BUFFER_ATTRS, sizeLimit: 2,
  });
  if (searchEntries.length !== 1) return null;
  const cred = credFromEntry(searchEntries[0]);
  const parent = cred.dn.slice(cred.dn.indexOf(',') + 1);
  const u = await c.search(parent, { scope: 'base', attributes: USER_ATTRS, explicitBufferAttributes: BUFFER_ATTRS });
  if (u.searchEntries.length !== 1) return null;
  return { user: userFromEntry(u.searchEntries[0]), cred };
}

// Sign count when it changed, last-used when older than the interval; nothing otherwise.
async function recordUse(cred, newCounter, now) {
  const changes = [];
  if (newCounter !== cred.counter) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'fidoSignCount', values: [String(newCounter)] }) }));
  }
  if (cred.lastUsed === 0 || now - cred.lastUsed >= C.lastUsedInterval) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'fidoLastUsed', values: [gentime(now)] }) }));
  }
  if (changes.length) await (await ldap()).modify(cred.dn, changes);
}

// memcached values: versioned JSON, like the bridge's
async function cacheSet(key, obj, ttl) {
  obj.v = 1;
  return mc.set(C.prefix + key, JSON.stringify(obj), { expires: ttl });
}
function decode(value) {
  if (!value) return null;
  const o = JSON.parse(value.toString('utf8'));
  return o && o.v === 1 ? o : null;
}
async function cacheGet(key) {
  return decode((await mc.get(C.prefix + key)).value);
}
// take once: get, then delete; only our successful delete counts
async function cacheTake(key) {
  return decode(await mc.take(C.prefix + key));
}

// ------------------------------------------------------------------ helpers

const ID_RE = /^[A-Za-z0-9_-]{43}$/;
const b64hash = (s) => crypto.createHash('sha256').update(s).digest('base64url');

function hmacLines(key, parts) {
  return crypto.createHmac('sha256', key).update(parts.join('\n')).digest('base64url');
}
function ctEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const audit = args.audit ? fs.createWriteStream(args.audit, { flags: 'a' }) : null;
function event(req, name, fields = {}) {
  if (audit) {
    audit.write(`${JSON.stringify({ ts: new Date().toISOString().slice(0, 19) + 'Z', event: name, ...fields, client: req.socket.remoteAddress })}\n`);
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function send(res, status, type, body, extra = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}
const json = (res, status, obj, extra) => send(res, status, 'application/json', JSON.stringify(obj), extra);
const fail = (res, status, code) => json(res, status, { ok: false, error: code, message: code });
const redirect = (res, location, cookie) => send(res, 303, 'text/plain; charset=utf-8', '', { Location: location, ...(cookie ? { 'Set-Cookie': cookie } : {}) });
const flowCookie = (id, maxAge) => `fb_flow=${id}; Path=/; SameSite=Lax; HttpOnly; Max-Age=${maxAge}`;

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

// over the limit? one counter per minute in memcached, keyed by a hash
async function limited(tag, what, limit) {
  const slot = `${C.prefix}${tag}:${b64hash(what)}:${Math.floor(Date.now() / 60000)}`;
  try {
    const { value } = await mc.increment(slot, 1, { initial: 1, expires: 120 });
    return value > limit;
  } catch {
    return false;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > C.maxBody) reject(Object.assign(new Error('too large'), { status: 413 }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Origin, content type and a JSON object body, or null with the answer sent.
async function jsonRequest(req, res) {
  if (!C.origins.includes(req.headers.origin ?? '')) { fail(res, 403, 'forbidden'); return null; }
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) { fail(res, 400, 'bad_request'); return null; }
  let body;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8'));
  } catch (e) {
    fail(res, e.status ?? 400, e.status === 413 ? 'too_large' : 'bad_request');
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) { fail(res, 400, 'bad_request'); return null; }
  return body;
}

// ------------------------------------------------------------------ handlers

const CONV_RE = /^[A-Za-z0-9._-]{1,64}$/;
const STATE_RE = /^[A-Za-z0-9_-]{22,128}$/;

function returnUrl(ret, conversation, state, key, value) {
  const e = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${ret}${ret.includes('?') ? '&' : '?'}conversation=${e(conversation)}&state=${e(state)}&${key}=${e(value)}`;
}

async function authnStart(req, res, url) {
  if (await limited('rl:ip', req.socket.remoteAddress, C.limitAddress)) { send(res, 429, 'text/plain', 'rate limited\n'); return; }
  const p = {};
  for (const k of ['conversation', 'state', 'return', 'entity', 'force', 'passive', 'ts', 'sig']) {
    const v = url.searchParams.getAll(k);
    if (v.length !== 1) { event(req, 'handoff_rejected', { reason: 'missing_parameter' }); send(res, 400, 'text/plain', 'bad start\n'); return; }
    p[k] = v[0];
  }
  const bad = (reason) => { event(req, 'handoff_rejected', { reason }); send(res, 400, 'text/plain', 'bad start\n'); };
  if (!CONV_RE.test(p.conversation) || !STATE_RE.test(p.state) || p.return.length > 2048 ||
      !/^https?:\/\/[^\s#\\]*$/.test(p.return) || p.entity.length > 1024 || p.entity.includes('\n') ||
      !/^[01]$/.test(p.force) || !/^[01]$/.test(p.passive) || !/^\d{1,12}$/.test(p.ts) || !/^[A-Za-z0-9_-]{43}$/.test(p.sig)) {
    bad('malformed_parameter');
    return;
  }
  const parts = ['fido-bridge start v2', p.conversation, p.state, p.return, p.entity, p.force, p.passive, p.ts];
  let ok = ctEqual(hmacLines(C.secret, parts), p.sig);
  if (C.prevSecret) ok = ctEqual(hmacLines(C.prevSecret, parts), p.sig) || ok;
  if (!ok) { bad('bad_signature'); return; }
  const now = Math.floor(Date.now() / 1000);
  if (Math.abs(Number(p.ts) - now) > C.skew) { bad('stale_timestamp'); return; }
  if (!C.returnUrls.some((r) => p.return.startsWith(r))) { bad('return_not_allowed'); return; }
  if (p.passive === '1') { redirect(res, returnUrl(p.return, p.conversation, p.state, 'error', 'NoPassive')); return; }
  const id = crypto.randomBytes(32).toString('base64url');
  await cacheSet(`flow:${id}`, { conversation: p.conversation, state: p.state, return: p.return, entity: p.entity, force: p.force === '1', created: now }, C.flowTtl);
  event(req, 'handoff_started', { entity: p.entity, force: p.force === '1' });
  redirect(res, '/login', flowCookie(id, C.flowTtl));
}

async function currentFlow(req, res) {
  const id = cookie(req, 'fb_flow');
  const flow = id && ID_RE.test(id) ? await cacheGet(`flow:${id}`) : null;
  if (!flow) fail(res, 400, 'expired');
  return flow ? { id, flow } : null;
}

async function authOptions(req, res) {
  const body = await jsonRequest(req, res);
  if (!body) return;
  const username = typeof body.username === 'string' && body.username !== '' ? body.username : null;
  if (await limited('rl:ip', req.socket.remoteAddress, C.limitAddress) ||
      (username && await limited('rl:acct', username, C.limitAccount))) { fail(res, 429, 'rate_limited'); return; }
  const f = await currentFlow(req, res);
  if (!f) return;
  const rec = { purpose: 'authn', bound_to: f.id };
  let allowCredentials = [];
  if (username) {
    const user = await findUser(username);
    if (!user) { fail(res, 404, 'unknown_account'); return; }
    if (user.disabled || user.creds.length === 0) { fail(res, 403, user.disabled ? 'account_disabled' : 'no_credentials'); return; }
    allowCredentials = user.creds.map((c) => ({ id: c.id, transports: c.transports }));
    rec.username = user.username;
  }
  const publicKey = await generateAuthenticationOptions({
    rpID: C.rpId, allowCredentials, userVerification: C.uv, timeout: C.ceremonyTimeout * 1000,
  });
  await cacheSet(`challenge:${publicKey.challenge}`, rec, C.challengeTtl);
  json(res, 200, { ok: true, publicKey });
}

async function authVerify(req, res) {
  const body = await jsonRequest(req, res);
  if (!body) return;
  if (await limited('rl:ip', req.socket.remoteAddress, C.limitAddress)) { fail(res, 429, 'rate_limited'); return; }
  const f = await currentFlow(req, res);
  if (!f) return;
  if (body.type !== 'public-key' || typeof body.id !== 'string' || body.id !== body.rawId ||
      typeof body.response?.clientDataJSON !== 'string' || typeof body.response?.signature !== 'string') {
    fail(res, 400, 'bad_request');
    return;
  }
  let challenge;
  try {
    challenge = JSON.parse(Buffer.from(body.response.clientDataJSON, 'base64url').toString('utf8')).challenge;
  } catch {
    challenge = null;
  }
  // single use: the challenge is gone from here on
  const chal = typeof challenge === 'string' && ID_RE.test(challenge) ? await cacheTake(`challenge:${challenge}`) : null;
  if (!chal || chal.purpose !== 'authn' || !ctEqual(chal.bound_to ?? '', f.id)) { fail(res, 400, chal ? 'failed' : 'expired'); return; }
  const found = await findByCredential(body.id);
  if (!found) { event(req, 'signin_failure', { reason: 'unknown_credential' }); json(res, 404, { ok: false, error: 'unknown_credential', credential_id: body.id, rp_id: C.rpId }); return; }
  const { user, cred } = found;
  if (chal.username && chal.username !== user.username) { fail(res, 403, 'failed'); return; }
  if (user.disabled) { fail(res, 403, 'account_disabled'); return; }
  // a discoverable sign-in must return the user handle, and it must be this user's
  const uh = body.response.userHandle;
  if ((!chal.username && !uh) || (uh && (!user.handle || !ctEqual(Buffer.from(uh, 'base64url'), user.handle)))) {
    event(req, 'signin_failure', { reason: 'user_handle', username: user.username });
    fail(res, 403, 'failed');
    return;
  }
  let v;
  try {
    v = await verifyAuthenticationResponse({
      response: body, expectedChallenge: challenge, expectedOrigin: C.origins, expectedRPID: C.rpId,
      credential: { id: cred.id, publicKey: cred.publicKey, counter: cred.counter, transports: cred.transports },
      requireUserVerification: C.uv === 'required',
    });
  } catch (e) {
    event(req, 'signin_failure', { reason: e.message, username: user.username });
    fail(res, 403, 'failed');
    return;
  }
  if (!v.verified) { fail(res, 403, 'failed'); return; }
  const now = Math.floor(Date.now() / 1000);
  const info = v.authenticationInfo;
  const flags = Buffer.from(body.response.authenticatorData, 'base64url')[32];
  const uv = info.userVerified, be = (flags & 0x08) !== 0, bs = (flags & 0x10) !== 0;
  if (be !== cred.be) { fail(res, 403, 'failed'); return; }
  try {
    await recordUse(cred, info.newCounter, now);
  } catch {
    event(req, 'directory_write_failed', { username: user.username });
  }
  const mfa = uv && (!be || C.mfaAaguids.includes(cred.aaguid.toLowerCase()));
  event(req, 'signin_success', { username: user.username, credential_id: cred.id, uv, be, bs, mfa, entity: f.flow.entity });
  const ticket = crypto.randomBytes(32).toString('base64url');
  // the ticket record and its MAC over every field (docs/handoff-protocol.md section 3, v2)
  const rec = {
    principal: user.username, conversation: f.flow.conversation, state: f.flow.state, entity: f.flow.entity ?? '',
    auth_instant: now, expires: now + C.ticketTtl, uv, be, bs, mfa, credential_id: cred.id, aaguid: cred.aaguid ?? '',
  };
  const b = (x) => (x ? '1' : '0');
  rec.mac = hmacLines(C.secret, ['fido-bridge ticket v2', `ticket=${ticket}`, `principal=${rec.principal}`,
    `conversation=${rec.conversation}`, `state=${rec.state}`, `entity=${rec.entity}`, `auth_instant=${now}`,
    `expires=${rec.expires}`, `uv=${b(uv)}`, `be=${b(be)}`, `bs=${b(bs)}`, `mfa=${b(mfa)}`,
    `credential_id=${rec.credential_id}`, `aaguid=${rec.aaguid}`]);
  rec.attributes = user.attributes;
  // the ticket first, then the flow that points at it; "v" is the ticket's own version (2)
  await mc.set(C.prefix + `ticket:${ticket}`, JSON.stringify({ v: 2, ...rec }), { expires: C.ticketTtl });
  f.flow.ticket = ticket;
  await cacheSet(`flow:${f.id}`, f.flow, C.flowTtl);
  json(res, 200, { ok: true, next: '/authn/finish' });
}

async function authnFinish(req, res) {
  const id = cookie(req, 'fb_flow');
  const flow = id && ID_RE.test(id) ? await cacheTake(`flow:${id}`) : null;
  if (!flow || !flow.return) { send(res, 400, 'text/plain', 'expired\n'); return; }
  if (flow.ticket || flow.error) {
    redirect(res, returnUrl(flow.return, flow.conversation, flow.state, flow.ticket ? 'ticket' : 'error', flow.ticket ?? flow.error), flowCookie('', 0));
    return;
  }
  await cacheSet(`flow:${id}`, flow, C.flowTtl);
  redirect(res, '/login');
}

const routes = {
  'GET /authn/start': authnStart,
  'GET /authn/finish': authnFinish,
  'POST /api/authenticate/options': authOptions,
  'POST /api/authenticate/verify': authVerify,
  'GET /login': async (req, res) => send(res, 200, 'text/plain; charset=utf-8', 'sign-in page (not part of the comparison)\n'),
  'GET /healthz': async (req, res) => send(res, 200, 'text/plain', 'ok\n'),
};

const server = http.createServer({ keepAliveTimeout: 15000 }, (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const h = routes[`${req.method} ${url.pathname}`];
  if (!h) { send(res, 404, 'text/plain', 'not found\n'); return; }
  h(req, res, url).catch((e) => {
    process.stderr.write(`peer: ${req.method} ${url.pathname}: ${e.message}\n`);
    if (!res.headersSent) fail(res, 503, 'unavailable');
  });
});
server.keepAliveTimeout = 15000;
server.headersTimeout = 20000;

process.on('SIGTERM', () => { server.close(); mc.close(); for (const e of ldapPool) e.client.unbind().catch(() => {}); setTimeout(() => process.exit(0), 200).unref(); });
process.on('SIGINT', () => process.kill(process.pid, 'SIGTERM'));

try {
  await Promise.all(ldapPool.map(bindOnce));
} catch (e) {
  die(`LDAP bind to ${C.ldapUri}: ${e.message}`);
}
server.listen(C.port, C.address, () => {
  process.stderr.write(`peer: listening on ${C.address} port ${server.address().port} (pid ${process.pid})\n`);
});
