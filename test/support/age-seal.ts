// age v1 sealing to one X25519 recipient with node:crypto only, for tests and benchmarks that need
// many big sealed files quickly (the pure-JavaScript `age-encryption` package seals at a few tens
// of MiB/s). The platform never seals; bidders do, with their own tools.
import crypto from 'node:crypto';
import { bech32Decode } from '../../modules/opening/age-native';

const CHUNK = 64 * 1024;
const TAG = 16;

const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));

function seal(key: Buffer, nonce: Buffer, plain: Buffer): Buffer {
  const c = crypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(counter, 5, 6);
  n[11] = last ? 1 : 0;
  return n;
}

/** An age v1 file of `plain` for the X25519 recipient "age1…". */
export function ageEncryptNative(recipient: string, plain: Buffer): Buffer {
  const their = crypto.createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, bech32Decode(recipient).bytes]), format: 'der', type: 'spki' });
  const eph = crypto.generateKeyPairSync('x25519');
  const ephPub = Buffer.from(eph.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const shared = crypto.diffieHellman({ privateKey: eph.privateKey, publicKey: their });
  const theirRaw = bech32Decode(recipient).bytes;
  const fileKey = crypto.randomBytes(16);
  const body = seal(hkdf(shared, Buffer.concat([ephPub, theirRaw]), 'age-encryption.org/v1/X25519'), Buffer.alloc(12), fileKey);
  const lines = [`age-encryption.org/v1`, `-> X25519 ${b64(ephPub)}`];
  const bodyB64 = b64(body);
  for (let i = 0; i < bodyB64.length; i += 64) lines.push(bodyB64.slice(i, i + 64));
  if (bodyB64.length % 64 === 0) lines.push('');
  const macInput = `${lines.join('\n')}\n---`;
  const mac = crypto
    .createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header'))
    .update(macInput)
    .digest();
  const header = Buffer.from(`${macInput} ${b64(mac)}\n`, 'latin1');
  const nonce = crypto.randomBytes(16);
  const key = hkdf(fileKey, nonce, 'payload');
  const parts: Buffer[] = [header, nonce];
  const count = Math.max(1, Math.ceil(plain.length / CHUNK));
  for (let i = 0; i < count; i++) parts.push(seal(key, chunkNonce(i, i === count - 1), plain.subarray(i * CHUNK, (i + 1) * CHUNK)));
  return Buffer.concat(parts);
}
