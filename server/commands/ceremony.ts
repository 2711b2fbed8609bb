// Custodian tools. `etender ceremony` deals the share holders' part of a section's opening key on
// the operator's own machine and uploads only Feldman commitments and the shares, each already
// encrypted to one custodian, so no server ever holds it; the server adds the time lock at
// publication. `etender share confirm` is each custodian's check of its share against the
// commitments before publication; `share decrypt` / `share release` are its side at the opening.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { decryptShare } from '../../modules/custody/custody-crypto';
import { commitmentsDigest, dealCeremonyKey, shareVerifies } from '../../modules/custody/opening-key';
import { loadPrivateKey } from '../../modules/pki/client-keys';
import { apiJson } from '../../modules/bids/api-client';
import { UsageError, type CliCommand } from './command';

export interface CeremonyOptions {
  url: string;
  token: string;
  sectionId: string;
  threshold: number;
  /** name → certificate PEM, or null for the platform timer's certificate from the server; "time-lock" holds no share. */
  custodians: Array<{ name: string; certPem: string | null }>;
  fetch?: typeof fetch;
}

export interface CeremonyResult {
  /** The recipient of the share holders' part; the published one adds the time lock's point, if any. */
  recipient: string;
  threshold: number;
  commitmentsSha256: string;
  custodians: Array<{ custodian: string; certificateFingerprint: string }>;
}

function certificateOf(name: string, pem: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(pem);
  } catch (err) {
    throw new UsageError(`the certificate for ${name} is not a readable X.509 certificate in PEM (${(err as Error).message}).`);
  }
}

async function apiCall(f: typeof fetch, url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await f(url, init);
  } catch (err) {
    throw new UsageError(`cannot reach ${url} (${(err as Error).message}); check --url.`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? text.slice(0, 200);
    throw new UsageError(`the server answered ${res.status}: ${message}`);
  }
  return body;
}

/** The platform timer's certificate as GET /api/pki/keys publishes it. */
function timerCertFrom(keys: unknown): string | null {
  const timer = (keys as { timer?: Record<string, unknown> } | null)?.timer;
  for (const field of ['certificate', 'certPem', 'pem', 'cert']) {
    const v = timer?.[field];
    if (typeof v === 'string' && v.includes('BEGIN CERTIFICATE')) return v;
  }
  return null;
}

/**
 * Runs the key ceremony: makes the identity, splits it, encrypts each share to its custodian's
 * certificate and uploads {recipient, threshold, shares}. The secret is never written anywhere.
 */
export async function runCeremony(options: CeremonyOptions): Promise<CeremonyResult> {
  const f = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const resolved: Array<{ name: string; cert: crypto.X509Certificate }> = [];
  const timeLock = options.custodians.some((c) => c.name === 'time-lock');
  for (const c of options.custodians) {
    if (c.name === 'time-lock') continue;
    let pem = c.certPem;
    if (pem === null) {
      pem = timerCertFrom(await apiCall(f, `${base}/api/pki/keys`, { headers: { Accept: 'application/json' } }));
      if (!pem) throw new UsageError(`${base}/api/pki/keys does not publish the platform timer's certificate; give it as --custodian platform-timer=timer.cert.pem.`);
    }
    const cert = certificateOf(c.name, pem);
    if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new UsageError(`the certificate for ${c.name} is not for an RSA key; shares are encrypted with RSA-OAEP.`);
    if (Date.parse(cert.validTo) < Date.now()) throw new UsageError(`the certificate for ${c.name} expired on ${cert.validTo}; use the custodian's current encryption certificate.`);
    resolved.push({ name: c.name, cert });
  }
  const shareThreshold = options.threshold - (timeLock ? 1 : 0);
  if (resolved.length === 0) throw new UsageError('name at least one custodian who holds a share (the time lock alone needs no ceremony: publish the section).');
  if (shareThreshold < 1 || shareThreshold > resolved.length) {
    throw new UsageError(`--threshold ${options.threshold} cannot be met by ${resolved.length} share holder(s)${timeLock ? ' and the time lock (which counts as one)' : ''}.`);
  }
  const dealt = dealCeremonyKey(
    resolved.map((r) => ({ label: r.name, publicKey: r.cert.publicKey })),
    shareThreshold,
  );
  const shares = dealt.shares.map((s, i) => ({
    custodian: resolved[i]!.name,
    certificateFingerprint: crypto.createHash('sha256').update(resolved[i]!.cert.raw).digest('hex'),
    encryptedShare: s.encryptedShare,
  }));
  await apiCall(f, `${base}/api/sections/${encodeURIComponent(options.sectionId)}/opening-key`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ threshold: options.threshold, commitments: dealt.commitments, shares }),
  });
  return {
    recipient: dealt.recipient,
    threshold: options.threshold,
    commitmentsSha256: commitmentsDigest(dealt.commitments),
    custodians: shares.map(({ custodian, certificateFingerprint }) => ({ custodian, certificateFingerprint })),
  };
}

export interface ConfirmOptions {
  url: string;
  token: string;
  sectionId: string;
  privateKey: crypto.KeyObject;
  fetch?: typeof fetch;
}

/**
 * A custodian's check of its ceremony share: fetch it with the commitments, decrypt it here, check
 * s_i·B = Σ C_j·i^j, and tell the server what was found (a dispute stops the publication).
 */
export async function confirmMyShare(options: ConfirmOptions): Promise<{ result: 'verified' | 'failed'; shareIndex: number; commitmentsSha256: string }> {
  const f = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const headers = { Accept: 'application/json', Authorization: `Bearer ${options.token}` };
  const section = encodeURIComponent(options.sectionId);
  const { share } = (await apiCall(f, `${base}/api/sections/${section}/shares/mine`, { headers })) as {
    share: { index: number; encryptedShare: string; commitments: string[]; commitmentsSha256: string | null };
  };
  if (!share.commitmentsSha256 || commitmentsDigest(share.commitments) !== share.commitmentsSha256) {
    throw new UsageError('the server gave no commitments for this share (a key made before verifiable sharing); ask the operator to run the ceremony again.');
  }
  // A key that cannot decrypt the share is the custodian's mistake (another key file), not the
  // dealer's: say so and tell the server nothing, since a dispute cannot be taken back.
  let plain: Uint8Array;
  try {
    plain = decryptShare(share.encryptedShare, options.privateKey);
  } catch {
    throw new UsageError('your share cannot be decrypted with this --key: use the private key of the encryption certificate the share names. Nothing was sent.');
  }
  const result = shareVerifies(share.commitments, share.index, plain) ? 'verified' : 'failed';
  plain.fill(0);
  await apiCall(f, `${base}/api/sections/${section}/shares/mine/confirmation`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ result, commitmentsSha256: share.commitmentsSha256 }),
  });
  return { result, shareIndex: share.index, commitmentsSha256: share.commitmentsSha256 };
}

function parseCustodians(values: string[]): CeremonyOptions['custodians'] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const name = (eq < 0 ? v : v.slice(0, eq)).trim();
    const file = eq < 0 ? null : v.slice(eq + 1).trim();
    if (!name) throw new UsageError(`--custodian "${v}": give NAME=CERT.pem (or just platform-timer to fetch its certificate from the server).`);
    if (file === null) {
      if (name === 'time-lock') return { name, certPem: null };
      if (name !== 'platform-timer') throw new UsageError(`--custodian ${name}: give the custodian's encryption certificate, ${name}=${name}.cert.pem.`);
      return { name, certPem: null };
    }
    try {
      return { name, certPem: fs.readFileSync(file, 'utf8') };
    } catch (err) {
      throw new UsageError(`--custodian ${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
  });
}

export const ceremonyCommand: CliCommand = {
  name: 'ceremony',
  summary: "deal a section's opening-key shares offline and upload only commitments and encrypted shares",
  help: `etender ceremony — the key ceremony for one draft section, run on the operator's machine

Makes the share holders' part of the opening key (a scalar mod ℓ of Ed25519), deals it with
verifiable secret sharing (Feldman: any K holders rebuild it, and every share can be checked against
public commitments), encrypts each share (RSA-OAEP, SHA-256) to its holder's encryption certificate
and uploads {threshold, commitments, shares}. The part itself is never written anywhere. The server
checks the platform timer's share; each user custodian then checks its own (etender share confirm);
publication adds the time lock (if the centre has one) and fixes the recipient. The custodians and
the threshold must be the centre's custody set; list --custodian time-lock when it has a time lock.

Options:
  --url URL                  the server, e.g. https://etender.example.org
  --token TOKEN              an operator's API token (or set ETENDER_TOKEN)
  --section ID               the draft section
  --threshold K              how many shares open the key
  --custodian NAME=CERT.pem  one per custodian: a username and its encryption certificate;
                             "platform-timer" alone fetches the timer's certificate from the server;
                             "time-lock" alone: the centre's time lock (no share; added at publication)

Example (the time lock and 2 of 3 custodians: threshold 3):
  etender ceremony --url https://etender.example.org --token "$ETENDER_TOKEN" \\
    --section 01JD2X0000000000000000000 --threshold 3 --custodian time-lock \\
    --custodian zhang.san=zhang.san.cert.pem \\
    --custodian supervisor=supervisor.cert.pem --custodian li.wei=li.wei.cert.pem`,
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    section: { type: 'string' },
    threshold: { type: 'string' },
    custodian: { type: 'string', multiple: true },
  },
  async run(values) {
    const url = values.url as string | undefined;
    const token = (values.token as string | undefined) ?? process.env.ETENDER_TOKEN;
    const sectionId = values.section as string | undefined;
    if (!url || !/^https?:\/\//.test(url)) throw new UsageError('--url is required, e.g. --url https://etender.example.org');
    if (!token) throw new UsageError("--token is required (or set ETENDER_TOKEN): an API token of an operator of the section's centre.");
    if (!sectionId) throw new UsageError('--section is required: the id of the draft section.');
    const threshold = Number(values.threshold);
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 20) throw new UsageError('--threshold must be a whole number from 1 to 20.');
    const custodians = parseCustodians((values.custodian as string[] | undefined) ?? []);
    if (custodians.length < threshold) throw new UsageError(`--threshold ${threshold} needs at least ${threshold} --custodian options; got ${custodians.length}.`);
    if (new Set(custodians.map((c) => c.name)).size !== custodians.length) throw new UsageError('each custodian may be named only once.');
    const result = await runCeremony({ url, token, sectionId, threshold, custodians });
    process.stdout.write(
      `Uploaded the shares of the opening key of section ${sectionId}.\nCommitments SHA-256: ${result.commitmentsSha256}\nThreshold: ${result.threshold} of ${custodians.length}\n` +
        result.custodians.map((c) => `  ${c.custodian}  certificate ${c.certificateFingerprint}`).join('\n') +
        '\nEach user custodian now checks its share (etender share confirm); then publish the section to fix its recipient.\n',
    );
  },
};

function readPrivateKey(keyFile: string, passphraseFile: string | undefined): crypto.KeyObject {
  try {
    const passphrase = passphraseFile ? fs.readFileSync(passphraseFile, 'utf8').split(/\r?\n/)[0] : undefined;
    return loadPrivateKey(fs.readFileSync(keyFile, 'utf8'), passphrase);
  } catch (err) {
    throw new UsageError(`${keyFile}: ${(err as Error).message}.`);
  }
}

const CUSTODIAN_OPTIONS = { url: { type: 'string' }, token: { type: 'string' }, section: { type: 'string' }, key: { type: 'string' }, 'passphrase-file': { type: 'string' } } as const;

const custodianOptionsHelp = (section: string) => `  --url URL                the server
  --token TOKEN            your API token (or ETENDER_TOKEN)
  --section ID             ${section}
  --key FILE               your private key in PEM (the key of your encryption certificate)
  --passphrase-file FILE   the passphrase of an encrypted private key (its first line)`;

/** The options every custodian command against a server takes: where, who, which section, which key. */
function custodianOptions(values: Record<string, unknown>): { url: string; token: string; sectionId: string; privateKey: crypto.KeyObject } {
  const url = values.url as string | undefined;
  const token = (values.token as string | undefined) ?? process.env.ETENDER_TOKEN;
  const sectionId = values.section as string | undefined;
  const keyFile = values.key as string | undefined;
  if (!url || !/^https?:\/\//.test(url)) throw new UsageError('--url is required, e.g. --url https://etender.example.org');
  if (!token) throw new UsageError('--token is required (or set ETENDER_TOKEN): your API token as a custodian.');
  if (!sectionId || !keyFile) throw new UsageError('--section and --key are required.');
  return { url, token, sectionId, privateKey: readPrivateKey(keyFile, values['passphrase-file'] as string | undefined) };
}

export const shareConfirmCommand: CliCommand = {
  name: 'share confirm',
  summary: 'check your share of an uploaded ceremony key against its commitments, and say so',
  help: `etender share confirm — before a section is published, fetch your encrypted share of the key its
ceremony uploaded, decrypt it on this machine, check it against the public Feldman commitments
(s_i·B = Σ C_j·i^j) and tell the server: "verified", or "failed" (which stops the publication).
Your share never leaves this machine.

Options:
${custodianOptionsHelp('the draft section')}

Example:
  etender share confirm --url https://etender.example.org --section 01JD… --key custodian.key.pem`,
  options: CUSTODIAN_OPTIONS,
  async run(values) {
    const { url, token, sectionId, privateKey } = custodianOptions(values);
    const r = await confirmMyShare({ url, token, sectionId, privateKey });
    process.stdout.write(
      r.result === 'verified'
        ? `Share ${r.shareIndex} verifies against the commitments (SHA-256 ${r.commitmentsSha256}); confirmed.\n`
        : `Share ${r.shareIndex} does NOT verify against the commitments (SHA-256 ${r.commitmentsSha256}); the server was told, and the section cannot be published with this key.\n`,
    );
    if (r.result !== 'verified') process.exitCode = 1;
  },
};

export const shareDecryptCommand: CliCommand = {
  name: 'share decrypt',
  summary: "open one encrypted key share with the custodian's private key",
  help: `etender share decrypt — decrypt one opening-key share (RSA-OAEP, SHA-256) with your private key

Prints the decrypted share in base64 on standard output; hand it over only at the opening.

Options:
  --key FILE               your private key in PEM (the key of your encryption certificate)
  --passphrase-file FILE   the passphrase of an encrypted private key (its first line)
  --share FILE             the encrypted share, base64 (as the server hands it to you)

Example:
  etender share decrypt --key custodian.key.pem --share share.b64 > share.plain.b64`,
  options: { key: { type: 'string' }, share: { type: 'string' }, 'passphrase-file': { type: 'string' } },
  async run(values) {
    const keyFile = values.key as string | undefined;
    const shareFile = values.share as string | undefined;
    if (!keyFile || !shareFile) throw new UsageError('--key and --share are required. Example: etender share decrypt --key custodian.key.pem --share share.b64');
    const read = (file: string, what: string) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read the ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
      }
    };
    const keyPem = read(keyFile, 'key');
    const passphraseFile = values['passphrase-file'] as string | undefined;
    const passphrase = passphraseFile ? read(passphraseFile, 'passphrase file').split(/\r?\n/)[0] : undefined;
    let privateKey: crypto.KeyObject;
    try {
      privateKey = loadPrivateKey(keyPem, passphrase);
    } catch (err) {
      throw new UsageError(`${keyFile}: ${(err as Error).message}.`);
    }
    const encrypted = read(shareFile, 'share').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new UsageError(`${shareFile} does not hold a base64 share.`);
    let share: Uint8Array;
    try {
      share = decryptShare(encrypted, privateKey);
    } catch {
      throw new UsageError(`the share in ${shareFile} cannot be decrypted with ${keyFile}: it was encrypted to another certificate, or it is damaged.`);
    }
    process.stdout.write(`${Buffer.from(share).toString('base64')}\n`);
    share.fill(0);
  },
};

export const shareReleaseCommand: CliCommand = {
  name: 'share release',
  summary: "release your share of a section's opening key at the opening",
  help: `etender share release — fetch your encrypted share of a section's opening key, decrypt it on this
machine with your private key, and release it to the opening (after the bid deadline, once).

Options:
${custodianOptionsHelp('the section')}

Example:
  etender share release --url https://etender.example.org --section 01JD… --key custodian.key.pem`,
  options: CUSTODIAN_OPTIONS,
  async run(values) {
    const { url, token, sectionId, privateKey } = custodianOptions(values);
    const api = { baseUrl: url, token };
    const section = encodeURIComponent(sectionId);
    const { share } = await apiJson<{ share: { encryptedShare: string } }>(api, 'GET', `/api/sections/${section}/shares/mine`);
    let plain: Uint8Array;
    try {
      plain = decryptShare(share.encryptedShare, privateKey);
    } catch {
      throw new UsageError(`your share cannot be decrypted with your --key: it was encrypted to another certificate.`);
    }
    const b64 = Buffer.from(plain).toString('base64');
    plain.fill(0);
    const result = await apiJson<{ released: number; threshold: number; ready: boolean }>(api, 'POST', `/api/sections/${section}/shares`, { share: b64 });
    process.stdout.write(`Released. ${result.released} of ${result.threshold} shares are in${result.ready ? '; the opening proceeds.' : '.'}\n`);
  },
};
