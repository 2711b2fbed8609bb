// Projects and their sections (标段/包): drafting, publication against the centre's rules,
// clarifications, documents, cancellation, and the timed moves of the lifecycle.
import type { Readable } from 'node:stream';
import Decimal from 'decimal.js';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, type Actor, type RequestContext, SYSTEM_CONTEXT } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, ruleViolation, tooLarge, validationFailed } from '../core/errors';
import { newId } from '../core/ids';
import { formatYuan } from '../core/money';
import { isUniqueViolation, withRetry, withTransaction, type Db } from '../../db/transactions';
import type { AuditService } from '../audit/audit-service';
import type { CentreRules, CentresService } from '../centres/centres-service';
import type { CustodyService } from '../custody/custody-service';
import { localDate } from '../centres/calendar';
import type { BlobStore } from '../storage/blob-store';
import { canTransition, isPublicState, type SectionState } from './lifecycle';
import { checkClarificationDeadline, checkPublicationTimeline } from './publication-rules';
import { clarificationJson, documentJson, projectJson, sectionJson } from './section-view';
import type { SectionInput, SectionPatch } from './tenders-schemas';
import * as store from './tenders-store';

export interface TendersDeps {
  knex: Knex;
  clock: Clock;
  audit: AuditService;
  centres: CentresService;
  blobs: BlobStore;
  /** Opening keys: made at publication, shown in the notice. */
  custody: Pick<CustodyService, 'planOpeningKey' | 'storeOpeningKey' | 'publicInfo'>;
  /** Prefix of human codes, e.g. "HF" → HF-CONSTRUCTION-2026-0042. */
  codePrefix: string;
  maxDocumentBytes: number;
  /** Identifies this process in scheduler leases. */
  processId: string;
  leaseMs?: number;
}

function mayManage(actor: Actor | null, centre: string): boolean {
  return !!actor && (actor.role === 'admin' || (actor.role === 'operator' && actor.centres.includes(centre)));
}

function mayView(actor: Actor | null, s: store.Section): boolean {
  return isPublicState(s.state, s.publishedAt) || isOverseer(actor) || mayManage(actor, s.centre);
}

export function createTendersService(deps: TendersDeps) {
  const { knex, clock, audit, centres, blobs, custody } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;

  /** A section the caller may see; one it may not see is "not found", never "forbidden". */
  async function visibleSection(db: Db, ctx: RequestContext, id: string): Promise<store.Section> {
    const s = await store.findSection(db, id);
    if (!s || !mayView(ctx.actor, s)) throw notFound('The section');
    return s;
  }

  /** A section the caller may change: 404 if it cannot even see it, 403 if it can only see it. */
  async function managedSection(db: Db, ctx: RequestContext, id: string): Promise<store.Section> {
    const actor = requireActor(ctx);
    const s = await visibleSection(db, ctx, id);
    if (!mayManage(actor, s.centre)) throw forbidden(`Only operators of the ${s.centre} centre may change this section.`);
    return s;
  }

  async function managedProject(db: Db, ctx: RequestContext, id: string): Promise<store.Project> {
    const actor = requireActor(ctx);
    const p = await store.findProject(db, id);
    if (!p || !(mayManage(actor, p.centre) || isOverseer(actor))) throw notFound('The project');
    if (!mayManage(actor, p.centre)) throw forbidden(`Only operators of the ${p.centre} centre may change this project.`);
    return p;
  }

  /** Checks the section's settings against the centre's rules (procedure, method, base, bond). */
  function checkSectionRules(rules: CentreRules, s: Pick<store.Section, 'procedure' | 'evaluationMethod' | 'referenceKind' | 'referencePriceFen' | 'bidBondFen' | 'bidDeadlineAt'>) {
    const set = rules.settings;
    if (!set.procedures.includes(s.procedure)) {
      throw ruleViolation('procedures', `The ${rules.code} centre does not use the procedure "${s.procedure}"; allowed: ${set.procedures.join(', ')}.`);
    }
    if (!set.evaluationMethods.includes(s.evaluationMethod)) {
      throw ruleViolation('evaluationMethods', `The ${rules.code} centre does not use the evaluation method "${s.evaluationMethod}"; allowed: ${set.evaluationMethods.join(', ')}.`);
    }
    if (!set.referenceKinds.includes(s.referenceKind)) {
      throw ruleViolation('referenceKinds', `The ${rules.code} centre's reference price is one of: ${set.referenceKinds.join(', ')}; not "${s.referenceKind}".`);
    }
    if (s.referencePriceFen <= 0n) {
      throw validationFailed('referencePrice: the reference price must be more than zero.', [{ field: 'referencePrice', message: '"referencePrice" must be more than zero' }]);
    }
    const cap = new Decimal(s.referencePriceFen.toString()).mul(set.maxBidBondPercent).div(100).floor();
    if (new Decimal(s.bidBondFen.toString()).gt(cap)) {
      throw ruleViolation(
        'maxBidBondPercent',
        `Rule maxBidBondPercent (TBLS 26): the bid bond may be at most ${set.maxBidBondPercent}% of the reference price, i.e. ${formatYuan(BigInt(cap.toFixed(0)))} yuan; got ${formatYuan(s.bidBondFen)}.`,
      );
    }
    if (s.bidDeadlineAt !== null && s.bidDeadlineAt <= clock.now()) {
      throw ruleViolation('deadline_in_future', `Rule deadline_in_future: the bid deadline ${new Date(s.bidDeadlineAt).toISOString()} is in the past; choose a future time.`);
    }
  }

  function newSection(rules: CentreRules, project: store.Project, input: SectionInput, lotNo: number, actor: Actor, now: number): store.Section {
    const set = rules.settings;
    const section: store.Section = {
      id: newId(),
      projectId: project.id,
      centre: project.centre,
      code: `${project.code}-${String(lotNo).padStart(2, '0')}`,
      lotNo,
      round: 1,
      previousSectionId: null,
      title: input.title,
      state: 'draft',
      procedure: input.procedure ?? set.procedures[0]!,
      evaluationMethod: input.evaluationMethod ?? set.evaluationMethods[0]!,
      referenceKind: input.referenceKind ?? set.referenceKinds[0]!,
      referencePriceFen: input.referencePrice,
      bidBondFen: input.bidBond ?? 0n,
      publishedAt: null,
      bidOpensAt: input.bidOpensAt ?? null,
      clarificationDeadlineAt: input.clarificationDeadlineAt ?? null,
      bidDeadlineAt: input.bidDeadlineAt ?? null,
      closedAt: null,
      cancelledAt: null,
      cancelReason: null,
      version: 1,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    };
    checkSectionRules(rules, section);
    return section;
  }

  /** One lifecycle step: guarded update, then the audit entry, in the caller's transaction. */
  async function transition(
    trx: Db,
    ctx: RequestContext,
    s: store.Section,
    to: SectionState,
    set: Record<string, unknown> = {},
    options: { guard?: (q: any) => void; data?: Record<string, unknown> } = {},
  ): Promise<store.Section> {
    if (!canTransition(s.state, to)) {
      throw invalidTransition(`A section that is ${s.state} cannot become ${to}.`, { from: s.state, to });
    }
    const now = clock.now();
    const ok = await store.guardedUpdate(trx, s.id, s.state, { ...set, state: to, updated_at: now }, options.guard);
    if (!ok) {
      const current = await store.findSection(trx, s.id);
      throw invalidTransition(`The section changed meanwhile (it is now ${current?.state}); reload and try again.`, { from: current?.state, to });
    }
    await audit.append(trx, ctx, {
      action: `section.${to}`,
      objectType: 'section',
      objectId: s.id,
      data: { code: s.code, centre: s.centre, before: { state: s.state }, after: { state: to }, ...options.data },
    });
    return (await store.findSection(trx, s.id))!;
  }

  /** The section as the API shows it; once published, with its opening key's public part. */
  async function sectionWithKey(s: store.Section) {
    const key = s.publishedAt !== null ? await custody.publicInfo(s.id) : null;
    return { ...sectionJson(s), ...(key ? { openingKey: { recipient: key.recipient, threshold: key.threshold, custodians: key.custodians } } : {}) };
  }

  async function sectionDetail(db: Db, s: store.Section, actor: Actor | null) {
    const project = (await store.findProject(db, s.projectId))!;
    return {
      section: await sectionWithKey(s),
      project: projectJson(project),
      documents: (await store.documentsOf(db, s.id)).map(documentJson),
      clarifications: (await store.clarificationsOf(db, s.id)).map(clarificationJson),
      ...(mayManage(actor, s.centre) ? { canManage: true } : {}),
    };
  }

  return {
    async createProject(ctx: RequestContext, input: { centre: string; title: string; tenderee: string; description?: string; sections: SectionInput[] }) {
      const actor = requireActor(ctx);
      if (!mayManage(actor, input.centre)) throw forbidden(`Only operators of the ${input.centre} centre may create its projects.`);
      const rules = await centres.rules(input.centre);
      return withTransaction(knex, async (trx) => {
        const now = clock.now();
        const year = localDate(now, rules.settings.timeZone).slice(0, 4);
        const n = await store.nextCounter(trx, `${input.centre}-${year}`);
        const project: store.Project = {
          id: newId(),
          centre: input.centre,
          code: `${deps.codePrefix}-${input.centre.toUpperCase()}-${year}-${String(n).padStart(4, '0')}`,
          title: input.title,
          tenderee: input.tenderee,
          description: input.description ?? null,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        };
        const sections = input.sections.map((si, i) => newSection(rules, project, si, i + 1, actor, now));
        await store.insertProject(trx, project);
        await audit.append(trx, ctx, { action: 'project.created', objectType: 'project', objectId: project.id, data: { code: project.code, centre: project.centre, title: project.title } });
        for (const s of sections) {
          await store.insertSection(trx, s);
          await audit.append(trx, ctx, { action: 'section.created', objectType: 'section', objectId: s.id, data: { code: s.code, after: { state: 'draft' } } });
        }
        return { project: projectJson(project), sections: sections.map(sectionJson) };
      });
    },

    async listProjects(ctx: RequestContext, centre?: string) {
      const actor = requireActor(ctx);
      let scope: string[] | 'all';
      if (isOverseer(actor)) scope = 'all';
      else if (actor.role === 'operator') scope = actor.centres;
      else throw forbidden('Only centre staff may list projects; the public list is GET /api/sections.');
      if (centre) scope = scope === 'all' || scope.includes(centre) ? [centre] : [];
      return (await store.listProjects(knex, scope)).map(projectJson);
    },

    async getProject(ctx: RequestContext, id: string) {
      const actor = requireActor(ctx);
      const p = await store.findProject(knex, id);
      if (!p || !(mayManage(actor, p.centre) || isOverseer(actor))) throw notFound('The project');
      return { project: projectJson(p), sections: (await store.sectionsOfProject(knex, id)).map(sectionJson) };
    },

    async updateProject(ctx: RequestContext, id: string, patch: { title?: string; tenderee?: string; description?: string }) {
      return withTransaction(knex, async (trx) => {
        const before = await managedProject(trx, ctx, id);
        await store.updateProject(trx, id, patch, clock.now());
        const after = (await store.findProject(trx, id))!;
        await audit.append(trx, ctx, { action: 'project.updated', objectType: 'project', objectId: id, data: { before: projectJson(before), after: projectJson(after) } });
        return { project: projectJson(after) };
      });
    },

    async addSection(ctx: RequestContext, projectId: string, input: SectionInput) {
      const actor = requireActor(ctx);
      const project = await managedProject(knex, ctx, projectId);
      const rules = await centres.rules(project.centre);
      return withTransaction(knex, async (trx) => {
        const lotNo = (await store.maxLotNo(trx, projectId)) + 1;
        const s = newSection(rules, project, input, lotNo, actor, clock.now());
        await store.insertSection(trx, s);
        await audit.append(trx, ctx, { action: 'section.created', objectType: 'section', objectId: s.id, data: { code: s.code, after: { state: 'draft' } } });
        return { section: sectionJson(s) };
      });
    },

    async updateSection(ctx: RequestContext, id: string, patch: SectionPatch) {
      // The rules are read outside the transaction (centres uses its own connection; SQLite has one).
      const s0 = await managedSection(knex, ctx, id);
      const rules = await centres.rules(s0.centre);
      return withTransaction(knex, async (trx) => {
        const before = await managedSection(trx, ctx, id);
        if (before.state !== 'draft') {
          throw invalidTransition(`Only a draft can be edited; this section is ${before.state}. Issue a clarification instead.`, { state: before.state });
        }
        const after: store.Section = {
          ...before,
          title: patch.title ?? before.title,
          procedure: patch.procedure ?? before.procedure,
          evaluationMethod: patch.evaluationMethod ?? before.evaluationMethod,
          referenceKind: patch.referenceKind ?? before.referenceKind,
          referencePriceFen: patch.referencePrice ?? before.referencePriceFen,
          bidBondFen: patch.bidBond ?? before.bidBondFen,
          bidOpensAt: patch.bidOpensAt ?? before.bidOpensAt,
          clarificationDeadlineAt: patch.clarificationDeadlineAt ?? before.clarificationDeadlineAt,
          bidDeadlineAt: patch.bidDeadlineAt ?? before.bidDeadlineAt,
        };
        checkSectionRules(rules, after);
        const row = store.sectionRow({ ...after, updatedAt: clock.now() });
        const changed = Object.fromEntries(
          ['title', 'procedure', 'evaluation_method', 'reference_kind', 'reference_price_fen', 'bid_bond_fen', 'bid_opens_at', 'clarification_deadline_at', 'bid_deadline_at', 'updated_at'].map((k) => [k, row[k]]),
        );
        const ok = await store.guardedUpdate(trx, id, 'draft', changed, (q) => q.where('version', before.version));
        if (!ok) throw invalidTransition('The section changed meanwhile; reload and try again.');
        const saved = (await store.findSection(trx, id))!;
        await audit.append(trx, ctx, { action: 'section.updated', objectType: 'section', objectId: id, data: { before: sectionJson(before), after: sectionJson(saved) } });
        return { section: sectionJson(saved) };
      });
    },

    /** Publishes the notice now. The timeline is checked against the centre's rules at this instant. */
    async publish(ctx: RequestContext, id: string) {
      const s0 = await managedSection(knex, ctx, id);
      const rules = await centres.rules(s0.centre);
      if (s0.state !== 'draft') throw invalidTransition(`Only a draft can be published; this section is ${s0.state}.`, { from: s0.state, to: 'published' });
      // The opening key is planned outside the transaction (custody reads settings and certificates
      // through its own connection; SQLite has one) and fixed inside it, with the publication.
      const openingKey = await custody.planOpeningKey(s0);
      const result = await withTransaction(knex, async (trx) => {
        const s = await managedSection(trx, ctx, id);
        if (s.state !== 'draft') throw invalidTransition(`Only a draft can be published; this section is ${s.state}.`, { from: s.state, to: 'published' });
        if (s.bidDeadlineAt === null) {
          throw validationFailed('Set the bid deadline (bidDeadlineAt) before publishing.', [{ field: 'bidDeadlineAt', message: '"bidDeadlineAt" is required to publish' }]);
        }
        checkSectionRules(rules, s);
        const now = clock.now();
        const timeline = {
          publishedAt: now,
          bidOpensAt: s.bidOpensAt ?? now,
          clarificationDeadlineAt: s.clarificationDeadlineAt,
          bidDeadlineAt: s.bidDeadlineAt,
        };
        checkPublicationTimeline(rules, s.procedure, timeline);
        const published = await transition(trx, ctx, s, 'published', { published_at: timeline.publishedAt, bid_opens_at: timeline.bidOpensAt }, {
          guard: (q) => q.where('version', s.version),
          data: { timeline },
        });
        await custody.storeOpeningKey(trx, ctx, s.id, openingKey);
        return published;
      });
      await this.advanceDue(); // opens the bid window now if it starts at publication
      return { section: await sectionWithKey((await store.findSection(knex, result.id))!) };
    },

    async cancel(ctx: RequestContext, id: string, reason: string) {
      return withTransaction(knex, async (trx) => {
        const s = await managedSection(trx, ctx, id);
        const after = await transition(trx, ctx, s, 'cancelled', { cancelled_at: clock.now(), cancel_reason: reason }, { data: { reason } });
        return { section: sectionJson(after) };
      });
    },

    /** A clarification or amendment; one that affects bids within 15 days of the deadline must move it. */
    async clarify(ctx: RequestContext, id: string, input: { title: string; body: string; affectsBids: boolean; newBidDeadlineAt?: number }) {
      const actor = requireActor(ctx);
      const s0 = await managedSection(knex, ctx, id);
      const rules = await centres.rules(s0.centre);
      return withTransaction(knex, async (trx) => {
        const s = await managedSection(trx, ctx, id);
        if (s.state !== 'published' && s.state !== 'bidding') {
          throw invalidTransition(`Clarifications are issued while the tender is published or open for bids; this section is ${s.state}.`, { state: s.state });
        }
        const now = clock.now();
        const current = s.bidDeadlineAt!;
        const newDeadline = input.newBidDeadlineAt ?? null;
        if (input.affectsBids || newDeadline !== null) checkClarificationDeadline(rules, now, current, newDeadline);
        if (newDeadline !== null) {
          const ok = await store.guardedUpdate(trx, id, ['published', 'bidding'], { bid_deadline_at: newDeadline, updated_at: now }, (q) =>
            q.where('bid_deadline_at', current).where('bid_deadline_at', '>', now),
          );
          if (!ok) throw invalidTransition('The deadline has passed or changed meanwhile; reload and try again.');
        }
        const clarification: store.Clarification = {
          id: newId(),
          sectionId: id,
          seq: await store.nextClarificationSeq(trx, id),
          title: input.title,
          body: input.body,
          affectsBids: input.affectsBids,
          previousDeadlineAt: current,
          newDeadlineAt: newDeadline,
          issuedBy: actor.userId,
          issuedAt: now,
        };
        await store.insertClarification(trx, clarification);
        await audit.append(trx, ctx, {
          action: 'section.clarified',
          objectType: 'section',
          objectId: id,
          data: { clarificationId: clarification.id, seq: clarification.seq, affectsBids: input.affectsBids, before: { bidDeadlineAt: current }, after: { bidDeadlineAt: newDeadline ?? current } },
        });
        return { clarification: clarificationJson(clarification), section: sectionJson((await store.findSection(trx, id))!) };
      });
    },

    /**
     * Re-tenders a failed section as the next round of the same project (too few bids, all
     * invalid, …): a new draft with the same lot, settings and reference price, linked to the
     * failed one. One next round per failed section.
     */
    async retender(ctx: RequestContext, id: string, timeline: { bidOpensAt?: number; clarificationDeadlineAt?: number; bidDeadlineAt?: number }) {
      const actor = requireActor(ctx);
      const rules = await centres.rules((await managedSection(knex, ctx, id)).centre);
      return withTransaction(knex, async (trx) => {
        const failed = await managedSection(trx, ctx, id);
        if (failed.state !== 'failed') {
          throw invalidTransition(`Only a failed section can be re-tendered; this one is ${failed.state}.`, { state: failed.state });
        }
        const project = (await store.findProject(trx, failed.projectId))!;
        const round = failed.round + 1;
        const now = clock.now();
        const next: store.Section = {
          ...failed,
          id: newId(),
          code: `${project.code}-${String(failed.lotNo).padStart(2, '0')}-R${round}`,
          round,
          previousSectionId: failed.id,
          state: 'draft',
          publishedAt: null,
          bidOpensAt: timeline.bidOpensAt ?? null,
          clarificationDeadlineAt: timeline.clarificationDeadlineAt ?? null,
          bidDeadlineAt: timeline.bidDeadlineAt ?? null,
          closedAt: null,
          cancelledAt: null,
          cancelReason: null,
          failureReason: null,
          version: 1,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        };
        checkSectionRules(rules, next);
        try {
          await store.insertSection(trx, next);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict(`Round ${round} of this lot exists already; edit that draft instead.`);
          throw err;
        }
        await audit.append(trx, ctx, { action: 'section.retendered', objectType: 'section', objectId: failed.id, data: { code: failed.code, newSectionId: next.id, newCode: next.code, round } });
        await audit.append(trx, ctx, { action: 'section.created', objectType: 'section', objectId: next.id, data: { code: next.code, previousSectionId: failed.id, round, after: { state: 'draft' } } });
        return { section: sectionJson(next) };
      });
    },

    async listSections(ctx: RequestContext, q: { centre?: string; state?: SectionState; limit?: number; offset?: number }) {
      const actor = ctx.actor;
      const draftCentres = isOverseer(actor) ? 'all' : actor?.role === 'operator' ? actor.centres : [];
      const rows = await store.listSections(knex, { ...q, draftCentres, limit: q.limit ?? 50, offset: q.offset ?? 0 });
      return rows.map((r) => ({ ...sectionJson(r), projectTitle: r.projectTitle, tenderee: r.tenderee }));
    },

    async getSection(ctx: RequestContext, id: string) {
      const s = await visibleSection(knex, ctx, id);
      return sectionDetail(knex, s, ctx.actor);
    },

    /** Streams a tender document into the blob store; only while the section is a draft. */
    async uploadDocument(ctx: RequestContext, id: string, file: { name: string; mediaType: string; declaredSize: number | null; stream: Readable }) {
      const actor = requireActor(ctx);
      const before = await managedSection(knex, ctx, id);
      if (before.state !== 'draft') {
        throw invalidTransition(`Tender documents are attached to a draft; this section is ${before.state}. Publish changes as a clarification.`);
      }
      if (file.declaredSize !== null && file.declaredSize > deps.maxDocumentBytes) {
        throw tooLarge(`The document is ${file.declaredSize} bytes; the limit is ${deps.maxDocumentBytes} bytes.`);
      }
      const blob = await blobs.put(file.stream, { maxBytes: deps.maxDocumentBytes });
      return withTransaction(knex, async (trx) => {
        const s = await managedSection(trx, ctx, id);
        if (s.state !== 'draft') throw invalidTransition(`The section was published meanwhile; documents can no longer be attached.`);
        const doc: store.SectionDocument = { id: newId(), sectionId: id, name: file.name, mediaType: file.mediaType, size: blob.size, sha256: blob.sha256, uploadedBy: actor.userId, uploadedAt: clock.now() };
        await store.insertDocument(trx, doc);
        await audit.append(trx, ctx, { action: 'section.document_attached', objectType: 'section', objectId: id, data: { documentId: doc.id, name: doc.name, size: doc.size, sha256: doc.sha256 } });
        return { document: documentJson(doc) };
      });
    },

    /** Opens a document for download. Who downloads is not recorded anywhere (EB 21). */
    async openDocument(ctx: RequestContext, sectionId: string, documentId: string) {
      await visibleSection(knex, ctx, sectionId);
      const doc = await store.findDocument(knex, sectionId, documentId);
      if (!doc) throw notFound('The document');
      return { document: documentJson(doc), stream: blobs.open(doc.sha256) };
    },

    /** For the bids module: the facts of a section that bidding needs, without visibility rules. */
    async biddingFacts(db: Db, id: string) {
      const s = await store.findSection(db ?? knex, id);
      if (!s) return null;
      return { id: s.id, code: s.code, centre: s.centre, state: s.state, publishedAt: s.publishedAt, bidDeadlineAt: s.bidDeadlineAt };
    },

    /** For the awards module: what an award records about its section, without visibility rules. */
    async awardFacts(db: Db, id: string) {
      const s = await store.findSection(db ?? knex, id);
      if (!s) return null;
      return { id: s.id, code: s.code, centre: s.centre, title: s.title, state: s.state, publishedAt: s.publishedAt, referenceKind: s.referenceKind, referencePriceFen: s.referencePriceFen };
    },

    /** For the awards module, inside its transaction: awarded → contracted; false if the section is not "awarded". */
    async markContracted(trx: Db, ctx: RequestContext, id: string, data: Record<string, unknown>): Promise<boolean> {
      const s = await store.findSection(trx, id);
      if (!s || s.state !== 'awarded') return false;
      await transition(trx, ctx, s, 'contracted', {}, { data });
      return true;
    },

    /** For the historical import: which of these codes are already section codes. */
    existingCodes(db: Db, codes: string[]): Promise<string[]> {
      return store.existingSectionCodes(db, codes);
    },

    /** For the reports: publication, opening and failure instants of sections active in [from, to). */
    activityBetween(from: number, to: number) {
      return store.activityBetween(knex, from, to);
    },

    /** Inside a bid transaction: true while the section still takes bids at `now` (see store.lockForBid). */
    lockForBid(trx: Db, id: string, now: number): Promise<boolean> {
      return store.lockForBid(trx, id, now);
    },

    /** For the opening module: the whole section row and its project, without visibility rules. */
    async openingFacts(id: string) {
      const s = await store.findSection(knex, id);
      if (!s) return null;
      const project = (await store.findProject(knex, s.projectId))!;
      return { section: s, project: { id: project.id, code: project.code, title: project.title, tenderee: project.tenderee } };
    },

    /** For the opening step: sections past the deadline whose opening is not finished and not leased. */
    sectionsToOpen(): Promise<string[]> {
      return withRetry(() => store.sectionsToOpen(knex, clock.now(), 100));
    },

    /**
     * Runs `work` while this process holds the section's scheduler lease (the same lease as
     * advanceDue); null if another process holds it. `renew` extends it during long work and
     * answers false once the lease was lost (work must then stop).
     */
    async underLease<T>(id: string, work: (renew: () => Promise<boolean>) => Promise<T>): Promise<T | null> {
      const now = clock.now();
      if (!(await withRetry(() => store.claimLease(knex, id, deps.processId, now, now + leaseMs)))) return null;
      try {
        return await work(() => withRetry(() => store.renewLease(knex, id, deps.processId, clock.now() + leaseMs)));
      } finally {
        await withRetry(() => store.releaseLease(knex, id, deps.processId));
      }
    },

    /** For the evaluation module, in its transaction: a lifecycle step by the acting operator (audited with their context). */
    async evaluationTransition(trx: Db, ctx: RequestContext, id: string, from: SectionState, to: SectionState, set: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
      const s = await store.findSection(trx, id);
      if (!s || s.state !== from) throw invalidTransition(`Section ${s?.code ?? id} is ${s?.state ?? 'missing'}, not ${from}.`, { from: s?.state, to });
      return transition(trx, ctx, s, to, set, { data });
    },

    /** A lifecycle step taken by the platform itself (the opening), in the caller's transaction. */
    async systemTransition(trx: Db, id: string, from: SectionState, to: SectionState, set: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
      const s = await store.findSection(trx, id);
      if (!s || s.state !== from) throw invalidTransition(`The section is ${s?.state ?? 'missing'}, not ${from}.`, { from: s?.state, to });
      return transition(trx, SYSTEM_CONTEXT, s, to, set, { data: { by: 'scheduler', process: deps.processId, ...data } });
    },

    /**
     * The scheduler's step: moves every section whose time has come (bid window opens → bidding;
     * deadline → closed). Safe with any number of processes: each section is claimed by a lease
     * (conditional update) and each move is itself a guarded update, so it happens exactly once.
     */
    async advanceDue(): Promise<Array<{ id: string; from: SectionState; to: SectionState }>> {
      const moved: Array<{ id: string; from: SectionState; to: SectionState }> = [];
      for (let round = 0; round < 10; round++) {
        const now = clock.now();
        const due = await store.dueSections(knex, now, 100);
        if (due.length === 0) break;
        let progressed = false;
        for (const { id } of due) {
          if (!(await withRetry(() => store.claimLease(knex, id, deps.processId, now, now + leaseMs)))) continue;
          try {
            const step = await withTransaction(knex, async (trx) => {
              const s = await store.findSection(trx, id);
              if (!s) return null;
              const data = { by: 'scheduler', process: deps.processId };
              if (s.state === 'published' && s.bidOpensAt !== null && s.bidOpensAt <= now) {
                await transition(trx, SYSTEM_CONTEXT, s, 'bidding', {}, { guard: (q) => q.where('bid_opens_at', '<=', now), data });
                return { id, from: s.state, to: 'bidding' as const };
              }
              if (s.state === 'bidding' && s.bidDeadlineAt !== null && s.bidDeadlineAt <= now) {
                await transition(trx, SYSTEM_CONTEXT, s, 'closed', { closed_at: now }, { guard: (q) => q.where('bid_deadline_at', '<=', now), data });
                return { id, from: s.state, to: 'closed' as const };
              }
              return null;
            });
            if (step) {
              moved.push(step);
              progressed = true;
            }
          } catch (err) {
            // Another process moved it between our read and our update: nothing left to do.
            if (!(err instanceof AppError && err.status === 409)) throw err;
          } finally {
            await withRetry(() => store.releaseLease(knex, id, deps.processId));
          }
        }
        if (!progressed) break;
      }
      return moved;
    },
  };
}

export type TendersService = ReturnType<typeof createTendersService>;
