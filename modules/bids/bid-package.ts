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
import { bidDocumentSchema, type BidDocument } from '../formats/bid-document';
import { quoteName, unsafeNameReason } from './tar-format';
import { type TarSource, tarChunks } from './tar-writer';

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
  // bid.json is the package's own first member: an attachment of that name would be a second one.
  const names = new Set<string>(['bid.json']);
  for (const file of attachmentPaths) {
    const name = path.basename(file);
    if (names.has(name)) throw new Error(`two attachments are both named "${name}" (or one is named bid.json); rename one`);
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new Error(`the file name ${quoteName(name)} cannot go into a bid package: ${unsafe}; rename it`);
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
  const json = Buffer.from(`${JSON.stringify(full, null, 2)}\n`, 'utf8');
  const entries: TarSource[] = [
    { name: 'bid.json', size: json.length, body: json },
    // Opened one by one as the tar is pulled, so only one attachment's read stream is open at a time.
    ...attachmentPaths.map((file, i) => ({ name: attachments[i]!.name, size: attachments[i]!.size, body: lazyFile(file) })),
  ];
  await pipeline(Readable.from(tarChunks(entries), { objectMode: false }), sink);
  return full;
}

/** A file's bytes, opened when first read. */
async function* lazyFile(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of fs.createReadStream(file)) yield chunk as Buffer;
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
