// Sealed bid submission (EB 26–27): checks the signed manifest and the certificate, streams the
// ciphertext to disk while hashing it, judges the deadline by the server clock when the upload
// completes, records the bid and its audit entry in one transaction, and answers with a signed
// receipt. Nothing here can read a bid: the server holds only ciphertext until the opening.
import type crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, requireRole, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, tooLarge } from '../core/errors';
import { newId } from '../core/ids';
import type { Signer } from '../core/signing';
import { isUniqueViolation, type Db, type InTransaction, type Tx } from '../../db/transactions';
import type { AuditService, TxAudit } from '../audit/audit-service';
import type { OrgFacts } from '../orgs/org-facts';
import { commitOrDiscard, type BlobStore } from '../storage/blob-store';
import type { SectionFacts, TxSectionFacts } from '../tenders/section-facts';
import { manifestSchema, sha256Hex, verifyManifestSignature, type Manifest } from './manifest';
import { canonicalBytes } from './manifest';
import type { LogPromise } from '../audit/log-promise';
import { RECEIPT_FORMAT, signReceipt, type Receipt } from './receipt';
import { sealedFormatGuard } from './sealed-format';
import { isBeforeDeadline } from '../lifecycle/lifecycle';
import type { MyBids, OwnBid } from './bids-schemas';
import * as store from './bids-store';

/** The stored status of a version as the bidder's overview names it. */
const VERSION_STATUS = { active: 'current', superseded: 'replaced', withdrawn: 'withdrawn' } as const satisfies Record<store.BidStatus, MyBids['sections'][number]['versions'][number]['status']>;

/** What the PKI answers about a certificate checked for a use at an instant. */
type CheckedCertificate = { fingerprint: string; userId: string | null; orgId: string | null; publicKey: crypto.KeyObject };

/** What bids needs of the PKI: a certificate sent along, or the registered one behind a fingerprint, checked at a given instant. */
export interface CertificateChecker {
  checkRegisteredCertificate(fingerprint: string, options: { at: number; usage: 'signing' | 'encryption' }): Promise<CheckedCertificate | null>;
  checkCertificate(pemOrDer: string | Buffer, options: { at: number; usage: 'signing' | 'encryption' }): Promise<CheckedCertificate>;
}

/** What bids needs of custody: the recipient every bid of a section must be sealed to. */
export interface RecipientSource {
  recipientOf(sectionId: string): Promise<string | null>;
}

/** What a bid's unit of work needs: the log's promises, and the section's lock against the deadline. */
export type BidsTx = { audit: Pick<TxAudit, 'promise' | 'mergePromised'>; sections: Pick<TxSectionFacts, 'lockForBid'> };

export interface BidsDeps {
  knex: Knex;
  clock: Clock;
  /** Bids are held back as signed promises and merged into the log at the freeze. */
  audit: Pick<AuditService, 'promiseOf' | 'sectionsWithPromises' | 'checkpoint'>;
  inTransaction: InTransaction<BidsTx>;
  pki: CertificateChecker;
  custody: RecipientSource;
  sections: Pick<SectionFacts, 'biddingFacts'>;
  orgs: Pick<OrgFacts, 'isApproved'>;
  blobs: Pick<BlobStore, 'stage'>;
  receiptSigner: Signer;
  maxBidBytes: number;
  log: { warn(obj: object, msg: string): void };
}

export interface SubmissionHeaders {
  manifest: string | undefined;
  signature: string | undefined;
  certificate: string | undefined;
  contentLength: number | null;
}

const refuse = (status: number, code: string, message: string) => new AppError(status, code, message);
const deadlinePassed = (deadline: number) =>
  refuse(409, 'deadline_passed', `The bid deadline (${new Date(deadline).toISOString()}) has passed by the server's clock; no bid can be accepted any more (EB 27).`);

function parseManifestHeader(value: string | undefined): { manifest: Manifest; bytes: Buffer } {
  if (!value) throw refuse(422, 'manifest_missing', 'Send the signed manifest in the Etender-Manifest header (base64 of its canonical JSON).');
  const bytes = Buffer.from(value, 'base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw refuse(422, 'manifest_invalid', 'The Etender-Manifest header is not base64 of a JSON document.');
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError(
      422,
      'manifest_invalid',
      `The manifest is invalid: "${issue.path.join('.') || 'manifest'}" ${issue.message}.`,
      result.error.issues.map((i) => ({ field: `manifest.${i.path.join('.')}`, message: i.message })),
    );
  }
  if (!canonicalBytes(result.data).equals(bytes)) {
    throw refuse(422, 'manifest_not_canonical', 'The manifest must be sent exactly as signed, in RFC 8785 canonical JSON (sorted keys, no spaces).');
  }
  return { manifest: result.data, bytes };
}

export function createBidsService(deps: BidsDeps) {
  const { knex, clock, audit, inTransaction, pki, custody, sections, orgs, blobs } = deps;

  async function buildReceipt(bid: store.BidRow, kind: 'submission' | 'withdrawal', promise: LogPromise): Promise<Receipt> {
    return receiptOf((await sections.biddingFacts(bid.sectionId))!, bid, kind, promise);
  }

  function receiptOf(section: { id: string; code: string }, bid: Omit<store.BidRow, 'receipt'>, kind: 'submission' | 'withdrawal', promise: LogPromise): Receipt {
    return signReceipt(
      {
        format: RECEIPT_FORMAT,
        kind,
        section: { id: section.id, code: section.code },
        bidder: { orgId: bid.orgId, userId: bid.userId },
        certificate: bid.certificateFingerprint,
        bid: { id: bid.id, version: bid.version, ciphertextSha256: bid.ciphertextSha256, size: bid.size, manifestSha256: bid.manifestSha256, nonce: bid.nonce },
        receivedAt: kind === 'submission' ? bid.receivedAt : (bid.withdrawnAt ?? bid.receivedAt),
        supersedes: bid.supersedes,
        promise,
      },
      deps.receiptSigner,
    );
  }

  async function ownBid(ctx: RequestContext, bidId: string): Promise<store.BidRow> {
    const actor = requireActor(ctx);
    const bid = await store.findBid(knex, bidId);
    if (!bid || actor.orgId !== bid.orgId) throw notFound('The bid');
    return bid;
  }

  /**
   * Appends the section's promised submission and withdrawal entries to the log, in order of
   * receipt, and records each submission's log index: at the freeze (inside its transaction, so
   * the freeze entry follows them) or, for a cancelled section, from the scheduler.
   */
  async function mergeIn(tx: Tx<BidsTx>, sectionId: string): Promise<number> {
    const merged = await tx.audit.mergePromised(sectionId);
    for (const m of merged.values()) if (m.action === 'bid.submitted') await store.setAuditIdx(tx.db, m.objectId, m.idx);
    return merged.size;
  }

  return {
    /** The bids' step inside the freeze's unit of work. */
    on: (tx: Tx<BidsTx>) => ({ mergeIntoLog: (sectionId: string) => mergeIn(tx, sectionId) }),

    /** Accepts one sealed bid; returns its signed receipt. */
    async submit(ctx: RequestContext, sectionId: string, headers: SubmissionHeaders, body: Readable): Promise<Receipt> {
      const actor = requireRole(ctx, ['bidder'], 'submit bids');
      if (!actor.orgId || !(await orgs.isApproved(actor.orgId))) {
        throw forbidden('Your organisation has not been approved by the centre yet; bids are accepted from approved organisations only.');
      }
      const section = await sections.biddingFacts(sectionId);
      if (!section || section.publishedAt === null) throw notFound('The section');
      if (section.state !== 'bidding') throw invalidTransition(`This section is ${section.state}; bids are accepted only while it is open for bids.`, { state: section.state });
      const deadline = section.bidDeadlineAt!;
      if (clock.now() >= deadline) throw deadlinePassed(deadline);

      const { manifest, bytes } = parseManifestHeader(headers.manifest);
      if (manifest.section !== sectionId) throw refuse(422, 'manifest_mismatch', 'The manifest names another section than the one you are submitting to.');
      if (manifest.bidder !== actor.orgId) throw refuse(422, 'manifest_mismatch', 'The manifest names another bidder than your organisation.');
      const recipient = await custody.recipientOf(sectionId);
      if (!recipient || manifest.recipient !== recipient) {
        throw refuse(422, 'wrong_recipient', `The bid is sealed to ${manifest.recipient}, but this section's opening recipient is ${recipient}; seal it again to the published recipient.`);
      }
      // The certificate is read from the register once and parsed once: checked there for this use now.
      const certAt = { at: clock.now(), usage: 'signing' as const };
      const cert = headers.certificate ? await pki.checkCertificate(Buffer.from(headers.certificate, 'base64'), certAt) : await pki.checkRegisteredCertificate(manifest.certificate, certAt);
      if (!cert)
        throw refuse(422, 'certificate_unknown', 'The certificate named in the manifest is not known here; request one with "etender cert request", or send it in the Etender-Certificate header.');
      if (cert.fingerprint !== manifest.certificate) throw refuse(422, 'certificate_mismatch', 'The certificate sent is not the one the manifest names.');
      if (cert.orgId !== actor.orgId) throw refuse(422, 'certificate_not_yours', "The manifest is signed with another bidder's certificate; sign it with your own representative's key.");
      if (!verifyManifestSignature(bytes, headers.signature ?? '', cert.publicKey)) {
        throw refuse(422, 'bad_signature', 'The manifest signature does not verify with the certificate (RSA-PSS, SHA-256, salt 32 over the canonical manifest).');
      }
      const manifestSha256 = sha256Hex(bytes);
      if (await store.replayOf(knex, manifest.nonce, manifestSha256)) {
        throw refuse(409, 'replay', 'This manifest or its nonce was already used; every submission needs a new manifest with a fresh nonce.');
      }
      if (headers.contentLength !== null && headers.contentLength > deps.maxBidBytes) {
        throw tooLarge(`The bid is ${headers.contentLength} bytes; the limit is ${deps.maxBidBytes} bytes.`);
      }
      if (manifest.ciphertext.size > deps.maxBidBytes) throw tooLarge(`The manifest declares ${manifest.ciphertext.size} bytes; the limit is ${deps.maxBidBytes} bytes.`);

      const staged = await blobs.stage(body, { maxBytes: deps.maxBidBytes, inspect: sealedFormatGuard(), declaredBytes: manifest.ciphertext.size });
      if (staged.sha256 !== manifest.ciphertext.sha256 || staged.size !== manifest.ciphertext.size) {
        await staged.discard();
        throw refuse(
          422,
          'digest_mismatch',
          `The uploaded file (SHA-256 ${staged.sha256}, ${staged.size} bytes) is not the one the manifest was signed for (SHA-256 ${manifest.ciphertext.sha256}, ${manifest.ciphertext.size} bytes): it was truncated or changed. Nothing was stored.`,
        );
      }
      // The deadline is judged when the upload has completed, by this server's clock only.
      const receivedAt = clock.now();
      if (receivedAt >= deadline) {
        await staged.discard();
        deps.log.warn({ section: sectionId, org: actor.orgId, receivedAt }, 'bid refused: upload completed after the deadline');
        throw deadlinePassed(deadline);
      }
      // Durable before the database names it: no receipt ever points at a missing file.
      await commitOrDiscard(staged);

      const bidId = newId();
      let receipt: Receipt;
      try {
        receipt = await inTransaction(async (tx) => {
          if (!(await tx.sections.lockForBid(sectionId, receivedAt))) throw deadlinePassed(deadline);
          // One read: this bidder's versions (the one that counts, the next number) and other
          // bidders' bids with the same ciphertext. The section's lock above orders this
          // transaction against every other bid for the section, so nothing changes in between.
          const { previous, version, twins } = await store.submissionFacts(tx.db, sectionId, actor.orgId!, staged.sha256);
          if (previous && !(await store.retire(tx.db, previous.id, 'superseded', receivedAt))) {
            throw conflict('Your previous bid was replaced or withdrawn by another request at the same time; reload and try again.');
          }
          // Promised, not appended: the entry joins the public log when bidding on the section
          // closes, so nobody — auditors included — learns from the log who bids, or how many,
          // before the deadline (EB 21). The receipt carries the log's signed promise meanwhile.
          const promised = await tx.audit.promise(
            ctx,
            {
              action: 'bid.submitted',
              objectType: 'bid',
              objectId: bidId,
              data: { section: sectionId, bidder: actor.orgId, manifestSha256, ciphertextSha256: staged.sha256, size: staged.size, certificate: cert.fingerprint, supersedes: previous?.id ?? null },
            },
            sectionId,
            receivedAt,
          );
          const row: Omit<store.BidRow, 'receipt'> = {
            id: bidId,
            sectionId,
            orgId: actor.orgId!,
            userId: actor.userId,
            version,
            status: 'active',
            supersedes: previous?.id ?? null,
            ciphertextSha256: staged.sha256,
            size: staged.size,
            manifest: bytes.toString('utf8'),
            manifestSha256,
            nonce: manifest.nonce,
            signature: headers.signature!,
            certificateFingerprint: cert.fingerprint,
            receivedAt,
            withdrawnAt: null,
            auditIdx: null,
          };
          // Signed from the row as it is stored, and stored with it: the receipt is there the
          // moment the bid is, with no second write (and no reading back what was just written).
          const signed = receiptOf(section, row, 'submission', promised);
          await store.insertBid(tx.db, row, JSON.stringify(signed));
          if (twins.length) {
            await store.insertSignal(tx.db, {
              id: newId(),
              sectionId,
              kind: 'duplicate_ciphertext',
              detail: { ciphertextSha256: staged.sha256, bids: [bidId, ...twins.map((t) => t.id)], orgs: [actor.orgId, ...new Set(twins.map((t) => t.orgId))] },
              createdAt: receivedAt,
            });
          }
          return signed;
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          if (await store.replayOf(knex, manifest.nonce, manifestSha256)) throw refuse(409, 'replay', 'This manifest or its nonce was already used.');
          throw conflict('Another bid of yours for this section was accepted at the same moment; reload your bids and try again.');
        }
        throw err;
      }
      return receipt;
    },

    /** Withdraws the bid that currently counts, before the deadline (EB 27); answers with a signed receipt. */
    async withdraw(ctx: RequestContext, bidId: string): Promise<Receipt> {
      requireRole(ctx, ['bidder'], 'withdraw bids');
      const bid = await ownBid(ctx, bidId);
      const section = (await sections.biddingFacts(bid.sectionId))!;
      const now = clock.now();
      if (now >= section.bidDeadlineAt!) throw deadlinePassed(section.bidDeadlineAt!);
      const promise = await inTransaction(async (tx) => {
        if (!(await tx.sections.lockForBid(bid.sectionId, now))) throw deadlinePassed(section.bidDeadlineAt!);
        if (!(await store.retire(tx.db, bidId, 'withdrawn', now))) {
          throw conflict('Only the bid that currently counts can be withdrawn; this one was already replaced or withdrawn.');
        }
        return tx.audit.promise(ctx, { action: 'bid.withdrawn', objectType: 'bid', objectId: bidId, data: { section: bid.sectionId, manifestSha256: bid.manifestSha256 } }, bid.sectionId, now);
      });
      return buildReceipt((await store.findBid(knex, bidId))!, 'withdrawal', promise);
    },

    /** The bidder's own versions for a section: the only bid count anyone may learn before the deadline. */
    async myBids(ctx: RequestContext, sectionId: string): Promise<OwnBid[]> {
      const actor = requireRole(ctx, ['bidder'], 'list your bids');
      const rows = await store.bidsOfOrg(knex, sectionId, actor.orgId!);
      return rows.map((b) => ({
        id: b.id,
        version: b.version,
        status: b.status,
        receivedAt: b.receivedAt,
        withdrawnAt: b.withdrawnAt,
        supersedes: b.supersedes,
        ciphertextSha256: b.ciphertextSha256,
        size: b.size,
        manifestSha256: b.manifestSha256,
      }));
    },

    /** Every version of the bidder organisation's bids, per section: "my bids" across the platform. */
    async myBidsEverywhere(ctx: RequestContext): Promise<MyBids> {
      const actor = requireRole(ctx, ['bidder'], 'list your bids');
      if (!actor.orgId) return { sections: [] };
      const rows = await store.bidsOfOrgEverywhere(knex, actor.orgId);
      const bySection = new Map<string, store.BidRow[]>();
      for (const b of rows) bySection.set(b.sectionId, [...(bySection.get(b.sectionId) ?? []), b]);
      const out: MyBids['sections'] = [];
      for (const [sectionId, versions] of bySection) {
        const s = (await sections.biddingFacts(sectionId))!;
        out.push({
          section: { id: s.id, code: s.code, title: s.title, state: s.state, bidDeadlineAt: s.bidDeadlineAt },
          versions: versions.map((b) => ({
            id: b.id,
            version: b.version,
            status: VERSION_STATUS[b.status],
            receivedAt: b.receivedAt,
            withdrawnAt: b.withdrawnAt,
            supersedes: b.supersedes,
            size: b.size,
            ciphertextSha256: b.ciphertextSha256,
            manifestSha256: b.manifestSha256,
            receiptUrl: `/api/bids/${encodeURIComponent(b.id)}/receipt`,
          })),
        });
      }
      // Newest deadline first: the sections a bidder still works on come before the finished ones.
      out.sort((a, b) => (b.section.bidDeadlineAt ?? 0) - (a.section.bidDeadlineAt ?? 0) || a.section.code.localeCompare(b.section.code));
      return { sections: out };
    },

    async receipt(ctx: RequestContext, bidId: string): Promise<Receipt> {
      const bid = await ownBid(ctx, bidId);
      if (bid.receipt) return JSON.parse(bid.receipt) as Receipt;
      // The process stopped between commit and receipt: make it now from the stored facts (the
      // promise was stored with the bid, in the same transaction).
      const promise = await audit.promiseOf(bid.id, 'bid.submitted');
      if (!promise) throw new Error(`bid ${bid.id} has no stored promise of inclusion`);
      const receipt = await buildReceipt(bid, 'submission', promise);
      await store.saveReceipt(knex, bid.id, JSON.stringify(receipt));
      return receipt;
    },

    /**
     * The signed receipt of a withdrawal, as POST /api/bids/:id/withdraw answered it: made again from
     * the stored facts (the withdrawal time and the log's promise, stored in the withdrawal's
     * transaction); Ed25519 is deterministic, so it is the same receipt byte for byte.
     */
    async withdrawalReceipt(ctx: RequestContext, bidId: string): Promise<Receipt> {
      const bid = await ownBid(ctx, bidId);
      const promise = bid.status === 'withdrawn' ? await audit.promiseOf(bid.id, 'bid.withdrawn') : null;
      if (!promise) throw notFound('The withdrawal of this bid');
      return buildReceipt(bid, 'withdrawal', promise);
    },

    /** For the opening: the bids that count (active at the deadline), in order of receipt. No visibility rules. */
    countedBids(sectionId: string, db: Db = knex): Promise<store.BidRow[]> {
      return store.activeBidsOfSection(db, sectionId);
    },

    /** Merges the promises of sections no longer taking bids that were not frozen (cancelled ones); the scheduler calls this. */
    async mergeClosedSections(): Promise<Array<{ section: string; merged: number }>> {
      const done: Array<{ section: string; merged: number }> = [];
      for (const sectionId of await audit.sectionsWithPromises()) {
        const section = await sections.biddingFacts(sectionId);
        if (!section || isBeforeDeadline(section.state)) continue;
        const merged = await inTransaction((tx) => mergeIn(tx, sectionId));
        if (merged) done.push({ section: sectionId, merged });
      }
      if (done.length) await audit.checkpoint(); // the merged entries are covered at once
      return done;
    },

    /** For the opening: one bid row by id, without visibility rules. */
    bidById(id: string): Promise<store.BidRow | null> {
      return store.findBid(knex, id);
    },

    /** For the opening: true when the organisation has any bid (any version) in the section. */
    async hasBid(sectionId: string, orgId: string): Promise<boolean> {
      return (await store.bidsOfOrg(knex, sectionId, orgId)).length > 0;
    },

    /** Supervisor signals of a section, shown once its deadline has passed (before it, even they may not count bids). */
    async signals(ctx: RequestContext, sectionId: string) {
      const actor = requireActor(ctx);
      if (!isOverseer(actor)) throw forbidden('Only supervisors, auditors and admins see supervision signals.');
      const section = await sections.biddingFacts(sectionId);
      if (!section) throw notFound('The section');
      if (isBeforeDeadline(section.state)) {
        throw invalidTransition('Signals about bids are shown after the bid deadline; before it nobody may learn who bids (EB 21).', { state: section.state });
      }
      return store.signalsOf(knex, sectionId);
    },
  };
}

export type BidsService = ReturnType<typeof createBidsService>;
export type TxBids = ReturnType<BidsService['on']>;
