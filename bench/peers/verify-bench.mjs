#!/usr/bin/env node
// Throughput of WebAuthn verification in two JavaScript relying-party libraries,
// run over the same case files as `bridgectl bench`, printing lines in the same
// shape:  <peer> <alg> <ceremony> <ops_per_s>
//
// usage: node verify-bench.mjs [--seconds S] [--peer simplewebauthn|fido2-lib|all] [--bare] DIR...
//
// Single-threaded by design (no worker threads); pin it with `taskset -c 0`.
// Every library call is awaited before the next one starts.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import crypto from 'node:crypto';

import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { Fido2Lib, PublicKey as Fido2PublicKey } from 'fido2-lib';

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) process.stderr.write(`verify-bench: ${msg}\n`);
  process.stderr.write(
    'usage: node verify-bench.mjs [--seconds S] [--peer simplewebauthn|fido2-lib|all] [--bare] DIR...\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { seconds: 3, peer: 'all', bare: false, dirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seconds') {
      opts.seconds = Number(value());
      if (!Number.isFinite(opts.seconds) || opts.seconds <= 0) usage('--seconds must be a positive number');
    } else if (a.startsWith('--seconds=')) {
      opts.seconds = Number(a.slice('--seconds='.length));
      if (!Number.isFinite(opts.seconds) || opts.seconds <= 0) usage('--seconds must be a positive number');
    } else if (a === '--peer') {
      opts.peer = value();
    } else if (a.startsWith('--peer=')) {
      opts.peer = a.slice('--peer='.length);
    } else if (a === '--bare') {
      opts.bare = true;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else {
      opts.dirs.push(a);
    }
  }
  if (!['simplewebauthn', 'fido2-lib', 'all'].includes(opts.peer)) usage(`unknown peer ${opts.peer}`);
  if (opts.dirs.length === 0) usage('no case directory given');
  return opts;
}

// ---------------------------------------------------------------- helpers

const b64u = (s) => Buffer.from(s, 'base64url');

// Fresh, exactly-sized ArrayBuffer (fido2-lib insists on ArrayBuffer, and a
// Buffer's .buffer may be a larger shared pool).
function toArrayBuffer(buf) {
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  return ab;
}

class Unsupported extends Error {}

// Minimal CBOR reader, enough for COSE_Key maps (integers, byte/text strings,
// arrays, maps, simple values). Used only by the informational --bare peer.
function cborDecode(bytes) {
  let p = 0;
  const need = (n) => {
    if (p + n > bytes.length) throw new Error('CBOR: truncated');
  };
  const arg = (info) => {
    if (info < 24) return info;
    const n = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!n) throw new Error(`CBOR: unsupported additional info ${info}`);
    need(n);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[p++]);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('CBOR: integer too large');
    return Number(v);
  };
  const item = () => {
    need(1);
    const ib = bytes[p++];
    const major = ib >> 5;
    const info = ib & 31;
    switch (major) {
      case 0: return arg(info);
      case 1: return -1 - arg(info);
      case 2: case 3: {
        const n = arg(info);
        need(n);
        const s = bytes.subarray(p, p + n);
        p += n;
        return major === 2 ? Buffer.from(s) : Buffer.from(s).toString('utf8');
      }
      case 4: {
        const n = arg(info);
        const a = [];
        for (let i = 0; i < n; i++) a.push(item());
        return a;
      }
      case 5: {
        const n = arg(info);
        const m = new Map();
        for (let i = 0; i < n; i++) {
          const k = item();
          m.set(k, item());
        }
        return m;
      }
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new Error(`CBOR: unsupported simple value ${info}`);
      default:
        throw new Error(`CBOR: unsupported major type ${major}`);
    }
  };
  const v = item();
  return v;
}

// COSE_Key -> { jwk, verifyAlg, keyOpts } for node:crypto.verify.
function coseToNodeKey(coseBytes) {
  const m = cborDecode(coseBytes);
  if (!(m instanceof Map)) throw new Error('COSE key is not a map');
  const kty = m.get(1);
  const alg = m.get(3);
  const u = (label) => {
    const v = m.get(label);
    if (!Buffer.isBuffer(v)) throw new Error(`COSE key label ${label} missing`);
    return v.toString('base64url');
  };
  if (kty === 2) { // EC2
    const crv = { 1: 'P-256', 2: 'P-384', 3: 'P-521' }[m.get(-1)];
    const hash = { [-7]: 'sha256', [-35]: 'sha384', [-36]: 'sha512' }[alg];
    if (!crv || !hash) throw new Unsupported(`EC2 crv ${m.get(-1)} alg ${alg}`);
    return { jwk: { kty: 'EC', crv, x: u(-2), y: u(-3) }, verifyAlg: hash, keyOpts: { dsaEncoding: 'der' } };
  }
  if (kty === 3) { // RSA
    const pkcs1 = { [-257]: 'sha256', [-258]: 'sha384', [-259]: 'sha512' }[alg];
    const pss = { [-37]: 'sha256', [-38]: 'sha384', [-39]: 'sha512' }[alg];
    const jwk = { kty: 'RSA', n: u(-1), e: u(-2) };
    if (pkcs1) return { jwk, verifyAlg: pkcs1, keyOpts: {} };
    if (pss) {
      return {
        jwk, verifyAlg: pss,
        keyOpts: { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST },
      };
    }
    throw new Unsupported(`RSA alg ${alg}`);
  }
  if (kty === 1) { // OKP
    const crv = { 6: 'Ed25519', 7: 'Ed448' }[m.get(-1)];
    if (!crv || alg !== -8) throw new Unsupported(`OKP crv ${m.get(-1)} alg ${alg}`);
    return { jwk: { kty: 'OKP', crv, x: u(-2) }, verifyAlg: null, keyOpts: {} };
  }
  throw new Unsupported(`COSE kty ${kty}`);
}

// ---------------------------------------------------------------- cases

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function loadDir(dir) {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new Error(`${dir}: no such directory`);
  const names = readdirSync(abs).filter((n) => /^auth-\d+\.json$/.test(n)).sort();
  const auth = names.map((n) => ({ file: n, ...readJson(join(abs, n)) }));
  for (const c of auth) {
    if (c.ceremony !== 'authentication') throw new Error(`${dir}/${c.file}: ceremony is ${c.ceremony}`);
    if (!c.expect || c.expect.ok !== true) throw new Error(`${dir}/${c.file}: expect.ok is not true; bench cases must verify`);
  }
  const reg = [];
  for (const kind of ['none', 'packed']) {
    const path = join(abs, `reg-${kind}.json`);
    if (!existsSync(path)) continue;
    const c = { file: `reg-${kind}.json`, ...readJson(path) };
    if (c.ceremony !== 'registration') throw new Error(`${dir}/${c.file}: ceremony is ${c.ceremony}`);
    if (!c.expect || c.expect.ok !== true) throw new Error(`${dir}/${c.file}: expect.ok is not true; bench cases must verify`);
    reg.push({ ceremony: `registration-${kind}`, cases: [c] });
  }
  return { alg: basename(abs), auth, reg };
}

// ---------------------------------------------------------------- peers
//
// A peer turns a case into a prepared call (everything the library accepts in
// pre-decoded form is decoded here, outside the timed loop) and performs one
// verification of a prepared call, returning a result that `check` judges.

const simplewebauthn = {
  name: 'simplewebauthn',

  prepareAuth(c) {
    const opts = {
      response: c.response,
      expectedChallenge: c.challenge,
      expectedOrigin: c.origins,
      expectedRPID: c.rp_id,
      credential: {
        id: c.credential.id,
        publicKey: new Uint8Array(b64u(c.credential.public_key_cose)),
        counter: c.credential.sign_count,
      },
      requireUserVerification: c.user_verification === 'required',
    };
    return { c, opts };
  },
  verifyAuth: (p) => verifyAuthenticationResponse(p.opts),
  checkAuth(p, r) {
    if (!r || r.verified !== true) return 'verified is not true';
    const want = p.c.expect.sign_count;
    if (want !== undefined && r.authenticationInfo.newCounter !== want) {
      return `newCounter ${r.authenticationInfo.newCounter}, expected ${want}`;
    }
    return null;
  },

  prepareReg(c) {
    const opts = {
      response: c.response,
      expectedChallenge: c.challenge,
      expectedOrigin: c.origins,
      expectedRPID: c.rp_id,
      requireUserVerification: c.user_verification === 'required',
    };
    return { c, opts };
  },
  verifyReg: (p) => verifyRegistrationResponse(p.opts),
  checkReg(p, r) {
    if (!r || r.verified !== true) return 'verified is not true';
    const info = r.registrationInfo;
    const e = p.c.expect;
    if (e.fmt !== undefined && info.fmt !== e.fmt) return `fmt ${info.fmt}, expected ${e.fmt}`;
    if (e.public_key_cose !== undefined &&
        Buffer.from(info.credential.publicKey).toString('base64url') !== e.public_key_cose) {
      return 'credential public key differs from expect.public_key_cose';
    }
    return null;
  },
};

// fido2-lib accepts a single expected origin string.
function fido2Origin(c, clientDataB64u) {
  if (c.origins.length === 1) return c.origins[0];
  const seen = JSON.parse(b64u(clientDataB64u).toString('utf8')).origin;
  return c.origins.includes(seen) ? seen : c.origins[0];
}

// fido2-lib stores credentials as PEM and requires PEM at assertion time. The
// conversion uses the library's own COSE importer; if that importer rejects
// the key, the algorithm is unsupported by this peer.
async function fido2CoseToPem(coseB64u) {
  try {
    const k = new Fido2PublicKey();
    await k.fromCose(toArrayBuffer(b64u(coseB64u)));
    const pem = await k.toPem();
    if (typeof pem !== 'string' || !pem.includes('BEGIN PUBLIC KEY')) throw new Error('no PEM produced');
    return pem;
  } catch (err) {
    throw new Unsupported(`fido2-lib cannot import the COSE key: ${err.message || err}`);
  }
}

const fido2 = {
  name: 'fido2-lib',
  lib: new Fido2Lib({ timeout: 60000, challengeSize: 32, rpName: 'bench' }),

  async prepareAuth(c) {
    const r = c.response.response;
    const req = {
      id: toArrayBuffer(b64u(c.response.rawId || c.response.id)),
      rawId: toArrayBuffer(b64u(c.response.rawId || c.response.id)),
      type: c.response.type,
      response: {
        clientDataJSON: toArrayBuffer(b64u(r.clientDataJSON)),
        authenticatorData: toArrayBuffer(b64u(r.authenticatorData)),
        signature: toArrayBuffer(b64u(r.signature)),
        userHandle: r.userHandle == null ? null : toArrayBuffer(b64u(r.userHandle)),
      },
    };
    // assertionResult() consumes `factor` from the expectations object, so a
    // shallow copy of this template is passed on every call.
    const expected = {
      challenge: c.challenge,
      origin: fido2Origin(c, r.clientDataJSON),
      rpId: c.rp_id,
      factor: c.user_verification === 'required' ? 'first' : 'either',
      publicKey: await fido2CoseToPem(c.credential.public_key_cose),
      prevCounter: c.credential.sign_count,
      userHandle: r.userHandle == null ? null : r.userHandle,
    };
    return { c, req, expected };
  },
  verifyAuth(p) {
    return fido2.lib.assertionResult(p.req, { ...p.expected });
  },
  checkAuth(p, r) {
    if (!r || !r.audit || r.audit.complete !== true) return 'audit not complete';
    const want = p.c.expect.sign_count;
    if (want !== undefined && r.authnrData.get('counter') !== want) {
      return `counter ${r.authnrData.get('counter')}, expected ${want}`;
    }
    return null;
  },

  async prepareReg(c) {
    const r = c.response.response;
    if (c.expect.public_key_cose !== undefined) await fido2CoseToPem(c.expect.public_key_cose);
    const req = {
      id: toArrayBuffer(b64u(c.response.rawId || c.response.id)),
      rawId: toArrayBuffer(b64u(c.response.rawId || c.response.id)),
      type: c.response.type,
      response: {
        clientDataJSON: toArrayBuffer(b64u(r.clientDataJSON)),
        attestationObject: toArrayBuffer(b64u(r.attestationObject)),
      },
    };
    const expected = {
      challenge: c.challenge,
      origin: fido2Origin(c, r.clientDataJSON),
      rpId: c.rp_id,
      factor: c.user_verification === 'required' ? 'first' : 'either',
    };
    return { c, req, expected };
  },
  verifyReg(p) {
    return fido2.lib.attestationResult(p.req, { ...p.expected });
  },
  checkReg(p, r) {
    if (!r || !r.audit || r.audit.complete !== true) return 'audit not complete';
    const e = p.c.expect;
    const fmt = r.authnrData.get('fmt');
    if (e.fmt !== undefined && fmt !== e.fmt) return `fmt ${fmt}, expected ${e.fmt}`;
    return null;
  },
};

// Informational: the irreducible crypto of an assertion with node:crypto --
// key built from the COSE fields (as JWK) on every call, SHA-256 of
// clientDataJSON, signature check over authenticatorData || hash. No parsing
// of clientDataJSON/authenticatorData and no policy checks.
const bare = {
  name: 'node-crypto-bare',
  prepareAuth(c) {
    const r = c.response.response;
    const k = coseToNodeKey(b64u(c.credential.public_key_cose));
    return {
      c,
      jwk: k.jwk,
      verifyAlg: k.verifyAlg,
      keyOpts: k.keyOpts,
      clientDataJSON: b64u(r.clientDataJSON),
      authData: b64u(r.authenticatorData),
      sig: b64u(r.signature),
    };
  },
  verifyAuth(p) {
    const key = crypto.createPublicKey({ key: p.jwk, format: 'jwk' });
    const hash = crypto.createHash('sha256').update(p.clientDataJSON).digest();
    const data = Buffer.concat([p.authData, hash]);
    return crypto.verify(p.verifyAlg, data, { key, ...p.keyOpts }, p.sig);
  },
  checkAuth: (p, r) => (r === true ? null : 'signature did not verify'),
};

// ---------------------------------------------------------------- runner

const now = () => process.hrtime.bigint();

async function measure(peer, alg, ceremony, cases, prepare, verify, check, seconds) {
  const label = `${peer.name} ${alg} ${ceremony}`;
  if (cases.length === 0) throw new Error(`${label}: no cases`);

  // Preparation (untimed). The library's own key importer rejecting the key
  // means the peer does not support this algorithm.
  const prepared = [];
  try {
    for (const c of cases) prepared.push(await prepare(c));
  } catch (err) {
    if (err instanceof Unsupported) {
      process.stdout.write(`${label} unsupported\n`);
      process.stderr.write(`${label}: unsupported: ${err.message}\n`);
      return;
    }
    throw err;
  }

  // First pass (untimed): every case must verify. Anything else is a defect
  // of the bench, not a measurement.
  for (const p of prepared) {
    let r;
    try {
      r = await verify(p);
    } catch (err) {
      throw new Error(`${label}: ${p.c.file} did not verify on the first pass: ${err && err.message ? err.message : err}`);
    }
    const why = check(p, r);
    if (why) throw new Error(`${label}: ${p.c.file} did not verify on the first pass: ${why}`);
  }

  // Short untimed warm-up so that single-case ceremonies are measured with
  // optimised code as well.
  const warmEnd = now() + BigInt(Math.round(Math.min(0.5, seconds / 4) * 1e9));
  for (let i = 0; now() < warmEnd; i = (i + 1) % prepared.length) await verify(prepared[i]);

  // Timed loop: round-robin over the cases for `seconds`.
  const limit = BigInt(Math.round(seconds * 1e9));
  const n = prepared.length;
  let ops = 0;
  let i = 0;
  let failed = 0;
  const t0 = now();
  let elapsed;
  do {
    const p = prepared[i];
    const r = await verify(p);
    if (r === false || (r && r.verified === false)) failed++;
    ops++;
    i = i + 1 === n ? 0 : i + 1;
    elapsed = now() - t0;
  } while (elapsed < limit);
  if (failed) throw new Error(`${label}: ${failed} verifications failed inside the timed loop`);

  const opsPerSec = Math.round(ops / (Number(elapsed) / 1e9));
  process.stdout.write(`${label} ${opsPerSec}\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const peers = opts.peer === 'all' ? [simplewebauthn, fido2] : [opts.peer === 'fido2-lib' ? fido2 : simplewebauthn];

  for (const dir of opts.dirs) {
    const { alg, auth, reg } = loadDir(dir);
    for (const peer of peers) {
      await measure(peer, alg, 'authentication', auth,
        peer.prepareAuth, peer.verifyAuth, peer.checkAuth, opts.seconds);
      for (const { ceremony, cases } of reg) {
        await measure(peer, alg, ceremony, cases,
          peer.prepareReg, peer.verifyReg, peer.checkReg, opts.seconds);
      }
    }
    if (opts.bare) {
      await measure(bare, alg, 'authentication', auth,
        bare.prepareAuth, bare.verifyAuth, bare.checkAuth, opts.seconds);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`verify-bench: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
