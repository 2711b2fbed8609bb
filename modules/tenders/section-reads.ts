// The read side of projects and sections as the API shows them: lists, details and document
// downloads, each filtered by what the caller may see.
import type { Knex } from 'knex';
import { isOverseer, requireActor, type Actor, type RequestContext } from '../core/context';
import { forbidden, notFound } from '../core/errors';
import type { Db } from '../../db/transactions';
import type { CustodyService } from '../custody/custody-service';
import type { BlobStore } from '../storage/blob-store';
import type { SectionState } from '../lifecycle/lifecycle';
import { visibleSection } from './section-access';
import { clarificationJson, documentJson, projectJson, sectionJson } from './section-view';
import * as store from './tenders-store';
import { browseSections } from './section-browse-store';
import { mayManageCentre } from '../core/access';
import { type DashboardScope, type NeedKey, needCount, needRows, stateCounts, stateRows } from './dashboard-store';

export interface SectionReadsDeps {
  knex: Knex;
  blobs: Pick<BlobStore, 'open'>;
  custody: Pick<CustodyService, 'publicInfo'>;
}

export function createSectionReads(deps: SectionReadsDeps) {
  const { knex, blobs, custody } = deps;

  /** The section as the API shows it; once published, with its opening key's public part. */
  async function sectionWithKey(s: store.Section) {
    const key = s.publishedAt !== null ? await custody.publicInfo(s.id, s.bidDeadlineAt) : null;
    return {
      ...sectionJson(s),
      ...(key ? { openingKey: { recipient: key.recipient, threshold: key.threshold, custodians: key.custodians, scheme: key.scheme, commitments: key.commitments, timeLock: key.timeLock } } : {}),
    };
  }

  async function sectionDetail(db: Db, s: store.Section, actor: Actor | null) {
    const project = (await store.findProject(db, s.projectId))!;
    return {
      section: await sectionWithKey(s),
      project: projectJson(project),
      documents: (await store.documentsOf(db, s.id)).map(documentJson),
      clarifications: (await store.clarificationsOf(db, s.id)).map(clarificationJson),
      ...(mayManageCentre(actor, s.centre) ? { canManage: true } : {}),
    };
  }

  const managedOf = (ctx: RequestContext, centres: string[]) => centres.filter((c) => mayManageCentre(ctx.actor, c));

  return {
    sectionWithKey,

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
      if (!p || !(mayManageCentre(actor, p.centre) || isOverseer(actor))) throw notFound('The project');
      return { project: projectJson(p), sections: (await store.sectionsOfProject(knex, id)).map(sectionJson) };
    },

    async listSections(ctx: RequestContext, q: { centre?: string; state?: SectionState; limit?: number; offset?: number }) {
      const actor = ctx.actor;
      const draftCentres = isOverseer(actor) ? 'all' : actor?.role === 'operator' ? actor.centres : [];
      const rows = await store.listSections(knex, { ...q, draftCentres, limit: q.limit ?? 50, offset: q.offset ?? 0 });
      return rows.map((r) => ({ ...sectionJson(r), projectTitle: r.projectTitle, tenderee: r.tenderee }));
    },

    /**
     * The public browser: published sections only (drafts never, whoever asks), filtered and
     * searched, one page with the total. The same rows as GET /api/sections shows the public.
     */
    async browseSections(_ctx: RequestContext, q: { centre?: string; states?: SectionState[]; procedure?: string; search?: string; limit: number; offset: number }) {
      const page = await browseSections(knex, q);
      return { total: page.total, sections: page.rows.map((r) => ({ ...sectionJson(r), projectTitle: r.projectTitle, tenderee: r.tenderee })) };
    },

    /** The operator's dashboard: their centres' sections counted by state (centres they do not manage are left out). */
    async dashboardCounts(ctx: RequestContext, centres: string[]) {
      return stateCounts(knex, managedOf(ctx, centres));
    },

    /** One page of a "needs me now" list of the dashboard, with the list's total. */
    async dashboardNeeds(ctx: RequestContext, key: NeedKey, scope: DashboardScope, page: { limit: number; offset: number }) {
      const s = { ...scope, centres: managedOf(ctx, scope.centres) };
      const [rows, total] = await Promise.all([needRows(knex, key, s, page.limit, page.offset), needCount(knex, key, s)]);
      return { rows, total };
    },

    /** One page of the centres' sections in one state, newest first (the total is the dashboard's count). */
    async dashboardStateRows(ctx: RequestContext, centres: string[], state: string, page: { limit: number; offset: number }) {
      return stateRows(knex, managedOf(ctx, centres), state, page.limit, page.offset);
    },

    async getSection(ctx: RequestContext, id: string) {
      const s = await visibleSection(knex, ctx, id);
      return sectionDetail(knex, s, ctx.actor);
    },

    /** Opens a document for download. Who downloads is not recorded anywhere (EB 21). */
    async openDocument(ctx: RequestContext, sectionId: string, documentId: string) {
      await visibleSection(knex, ctx, sectionId);
      const doc = await store.findDocument(knex, sectionId, documentId);
      if (!doc) throw notFound('The document');
      return { document: documentJson(doc), stream: blobs.open(doc.sha256) };
    },
  };
}
