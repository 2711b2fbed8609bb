// age v1 decryption (https://age-encryption.org/v1) with native node:crypto only, streaming: the
// server opens bids this way (X25519 + HKDF-SHA-256 + ChaCha20-Poly1305, 64 KiB STREAM chunks),
// about an order of magnitude faster than the pure-JavaScript `age-encryption` package, which the
// tests use as the reference on the same files. Errors carry a stable `code` so that the opening
// can tell "not sealed to this key" from "damaged".
import crypto, { type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const MAGIC = 'age-encryption.org/v1\n';
const MAX_HEADER = 64 * 1024;
const CHUNK = 64 * 1024;
const TAG = 16;
const X25519_INFO = 'age-encryption.org/v1/X25519';
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export type AgeErrorCode = 'bad_identity' | 'bad_header' | 'no_identity_matched' | 'header_mac' | 'payload' | 'truncated';

export class AgeError extends Error {
  constructor(
    readonly code: AgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgeError';
  }
}

// --- bech32 (BIP 173), just enough to read an age identity --------------------------------------

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function polymod(values: number[]): number {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

/** Decodes a bech32 string (no length limit, as age uses it) into its HRP and bytes. */
export function bech32Decode(s: string): { hrp: string; bytes: Buffer } {
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) throw new AgeError('bad_identity', 'mixed-case bech32');
  const lower = s.toLowerCase();
  const pos = lower.lastIndexOf('1');
  if (pos < 1 || pos + 7 > lower.length) throw new AgeError('bad_identity', 'malformed bech32');
  const hrp = lower.slice(0, pos);
  const data: number[] = [];
  for (const c of lower.slice(pos + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new AgeError('bad_identity', 'invalid bech32 character');
    data.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...data]) !== 1) throw new AgeError('bad_identity', 'bad bech32 checksum');
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of data.slice(0, -6)) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) throw new AgeError('bad_identity', 'bad bech32 padding');
  return { hrp, bytes: Buffer.from(out) };
}

// --- keys ------------------------------------------------------------------------------------------

export interface X25519Identity {
  privateKey: KeyObject;
  /** The recipient's 32-byte public key. */
  publicKey: Buffer;
}

/** "AGE-SECRET-KEY-1…" → a native X25519 private key and its public point. */
export function parseIdentity(identity: string): X25519Identity {
  const { hrp, bytes } = bech32Decode(identity.trim());
  if (hrp !== 'age-secret-key-' || bytes.length !== 32) throw new AgeError('bad_identity', 'not an age X25519 identity');
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
  bytes.fill(0);
  const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: Buffer.from(spki.subarray(spki.length - 32)) };
}

function x25519Public(raw: Buffer): KeyObject {
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG) return null;
  try {
    const d = crypto.createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
  } catch {
    return null;
  }
}

// --- header ----------------------------------------------------------------------------------------

/** age's base64: standard alphabet, no padding, canonical. */
function b64(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(s)) throw new AgeError('bad_header', `${what} is not unpadded base64`);
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64').replace(/=+$/, '') !== s) throw new AgeError('bad_header', `${what} is not canonical base64`);
  return buf;
}

interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** The header bytes the MAC covers: everything up to and including "---". */
  macInput: Buffer;
  mac: Buffer;
  /** Length of the whole header including the final newline. */
  length: number;
}

/** Parses a complete header from `buf`; null if `buf` does not yet hold all of it. */
export function parseHeader(buf: Buffer): ParsedHeader | null {
  const text = buf.toString('latin1');
  if (text.length < MAGIC.length) {
    if (!MAGIC.startsWith(text)) throw new AgeError('bad_header', 'not an age v1 file');
    return null;
  }
  if (!text.startsWith(MAGIC)) throw new AgeError('bad_header', 'not an age v1 file');
  const stanzas: Stanza[] = [];
  let pos = MAGIC.length;
  const line = (): string | null => {
    const end = text.indexOf('\n', pos);
    if (end < 0) return null;
    const l = text.slice(pos, end);
    pos = end + 1;
    return l;
  };
  for (;;) {
    const start = pos;
    const l = line();
    if (l === null) {
      if (text.length > MAX_HEADER) throw new AgeError('bad_header', 'header too long');
      return null;
    }
    if (l.startsWith('---')) {
      if (!l.startsWith('--- ')) throw new AgeError('bad_header', 'malformed MAC line');
      if (stanzas.length === 0) throw new AgeError('bad_header', 'no recipient stanza');
      const mac = b64(l.slice(4), 'the header MAC');
      if (mac.length !== 32) throw new AgeError('bad_header', 'the header MAC is not 32 bytes');
      return { stanzas, macInput: buf.subarray(0, start + 3), mac, length: pos };
    }
    if (!l.startsWith('-> ')) throw new AgeError('bad_header', 'expected a stanza or the MAC line');
    const [type, ...args] = l.slice(3).split(' ');
    if (!type || args.some((a) => a.length === 0)) throw new AgeError('bad_header', 'malformed stanza line');
    const parts: Buffer[] = [];
    for (;;) {
      const bodyLine = line();
      if (bodyLine === null) {
        if (text.length > MAX_HEADER) throw new AgeError('bad_header', 'header too long');
        return null;
      }
      if (bodyLine.length > 64) throw new AgeError('bad_header', 'stanza body line longer than 64 columns');
      parts.push(b64(bodyLine, 'a stanza body'));
      if (bodyLine.length < 64) break;
    }
    stanzas.push({ type, args, body: Buffer.concat(parts) });
  }
}

/** The file key that `identity` unwraps from one of the header's X25519 stanzas, after checking the MAC. */
export function unwrapFileKey(header: ParsedHeader, identity: X25519Identity): Buffer {
  let fileKey: Buffer | null = null;
  for (const s of header.stanzas) {
    if (s.type !== 'X25519') continue;
    if (s.args.length !== 1 || s.body.length !== 32) throw new AgeError('bad_header', 'malformed X25519 stanza');
    const ephemeral = b64(s.args[0]!, 'an X25519 share');
    if (ephemeral.length !== 32) throw new AgeError('bad_header', 'malformed X25519 share');
    let shared: Buffer;
    try {
      shared = crypto.diffieHellman({ privateKey: identity.privateKey, publicKey: x25519Public(ephemeral) });
    } catch {
      throw new AgeError('bad_header', 'invalid X25519 share');
    }
    if (shared.every((b) => b === 0)) throw new AgeError('bad_header', 'low-order X25519 share');
    const wrapKey = hkdf(shared, Buffer.concat([ephemeral, identity.publicKey]), X25519_INFO);
    fileKey = chachaOpen(wrapKey, Buffer.alloc(12), s.body);
    shared.fill(0);
    wrapKey.fill(0);
    if (fileKey) break;
  }
  if (!fileKey) throw new AgeError('no_identity_matched', 'the file is not encrypted to this identity');
  const macKey = hkdf(fileKey, Buffer.alloc(0), 'header');
  const mac = crypto.createHmac('sha256', macKey).update(header.macInput).digest();
  if (!crypto.timingSafeEqual(mac, header.mac)) throw new AgeError('header_mac', 'the header MAC does not verify: the header was changed');
  return fileKey;
}

// --- the decrypting stream -------------------------------------------------------------------------

/**
 * A Transform that takes an age file and emits its plaintext, 64 KiB at a time, each chunk
 * authenticated before it is passed on. A chunk is only known to be the last when the input ends,
 * so one chunk is held back until more input (or the end) arrives.
 */
export function ageDecryptStream(identity: string | X25519Identity): Transform {
  const id = typeof identity === 'string' ? parseIdentity(identity) : identity;
  let buf: Buffer = Buffer.alloc(0);
  let state: 'header' | 'nonce' | 'payload' = 'header';
  let fileKey: Buffer | null = null;
  let key: Buffer | null = null;
  let counter = 0n;

  const nonceFor = (last: boolean) => {
    const n = Buffer.alloc(12);
    let c = counter;
    for (let i = 10; i >= 0; i--) {
      n[i] = Number(c & 0xffn);
      c >>= 8n;
    }
    if (c !== 0n) throw new AgeError('payload', 'too many chunks');
    n[11] = last ? 1 : 0;
    return n;
  };

  const open = (sealed: Buffer, last: boolean): Buffer => {
    const plain = chachaOpen(key!, nonceFor(last), sealed);
    if (!plain) throw new AgeError('payload', `chunk ${counter} does not authenticate: the payload was changed or truncated`);
    if (last && plain.length === 0 && counter > 0n) throw new AgeError('payload', 'empty last chunk');
    counter++;
    return plain;
  };

  const advance = (t: Transform) => {
    if (state === 'header') {
      const header = parseHeader(buf);
      if (!header) return;
      fileKey = unwrapFileKey(header, id);
      buf = buf.subarray(header.length);
      state = 'nonce';
    }
    if (state === 'nonce') {
      if (buf.length < 16) return;
      key = hkdf(fileKey!, buf.subarray(0, 16), 'payload');
      fileKey!.fill(0);
      buf = buf.subarray(16);
      state = 'payload';
    }
    // Strictly more than one full chunk: the held-back chunk is not the last one.
    while (buf.length > CHUNK + TAG) {
      t.push(open(buf.subarray(0, CHUNK + TAG), false));
      buf = buf.subarray(CHUNK + TAG);
    }
    // Keep memory bounded: copy the small tail instead of pinning a big input buffer.
    buf = Buffer.from(buf);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        advance(this);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (state !== 'payload') throw new AgeError('truncated', 'the file ends before its payload starts');
        if (buf.length < TAG) throw new AgeError('truncated', 'the file ends inside a chunk');
        this.push(open(buf, true));
        key?.fill(0);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
