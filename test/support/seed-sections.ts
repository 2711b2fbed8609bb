// Many sections at once, written straight into the database with knex (no API, no audit entries):
// for tests of the public section browser's filters, pages and speed. Section i belongs to centre
// i % 4, has state PUBLIC_STATES[i % 10] and the code SEED-<CENT>-<i, 5 digits>; every 500th
// (i % 500 === 7) is titled 体育馆改造. Nothing seeded is due for the scheduler.
import { DAY } from '../../modules/core/clock';
import { newId } from '../../modules/core/ids';
import { SECTION_STATES } from '../../modules/lifecycle/lifecycle';
import { T0, type TestApp } from './test-app';

const CENTRES = ['procurement', 'construction', 'land', 'property'] as const;
const PROCEDURES: Record<string, [string, string]> = {
  procurement: ['open_tender', 'inquiry'],
  construction: ['open_tender', 'invited_tender'],
  land: ['listing', 'auction'],
  property: ['listing', 'online_bidding'],
};
/**
 * The seeded states: every public one but 'closed' and 'opening', which the scheduler would take
 * up; their deadlines are far ahead, so that nothing seeded is due while the tests move the clock.
 */
export const PUBLIC_STATES = SECTION_STATES.filter((s) => !['draft', 'closed', 'opening'].includes(s));

/** `count` published sections (and 100 drafts) of 100 projects, written with knex in batches. */
export async function seedSections(t: TestApp, count: number): Promise<void> {
  const knex = t.tdb.db.knex;
  const projects = Array.from({ length: 100 }, (_, i) => ({
    id: newId(),
    centre_code: CENTRES[i % 4],
    code: `SEEDP-${String(i).padStart(4, '0')}`,
    title: `批量项目 ${i}`,
    tenderee: '批量招标人',
    description: null,
    created_by: t.users.opProc.id,
    created_at: T0 - 400 * DAY,
    updated_at: T0 - 400 * DAY,
  }));
  await knex.batchInsert('projects', projects, 100);
  const rows = [];
  for (let i = 0; i < count + 100; i++) {
    const project = projects[i % 100]!;
    const centre = project.centre_code;
    const draft = i >= count;
    const state = draft ? 'draft' : PUBLIC_STATES[i % PUBLIC_STATES.length]!;
    const published = T0 - 300 * DAY + i * 60_000;
    const ahead = T0 + 400 * DAY;
    rows.push({
      id: newId(),
      project_id: project.id,
      centre_code: centre,
      code: `SEED-${centre.slice(0, 4).toUpperCase()}-${String(i).padStart(5, '0')}`,
      lot_no: Math.floor(i / 100) + 1,
      round: 1,
      previous_section_id: null,
      title: draft ? `草稿标段 ${i}` : i % 500 === 7 ? `体育馆改造 第${i}包` : `批量标段 第${i}包`,
      state,
      procedure: PROCEDURES[centre]![i % 2]!,
      evaluation_method: centre === 'land' || centre === 'property' ? 'highest_price' : 'lowest_price',
      reference_kind: centre === 'land' ? 'starting_price' : centre === 'property' ? 'listing_price' : 'budget',
      reference_price_fen: 100_000_000 + i,
      bid_bond_fen: 1_000_000,
      published_at: draft ? null : published,
      bid_opens_at: draft ? null : state === 'published' ? ahead : published,
      clarification_deadline_at: null,
      bid_deadline_at: ahead + 30 * DAY,
      closed_at: null,
      cancelled_at: null,
      cancel_reason: null,
      version: 1,
      created_by: t.users.opProc.id,
      created_at: published - DAY,
      updated_at: published,
    });
  }
  await knex.batchInsert('sections', rows, 400);
}
