// The public opening (EB 29–32): at the deadline the bid set is frozen (log entry + signed
// checkpoint); too few bids → the section fails and nothing is decrypted; otherwise the opening key
// is rebuilt from the shares (the platform timer's by itself, custodians' as they release them),
// every counted bid is decrypted and checked (results kept as computed, so a crash resumes), and the
// opening record — with the opening secret key — is published, its SHA-256 in the 'section.opened' entry.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { HOUR } from '../core/clock';
import { isOverseer, requireActor, requireRole, SYSTEM_CONTEXT, type Actor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound } from '../core/errors';
import { newId } from '../core/ids';
import { formatYuan } from '../core/money';
import { isUniqueViolation, withRetry, type InTransaction } from '../../db/transactions';
import type { AuditAppender, AuditService } from '../audit/audit-service';
import type { Checkpoint } from '../formats/checkpoint';
import { OPENING_RECORD_FORMAT, type OpeningObjection, type OpeningRecord } from '../formats/opening-record';
import type { BidsService, TxBids } from '../bids/bids-service';
import type { CentresService } from '../centres/centres-service';
import type { CustodyService } from '../custody/custody-service';
import type { OrgFacts } from '../orgs/org-facts';
import type { BlobStore } from '../storage/blob-store';
import type { LifecycleEngine, TxLifecycle } from '../lifecycle/lifecycle-engine';
import type { SectionFacts } from '../tenders/section-facts';
import { parseIdentity } from './age-native';
import { checkBid, type BidResult } from './bid-check';
import { isBeforeDeadline } from '../lifecycle/lifecycle';
import * as store from './opening-store';
import { mayManageCentre } from '../core/access';

export const RECORD_FORMAT = OPENING_RECORD_FORMAT;
export const DEFAULT_RELEASE_WINDOW_HOURS = 24;
/** The states in which bidders raise objections at the opening (TBLS 44): while it runs and once its record is out, until the evaluation starts. */
const OBJECTION_STATES = new Set(['opening', 'opened']);

/** What the opening's units of work need: the log, the lifecycle's system steps, and the bids' merge at the freeze. */
export type OpeningTx = { audit: AuditAppender; lifecycle: Pick<TxLifecycle, 'systemTransition'>; bids: Pick<TxBids, 'mergeIntoLog'> };

export interface OpeningDeps {
  knex: Knex;
  clock: Clock;
  audit: Pick<AuditService, 'checkpoint'>;
  inTransaction: InTransaction<OpeningTx>;
  sections: Pick<SectionFacts, 'openingFacts'>;
  lifecycle: Pick<LifecycleEngine, 'sectionsToOpen' | 'underLease'>;
  bids: Pick<BidsService, 'countedBids' | 'bidById' | 'hasBid'>;
  custody: Pick<CustodyService, 'openingKey' | 'recordCustody'>;
  centres: Pick<CentresService, 'rules' | 'get'>;
  orgs: Pick<OrgFacts, 'publicFacts'>;
  pki: {
    getByFingerprint(fp: string): Promise<{ pem: string } | null>;
    checkCertificate(pem: string, o: { at: number; usage: 'signing' }): Promise<unknown>;
  };
  accounts: { actorById(id: string): Promise<Actor | null> };
  blobs: Pick<BlobStore, 'open' | 'exists'>;
  /** Test hook only (the crash test's worker): called after each bid result is stored. */
  afterBid?: (stored: number) => void;
}

/** 'error': this section's step threw (a corrupted row, an unreadable disk); it is tried again at the next pass. */
export type OpeningOutcome = { id: string; outcome: 'failed' | 'waiting' | 'opened' } | { id: string; outcome: 'error'; error: string };

/** The failure cause of a section whose opening key cannot be rebuilt (EB 31: not the bidders' fault). */
export const OPENING_KEY_FAILURE = 'opening_key_failure';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function createOpeningService(deps: OpeningDeps) {
  const { knex, clock, audit, inTransaction, sections, lifecycle, bids, custody, centres, orgs } = deps;

  async function facts(id: string) {
    const f = await sections.openingFacts(id);
    if (!f || f.section.publishedAt === null) throw notFound('The section');
    return f;
  }

  /**
   * Freezes the bid set once, in one transaction: the section's promised submission and withdrawal
   * entries join the log in order of receipt, then the freeze entry naming the bids that count and
   * the run row (unique per section). A signed checkpoint follows.
   */
  async function freeze(sectionId: string, code: string): Promise<store.OpeningRun> {
    let run = await store.findRun(knex, sectionId);
    if (!run) {
      try {
        await inTransaction(async (tx) => {
          await tx.bids.mergeIntoLog(sectionId);
          const frozen: store.FrozenBid[] = (await bids.countedBids(sectionId, tx.db)).map((b) => ({
            id: b.id,
            orgId: b.orgId,
            receivedAt: b.receivedAt,
            ciphertextSha256: b.ciphertextSha256,
            size: b.size,
            manifestSha256: b.manifestSha256,
            receiptLogIndex: b.auditIdx!,
            certificateFingerprint: b.certificateFingerprint,
          }));
          const entry = await tx.audit.append(SYSTEM_CONTEXT, {
            action: 'section.bids_frozen',
            objectType: 'section',
            objectId: sectionId,
            data: { code, count: frozen.length, bids: frozen.map((b) => ({ id: b.id, manifestSha256: b.manifestSha256, ciphertextSha256: b.ciphertextSha256, receiptLogIndex: b.receiptLogIndex })) },
          });
          await store.insertRun(tx.db, { sectionId, frozenAt: clock.now(), freezeIdx: entry.idx, bids: frozen });
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another process froze it first: theirs counts
      }
      run = (await store.findRun(knex, sectionId))!;
    }
    if (run.freezeCheckpoint === null) {
      await withRetry(async () => store.setFreezeCheckpoint(knex, sectionId, await audit.checkpoint()));
      run = (await store.findRun(knex, sectionId))!;
    }
    return run;
  }

  async function officialsOf(section: { id: string; createdBy: string }): Promise<store.Officials & { source: 'set' | 'default' }> {
    const set = await store.findOfficials(knex, section.id);
    if (set) return { presiding: set.presiding, recording: set.recording, supervising: set.supervising, source: 'set' };
    const op = await deps.accounts.actorById(section.createdBy);
    return { presiding: op ? `${op.displayName} (${op.username})` : 'operator', recording: 'platform', supervising: 'platform', source: 'default' };
  }

  function objectionJson(o: store.Objection): OpeningObjection {
    return { id: o.id, bidder: o.orgId, text: o.text, raisedAt: o.raisedAt, answer: o.answer, answeredAt: o.answeredAt };
  }

  async function checkOne(
    section: Awaited<ReturnType<typeof facts>>['section'],
    direction: 'cost' | 'revenue',
    bid: store.FrozenBid,
    seq: number,
    identity: ReturnType<typeof parseIdentity>,
  ): Promise<BidResult> {
    const org = await orgs.publicFacts(bid.orgId);
    return checkBid(
      {
        open: (sha, options) => deps.blobs.open(sha, options),
        exists: (sha) => deps.blobs.exists(sha),
        checkCertificate: async (fp, at) => {
          const cert = await deps.pki.getByFingerprint(fp);
          if (!cert) throw new Error(`certificate ${fp} is not in the register`);
          await deps.pki.checkCertificate(cert.pem, { at, usage: 'signing' });
        },
      },
      { id: section.id, code: section.code, direction, referencePriceFen: section.referencePriceFen, referenceKind: section.referenceKind },
      bid,
      seq,
      { name: org?.name ?? bid.orgId, creditCode: org?.creditCode ?? '' },
      identity,
    );
  }

  /** The opening record, assembled only from stored facts, in order of receipt: the same after a resume. */
  async function assembleRecord(f: Awaited<ReturnType<typeof facts>>, run: store.OpeningRun, identity: string, publicationCheckpoint: Checkpoint): Promise<OpeningRecord> {
    const s = f.section;
    const rules = await centres.rules(s.centre);
    const key = await custody.recordCustody(s.id);
    const results = await store.resultsOf(knex, s.id);
    const windowHours = rules.settings.releaseWindowHours ?? DEFAULT_RELEASE_WINDOW_HOURS;
    const officials = await officialsOf(s);
    return {
      format: RECORD_FORMAT,
      section: {
        id: s.id,
        code: s.code,
        title: s.title,
        round: s.round,
        project: f.project,
        centre: { code: s.centre, name: rules.nameZh, direction: rules.settings.direction },
        procedure: s.procedure,
        evaluationMethod: s.evaluationMethod,
        referenceKind: s.referenceKind,
        referencePrice: formatYuan(s.referencePriceFen),
      },
      openingTime: s.bidDeadlineAt!,
      officials: { presiding: officials.presiding, recording: officials.recording, supervising: officials.supervising },
      freeze: { auditIndex: run.freezeIdx, bidCount: run.bids.length, checkpoint: run.freezeCheckpoint },
      custody: {
        recipient: key.recipient,
        threshold: key.threshold,
        custodians: key.custodians,
        released: key.released,
        scheme: key.scheme,
        commitments: key.commitments,
        timeLock: key.timeLock,
        ...(key.ceremonyBy ? { ceremonyBy: key.ceremonyBy } : {}),
      },
      releaseWindow: { hours: windowHours, endsAt: s.bidDeadlineAt! + windowHours * HOUR, exceeded: run.overdueFlaggedAt !== null, flaggedAt: run.overdueFlaggedAt },
      bids: results.map((r) => ({ ...(r.result as BidResult), openingLogIndex: r.auditIdx })),
      objections: (await store.objectionsOf(knex, s.id)).map(objectionJson),
      openingKey: { recipient: key.recipient, identity },
      publication: { checkpoint: publicationCheckpoint },
    };
  }

  /** One section's opening, under the lease. Idempotent: every step checks what is already done. */
  async function openSection(id: string, renew: () => Promise<boolean>): Promise<OpeningOutcome | null> {
    let f = await facts(id);
    if (f.section.state === 'closed') {
      const run = await freeze(id, f.section.code);
      const rules = await centres.rules(f.section.centre);
      const min = rules.settings.minBids;
      if (run.bids.length < min) {
        const reason = `Too few bids to open: ${run.bids.length} received, the ${f.section.centre} centre's minimum is ${min} (TBLS 44, TBL 28). Nothing was decrypted; the section may be re-tendered.`;
        await inTransaction((tx) => tx.lifecycle.systemTransition(id, 'closed', 'failed', { failure_reason: reason }, { reason, rule: 'minBids', counted: run.bids.length, minimum: min }));
        return { id, outcome: 'failed' };
      }
      await inTransaction((tx) => tx.lifecycle.systemTransition(id, 'closed', 'opening', {}, { counted: run.bids.length }));
      f = await facts(id);
    }
    if (f.section.state !== 'opening') return null;
    let run = await freeze(id, f.section.code);
    const key = await custody.openingKey(id);
    if (key.status === 'waiting') return waiting(f, run, key);
    if (key.status === 'broken') return keyFailure(f, run, key);
    const identity = key.identity;
    const x = parseIdentity(identity);
    const rules = await centres.rules(f.section.centre);
    const done = new Set((await store.resultsOf(knex, id)).map((r) => r.bidId));
    let stored = done.size;
    for (let i = 0; i < run.bids.length; i++) {
      const bid = run.bids[i]!;
      if (done.has(bid.id)) continue;
      if (!(await renew())) return null; // the lease was lost: another process carries on
      const result = await checkOne(f.section, rules.settings.direction, bid, i + 1, x);
      try {
        await inTransaction(async (tx) => {
          const entry = await tx.audit.append(SYSTEM_CONTEXT, {
            action: 'bid.opened',
            objectType: 'bid',
            objectId: bid.id,
            data: { section: id, seq: i + 1, status: result.status, cause: result.cause?.code ?? null, price: result.price?.amount ?? null, validity: result.validity },
          });
          await store.insertResult(tx.db, { bidId: bid.id, sectionId: id, seq: i + 1, result, auditIdx: entry.idx, createdAt: clock.now() });
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      deps.afterBid?.(++stored);
    }
    // Publication: the checkpoint covers every result; the record is written once, with the move to 'opened'.
    const checkpoint = await audit.checkpoint();
    run = (await store.findRun(knex, id))!;
    const record = await assembleRecord(f, run, identity, checkpoint);
    const json = canonicalize(record) as string;
    const digest = sha256(json);
    await inTransaction(async (tx) => {
      if (!(await store.publishRecord(tx.db, id, json, digest, clock.now()))) throw invalidTransition('The opening record was published meanwhile.');
      await tx.lifecycle.systemTransition(id, 'opening', 'opened', {}, { recordSha256: digest, bids: run.bids.length });
    });
    return { id, outcome: 'opened' };
  }

  async function releaseWindowOf(f: Awaited<ReturnType<typeof facts>>) {
    const rules = await centres.rules(f.section.centre);
    const hours = rules.settings.releaseWindowHours ?? DEFAULT_RELEASE_WINDOW_HOURS;
    return { hours, over: clock.now() > f.section.bidDeadlineAt! + hours * HOUR };
  }

  /**
   * The key can never be rebuilt (a time lock that does not hold its committed scalar, shares that
   * do not rebuild the recipient): within the release window it waits like any opening — a
   * custodian may still step around a bad share of an earlier key — and after it the section fails
   * with cause opening_key_failure (EB 31), naming the operator who ran the ceremony; it can be re-tendered.
   */
  async function keyFailure(
    f: Awaited<ReturnType<typeof facts>>,
    run: store.OpeningRun,
    key: { message: string; ceremonyBy: string | null; sharesIn: number; sharesNeeded: number },
  ): Promise<OpeningOutcome> {
    const window = await releaseWindowOf(f);
    if (!window.over) return waiting(f, run, key);
    const reason = `The opening key cannot be rebuilt (${key.message}), so no bid can be opened; this is not the bidders' fault (EB 31). The section may be re-tendered.`;
    await inTransaction((tx) =>
      tx.lifecycle.systemTransition(
        f.section.id,
        'opening',
        'failed',
        { failure_reason: reason },
        {
          reason,
          cause: OPENING_KEY_FAILURE,
          rule: 'EB 31',
          ...(key.ceremonyBy ? { ceremonyBy: key.ceremonyBy } : {}),
          releaseWindowHours: window.hours,
        },
      ),
    );
    return { id: f.section.id, outcome: 'failed' };
  }

  /** Not every part of the key is in yet: past the release window, flag it (once, in the log and later in the record). */
  async function waiting(f: Awaited<ReturnType<typeof facts>>, run: store.OpeningRun, shares: { sharesIn: number; sharesNeeded: number; waitingFor?: string }): Promise<OpeningOutcome> {
    const { hours, over } = await releaseWindowOf(f);
    const now = clock.now();
    if (run.overdueFlaggedAt === null && over) {
      await inTransaction(async (tx) => {
        if (!(await store.flagOverdue(tx.db, f.section.id, now))) return;
        await tx.audit.append(SYSTEM_CONTEXT, {
          action: 'section.opening_overdue',
          objectType: 'section',
          objectId: f.section.id,
          data: { code: f.section.code, releaseWindowHours: hours, sharesIn: shares.sharesIn, sharesNeeded: shares.sharesNeeded, ...(shares.waitingFor ? { waitingFor: shares.waitingFor } : {}) },
        });
      });
    }
    return { id: f.section.id, outcome: 'waiting' };
  }

  async function visible(ctx: RequestContext, id: string) {
    const f = await sections.openingFacts(id);
    const actor = ctx.actor;
    if (!f || (f.section.publishedAt === null && !(actor && (isOverseer(actor) || mayManageCentre(actor, f.section.centre))))) throw notFound('The section');
    return f;
  }

  return {
    /** The scheduler's opening step: every section past its deadline whose opening is not finished. */
    async openDue(): Promise<OpeningOutcome[]> {
      const out: OpeningOutcome[] = [];
      for (const id of await lifecycle.sectionsToOpen()) {
        try {
          const r = await lifecycle.underLease(id, (renew) => openSection(id, renew));
          if (r) out.push(r);
        } catch (err) {
          // Moved by another process between our read and our update: nothing left to do here.
          if (err instanceof AppError && err.status === 409) continue;
          // Any other fault stays with its section: the sections behind it still open in this pass.
          out.push({ id, outcome: 'error', error: err instanceof Error ? err.message : String(err) });
        }
      }
      return out;
    },

    /** The published record (canonical JSON) and its SHA-256. */
    /**
     * Bids counted at the deadline, per section. Public once the deadline has passed (the opening
     * record lists them); before it nobody may learn how many bids there are (EB 21), and a section
     * not yet frozen simply has no entry.
     */
    bidCounts(sectionIds: string[]): Promise<Map<string, number>> {
      return store.frozenBidCounts(knex, sectionIds);
    },

    async record(ctx: RequestContext, id: string): Promise<{ json: string; sha256: string }> {
      const f = await visible(ctx, id);
      const s = f.section;
      if (s.bidDeadlineAt === null || clock.now() < s.bidDeadlineAt || isBeforeDeadline(s.state)) throw notFound('The opening record');
      const run = await store.findRun(knex, id);
      if (!run?.record) {
        if (s.state === 'failed') throw new AppError(409, 'section_failed', s.failureReason ?? 'The section failed before it was opened.');
        throw new AppError(409, 'opening_in_progress', `The opening of ${s.code} is in progress (${s.state}); the record is published when every bid is opened.`);
      }
      return { json: run.record, sha256: run.recordSha256! };
    },

    /** A published ciphertext: anyone may download it once the record is out; before, it does not exist. */
    async ciphertext(id: string) {
      const bid = await bids.bidById(id);
      if (!bid) throw notFound('The ciphertext');
      const run = await store.findRun(knex, bid.sectionId);
      if (!run?.record || !run.bids.some((b) => b.id === id) || !(await deps.blobs.exists(bid.ciphertextSha256))) throw notFound('The ciphertext');
      return { sha256: bid.ciphertextSha256, size: bid.size, stream: deps.blobs.open(bid.ciphertextSha256) };
    },

    async setOfficials(ctx: RequestContext, id: string, o: store.Officials) {
      const actor = requireActor(ctx);
      const f = await visible(ctx, id);
      if (!mayManageCentre(actor, f.section.centre)) throw forbidden(`Only operators of the ${f.section.centre} centre may name the opening's officials.`);
      if (!['draft', 'published', 'bidding', 'closed', 'opening'].includes(f.section.state)) {
        throw invalidTransition(`The officials are named before the record is published; this section is ${f.section.state}.`, { state: f.section.state });
      }
      await inTransaction(async (tx) => {
        await store.saveOfficials(tx.db, id, o, actor.userId, clock.now());
        await tx.audit.append(ctx, { action: 'section.opening_officials', objectType: 'section', objectId: id, data: { ...o } });
      });
      return { officials: o };
    },

    async officials(ctx: RequestContext, id: string) {
      const f = await visible(ctx, id);
      const o = await officialsOf(f.section);
      return { officials: o };
    },

    /** An objection raised at the opening by a bidder of the section (TBLS 44). */
    async raiseObjection(ctx: RequestContext, id: string, text: string) {
      const actor = requireRole(ctx, ['bidder'], 'raise objections at the opening');
      const f = await visible(ctx, id);
      if (!actor.orgId || !(await bids.hasBid(id, actor.orgId))) throw forbidden('Only bidders of this section may raise objections at its opening.');
      if (!OBJECTION_STATES.has(f.section.state)) {
        throw invalidTransition(`Objections are raised at the opening; this section is ${f.section.state}.`, { state: f.section.state });
      }
      const o: store.Objection = { id: newId(), sectionId: id, orgId: actor.orgId, userId: actor.userId, text, raisedAt: clock.now(), answer: null, answeredBy: null, answeredAt: null };
      await inTransaction(async (tx) => {
        await store.insertObjection(tx.db, o);
        await tx.audit.append(ctx, { action: 'opening.objection_raised', objectType: 'section', objectId: id, data: { objectionId: o.id, orgId: o.orgId, text } });
      });
      return { objection: objectionJson(o) };
    },

    /**
     * Whether the opening takes objections now, and whether `ctx` may raise one (a bidder of the
     * section): what the hall page needs to offer the form. The same rules as raiseObjection.
     */
    async objectionWindow(ctx: RequestContext, id: string): Promise<{ open: boolean; mayRaise: boolean }> {
      const f = await visible(ctx, id);
      const open = OBJECTION_STATES.has(f.section.state);
      const actor = ctx.actor;
      const mayRaise = open && actor?.role === 'bidder' && !!actor.orgId && (await bids.hasBid(id, actor.orgId));
      return { open, mayRaise };
    },

    async answerObjection(ctx: RequestContext, id: string, objectionId: string, answer: string) {
      const actor = requireActor(ctx);
      const f = await visible(ctx, id);
      if (!mayManageCentre(actor, f.section.centre)) throw forbidden(`Only operators of the ${f.section.centre} centre answer objections at the opening.`);
      const o = await store.findObjection(knex, id, objectionId);
      if (!o) throw notFound('The objection');
      await inTransaction(async (tx) => {
        if (!(await store.answerObjection(tx.db, objectionId, answer, actor.userId, clock.now()))) throw conflict('This objection was already answered.');
        await tx.audit.append(ctx, { action: 'opening.objection_answered', objectType: 'section', objectId: id, data: { objectionId, answer } });
      });
      return { objection: objectionJson((await store.findObjection(knex, id, objectionId))!) };
    },

    async objections(ctx: RequestContext, id: string) {
      const f = await visible(ctx, id);
      if (isBeforeDeadline(f.section.state)) return [];
      return (await store.objectionsOf(knex, id)).map(objectionJson);
    },
  };
}

export type OpeningService = ReturnType<typeof createOpeningService>;
