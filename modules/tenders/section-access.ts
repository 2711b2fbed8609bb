// Who may see and who may change a project or section: the visibility and management rules that
// every tenders entry point applies before it reads or writes.
import { isOverseer, requireActor, type Actor, type RequestContext } from '../core/context';
import { forbidden, notFound } from '../core/errors';
import type { Db } from '../../db/transactions';
import { isPublicState } from '../lifecycle/lifecycle';
import * as store from './tenders-store';
import { mayManageCentre } from '../core/access';

export function mayView(actor: Actor | null, s: store.Section): boolean {
  return isPublicState(s.state, s.publishedAt) || isOverseer(actor) || mayManageCentre(actor, s.centre);
}

/** A section the caller may see; one it may not see is "not found", never "forbidden". */
export async function visibleSection(db: Db, ctx: RequestContext, id: string): Promise<store.Section> {
  const s = await store.findSection(db, id);
  if (!s || !mayView(ctx.actor, s)) throw notFound('The section');
  return s;
}

/** A section the caller may change: 404 if it cannot even see it, 403 if it can only see it. */
export async function managedSection(db: Db, ctx: RequestContext, id: string): Promise<store.Section> {
  const actor = requireActor(ctx);
  const s = await visibleSection(db, ctx, id);
  if (!mayManageCentre(actor, s.centre)) throw forbidden(`Only operators of the ${s.centre} centre may change this section.`);
  return s;
}

export async function managedProject(db: Db, ctx: RequestContext, id: string): Promise<store.Project> {
  const actor = requireActor(ctx);
  const p = await store.findProject(db, id);
  if (!p || !(mayManageCentre(actor, p.centre) || isOverseer(actor))) throw notFound('The project');
  if (!mayManageCentre(actor, p.centre)) throw forbidden(`Only operators of the ${p.centre} centre may change this project.`);
  return p;
}
