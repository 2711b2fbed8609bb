// Who may act for a centre, in one place: an admin, or an operator of that centre.
import type { Actor } from './context';

export function mayManageCentre(actor: Actor | null, centre: string): boolean {
  return !!actor && (actor.role === 'admin' || (actor.role === 'operator' && actor.centres.includes(centre)));
}
