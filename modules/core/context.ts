// Who is asking, and from where: every service method that changes something takes a RequestContext
// so that its audit entry can name the actor, the role and the network address (EB 14).
import { forbidden, unauthenticated } from './errors';

export const ROLES = ['admin', 'operator', 'supervisor', 'auditor', 'custodian', 'bidder'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  /** The bidder's organisation; null for staff. */
  orgId: string | null;
  /** Centres an operator may act for; empty for other roles. */
  centres: string[];
}

export interface RequestContext {
  actor: Actor | null;
  ip: string | null;
}

/** The context of work the platform does by itself (the scheduler, the demo seed). */
export const SYSTEM_CONTEXT: RequestContext = { actor: null, ip: null };

export function requireActor(ctx: RequestContext): Actor {
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}

export function requireRole(ctx: RequestContext, roles: readonly Role[], doing: string): Actor {
  const actor = requireActor(ctx);
  if (!roles.includes(actor.role)) {
    throw forbidden(`Only ${roles.join(', ')} users may ${doing}; you are signed in as ${actor.role}.`);
  }
  return actor;
}

/** Staff who may read every record after the fact. */
export function isOverseer(actor: Actor | null): boolean {
  return !!actor && (actor.role === 'admin' || actor.role === 'supervisor' || actor.role === 'auditor');
}
