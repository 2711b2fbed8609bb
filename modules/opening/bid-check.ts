// One counted bid at the opening: check the stored ciphertext against the digest received, decrypt
// it (streaming, native age), read the tar (bid.json first, then the listed attachments), compare
// the inside with the outside (section, bidder), and judge the price and the certificate. Every
// failure becomes a result with its cause, classed by whose fault it is (EB 31): the bidder's →
// revoked (撤销); the platform's (a missing or damaged stored file) → withdrawn (撤回).
import crypto from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { z } from 'zod';
import { formatYuan, parseYuan } from '../core/money';
import { bidDocumentSchema } from '../bids/bid-package';
import { readTar } from '../bids/tar-reader';
import { AgeError, ageDecryptStream, type X25519Identity } from './age-native';
import type { FrozenBid } from './opening-store';

/**
 * bid.json as the opening reads it. The amount and the rest of the price form are checked
 * separately, so that a bad amount or a price outside the form makes the bid invalid (with a
 * remark) rather than unreadable.
 */
const openedDocumentSchema = bidDocumentSchema.extend({
  price: z.looseObject({ amount: z.string().max(64) }),
});
type OpenedDocument = z.infer<typeof openedDocumentSchema>;

/** The price form's fields other than the amount, each with its bounds (bid-package.ts). */
const PRICE_FIELDS: Record<string, z.ZodType> = {
  durationDays: bidDocumentSchema.shape.price.shape.durationDays,
  quality: bidDocumentSchema.shape.price.shape.quality,
  other: bidDocumentSchema.shape.price.shape.other,
};

/** At most `n` characters of a bidder's text, for messages that go into the public record. */
const clip = (text: string, n = 40) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** A zod error as a short message: the first few issues, each path and message clipped (paths may hold a bidder's keys). */
function issuesText(error: z.ZodError, prefix = ''): string {
  const shown = error.issues.slice(0, 3).map(
    (i) =>
      `${clip(
        prefix +
          i.path
            .map(String)
            .map((p) => clip(p))
            .join('.'),
        120,
      )}: ${clip(i.message, 200)}`,
  );
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

export type BidStatus = 'opened' | 'revoked' | 'withdrawn';

export interface BidResult {
  seq: number;
  bidId: string;
  bidder: { orgId: string; name: string; creditCode: string };
  receivedAt: number;
  ciphertextSha256: string;
  size: number;
  manifestSha256: string;
  receiptLogIndex: number;
  certificate: string;
  decryption: 'ok' | 'failed';
  status: BidStatus;
  cause: { code: string; message: string } | null;
  price: { amount: string; durationDays?: number; quality?: string; other?: Record<string, string> } | null;
  attachments: Array<{ name: string; size: number; sha256: string }> | null;
  validity: 'valid' | 'invalid' | null;
  remarks: string[];
}

export interface BidCheckDeps {
  /** The stored ciphertext; `readSize` is how many bytes the opening would like per read. */
  open(sha256: string, options?: { readSize?: number }): Readable;
  exists(sha256: string): Promise<boolean>;
  /** Throws (with a message) when the certificate was not valid at `at`. */
  checkCertificate(fingerprint: string, at: number): Promise<void>;
}

export interface SectionForCheck {
  id: string;
  code: string;
  direction: 'cost' | 'revenue';
  referencePriceFen: bigint;
  referenceKind: string;
}

class PackageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Bytes per read of a stored ciphertext at the opening: four age chunks. Fewer, larger reads cost
 * less than one read per 64 KiB chunk, and most chunks are then decrypted in place (see age-native.ts).
 */
export const OPENING_READ_SIZE = 256 * 1024;

async function digestOf(stream: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A fault of the platform's storage while reading the ciphertext: never the bidder's, so it is not judged here. */
class StorageReadError extends Error {
  constructor(cause: unknown) {
    super(`reading the stored ciphertext failed: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

/**
 * Decrypts and reads the package as it streams: bid.json first, then exactly the listed attachments.
 * Every byte read is hashed on its way into the decrypter (`hash`); the stream's `complete` says
 * whether the hash saw the whole file.
 */
async function readPackage(
  sealed: Readable,
  identity: X25519Identity,
  sealedSize: number,
  hash: crypto.Hash,
): Promise<{ document: OpenedDocument; attachments: Array<{ name: string; size: number; sha256: string }> }> {
  // A system error of the read itself (EIO, ENOENT, …), as opposed to the decrypter's or the tar
  // reader's error that the pipeline passes back to the source when it tears down.
  let readError: unknown = null;
  sealed.on('error', (err: NodeJS.ErrnoException) => {
    if (err.syscall !== undefined) readError ??= err;
  });
  try {
    return await readDecrypted(sealed, identity, sealedSize, hash);
  } catch (err) {
    if (readError) throw new StorageReadError(readError);
    throw err;
  }
}

async function readDecrypted(sealed: Readable, identity: X25519Identity, sealedSize: number, hash: crypto.Hash) {
  // Errors of either stream reach the reader through the decrypted stream's iterator (AgeError stays AgeError).
  const decrypter = ageDecryptStream(identity, { hash });
  const plain = pipeline(sealed, decrypter, () => {});
  let document: OpenedDocument | null = null;
  const seen: Array<{ name: string; size: number; sha256: string }> = [];
  // age adds bytes, never removes them: no member of the plaintext can be larger than the sealed file.
  for await (const entry of readTar(plain, { maxEntrySize: sealedSize })) {
    if (document === null) {
      if (entry.size > 1024 * 1024) throw new PackageError('bad_bid_json', 'bid.json is larger than 1 MiB');
      const chunks: Buffer[] = [];
      for await (const piece of entry.body) chunks.push(Buffer.from(piece));
      if (entry.name !== 'bid.json') throw new PackageError('bad_package', `the first member of the package is "${clip(entry.name, 80)}", not bid.json`);
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new PackageError('bad_bid_json', 'bid.json is not JSON');
      }
      const parsed = openedDocumentSchema.safeParse(json);
      if (!parsed.success) throw new PackageError('bad_bid_json', `bid.json is invalid: ${issuesText(parsed.error)}`);
      document = parsed.data;
    } else {
      const hash = crypto.createHash('sha256');
      for await (const piece of entry.body) hash.update(piece);
      seen.push({ name: entry.name, size: entry.size, sha256: hash.digest('hex') });
    }
  }
  if (!document) throw new PackageError('bad_package', 'the package is empty');
  // The tar reader reads to the end of the plaintext, so the decrypter has seen the whole file.
  if (!decrypter.complete) throw new PackageError('bad_package', 'the package ended before the sealed file did');
  return { document, attachments: seen };
}

/** The result of one bid. Never throws for a problem of the bid itself; only for infrastructure faults of the caller. */
export async function checkBid(deps: BidCheckDeps, section: SectionForCheck, bid: FrozenBid, seq: number, bidder: { name: string; creditCode: string }, identity: X25519Identity): Promise<BidResult> {
  const base = {
    seq,
    bidId: bid.id,
    bidder: { orgId: bid.orgId, name: bidder.name, creditCode: bidder.creditCode },
    receivedAt: bid.receivedAt,
    ciphertextSha256: bid.ciphertextSha256,
    size: bid.size,
    manifestSha256: bid.manifestSha256,
    receiptLogIndex: bid.receiptLogIndex,
    certificate: bid.certificateFingerprint,
  };
  const failed = (status: 'revoked' | 'withdrawn', code: string, message: string): BidResult => ({
    ...base,
    decryption: 'failed',
    status,
    cause: { code, message },
    price: null,
    attachments: null,
    validity: null,
    remarks: [status === 'revoked' ? `撤销 (revoked, EB 31): ${message}` : `撤回 (withdrawn, EB 31): ${message}`],
  });

  // The platform's side first: is the stored file the one received? The file is read once: it is
  // hashed as it is decrypted, and nothing decrypted from it is judged before its digest is known to
  // be the one received. A file that does not decrypt to the end is hashed again in full, so that a
  // damaged stored file is the platform's fault (withdrawn), as it always was, and only a file that is
  // exactly what the bidder signed can be the bidder's fault.
  if (!(await deps.exists(bid.ciphertextSha256))) {
    return failed('withdrawn', 'ciphertext_missing', 'the stored ciphertext is missing on the platform; not the bidder’s fault');
  }
  const corrupted = () =>
    failed('withdrawn', 'ciphertext_corrupted', `the stored ciphertext no longer matches the digest received (${bid.ciphertextSha256}); the platform's storage is at fault, not the bidder`);
  const hash = crypto.createHash('sha256');
  let opened: Awaited<ReturnType<typeof readPackage>>;
  try {
    opened = await readPackage(deps.open(bid.ciphertextSha256, { readSize: OPENING_READ_SIZE }), identity, bid.size, hash);
  } catch (err) {
    if (err instanceof StorageReadError) throw err; // an infrastructure fault: the section is tried again
    if ((await digestOf(deps.open(bid.ciphertextSha256, { readSize: OPENING_READ_SIZE }))) !== bid.ciphertextSha256) return corrupted();
    // The file is exactly what the bidder signed: from here on, every defect is the bidder's.
    if (err instanceof AgeError) {
      if (err.code === 'no_identity_matched') return failed('revoked', 'not_decryptable', "the bid is not sealed to this section's opening key");
      return failed('revoked', 'damaged_ciphertext', `the sealed file as signed by the bidder does not decrypt: ${err.message}`);
    }
    if (err instanceof PackageError) return failed('revoked', err.code, err.message);
    return failed('revoked', 'bad_package', `the decrypted package is not a valid tar archive: ${(err as Error).message}`);
  }
  if (hash.digest('hex') !== bid.ciphertextSha256) return corrupted();
  // The file is exactly what the bidder signed: from here on, every defect is the bidder's.
  const doc = opened.document;
  if (doc.section.id !== section.id || doc.section.code !== section.code) {
    return failed('revoked', 'inner_outer_mismatch', `bid.json names section ${doc.section.code} (${doc.section.id}), but the bid was submitted for ${section.code} (${section.id})`);
  }
  if (doc.bidder.orgId !== bid.orgId) {
    return failed('revoked', 'inner_outer_mismatch', `bid.json names bidder ${doc.bidder.orgId} (${doc.bidder.name}), but the bid was submitted by ${bid.orgId}`);
  }
  const listed = doc.attachments;
  const same =
    listed.length === opened.attachments.length &&
    listed.every((a, i) => a.name === opened.attachments[i]!.name && a.size === opened.attachments[i]!.size && a.sha256 === opened.attachments[i]!.sha256);
  if (!same) {
    return failed(
      'revoked',
      'attachment_mismatch',
      `the attachments in the package do not match the sizes and SHA-256 digests listed in bid.json (listed ${listed.length}, found ${opened.attachments.length})`,
    );
  }

  const remarks: string[] = [];
  let validity: 'valid' | 'invalid' = 'valid';
  let cause: BidResult['cause'] = null;
  const invalid = (code: string, message: string) => {
    validity = 'invalid';
    cause ??= { code, message };
    remarks.push(message);
  };
  const amount = parseYuan(doc.price.amount);
  if (!amount.ok) {
    invalid('price_format', `the price "${doc.price.amount}" ${amount.reason}`);
  } else if (section.direction === 'cost' && amount.fen > section.referencePriceFen) {
    invalid('over_reference', `the price ${formatYuan(amount.fen)} is over the ${section.referenceKind.replace('_', ' ')} ${formatYuan(section.referencePriceFen)} (over the budget/control price)`);
  } else if (section.direction === 'revenue' && amount.fen < section.referencePriceFen) {
    invalid('under_reference', `the price ${formatYuan(amount.fen)} is under the ${section.referenceKind.replace('_', ' ')} ${formatYuan(section.referencePriceFen)}`);
  }
  // The rest of the price form: only what fits it reaches the record.
  const price: NonNullable<BidResult['price']> = { amount: doc.price.amount };
  const outside: string[] = [];
  for (const [field, value] of Object.entries(doc.price)) {
    if (field === 'amount') continue;
    const schema = PRICE_FIELDS[field];
    if (!schema) {
      outside.push(`"${clip(field)}" is not a field of the price form (amount, ${Object.keys(PRICE_FIELDS).join(', ')})`);
      continue;
    }
    const checked = schema.safeParse(value);
    if (checked.success) Object.assign(price, { [field]: checked.data });
    else outside.push(issuesText(checked.error, `price.${field}${checked.error.issues[0]?.path.length ? '.' : ''}`));
  }
  if (outside.length) {
    invalid(
      'price_form',
      `the price is outside the section's price form, and what is outside it is left out of this record: ${outside.slice(0, 3).join('; ')}${outside.length > 3 ? `; and ${outside.length - 3} more` : ''}`,
    );
  }
  try {
    await deps.checkCertificate(bid.certificateFingerprint, bid.receivedAt);
  } catch (err) {
    invalid('certificate', `the signing certificate was not valid when the bid was received: ${(err as Error).message}`);
  }
  return {
    ...base,
    decryption: 'ok',
    status: 'opened',
    cause,
    price,
    attachments: opened.attachments,
    validity,
    remarks,
  };
}
