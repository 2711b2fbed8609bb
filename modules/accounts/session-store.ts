// express-session store in the database, so any server process can serve any request and an
// account can lose all its sessions at once (the user_id column).
import session from 'express-session';
import type { Knex } from 'knex';
import { toMs, toStr } from '../../db/row';
import { withRetry } from '../../db/transactions';

const ONE_DAY = 86_400_000;

export class KnexSessionStore extends session.Store {
  constructor(private readonly knex: Knex) {
    super();
  }

  private expiresAt(sess: session.SessionData): number {
    // Session lifetime follows the cookie, which express-session dates with the real clock.
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + ONE_DAY;
    return expires;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.knex('sessions')
      .where({ sid })
      .first()
      .then((row: any) => {
        if (!row || toMs(row.expires_at) <= Date.now()) return callback(null, null);
        callback(null, JSON.parse(toStr(row.data)));
      })
      .catch((err: unknown) => callback(err));
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const userId = (sess as { passport?: { user?: string } }).passport?.user ?? null;
    const row = { sid, user_id: userId, expires_at: this.expiresAt(sess), data: JSON.stringify(sess) };
    withRetry(() => this.knex('sessions').insert(row).onConflict('sid').merge(['user_id', 'expires_at', 'data']))
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    withRetry(() => this.knex('sessions').where({ sid }).delete())
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    withRetry(() =>
      this.knex('sessions')
        .where({ sid })
        .update({ expires_at: this.expiresAt(sess) }),
    )
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Deletes expired sessions; the scheduler calls it now and then. */
  async prune(): Promise<number> {
    return Number(await this.knex('sessions').where('expires_at', '<=', Date.now()).delete());
  }
}
