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

const SEALED = CHUNK + TAG;

export interface AgeDecryptOptions {
  /**
   * Every input byte is passed to this hash as it arrives, before it is decrypted: the opening
   * computes the stored file's digest in the same pass as its plaintext. The digest is only the
   * whole file's once `complete` is true.
   */
  hash?: crypto.Hash;
}

export type AgeDecryptStream = Transform & {
  /** True once the input has ended and every chunk of it authenticated (so a `hash` has seen all of it). */
  readonly complete: boolean;
};

/**
 * A Transform that takes an age file and emits its plaintext, 64 KiB at a time, each chunk
 * authenticated before it is passed on. A chunk is only known to be the last when the input ends,
 * so one complete chunk is held back until more input (or the end) arrives.
 *
 * Costs, per 64 KiB chunk: one cipher context and its output buffer (node:crypto allocates it),
 * nothing else. A sealed chunk that lies inside one input buffer is decrypted from a view of it; one
 * that straddles input buffers is copied once into one of two reused buffers.
 */
export function ageDecryptStream(identity: string | X25519Identity, options: AgeDecryptOptions = {}): AgeDecryptStream {
  const id = typeof identity === 'string' ? parseIdentity(identity) : identity;
  const hash = options.hash;
  // Until the payload starts: the header and the payload nonce, gathered (they are small).
  let head: Buffer | null = Buffer.alloc(0);
  let key: Buffer | null = null;
  let counter = 0;
  const nonce = Buffer.alloc(12);
  // The payload: a complete chunk held back, and the chunk being gathered across input buffers.
  let held: Buffer | null = null;
  let a: Buffer | null = null;
  let b: Buffer | null = null;
  let part: Buffer | null = null;
  let partLen = 0;
  let complete = false;

  const open = (sealed: Buffer, last: boolean): Buffer => {
    if (sealed.length < TAG) throw new AgeError('truncated', 'the file ends inside a chunk');
    // age's nonce is an 11-byte big-endian counter and the last-chunk flag; 2^48 chunks are 16 EiB.
    if (counter >= 2 ** 48) throw new AgeError('payload', 'too many chunks');
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    let plain: Buffer;
    try {
      const d = crypto.createDecipheriv('chacha20-poly1305', key!, nonce, { authTagLength: TAG });
      d.setAuthTag(sealed.subarray(sealed.length - TAG));
      plain = d.update(sealed.subarray(0, sealed.length - TAG));
      d.final();
    } catch {
      throw new AgeError('payload', `chunk ${counter} does not authenticate: the payload was changed or truncated`);
    }
    if (last && plain.length === 0 && counter > 0) throw new AgeError('payload', 'empty last chunk');
    counter++;
    return plain;
  };

  /** Takes payload bytes: complete chunks are decrypted as soon as a byte after them is seen. */
  const payload = (t: Transform, c: Buffer) => {
    let o = 0;
    while (o < c.length) {
      if (held) {
        t.push(open(held, false));
        held = null;
      }
      if (partLen === 0 && c.length - o >= SEALED) {
        held = c.subarray(o, o + SEALED);
        o += SEALED;
        continue;
      }
      part ??= a ??= Buffer.allocUnsafe(SEALED);
      const take = Math.min(SEALED - partLen, c.length - o);
      c.copy(part, partLen, o, o + take);
      partLen += take;
      o += take;
      if (partLen === SEALED) {
        // The gathered chunk is held; gathering goes on in the other buffer (free: nothing else is held).
        held = part;
        part = part === a ? (b ??= Buffer.allocUnsafe(SEALED)) : a;
        partLen = 0;
      }
    }
  };

  const stream = new Transform({
    readableHighWaterMark: 4 * CHUNK,
    writableHighWaterMark: 4 * CHUNK,
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        hash?.update(chunk);
        if (head === null) {
          payload(this, chunk);
          return done();
        }
        head = head.length ? Buffer.concat([head, chunk]) : chunk;
        const header = parseHeader(head);
        if (header && head.length >= header.length + 16) {
          const fileKey = unwrapFileKey(header, id);
          key = hkdf(fileKey, head.subarray(header.length, header.length + 16), 'payload');
          fileKey.fill(0);
          const rest = head.subarray(header.length + 16);
          head = null;
          payload(this, rest);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (head !== null) throw new AgeError('truncated', 'the file ends before its payload starts');
        if (held) this.push(open(held, true));
        else this.push(open(part ? part.subarray(0, partLen) : Buffer.alloc(0), true));
        key?.fill(0);
        complete = true;
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  return Object.defineProperty(stream, 'complete', { get: () => complete }) as AgeDecryptStream;
}
