// Bidder tools, run on the bidder's own machine: build and seal a bid package, sign its manifest,
// submit it with progress, verify receipts offline, withdraw. Private keys never leave this machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { leafHash, verifyInclusion } from '../../modules/audit/merkle';
import { ApiError, apiJson, apiUpload, type ApiClientOptions } from '../../modules/bids/api-client';
import { sealBid, writeBidTar, BID_FORMAT, type BidDocument } from '../../modules/bids/bid-package';
import { canonicalBytes, manifestSchema, MANIFEST_FORMAT, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { judgeInclusion, verifyReceipt, type PromiseAnswer, type PublishedKeys, type Receipt } from '../../modules/bids/receipt';
import { promiseDigest } from '../../modules/audit/promise-signing';
import { UsageError, type CliCommand } from './command';
import { AGE_RECIPIENT_PATTERN } from '../../modules/core/age-recipient';
import { certificateFingerprint } from '../../modules/core/fingerprint';

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;
const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
function need(v: Values, name: string, example: string): string {
  const value = str(v, name);
  if (!value) throw new UsageError(`--${name} is required. Example: ${example}`);
  return value;
}
function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`cannot read ${what} "${file}"`);
  }
}
function client(v: Values): ApiClientOptions {
  return { baseUrl: need(v, 'url', 'etender submit --url http://127.0.0.1:3000 …'), token: str(v, 'token') ?? process.env.ETENDER_TOKEN };
}

function loadPrivateKey(v: Values): crypto.KeyObject {
  const keyFile = need(v, 'key', 'etender sign --key key.pem --cert cert.pem …');
  const passphraseFile = str(v, 'passphrase-file');
  try {
    return crypto.createPrivateKey({ key: readFile(keyFile, 'key file'), passphrase: passphraseFile ? readFile(passphraseFile, 'passphrase file').toString('utf8').trim() : undefined });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot load the private key "${keyFile}" (wrong passphrase, or not a PEM key): ${(err as Error).message}`);
  }
}

/** What sealing needs to know about the section and the bidder, from the server or from flags. */
async function bidContext(v: Values): Promise<{ sectionId: string; sectionCode: string; recipient: string; orgId: string; orgName: string; creditCode: string }> {
  const sectionId = need(v, 'section', 'etender seal --section 01J… …');
  if (str(v, 'url')) {
    const api = client(v);
    const detail = await apiJson<{ section: { code: string; openingKey?: { recipient: string } }; openingKey?: { recipient: string } }>(api, 'GET', `api/sections/${sectionId}`);
    const recipient = detail.openingKey?.recipient ?? detail.section.openingKey?.recipient;
    if (!recipient) throw new UsageError('the section has no opening recipient yet (is it published?)');
    const me = await apiJson<{ user: { orgId: string | null } }>(api, 'GET', 'api/me');
    if (!me.user.orgId) throw new UsageError('the token does not belong to a bidder representative');
    const org = await apiJson<{ organisation: { id: string; name: string; creditCode: string } }>(api, 'GET', `api/orgs/${me.user.orgId}`);
    return { sectionId, sectionCode: detail.section.code, recipient, orgId: org.organisation.id, orgName: org.organisation.name, creditCode: org.organisation.creditCode };
  }
  const recipient = need(v, 'recipient', 'etender sign --recipient age1… --bidder 01J… …');
  if (!AGE_RECIPIENT_PATTERN.test(recipient)) throw new UsageError('--recipient must be an age X25519 recipient (age1…)');
  return {
    sectionId,
    sectionCode: str(v, 'section-code') ?? '',
    recipient,
    orgId: need(v, 'bidder', 'etender sign --bidder <organisation id> …'),
    orgName: str(v, 'org-name') ?? '',
    creditCode: str(v, 'credit-code') ?? '',
  };
}

function bidDocument(v: Values, c: Awaited<ReturnType<typeof bidContext>>): Omit<BidDocument, 'attachments'> {
  const other: Record<string, string> = {};
  for (const item of (v.item as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new UsageError(`--item must be name=value, got "${item}"`);
    other[item.slice(0, eq)] = item.slice(eq + 1);
  }
  const duration = str(v, 'duration-days');
  return {
    format: BID_FORMAT,
    section: { id: c.sectionId, code: c.sectionCode },
    bidder: { orgId: c.orgId, name: c.orgName, creditCode: c.creditCode },
    price: {
      amount: need(v, 'price', 'etender seal --price 1234567.80 …'),
      ...(duration ? { durationDays: Number(duration) } : {}),
      ...(str(v, 'quality') ? { quality: str(v, 'quality')! } : {}),
      ...(Object.keys(other).length ? { other } : {}),
    },
  };
}

export interface SignedManifestFile {
  manifest: Manifest;
  signature: string;
  certificate: string;
}

function signFile(v: Values, ciphertextFile: string, c: { sectionId: string; orgId: string; recipient: string }, digest?: { sha256: string; size: number }): SignedManifestFile {
  const certPem = readFile(need(v, 'cert', 'etender sign --cert cert.pem …'), 'certificate file').toString('utf8');
  const key = loadPrivateKey(v);
  const bytes = digest ? null : readFile(ciphertextFile, 'sealed file');
  const manifest = manifestSchema.parse({
    format: MANIFEST_FORMAT,
    section: c.sectionId,
    bidder: c.orgId,
    ciphertext: digest ?? { sha256: crypto.createHash('sha256').update(bytes!).digest('hex'), size: bytes!.length },
    recipient: c.recipient,
    nonce: newNonce(),
    certificate: certificateFingerprint(certPem),
  });
  return { manifest, signature: signManifest(manifest, key), certificate: certPem };
}

const COMMON = {
  url: { type: 'string' },
  token: { type: 'string' },
  section: { type: 'string' },
} as const;

/** What goes into bid.json (the price form) and, without --url, the facts the server would give. */
const BID_DOCUMENT_OPTIONS = {
  price: { type: 'string' },
  'duration-days': { type: 'string' },
  quality: { type: 'string' },
  item: { type: 'string', multiple: true },
  recipient: { type: 'string' },
  bidder: { type: 'string' },
  'section-code': { type: 'string' },
  'org-name': { type: 'string' },
  'credit-code': { type: 'string' },
} as const;

export const packageCommand: CliCommand = {
  name: 'package',
  summary: 'build the plaintext bid package (tar, bid.json first) for sealing with the age tool',
  help: `etender package — build the plaintext bid package: a tar whose first member is bid.json

Options: --url URL --token T --section ID --price YUAN [--duration-days N] [--quality TEXT]
         [--item name=value]… --out bid.tar  FILES…   (attachments, in order)
Without --url: --recipient age1… --bidder ORG_ID [--section-code C --org-name N --credit-code X]

Example (the standard age tool path):
  etender package --url http://127.0.0.1:3000 --token $T --section 01J… --price 1180000.00 --out bid.tar tech.pdf
  age -r age1… -o bid.age bid.tar
  etender sign --url http://127.0.0.1:3000 --token $T --section 01J… --key key.pem --cert cert.pem --in bid.age --out bid.manifest.json
  etender submit --url http://127.0.0.1:3000 --token $T --section 01J… --in bid.age --manifest bid.manifest.json`,
  options: { ...COMMON, ...BID_DOCUMENT_OPTIONS, out: { type: 'string' } },
  positionals: true,
  async run(v, files) {
    const out = need(v, 'out', 'etender package … --out bid.tar');
    const c = await bidContext(v);
    for (const f of files) readFile(f, 'attachment');
    const doc = await writeBidTar(bidDocument(v, c), files, fs.createWriteStream(out));
    process.stdout.write(`Wrote ${out}: bid.json and ${doc.attachments.length} attachment(s). Encrypt it with: age -r ${c.recipient} -o bid.age ${out}\n`);
  },
};

export const sealCommand: CliCommand = {
  name: 'seal',
  summary: "seal a bid: build the package, encrypt it to the section's recipient, sign the manifest",
  help: `etender seal — build the bid package, encrypt it with age to the section's opening recipient and
sign its manifest with your certificate's key (RSA-PSS). Nothing is sent; use "etender submit".

Options: --url URL --token T --section ID --price YUAN [--duration-days N] [--quality TEXT]
         [--item name=value]… --key key.pem [--passphrase-file F] --cert cert.pem
         --out bid.age  FILES…   (attachments; the manifest goes to bid.age.manifest.json)

Example:
  etender seal --url http://127.0.0.1:3000 --token $T --section 01J… --price 1180000.00 \\
    --duration-days 180 --key key.pem --cert cert.pem --out bid.age tech.pdf price-list.xlsx`,
  options: { ...COMMON, ...BID_DOCUMENT_OPTIONS, out: { type: 'string' }, key: { type: 'string' }, 'passphrase-file': { type: 'string' }, cert: { type: 'string' } },
  positionals: true,
  async run(v, files) {
    const out = need(v, 'out', 'etender seal … --out bid.age');
    loadPrivateKey(v); // fail before the work if the key cannot be used
    for (const f of files) readFile(f, 'attachment');
    const c = await bidContext(v);
    const sealed = await sealBid({ document: bidDocument(v, c), attachments: files, recipient: c.recipient, outPath: out });
    const signed = signFile(v, out, c, { sha256: sealed.sha256, size: sealed.size });
    fs.writeFileSync(`${out}.manifest.json`, JSON.stringify(signed, null, 2) + '\n');
    process.stdout.write(`Sealed ${out} (${sealed.size} bytes, SHA-256 ${sealed.sha256}) to ${c.recipient}.\nSigned manifest: ${out}.manifest.json\n`);
  },
};

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign the manifest of a bid sealed with the standard age tool',
  help: `etender sign — make and sign the manifest of an already sealed file (e.g. one made with "age -r")

Options: --in bid.age --out bid.manifest.json --key key.pem [--passphrase-file F] --cert cert.pem
         --section ID and either --url URL --token T, or --recipient age1… --bidder ORG_ID

Example:
  age -r age1… -o bid.age bid.tar
  etender sign --section 01J… --recipient age1… --bidder 01J… --key key.pem --cert cert.pem --in bid.age --out bid.manifest.json`,
  options: {
    ...COMMON,
    in: { type: 'string' },
    out: { type: 'string' },
    key: { type: 'string' },
    'passphrase-file': { type: 'string' },
    cert: { type: 'string' },
    recipient: { type: 'string' },
    bidder: { type: 'string' },
  },
  async run(v) {
    const input = need(v, 'in', 'etender sign --in bid.age …');
    const out = need(v, 'out', 'etender sign … --out bid.manifest.json');
    const c = await bidContext(v);
    const signed = signFile(v, input, c);
    fs.writeFileSync(out, JSON.stringify(signed, null, 2) + '\n');
    process.stdout.write(`Signed manifest for ${input} (SHA-256 ${signed.manifest.ciphertext.sha256}) written to ${out}\n`);
  },
};

export const submitCommand: CliCommand = {
  name: 'submit',
  summary: 'upload a sealed bid with its signed manifest and save the receipt',
  help: `etender submit — upload a sealed bid (streamed, with progress) and save the signed receipt.
A broken upload is reported as failed: only a bid with a receipt counts. Submitting again for the
same section replaces your previous bid (every version is kept; the latest counts).

Options: --url URL --token T --section ID --in bid.age [--manifest bid.age.manifest.json]
         [--receipt receipt.json]

Example:
  etender submit --url http://127.0.0.1:3000 --token $T --section 01J… --in bid.age`,
  options: { ...COMMON, in: { type: 'string' }, manifest: { type: 'string' }, receipt: { type: 'string' }, quiet: { type: 'boolean' } },
  async run(v) {
    const api = client(v);
    const input = need(v, 'in', 'etender submit --in bid.age …');
    const section = need(v, 'section', 'etender submit --section 01J… …');
    const signed = JSON.parse(readFile(str(v, 'manifest') ?? `${input}.manifest.json`, 'manifest file').toString('utf8')) as SignedManifestFile;
    const headers: Record<string, string> = {
      'etender-manifest': canonicalBytes(signed.manifest).toString('base64'),
      'etender-signature': signed.signature,
    };
    let lastShown = 0;
    const showProgress = !v.quiet && process.stderr.isTTY;
    const result = await apiUpload<{ receipt: Receipt }>(api, `api/sections/${section}/bids`, input, headers, (sent, total) => {
      if (!showProgress) return;
      const pct = Math.floor((sent / Math.max(total, 1)) * 100);
      if (pct !== lastShown || sent === total) process.stderr.write(`\ruploading ${pct}% (${sent}/${total} bytes)`);
      lastShown = pct;
    });
    if (showProgress) process.stderr.write('\n');
    const receiptFile = str(v, 'receipt') ?? `${input}.receipt.json`;
    fs.writeFileSync(receiptFile, JSON.stringify(result.receipt, null, 2) + '\n');
    const r = result.receipt;
    process.stdout.write(
      `Accepted: bid ${r.bid.id} (version ${r.bid.version}) received ${new Date(r.receivedAt).toISOString()}${r.supersedes ? `, replacing ${r.supersedes}` : ''}.\n` +
        `Receipt saved to ${receiptFile}; check it with: etender verify-receipt --receipt ${receiptFile} --url ${api.baseUrl}\n`,
    );
  },
};

export const verifyReceiptCommand: CliCommand = {
  name: 'verify-receipt',
  summary: "check a receipt and the log's promise to include it",
  help: `etender verify-receipt — check a receipt: its signature, the log's signed promise to include the
submission (or withdrawal) entry when bidding closes, and — with --url, once bidding on the section
has closed — that the log honoured it: the entry is the promised one and a signed checkpoint includes
it. Before the close the log holds submission entries back (it must not count bids), so only the
promise can be checked. A promise not honoured within its delay is reported as evidence (exit 3):
keep the receipt. Offline with --keys (save them once from GET /api/pki/keys), or fetch the keys with
--url. With --in, also check the sealed file is the one received.

Example:
  etender verify-receipt --receipt bid.age.receipt.json --url http://127.0.0.1:3000 --in bid.age
  curl -s http://127.0.0.1:3000/api/pki/keys > keys.json
  etender verify-receipt --receipt bid.age.receipt.json --keys keys.json`,
  options: { receipt: { type: 'string' }, keys: { type: 'string' }, url: { type: 'string' }, in: { type: 'string' } },
  async run(v) {
    const receipt = JSON.parse(readFile(need(v, 'receipt', 'etender verify-receipt --receipt receipt.json --keys keys.json'), 'receipt file').toString('utf8')) as Receipt;
    const url = str(v, 'url');
    const keys: PublishedKeys = str(v, 'keys')
      ? JSON.parse(readFile(str(v, 'keys')!, 'keys file').toString('utf8'))
      : await apiJson<PublishedKeys>({ baseUrl: need(v, 'url', 'etender verify-receipt --receipt r.json --url http://127.0.0.1:3000') }, 'GET', 'api/pki/keys');
    let file: { sha256: string; size: number } | undefined;
    if (str(v, 'in')) {
      const bytes = readFile(str(v, 'in')!, 'sealed file');
      file = { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    }
    const merkle = { leafHash, verifyInclusion };
    const problems = verifyReceipt(receipt, keys, merkle, file);
    if (problems.length) {
      process.stdout.write(`Receipt NOT valid:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      process.exitCode = 1;
      return;
    }
    const what = `bid ${receipt.bid.id} for section ${receipt.section.code || receipt.section.id}, ${receipt.kind} at ${new Date(receipt.receivedAt).toISOString()}`;
    if (receipt.log) {
      process.stdout.write(`Receipt valid: ${what}, audit log entry ${receipt.log.index} included in the signed tree of size ${receipt.log.checkpoint.size}.\n`);
      return;
    }
    if (!url) {
      process.stdout.write(`Receipt valid: ${what}; the log's promise of inclusion is signed. Inclusion not checked (give --url once bidding has closed).\n`);
      return;
    }
    const verdict = judgeInclusion(receipt, await promiseAnswer(url, receipt), await closingFacts(url, receipt.section.id), Date.now(), keys, merkle);
    if (verdict.verdict === 'included') {
      process.stdout.write(`Receipt valid: ${what}; the log honoured its promise: entry ${verdict.index}, included in the signed tree of size ${verdict.checkpointSize}.\n`);
    } else if (verdict.verdict === 'not_yet_due') {
      const due = verdict.dueAt === null ? 'after the close of bidding' : `by ${new Date(verdict.dueAt).toISOString()}`;
      process.stdout.write(`Receipt valid: ${what}; the log's signed promise holds. The entry joins the public log when bidding closes (${due}); run this again then to check its inclusion.\n`);
    } else {
      process.stdout.write(
        `EVIDENCE: the log broke its signed promise for ${what}:\n${verdict.problems.map((p) => `  - ${p}`).join('\n')}\n` +
          'The receipt and its promise are signed by the platform: keep them and raise an objection with the centre and its supervisor.\n',
      );
      process.exitCode = 3;
    }
  },
};

/** The log's answer about the receipt's promise; null when it says it knows no such promise. */
async function promiseAnswer(baseUrl: string, receipt: Receipt): Promise<PromiseAnswer> {
  try {
    return await apiJson<PromiseAnswer>({ baseUrl }, 'GET', `api/audit/promises/${promiseDigest(receipt.promise!)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** When bidding on the section closes (the public deadline, or its cancellation). */
async function closingFacts(baseUrl: string, sectionId: string): Promise<{ bidDeadlineAt: number | null; cancelledAt: number | null }> {
  const { section } = await apiJson<{ section: { bidDeadlineAt: number | null; cancelledAt: number | null } }>({ baseUrl }, 'GET', `api/sections/${encodeURIComponent(sectionId)}`);
  return { bidDeadlineAt: section.bidDeadlineAt, cancelledAt: section.cancelledAt };
}

export const withdrawCommand: CliCommand = {
  name: 'bid withdraw',
  summary: 'withdraw your bid before the deadline (signed receipt)',
  help: `etender bid withdraw — withdraw the bid that currently counts, before the deadline

Example:
  etender bid withdraw --url http://127.0.0.1:3000 --token $T --bid 01J… --receipt withdrawal.json`,
  options: { url: { type: 'string' }, token: { type: 'string' }, bid: { type: 'string' }, receipt: { type: 'string' } },
  async run(v) {
    const bid = need(v, 'bid', 'etender bid withdraw --bid 01J… …');
    const result = await apiJson<{ receipt: Receipt }>(client(v), 'POST', `api/bids/${bid}/withdraw`);
    const file = str(v, 'receipt') ?? `withdrawal-${bid}.json`;
    fs.writeFileSync(file, JSON.stringify(result.receipt, null, 2) + '\n');
    process.stdout.write(`Withdrawn: bid ${bid}. Receipt saved to ${file}.\n`);
  },
};

export const BIDDER_COMMANDS = [packageCommand, sealCommand, signCommand, submitCommand, verifyReceiptCommand, withdrawCommand];
