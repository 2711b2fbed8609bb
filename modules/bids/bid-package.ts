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
import { Encrypter } from 'age-encryption';
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
    throw new Error(
      `bid.json would be invalid: ${checked.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
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
