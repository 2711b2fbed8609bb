// The bid package (docs/sealed-bids.md §2): a tar archive whose first member is bid.json
// (section, bidder, the price form and the list of attachments with their sizes and SHA-256),
// followed by the attachments in that order, encrypted with age to the section's recipient.
// Sealing runs on the bidder's machine; everything streams, so large attachments never sit in memory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Decrypter, Encrypter } from 'age-encryption';
import tar from 'tar-stream';
import { bidDocumentSchema, type BidDocument } from '../formats/bid-document';

export { BID_FORMAT, PRICE_FORM, priceOtherSchema, bidDocumentSchema, type BidDocument } from '../formats/bid-document';

async function fileDigest(file: string): Promise<{ size: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { size, sha256: hash.digest('hex') };
}

/** A pass-through that hashes and counts what flows through it. */
export function digestStream(onProgress?: (bytes: number) => void): Transform & { result(): { sha256: string; size: number } } {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      onProgress?.(size);
      done(null, chunk);
    },
  }) as Transform & { result(): { sha256: string; size: number } };
  let digest: string | null = null;
  t.result = () => ({ sha256: (digest ??= hash.digest('hex')), size });
  return t;
}

/** Writes the plaintext tar of a bid to `sink`: bid.json first, then every attachment. */
export async function writeBidTar(document: Omit<BidDocument, 'attachments'>, attachmentPaths: string[], sink: Writable): Promise<BidDocument> {
  const attachments: BidDocument['attachments'] = [];
  const names = new Set<string>();
  for (const file of attachmentPaths) {
    const name = path.basename(file);
    if (names.has(name)) throw new Error(`two attachments are both named "${name}"; rename one`);
    names.add(name);
    attachments.push({ name, ...(await fileDigest(file)) });
  }
  const checked = bidDocumentSchema.safeParse({ ...document, attachments });
  if (!checked.success) {
    // A person reads this (etender seal / package): name the fields, as the opening would judge them.
    throw new Error(`bid.json would be invalid: ${checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const full = checked.data;
  const pack = tar.pack();
  const done = pipeline(pack as unknown as Readable, sink);
  const json = Buffer.from(JSON.stringify(full, null, 2) + '\n', 'utf8');
  await new Promise<void>((resolve, reject) => pack.entry({ name: 'bid.json', size: json.length, mtime: new Date(0) }, json, (err) => (err ? reject(err) : resolve())));
  for (let i = 0; i < attachmentPaths.length; i++) {
    const meta = attachments[i]!;
    const entry = pack.entry({ name: meta.name, size: meta.size, mtime: new Date(0) });
    await pipeline(fs.createReadStream(attachmentPaths[i]!), entry as unknown as Writable);
  }
  pack.finalize();
  await done;
  return full;
}

export interface SealResult {
  sha256: string;
  size: number;
  document: BidDocument;
}

/** Builds the bid tar and encrypts it with age to `recipient`, streaming into `outPath`. */
export async function sealBid(options: {
  document: Omit<BidDocument, 'attachments'>;
  attachments: string[];
  recipient: string;
  outPath: string;
  onProgress?: (bytes: number) => void;
}): Promise<SealResult> {
  const plain = new PassThrough();
  const building = writeBidTar(options.document, options.attachments, plain);
  const encrypter = new Encrypter();
  encrypter.addRecipient(options.recipient);
  const sealed = await encrypter.encrypt(Readable.toWeb(plain) as unknown as ReadableStream<Uint8Array>);
  const digest = digestStream(options.onProgress);
  const writing = pipeline(Readable.fromWeb(sealed as unknown as WebReadableStream<Uint8Array>), digest, fs.createWriteStream(options.outPath, { flags: 'w', mode: 0o600 }));
  const [document] = await Promise.all([building, writing]);
  return { ...digest.result(), document };
}

export interface OpenedBid {
  document: BidDocument;
  /** Name → bytes digest check results, in archive order. */
  attachments: Array<{ name: string; size: number; sha256: string; matches: boolean }>;
}

/**
 * Decrypts a sealed bid with the opening identity and checks its inside: bid.json first and valid,
 * then exactly the listed attachments with the listed sizes and digests. Streams the attachments.
 */
export async function openBid(sealed: Readable, identity: string): Promise<OpenedBid> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  const plain = await decrypter.decrypt(Readable.toWeb(sealed) as unknown as ReadableStream<Uint8Array>);
  const extract = tar.extract();
  let document: BidDocument | null = null;
  const seen: OpenedBid['attachments'] = [];
  const consumed = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      const hash = crypto.createHash('sha256');
      let size = 0;
      const first = document === null && seen.length === 0;
      stream.on('data', (data: unknown) => {
        const c = data as Buffer;
        size += c.length;
        hash.update(c);
        if (first && size <= 1024 * 1024) chunks.push(c);
      });
      stream.on('end', () => {
        if (first) {
          if (header.name !== 'bid.json') return reject(new Error(`the first member of the package is "${header.name}", not bid.json`));
          const parsed = bidDocumentSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          if (!parsed.success) return reject(new Error(`bid.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
          document = parsed.data;
        } else {
          const listed = document?.attachments[seen.length];
          const sha256 = hash.digest('hex');
          seen.push({ name: header.name, size, sha256, matches: !!listed && listed.name === header.name && listed.size === size && listed.sha256 === sha256 });
        }
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  await Promise.all([pipeline(Readable.fromWeb(plain as unknown as WebReadableStream<Uint8Array>), extract as unknown as Writable), consumed]);
  if (!document) throw new Error('the package is empty');
  const doc = document as BidDocument;
  if (seen.length !== doc.attachments.length) throw new Error(`bid.json lists ${doc.attachments.length} attachments but the package holds ${seen.length}`);
  return { document: doc, attachments: seen };
}
