// Sealing and opening etender-key-backup/1 files (modules/formats/key-backup.ts): the JSON encrypted
// with age's passphrase (scrypt) recipient and ASCII-armored, so that `age -d` opens it as well.
// Shared by the browser's key vault and the CLI: no node: imports, no DOM, and no zod (it would be
// most of the page's bundle): the backup is checked by hand against the rules of its schema.
import { Decrypter, Encrypter, armor } from 'age-encryption';
import type { KeyBackup } from '../formats/key-backup';
import { KEY_ALGORITHMS, KEY_BACKUP_FORMAT, KEY_KINDS } from '../formats/names';

const FIELDS = ['format', 'username', 'kind', 'algorithm', 'createdAt', 'certificatePem', 'pkcs8'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The rules of keyBackupSchema (modules/formats/key-backup.ts), without zod: the value itself, or null. */
export function asKeyBackup(value: unknown): KeyBackup | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length !== FIELDS.length || !FIELDS.every((f) => keys.includes(f))) return null;
  const { format, username, kind, algorithm, createdAt, certificatePem, pkcs8 } = v;
  if (format !== KEY_BACKUP_FORMAT) return null;
  if (typeof username !== 'string' || username.length < 1 || username.length > 80) return null;
  if (typeof kind !== 'string' || !(KEY_KINDS as readonly string[]).includes(kind)) return null;
  if (algorithm !== KEY_ALGORITHMS[kind as KeyBackup['kind']]) return null;
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt)) return null;
  if (certificatePem !== null && (typeof certificatePem !== 'string' || certificatePem.length > 16_384)) return null;
  if (typeof pkcs8 !== 'string' || pkcs8.length < 1 || pkcs8.length > 16_384 || !BASE64.test(pkcs8)) return null;
  return v as KeyBackup;
}

/** Why a backup could not be opened; the page maps each code to a text in its language. */
export type KeyBackupErrorCode = 'key_backup.wrong_passphrase' | 'key_backup.corrupted' | 'key_backup.not_a_key_backup' | 'key_backup.no_passphrase';

export class KeyBackupError extends Error {
  constructor(
    readonly code: KeyBackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyBackupError';
  }
}

const MESSAGES: Record<KeyBackupErrorCode, string> = {
  'key_backup.wrong_passphrase': 'The passphrase does not open this key backup.',
  'key_backup.corrupted': 'The key backup file is damaged or incomplete; use another copy of it.',
  'key_backup.not_a_key_backup': 'This file is not an etender key backup (etender-key-backup/1).',
  'key_backup.no_passphrase': 'A key backup needs a passphrase.',
};
const fail = (code: KeyBackupErrorCode) => new KeyBackupError(code, MESSAGES[code]);

/** The age file's header line of a passphrase recipient, the only one a backup has. */
const SCRYPT_STANZA = 'age-encryption.org/v1\n-> scrypt ';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** The backup's JSON, age-encrypted to the passphrase and armored. `workFactor` is scrypt's log2 N (age's default 18). */
export async function sealKeyBackup(backup: KeyBackup, passphrase: string, options: { workFactor?: number } = {}): Promise<string> {
  if (!passphrase) throw fail('key_backup.no_passphrase');
  const checked = asKeyBackup(backup);
  if (!checked) throw new TypeError('not an etender-key-backup/1 object');
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  if (options.workFactor !== undefined) e.setScryptWorkFactor(options.workFactor);
  const json = JSON.stringify({ ...checked, format: KEY_BACKUP_FORMAT });
  return armor.encode(await e.encrypt(json));
}

/** Opens a backup file (armored or binary age); a KeyBackupError with a code when it cannot. */
export async function openKeyBackup(file: string | Uint8Array, passphrase: string): Promise<KeyBackup> {
  if (!passphrase) throw fail('key_backup.no_passphrase');
  let bytes: Uint8Array;
  let armored: boolean;
  try {
    const text = typeof file === 'string' ? file : new TextDecoder().decode(file.subarray(0, 64));
    armored = text.trimStart().startsWith(ARMOR_BEGIN);
    if (armored) bytes = armor.decode(typeof file === 'string' ? file : new TextDecoder().decode(file));
    else bytes = typeof file === 'string' ? new TextEncoder().encode(file) : file;
  } catch {
    throw fail('key_backup.corrupted');
  }
  const head = new TextDecoder().decode(bytes.subarray(0, SCRYPT_STANZA.length));
  if (head !== SCRYPT_STANZA) {
    // An age file for recipients rather than a passphrase is no backup; so is anything that is not
    // age at all — unless it came armored as age, when its header was damaged.
    const otherAge = /^age-encryption\.org\/v1\n-> (?!scrypt )/.test(head);
    throw fail(otherAge || !armored ? 'key_backup.not_a_key_backup' : 'key_backup.corrupted');
  }
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  let json: string;
  try {
    json = await d.decrypt(bytes, 'text');
  } catch (err) {
    // The library's own words: no file key could be unwrapped with this passphrase. (A damaged
    // salt or wrapped key looks the same; anything else damaged fails its MAC or a chunk's tag.)
    if ((err as Error).message === "no identity matched any of the file's recipients") throw fail('key_backup.wrong_passphrase');
    throw fail('key_backup.corrupted');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw fail('key_backup.not_a_key_backup');
  }
  const backup = asKeyBackup(parsed);
  if (!backup) throw fail('key_backup.not_a_key_backup');
  return backup;
}

export function base64Encode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64Decode(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
