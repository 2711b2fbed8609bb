// Projects and their sections (标段/包) as the centre drafts and publishes them: creation, editing,
// documents, publication against the centre's rules, clarifications, cancellation and re-tendering.
// Its reads are section-reads.ts; what other modules ask of a section is section-facts.ts; state
// changes go through the lifecycle module.
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type Actor, type RequestContext } from '../core/context';
import { conflict, forbidden, invalidTransition, tooLarge, validationFailed } from '../core/errors';
import { newId } from '../core/ids';
import { isUniqueViolation, type InTransaction } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import type { TxLifecycle } from '../lifecycle/lifecycle-engine';
import type { CentreRules, CentresService } from '../centres/centres-service';
import type { CustodyService, TxCustody } from '../custody/custody-service';
import { localDate } from '../centres/calendar';
import type { BlobStore } from '../storage/blob-store';
import type { LifecycleEngine } from '../lifecycle/lifecycle-engine';
import { checkClarificationDeadline, checkPublicationTimeline, checkSectionRules } from './publication-rules';
import { managedProject, managedSection } from './section-access';
import { createSectionReads } from './section-reads';
import { clarificationJson, documentJson, projectJson, sectionJson } from './section-view';
import type { SectionInput, SectionPatch } from './tenders-schemas';
import * as store from './tenders-store';
import { guardedUpdate } from '../lifecycle/lifecycle-store';
import { mayManageCentre } from '../core/access';

/** What the tenders' units of work need: the log, the lifecycle's steps, and custody's (the opening key at publication, the time lock when a deadline moves). */
export type TendersTx = { audit: AuditAppender; lifecycle: Pick<TxLifecycle, 'transition'>; custody: Pick<TxCustody, 'storeOpeningKey' | 'deadlineMoved'> };

export interface TendersDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<TendersTx>;
  centres: Pick<CentresService, 'rules'>;
  /** Tender documents: stored on upload, opened for download. */
  blobs: Pick<BlobStore, 'put' | 'open'>;
  /** Opening keys: made at publication, shown in the notice. */
  custody: Pick<CustodyService, 'planOpeningKey' | 'publicInfo'>;
  /** Prefix of human codes, e.g. "HF" → HF-CONSTRUCTION-2026-0042. */
  codePrefix: string;
  maxDocumentBytes: number;
  /** Publication and cancellation are lifecycle steps; publication may open the bid window at once. */
  lifecycle: Pick<LifecycleEngine, 'advanceDue'>;
}

export function createTendersService(deps: TendersDeps) {
  const { knex, clock, inTransaction, centres, blobs, custody } = deps;
  const reads = createSectionReads({ knex, blobs, custody });

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
    checkSectionRules(rules, section, clock.now());
    return section;
  }

  return {
    async createProject(ctx: RequestContext, input: { centre: string; title: string; tenderee: string; description?: string; sections: SectionInput[] }) {
      const actor = requireActor(ctx);
      if (!mayManageCentre(actor, input.centre)) throw forbidden(`Only operators of the ${input.centre} centre may create its projects.`);
      const rules = await centres.rules(input.centre);
      return inTransaction(async (tx) => {
        const now = clock.now();
        const year = localDate(now, rules.settings.timeZone).slice(0, 4);
        const n = await store.nextCounter(tx.db, `${input.centre}-${year}`);
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
        await store.insertProject(tx.db, project);
        await tx.audit.append(ctx, { action: 'project.created', objectType: 'project', objectId: project.id, data: { code: project.code, centre: project.centre, title: project.title } });
        for (const s of sections) {
          await store.insertSection(tx.db, s);
          await tx.audit.append(ctx, { action: 'section.created', objectType: 'section', objectId: s.id, data: { code: s.code, after: { state: 'draft' } } });
        }
        return { project: projectJson(project), sections: sections.map(sectionJson) };
      });
    },

    listProjects: reads.listProjects,
    getProject: reads.getProject,

    async updateProject(ctx: RequestContext, id: string, patch: { title?: string; tenderee?: string; description?: string }) {
      return inTransaction(async (tx) => {
        const before = await managedProject(tx.db, ctx, id);
        await store.updateProject(tx.db, id, patch, clock.now());
        const after = (await store.findProject(tx.db, id))!;
        await tx.audit.append(ctx, { action: 'project.updated', objectType: 'project', objectId: id, data: { before: projectJson(before), after: projectJson(after) } });
        return { project: projectJson(after) };
      });
    },

    async addSection(ctx: RequestContext, projectId: string, input: SectionInput) {
      const actor = requireActor(ctx);
      const project = await managedProject(knex, ctx, projectId);
      const rules = await centres.rules(project.centre);
      return inTransaction(async (tx) => {
        const lotNo = (await store.maxLotNo(tx.db, projectId)) + 1;
        const s = newSection(rules, project, input, lotNo, actor, clock.now());
        await store.insertSection(tx.db, s);
        await tx.audit.append(ctx, { action: 'section.created', objectType: 'section', objectId: s.id, data: { code: s.code, after: { state: 'draft' } } });
        return { section: sectionJson(s) };
      });
    },

    async updateSection(ctx: RequestContext, id: string, patch: SectionPatch) {
      // The rules are read outside the transaction (centres uses its own connection; SQLite has one).
      const s0 = await managedSection(knex, ctx, id);
      const rules = await centres.rules(s0.centre);
      return inTransaction(async (tx) => {
        const before = await managedSection(tx.db, ctx, id);
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
        checkSectionRules(rules, after, clock.now());
        const row = store.sectionRow({ ...after, updatedAt: clock.now() });
        const changed = Object.fromEntries(
          ['title', 'procedure', 'evaluation_method', 'reference_kind', 'reference_price_fen', 'bid_bond_fen', 'bid_opens_at', 'clarification_deadline_at', 'bid_deadline_at', 'updated_at'].map(
            (k) => [k, row[k]],
          ),
        );
        const ok = await guardedUpdate(tx.db, id, 'draft', changed, (q) => q.where('version', before.version));
        if (!ok) throw invalidTransition('The section changed meanwhile; reload and try again.');
        const saved = (await store.findSection(tx.db, id))!;
        await tx.audit.append(ctx, { action: 'section.updated', objectType: 'section', objectId: id, data: { before: sectionJson(before), after: sectionJson(saved) } });
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
      await inTransaction(async (tx) => {
        const s = await managedSection(tx.db, ctx, id);
        if (s.state !== 'draft') throw invalidTransition(`Only a draft can be published; this section is ${s.state}.`, { from: s.state, to: 'published' });
        if (s.bidDeadlineAt === null) {
          throw validationFailed('Set the bid deadline (bidDeadlineAt) before publishing.', [{ field: 'bidDeadlineAt', message: '"bidDeadlineAt" is required to publish' }]);
        }
        checkSectionRules(rules, s, clock.now());
        const now = clock.now();
        const timeline = {
          publishedAt: now,
          bidOpensAt: s.bidOpensAt ?? now,
          clarificationDeadlineAt: s.clarificationDeadlineAt,
          bidDeadlineAt: s.bidDeadlineAt,
        };
        checkPublicationTimeline(rules, s.procedure, timeline);
        await tx.lifecycle.transition(
          ctx,
          s,
          'published',
          { published_at: timeline.publishedAt, bid_opens_at: timeline.bidOpensAt },
          {
            guard: (q) => q.where('version', s.version),
            data: { timeline },
          },
        );
        await tx.custody.storeOpeningKey(ctx, s.id, openingKey, s.bidDeadlineAt);
      });
      await deps.lifecycle.advanceDue(); // opens the bid window now if it starts at publication
      return { section: await reads.sectionWithKey((await store.findSection(knex, id))!) };
    },

    async cancel(ctx: RequestContext, id: string, reason: string) {
      return inTransaction(async (tx) => {
        const s = await managedSection(tx.db, ctx, id);
        await tx.lifecycle.transition(ctx, s, 'cancelled', { cancelled_at: clock.now(), cancel_reason: reason }, { data: { reason } });
        return { section: sectionJson((await store.findSection(tx.db, id))!) };
      });
    },

    /** A clarification or amendment; one that affects bids within 15 days of the deadline must move it. */
    async clarify(ctx: RequestContext, id: string, input: { title: string; body: string; affectsBids: boolean; newBidDeadlineAt?: number }) {
      const actor = requireActor(ctx);
      const s0 = await managedSection(knex, ctx, id);
      const rules = await centres.rules(s0.centre);
      return inTransaction(async (tx) => {
        const s = await managedSection(tx.db, ctx, id);
        if (s.state !== 'published' && s.state !== 'bidding') {
          throw invalidTransition(`Clarifications are issued while the tender is published or open for bids; this section is ${s.state}.`, { state: s.state });
        }
        const now = clock.now();
        const current = s.bidDeadlineAt!;
        const newDeadline = input.newBidDeadlineAt ?? null;
        if (input.affectsBids || newDeadline !== null) checkClarificationDeadline(rules, now, current, newDeadline);
        if (newDeadline !== null) {
          const ok = await guardedUpdate(tx.db, id, ['published', 'bidding'], { bid_deadline_at: newDeadline, updated_at: now }, (q) =>
            q.where('bid_deadline_at', current).where('bid_deadline_at', '>', now),
          );
          if (!ok) throw invalidTransition('The deadline has passed or changed meanwhile; reload and try again.');
          // The opening key's time lock must not open before the new deadline.
          await tx.custody.deadlineMoved(ctx, id, newDeadline);
        }
        const clarification: store.Clarification = {
          id: newId(),
          sectionId: id,
          seq: await store.nextClarificationSeq(tx.db, id),
          title: input.title,
          body: input.body,
          affectsBids: input.affectsBids,
          previousDeadlineAt: current,
          newDeadlineAt: newDeadline,
          issuedBy: actor.userId,
          issuedAt: now,
        };
        await store.insertClarification(tx.db, clarification);
        await tx.audit.append(ctx, {
          action: 'section.clarified',
          objectType: 'section',
          objectId: id,
          data: { clarificationId: clarification.id, seq: clarification.seq, affectsBids: input.affectsBids, before: { bidDeadlineAt: current }, after: { bidDeadlineAt: newDeadline ?? current } },
        });
        return { clarification: clarificationJson(clarification), section: sectionJson((await store.findSection(tx.db, id))!) };
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
      return inTransaction(async (tx) => {
        const failed = await managedSection(tx.db, ctx, id);
        if (failed.state !== 'failed') {
          throw invalidTransition(`Only a failed section can be re-tendered; this one is ${failed.state}.`, { state: failed.state });
        }
        const project = (await store.findProject(tx.db, failed.projectId))!;
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
        checkSectionRules(rules, next, clock.now());
        try {
          await store.insertSection(tx.db, next);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict(`Round ${round} of this lot exists already; edit that draft instead.`);
          throw err;
        }
        await tx.audit.append(ctx, { action: 'section.retendered', objectType: 'section', objectId: failed.id, data: { code: failed.code, newSectionId: next.id, newCode: next.code, round } });
        await tx.audit.append(ctx, {
          action: 'section.created',
          objectType: 'section',
          objectId: next.id,
          data: { code: next.code, previousSectionId: failed.id, round, after: { state: 'draft' } },
        });
        return { section: sectionJson(next) };
      });
    },

    listSections: reads.listSections,
    dashboardCounts: reads.dashboardCounts,
    dashboardNeeds: reads.dashboardNeeds,
    dashboardStateRows: reads.dashboardStateRows,
    browseSections: reads.browseSections,
    getSection: reads.getSection,

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
      return inTransaction(async (tx) => {
        const s = await managedSection(tx.db, ctx, id);
        if (s.state !== 'draft') throw invalidTransition(`The section was published meanwhile; documents can no longer be attached.`);
        const doc: store.SectionDocument = {
          id: newId(),
          sectionId: id,
          name: file.name,
          mediaType: file.mediaType,
          size: blob.size,
          sha256: blob.sha256,
          uploadedBy: actor.userId,
          uploadedAt: clock.now(),
        };
        await store.insertDocument(tx.db, doc);
        await tx.audit.append(ctx, { action: 'section.document_attached', objectType: 'section', objectId: id, data: { documentId: doc.id, name: doc.name, size: doc.size, sha256: doc.sha256 } });
        return { document: documentJson(doc) };
      });
    },

    openDocument: reads.openDocument,
  };
}

export type TendersService = ReturnType<typeof createTendersService>;
