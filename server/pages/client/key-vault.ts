// The browser's key vault: a user's signing key (RSA-PSS 3072, SHA-256) or custodian encryption key
// (RSA-OAEP 3072, SHA-256) kept in IndexedDB per username and kind, as a NON-extractable CryptoKey —
// page script can sign or decrypt with it, nobody can export it — with its certificate once issued.
// The only time the private key is extractable is at creation, when it is written into a passphrase-
// protected backup (etender-key-backup/1, modules/pki/key-backup.ts) and imported again. Bundled by
// esbuild into the pages that use it; no DOM beyond IndexedDB, WebCrypto and Blob. See docs/keys.md.
import type { webcrypto } from 'node:crypto';
import type { KeyBackup } from '../../../modules/formats/key-backup';
import { KEY_ALGORITHMS, KEY_BACKUP_FORMAT, type KeyKind } from '../../../modules/formats/names';
import { base64Decode, base64Encode, KeyBackupError, openKeyBackup, sealKeyBackup } from '../../../modules/pki/key-backup';

// Type-only (erased by the bundler): the WebCrypto key type as @types/node names it, and the little
// of IndexedDB used here (the project compiles without the DOM library).
type CryptoKey = webcrypto.CryptoKey;
type KeyUsage = webcrypto.KeyUsage;
type IDBTransactionMode = 'readonly' | 'readwrite';
interface IDBRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IDBObjectStore {
  get(key: unknown[]): IDBRequest<unknown>;
  getAll(): IDBRequest<unknown[]>;
  put(value: unknown): IDBRequest<unknown>;
  delete(key: unknown[]): IDBRequest<undefined>;
}
interface IDBDatabase {
  createObjectStore(name: string, options: { keyPath: string[] }): IDBObjectStore;
  transaction(store: string, mode: IDBTransactionMode): { objectStore(name: string): IDBObjectStore };
}
interface IDBOpenRequest extends IDBRequest<IDBDatabase> {
  onupgradeneeded: (() => void) | null;
}
const indexedDb = () => (globalThis as unknown as { indexedDB?: { open(name: string, version: number): IDBOpenRequest } }).indexedDB;

export type { KeyKind } from '../../../modules/formats/names';
export { KeyBackupError } from '../../../modules/pki/key-backup';

/** Why the vault refused; the page maps each code (and KeyBackupError's) to a text in its language. */
export type KeyVaultErrorCode = 'vault.unsupported' | 'vault.key_exists' | 'vault.no_key' | 'vault.wrong_user' | 'vault.wrong_kind' | 'vault.not_a_challenge' | 'vault.certificate_mismatch';

export class KeyVaultError extends Error {
  constructor(
    readonly code: KeyVaultErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyVaultError';
  }
}

/** What the vault keeps of one key. The CryptoKeys are handles: structured-cloned into IndexedDB, never exportable. */
export interface StoredKey {
  username: string;
  kind: KeyKind;
  algorithm: KeyBackup['algorithm'];
  createdAt: number;
  /** SPKI PEM of the public key: what the platform certifies. */
  publicKeyPem: string;
  /** SHA-256 (hex) of the SPKI DER: names the key. */
  keyId: string;
  /** RSA-PSS 'sign' for a signing key; RSA-OAEP 'decrypt' for an encryption key. */
  privateKey: CryptoKey;
  /**
   * An encryption key's RSA-PSS handle on the same private key, used only to sign the platform's
   * proof-of-possession challenges (the server checks an RSA-PSS signature over one): a signature
   * cannot be turned into a decryption of a share, as answering a decryption challenge could.
   */
  proofKey: CryptoKey | null;
  certificatePem: string | null;
  /** SHA-256 (hex) of the certificate's DER, as the platform names certificates. */
  fingerprint: string | null;
}

/** The answers of the platform calls certify() makes; the page supplies how it calls (session, CSRF). */
export type ApiCall = (method: 'POST', path: string, body: unknown) => Promise<unknown>;

const DB_NAME = 'etender-keys';
const STORE = 'keys';
const RSA = { modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;
const PSS = { name: 'RSA-PSS', hash: 'SHA-256' } as const;
const OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;
const CHALLENGE_PREFIX = 'etender-pki-challenge.';

const subtle = () => {
  const s = globalThis.crypto?.subtle;
  if (!s || !indexedDb()) throw new KeyVaultError('vault.unsupported', 'This browser has no WebCrypto or IndexedDB (a private window may lack them); use another browser or the etender CLI.');
  return s;
};

const hex = (b: ArrayBuffer | Uint8Array) => Array.from(b instanceof Uint8Array ? b : new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (bytes: Uint8Array) => hex(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${base64Encode(der).replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
const derOf = (pemText: string) => base64Decode(pemText.replace(/-----[A-Z ]+-----|\s+/g, ''));

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openDb(name: string): Promise<IDBDatabase> {
  subtle();
  const open = indexedDb()!.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: ['username', 'kind'] });
  return request(open);
}

/** Imports PKCS#8 DER as the kind's non-extractable handles; the caller wipes the bytes. */
async function importPrivate(kind: KeyKind, pkcs8: Uint8Array): Promise<{ privateKey: CryptoKey; proofKey: CryptoKey | null }> {
  const der = pkcs8 as Uint8Array<ArrayBuffer>;
  if (kind === 'signing') return { privateKey: await subtle().importKey('pkcs8', der, PSS, false, ['sign']), proofKey: null };
  return {
    privateKey: await subtle().importKey('pkcs8', der, OAEP, false, ['decrypt']),
    proofKey: await subtle().importKey('pkcs8', der, PSS, false, ['sign']),
  };
}

/** The SPKI of the public half of a PKCS#8 RSA key (via an extractable public key only). */
async function publicOf(kind: KeyKind, pkcs8: Uint8Array): Promise<Uint8Array> {
  // Importing the private key extractable is the only way WebCrypto derives its public key; the
  // handle lives in this function only and is dropped at once.
  const algorithm = kind === 'signing' ? PSS : OAEP;
  const usages: KeyUsage[] = kind === 'signing' ? ['sign'] : ['decrypt'];
  const temp = await subtle().importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, algorithm, true, usages);
  const jwk = await subtle().exportKey('jwk', temp);
  const pub = await subtle().importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e }, algorithm, true, kind === 'signing' ? ['verify'] : ['encrypt']);
  return new Uint8Array(await subtle().exportKey('spki', pub));
}

/** True when the DER certificate carries exactly this SPKI (its subjectPublicKeyInfo is copied verbatim). */
function certificateHoldsKey(certDer: Uint8Array, spki: Uint8Array): boolean {
  outer: for (let i = 0; i + spki.length <= certDer.length; i++) {
    for (let j = 0; j < spki.length; j++) if (certDer[i + j] !== spki[j]) continue outer;
    return true;
  }
  return false;
}

export interface KeyVault {
  /** Every key kept for `username` (or for everyone using this browser profile). */
  list(username?: string): Promise<StoredKey[]>;
  get(username: string, kind: KeyKind): Promise<StoredKey | null>;
  delete(username: string, kind: KeyKind): Promise<void>;
  /**
   * Makes a key, writes its backup (armored age text: offer it as a download at once; the key can
   * never be exported again) and keeps it. Refuses while a key of that kind is kept for the user.
   */
  create(options: { username: string; kind: KeyKind; backupPassphrase: string; workFactor?: number }): Promise<{ key: StoredKey; backup: string; fileName: string }>;
  /** Keeps the key of a backup file (from create() or `etender key export-backup`). */
  importBackup(options: { file: string | Uint8Array | Blob; passphrase: string; username: string; replace?: boolean }): Promise<StoredKey>;
  /** Has the platform certify a kept key (challenge, then POST /api/pki/certificates/from-key) and keeps the certificate. */
  certify(username: string, kind: KeyKind, api: ApiCall): Promise<StoredKey>;
  /** Keeps a certificate for a kept key after checking that it is for that key. */
  setCertificate(username: string, kind: KeyKind, certificatePem: string): Promise<StoredKey>;
  /** RSA-PSS (SHA-256, salt 32) signature, base64, with the user's signing key. */
  sign(username: string, data: Uint8Array): Promise<string>;
  /** RSA-OAEP (SHA-256) decryption with the user's encryption key (a custodian's share). */
  decrypt(username: string, ciphertextB64: string): Promise<Uint8Array>;
}

export function backupFileName(username: string, kind: KeyKind): string {
  return `etender-${username.replace(/[^A-Za-z0-9._-]+/g, '_')}-${kind}-key.age`;
}

export async function openKeyVault(dbName = DB_NAME): Promise<KeyVault> {
  const db = await openDb(dbName);
  const tx = (mode: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
  const get = async (username: string, kind: KeyKind) => ((await request(tx('readonly').get([username, kind]))) as StoredKey | undefined) ?? null;
  const put = async (key: StoredKey) => {
    await request(tx('readwrite').put(key));
    return key;
  };
  const need = async (username: string, kind: KeyKind) => {
    const key = await get(username, kind);
    if (!key) throw new KeyVaultError('vault.no_key', `No ${kind} key of ${username} is kept in this browser; make one or import its backup.`);
    return key;
  };

  /** Keeps a key given as PKCS#8 DER (wiped here), non-extractable from now on. */
  async function keep(fields: { username: string; kind: KeyKind; createdAt: number; certificatePem: string | null }, pkcs8: Uint8Array): Promise<StoredKey> {
    try {
      const spki = await publicOf(fields.kind, pkcs8);
      const handles = await importPrivate(fields.kind, pkcs8);
      const key: StoredKey = {
        ...fields,
        algorithm: KEY_ALGORITHMS[fields.kind],
        publicKeyPem: pem('PUBLIC KEY', spki),
        keyId: await sha256Hex(spki),
        ...handles,
        certificatePem: null,
        fingerprint: null,
      };
      if (fields.certificatePem) {
        const certDer = derOf(fields.certificatePem);
        if (certificateHoldsKey(certDer, spki)) {
          key.certificatePem = fields.certificatePem;
          key.fingerprint = await sha256Hex(certDer);
        }
      }
      return await put(key);
    } finally {
      pkcs8.fill(0);
    }
  }

  const vault: KeyVault = {
    async list(username) {
      const all = (await request(tx('readonly').getAll())) as StoredKey[];
      return username === undefined ? all : all.filter((k) => k.username === username);
    },

    get,

    async delete(username, kind) {
      await request(tx('readwrite').delete([username, kind]));
    },

    async create({ username, kind, backupPassphrase, workFactor }) {
      if (await get(username, kind)) throw new KeyVaultError('vault.key_exists', `A ${kind} key of ${username} is already kept in this browser; delete it first to make another.`);
      if (!backupPassphrase) throw new KeyBackupError('key_backup.no_passphrase', 'A key backup needs a passphrase.');
      const algorithm = kind === 'signing' ? PSS : OAEP;
      const pair = await subtle().generateKey({ ...algorithm, ...RSA }, true, kind === 'signing' ? ['sign', 'verify'] : ['encrypt', 'decrypt']);
      // The one moment the private key can be exported: into the backup, then imported again
      // non-extractable; the extractable handle is dropped with this function's scope.
      const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
      const createdAt = Date.now();
      let backup: string;
      try {
        backup = await sealKeyBackup({ format: KEY_BACKUP_FORMAT, username, kind, algorithm: KEY_ALGORITHMS[kind], createdAt, certificatePem: null, pkcs8: base64Encode(pkcs8) }, backupPassphrase, {
          workFactor,
        });
      } catch (err) {
        pkcs8.fill(0);
        throw err;
      }
      const key = await keep({ username, kind, createdAt, certificatePem: null }, pkcs8);
      return { key, backup, fileName: backupFileName(username, kind) };
    },

    async importBackup({ file, passphrase, username, replace }) {
      const content = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : file;
      const backup = await openKeyBackup(content, passphrase);
      if (backup.username !== username) throw new KeyVaultError('vault.wrong_user', `This backup holds a key of ${backup.username}, not of ${username}.`);
      if (!replace && (await get(username, backup.kind))) {
        throw new KeyVaultError('vault.key_exists', `A ${backup.kind} key of ${username} is already kept in this browser; delete it first, or import to replace it.`);
      }
      return keep({ username, kind: backup.kind, createdAt: backup.createdAt, certificatePem: backup.certificatePem }, base64Decode(backup.pkcs8));
    },

    async certify(username, kind, api) {
      const key = await need(username, kind);
      const { challenge } = (await api('POST', '/api/pki/challenges', {})) as { challenge: string };
      if (typeof challenge !== 'string' || !challenge.startsWith(CHALLENGE_PREFIX))
        throw new KeyVaultError('vault.not_a_challenge', 'The platform answered with something that is not a certificate challenge; nothing was signed.');
      const signer = kind === 'signing' ? key.privateKey : key.proofKey!;
      const signature = base64Encode(new Uint8Array(await subtle().sign({ name: 'RSA-PSS', saltLength: 32 }, signer, new TextEncoder().encode(challenge))));
      const { certificate } = (await api('POST', '/api/pki/certificates/from-key', { publicKey: key.publicKeyPem, challenge, signature, usage: kind })) as { certificate: { pem: string } };
      return vault.setCertificate(username, kind, certificate.pem);
    },

    async setCertificate(username, kind, certificatePem) {
      const key = await need(username, kind);
      const certDer = derOf(certificatePem);
      if (!certificateHoldsKey(certDer, derOf(key.publicKeyPem))) throw new KeyVaultError('vault.certificate_mismatch', 'That certificate is for another key; it was not kept.');
      return put({ ...key, certificatePem, fingerprint: await sha256Hex(certDer) });
    },

    async sign(username, data) {
      const key = await need(username, 'signing');
      return base64Encode(new Uint8Array(await subtle().sign({ name: 'RSA-PSS', saltLength: 32 }, key.privateKey, data as Uint8Array<ArrayBuffer>)));
    },

    async decrypt(username, ciphertextB64) {
      const key = await need(username, 'encryption');
      return new Uint8Array(await subtle().decrypt(OAEP, key.privateKey, base64Decode(ciphertextB64) as Uint8Array<ArrayBuffer>));
    },
  };
  return vault;
}
