// How many wrong passwords an address may send: for one account, and across all accounts. Used by
// sign-in and by the current-password check of a password change, which share the same budgets.
//
// Why two budgets, and why both are keyed by address:
// - Per (address, account): guessing one account's password. Keyed with the address so that an
//   attacker spending the budget locks out only their own address: the real user signs in from
//   anywhere else as usual, and a right password from an address gives that address a fresh budget.
// - Per address, over all accounts: password spraying (one or two tries on each of many accounts)
//   never hits a per-account limit, so the address as a whole gets a budget too. A right password
//   does not refill it, or an attacker with one real account could keep spraying.
// Neither budget is global per account: otherwise anyone could lock any user out from everywhere.
// Guesses spread over many addresses are slowed by scrypt and stopped by the 12-character
// password rule, not by these counters. The counters live in this process (a first line of
// defence) and run on the app's clock; only wrong passwords count, and each window is fixed.
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Store } from 'express-rate-limit';
import type { Clock } from '../core/clock';
import { tooManyRequests } from '../core/errors';

export const LOGIN_WINDOW_MS = 15 * 60_000;

const FAILED = 'passwordRejected';
const USERNAME = 'limitedUsername';

/** express-rate-limit's store on the app's clock: fixed windows, kept in memory. */
export class ClockStore implements Store {
  readonly localKeys = true;
  private readonly entries = new Map<string, { hits: number; endsAt: number }>();
  private increments = 0;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  private live(key: string) {
    const e = this.entries.get(key);
    if (e && e.endsAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  // The library reads reset times against the real clock (Retry-After, headers): hand it the time left.
  private info(e: { hits: number; endsAt: number }): ClientRateLimitInfo {
    return { totalHits: e.hits, resetTime: new Date(Date.now() + (e.endsAt - this.clock.now())) };
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const e = this.live(key);
    return e ? this.info(e) : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    if (++this.increments % 1000 === 0) this.sweep();
    let e = this.live(key);
    if (!e) {
      e = { hits: 0, endsAt: this.clock.now() + this.windowMs };
      this.entries.set(key, e);
    }
    e.hits += 1;
    return this.info(e);
  }

  decrement(key: string): void {
    const e = this.live(key);
    if (e && e.hits > 0) e.hits -= 1;
  }

  resetKey(key: string): void {
    this.entries.delete(key);
  }

  resetAll(): void {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, e] of this.entries) if (e.endsAt <= now) this.entries.delete(key);
  }
}

/** "40 seconds", "1 minute", "15 minutes". */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? '');

export interface LoginLimits {
  /** Middleware to mount before a route that checks a password; `usernameOf` names the account tried. */
  guard(usernameOf: (req: Request) => string): RequestHandler[];
  /** The route found the password wrong: the request counts against both budgets. */
  countFailure(res: Response): void;
  /** The right password for `username` from this address: its budget for that account starts afresh. */
  succeeded(req: Request, username: string): void;
}

export function createLoginLimits(opts: { clock: Clock; perAccountAndAddress: number; perAddress: number }): LoginLimits {
  const accountStore = new ClockStore(opts.clock, LOGIN_WINDOW_MS);
  const accountKey = (req: Request, username: string) => `${addressOf(req)}|${username}`;

  const limiter = (name: string, limit: number, store: Store, keyGenerator: (req: Request, res: Response) => string, tooMany: string) =>
    rateLimit({
      windowMs: LOGIN_WINDOW_MS,
      limit,
      store,
      identifier: name,
      keyGenerator,
      // Only a wrong password costs anything: a refused or malformed request does not.
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.locals[FAILED] !== true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // Retry-After has just been set from the same reset time.
      handler: (_req, res, next) => next(tooManyRequests(`${tooMany}; wait ${waitText(Number(res.getHeader('Retry-After') ?? 0))} and try again.`)),
    });

  const perAddress = limiter('login-address', opts.perAddress, new ClockStore(opts.clock, LOGIN_WINDOW_MS), (req) => addressOf(req), 'Too many wrong passwords from your address');
  const perAccount = limiter(
    'login-account',
    opts.perAccountAndAddress,
    accountStore,
    (req, res) => accountKey(req, String(res.locals[USERNAME] ?? '')),
    'Too many wrong passwords for this account from your address',
  );

  return {
    guard(usernameOf) {
      const name: RequestHandler = (req, res, next) => {
        res.locals[USERNAME] = usernameOf(req);
        next();
      };
      return [name, perAddress, perAccount];
    },
    countFailure(res) {
      res.locals[FAILED] = true;
    },
    succeeded(req, username) {
      accountStore.resetKey(accountKey(req, username));
    },
  };
}
