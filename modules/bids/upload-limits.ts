// How many sealed-bid uploads one bidder may have under way at once: the organisation's, or the
// user's when there is no organisation. A slot is taken when the upload starts and given back when
// its response is done or its connection is gone.
import type { Response } from 'express';
import type { RequestContext } from '../core/context';
import { tooManyRequests } from '../core/errors';

export interface UploadLimits {
  /** Takes a slot for the bidder of `ctx` until `res` closes; 429 when all are in use. */
  enter(ctx: RequestContext, res: Response): void;
  /** Uploads under way for a bidder key (org:<id> or user:<id>). */
  inFlight(key: string): number;
}

export function createUploadLimits(options: { maxPerBidder: number }): UploadLimits {
  const active = new Map<string, number>();
  return {
    enter(ctx, res) {
      const actor = ctx.actor;
      if (!actor) return;
      const key = actor.orgId ? `org:${actor.orgId}` : `user:${actor.userId}`;
      const n = active.get(key) ?? 0;
      if (n >= options.maxPerBidder) {
        res.set('Retry-After', '30');
        throw tooManyRequests(
          `Your organisation already has ${n} bid upload${n === 1 ? '' : 's'} under way, the most allowed at once; wait until ${n === 1 ? 'it has' : 'they have'} finished, then send this one again.`,
        );
      }
      active.set(key, n + 1);
      res.once('close', () => {
        const left = (active.get(key) ?? 1) - 1;
        if (left > 0) active.set(key, left);
        else active.delete(key);
      });
    },
    inFlight: (key) => active.get(key) ?? 0,
  };
}
