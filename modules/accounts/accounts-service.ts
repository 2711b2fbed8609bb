// Users, roles, passwords and API tokens. Staff accounts are made by an admin; bidder accounts
// are made by the organisations module when an organisation registers its representatives.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { DAY } from '../core/clock';
import { requireActor, requireRole, type Actor, type RequestContext, type Role } from '../core/context';
import { CENTRE_CODES } from '../centres/centre-rules';
import { AppError, conflict, notFound, validationFailed } from '../core/errors';
import { newId } from '../core/ids';
import { isUniqueViolation, type InTransaction, type Tx } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import type { PasswordChangeResult, PublicUser } from './accounts-schemas';
import * as store from './accounts-store';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords';
import { normaliseUsername, usernameProblem } from './usernames';

export type { PasswordChangeResult, PublicUser } from './accounts-schemas';

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  centres?: string[];
  orgId?: string | null;
}

const TOKEN_PREFIX = 'etk_';

/** The error code of a wrong current password at a password change (the route counts these like failed logins). */
export const WRONG_PASSWORD = 'wrong_password';

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function toPublic(u: store.UserRow): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    orgId: u.orgId,
    centres: u.centres,
    disabled: u.disabled,
    createdAt: u.createdAt,
  };
}

function toActor(u: store.UserRow): Actor {
  return { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, orgId: u.orgId, centres: u.centres };
}

/** What the accounts' units of work need: the log. */
export type AccountsTx = { audit: AuditAppender };

export function createAccountsService(deps: {
  knex: Knex;
  clock: Clock;
  /** For events that change nothing else (sign-in, sign-out). */
  audit: AuditAppender;
  inTransaction: InTransaction<AccountsTx>;
  /** Whether a bidder's organisation is approved (org-facts answers). */
  orgApproved?: (orgId: string) => Promise<boolean>;
}) {
  const { knex, clock, audit, inTransaction } = deps;

  function checkShape(input: NewUser): void {
    if (input.role === 'operator' && !(input.centres && input.centres.length)) {
      throw validationFailed('An operator must act for at least one centre.', [{ field: 'centres', message: '"centres": an operator needs at least one centre' }]);
    }
    if (input.role !== 'operator' && input.centres && input.centres.length) {
      throw validationFailed('Only operators are scoped to centres.', [{ field: 'centres', message: '"centres" is only for operators' }]);
    }
    if ((input.role === 'bidder') !== !!input.orgId) {
      throw validationFailed('A bidder belongs to exactly one organisation, and only bidders do.', [{ field: 'role', message: '"role": bidders are created by registering their organisation' }]);
    }
  }

  /** Creates a user in a unit of work (organisation registration's too). */
  async function createUserIn(tx: Tx<AccountsTx>, ctx: RequestContext, input: NewUser): Promise<PublicUser> {
    checkShape(input);
    // Normalised once, here: the stored form is the only form, so no variant can be a second account.
    const username = normaliseUsername(input.username);
    const problem = usernameProblem(username);
    if (problem) throw validationFailed(`The username ${problem}.`, [{ field: 'username', message: `"username" ${problem}` }]);
    const now = clock.now();
    const user = {
      id: newId(),
      username,
      displayName: input.displayName,
      role: input.role,
      orgId: input.orgId ?? null,
      passwordHash: await hashPassword(input.password),
      disabled: false,
      centres: input.centres ?? [],
      createdAt: now,
    };
    try {
      await store.insertUser(tx.db, user);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`The username "${username}" is taken; choose another.`, [{ field: 'username', message: 'taken' }]);
      throw err;
    }
    await tx.audit.append(ctx, {
      action: 'user.created',
      objectType: 'user',
      objectId: user.id,
      data: { username: user.username, role: user.role, orgId: user.orgId, centres: user.centres },
    });
    return toPublic({ ...user, updatedAt: now });
  }

  return {
    /** The accounts' operations inside another module's unit of work. */
    on: (tx: Tx<AccountsTx>) => ({
      /** Organisation registration makes its first representatives with the organisation. */
      createUser: (ctx: RequestContext, input: NewUser) => createUserIn(tx, ctx, input),
    }),

    /** An admin creates a staff account (or the seed/CLI does, with the system context). */
    async createStaffUser(ctx: RequestContext, input: NewUser, opts: { system?: boolean } = {}): Promise<PublicUser> {
      if (!opts.system) requireRole(ctx, ['admin'], 'create accounts');
      return inTransaction((tx) => createUserIn(tx, ctx, input));
    },

    async countUsers(): Promise<number> {
      return store.countUsers(knex);
    },

    /** Checks a password; null for an unknown user, a wrong password or a disabled account. */
    async authenticate(username: string, password: string): Promise<Actor | null> {
      const user = await store.findUser(knex, { username: normaliseUsername(username) });
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || user.disabled) return null;
      return toActor(user);
    },

    /** The actor behind a session; null once the account is disabled, which ends the session. */
    async actorById(userId: string): Promise<Actor | null> {
      const user = await store.findUser(knex, { id: userId });
      return user && !user.disabled ? toActor(user) : null;
    },

    /** The active account with this username, e.g. a key custodian named in a centre's settings. */
    async actorByUsername(username: string): Promise<Actor | null> {
      const user = await store.findUser(knex, { username: normaliseUsername(username) });
      return user && !user.disabled ? toActor(user) : null;
    },

    async actorForToken(token: string): Promise<Actor | null> {
      if (!token.startsWith(TOKEN_PREFIX)) return null;
      const found = await store.findTokenUser(knex, hashToken(token));
      if (!found) return null;
      const { token: row, user } = found;
      if (row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= clock.now())) return null;
      return user.disabled ? null : toActor(user);
    },

    async recordLogin(ctx: RequestContext, method: 'password'): Promise<void> {
      await audit.append(ctx, { action: 'auth.login', objectType: 'user', objectId: ctx.actor?.userId, data: { method } });
    },

    async recordLogout(ctx: RequestContext): Promise<void> {
      await audit.append(ctx, { action: 'auth.logout', objectType: 'user', objectId: ctx.actor?.userId });
    },

    async me(ctx: RequestContext): Promise<PublicUser> {
      const actor = requireActor(ctx);
      const user = await store.findUser(knex, { id: actor.userId });
      if (!user) throw notFound('Your account');
      return toPublic(user);
    },

    async listUsers(ctx: RequestContext): Promise<PublicUser[]> {
      requireRole(ctx, ['admin'], 'list accounts');
      return (await store.listUsers(knex)).map(toPublic);
    },

    async listUsersOfOrg(orgId: string): Promise<PublicUser[]> {
      return (await store.listUsers(knex, { orgId })).map(toPublic);
    },

    async updateUser(ctx: RequestContext, id: string, patch: { displayName?: string; disabled?: boolean; centres?: string[] }): Promise<PublicUser> {
      const admin = requireRole(ctx, ['admin'], 'change accounts');
      return inTransaction(async (tx) => {
        const before = await store.findUser(tx.db, { id });
        if (!before) throw notFound('The user');
        if (patch.centres && before.role !== 'operator') {
          throw validationFailed('Only operators are scoped to centres.', [{ field: 'centres', message: '"centres" is only for operators' }]);
        }
        if (patch.centres && patch.centres.length === 0) {
          throw validationFailed('An operator must act for at least one centre.', [{ field: 'centres', message: '"centres" must not be empty' }]);
        }
        const unknown = patch.centres?.find((c) => !(CENTRE_CODES as readonly string[]).includes(c));
        if (unknown !== undefined) throw validationFailed(`There is no centre "${unknown}".`, [{ field: 'centres', message: `"centres": no centre "${unknown}"` }]);
        if (patch.disabled && before.id === admin.userId) {
          throw new AppError(409, 'conflict', 'You cannot disable your own account; ask another admin.');
        }
        await store.updateUser(tx.db, id, patch, clock.now());
        // A disabled user loses every session at once, not at the next expiry.
        if (patch.disabled) await store.deleteSessionsOfUser(tx.db, id);
        const after = (await store.findUser(tx.db, { id }))!;
        await tx.audit.append(ctx, {
          action: 'user.updated',
          objectType: 'user',
          objectId: id,
          data: {
            before: { displayName: before.displayName, disabled: before.disabled, centres: before.centres },
            after: { displayName: after.displayName, disabled: after.disabled, centres: after.centres },
          },
        });
        return toPublic(after);
      });
    },

    /**
     * An admin sets another account's password: typed by the admin, or made here and answered once
     * (never stored or logged in the clear). Every session of the account ends, since whoever held it
     * may be the reason for the reset; API tokens live on (the admin revokes them one by one).
     */
    async resetPassword(ctx: RequestContext, id: string, input: { password?: string } = {}): Promise<{ password: string | null; sessionsEnded: number }> {
      requireRole(ctx, ['admin'], "reset another account's password");
      const user = await store.findUser(knex, { id });
      if (!user) throw notFound('The user');
      if (user.role === 'bidder') throw new AppError(409, 'conflict', "A bidder's password is changed by the bidder; an admin resets only staff accounts.");
      const generated = input.password === undefined ? crypto.randomBytes(15).toString('base64url') : null;
      const passwordHash = await hashPassword(input.password ?? generated!);
      return inTransaction(async (tx) => {
        await store.updateUser(tx.db, id, { passwordHash }, clock.now());
        const sessionsEnded = await store.deleteSessionsOfUser(tx.db, id);
        await tx.audit.append(ctx, { action: 'user.password_reset', objectType: 'user', objectId: id, data: { generated: generated !== null, sessionsEnded } });
        return { password: generated, sessionsEnded };
      });
    },

    /** An account's API tokens (never their values), for an admin. */
    async listTokensOf(ctx: RequestContext, userId: string) {
      requireRole(ctx, ['admin'], "list another account's API tokens");
      if (!(await store.findUser(knex, { id: userId }))) throw notFound('The user');
      return store.listTokens(knex, userId);
    },

    /** An admin revokes one API token of an account. */
    async revokeTokenOf(ctx: RequestContext, userId: string, tokenId: string): Promise<void> {
      requireRole(ctx, ['admin'], "revoke another account's API tokens");
      await inTransaction(async (tx) => {
        const n = await store.revokeToken(tx.db, tokenId, userId, clock.now());
        if (n !== 1) throw notFound('An active token of that account with that id');
        await tx.audit.append(ctx, { action: 'token.revoked', objectType: 'user', objectId: userId, data: { tokenId } });
      });
    },

    /**
     * Changes the caller's password. Whoever else held a session of the account (perhaps the
     * reason for the change) is signed out; `keepSessionId`, the session making the change, stays.
     * API tokens live on unless `revokeTokens`: the result says how many are still active.
     */
    async changePassword(ctx: RequestContext, input: { currentPassword: string; newPassword: string; revokeTokens?: boolean; keepSessionId?: string | null }): Promise<PasswordChangeResult> {
      const actor = requireActor(ctx);
      const user = await store.findUser(knex, { id: actor.userId });
      if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
        throw new AppError(403, WRONG_PASSWORD, 'The current password is wrong.');
      }
      const passwordHash = await hashPassword(input.newPassword);
      return inTransaction(async (tx) => {
        const now = clock.now();
        await store.updateUser(tx.db, user.id, { passwordHash }, now);
        const sessionsEnded = await store.deleteSessionsOfUser(tx.db, user.id, input.keepSessionId ?? undefined);
        const tokensRevoked = input.revokeTokens ? await store.revokeTokensOfUser(tx.db, user.id, now) : 0;
        const activeTokens = await store.countActiveTokens(tx.db, user.id, now);
        await tx.audit.append(ctx, {
          action: 'user.password_changed',
          objectType: 'user',
          objectId: user.id,
          data: { sessionsEnded, tokensRevoked, activeTokens },
        });
        return { sessionsEnded, tokensRevoked, activeTokens };
      });
    },

    /** Issues an API token; the plaintext is returned once and only its SHA-256 is stored. */
    async createToken(ctx: RequestContext, input: { name: string; expiresInDays?: number }, forUserId?: string) {
      const actor = requireActor(ctx);
      const userId = forUserId ?? actor.userId;
      const owner = forUserId ? await store.findUser(knex, { id: forUserId }) : actor;
      // A bidder acts only for an approved organisation; a token would outlive that check.
      if (owner && owner.role === 'bidder' && !(owner.orgId && deps.orgApproved && (await deps.orgApproved(owner.orgId)))) {
        throw new AppError(403, 'organisation_not_approved', 'Your organisation is not approved yet: its registration awaits review by the centre. API tokens can be created once it is approved.');
      }
      const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
      const now = clock.now();
      const row = {
        id: newId(),
        userId,
        name: input.name,
        createdAt: now,
        expiresAt: input.expiresInDays ? now + input.expiresInDays * DAY : null,
        revokedAt: null,
      };
      await inTransaction(async (tx) => {
        await store.insertToken(tx.db, { ...row, tokenHash: hashToken(token) });
        await tx.audit.append(ctx, { action: 'token.created', objectType: 'user', objectId: userId, data: { tokenId: row.id, name: row.name } });
      });
      return { ...row, token };
    },

    /** For the CLI run on the server machine: a token for a named user without logging in. */
    async createTokenForUsername(username: string, name: string, expiresInDays?: number) {
      const user = await store.findUser(knex, { username: normaliseUsername(username) });
      if (!user || user.disabled) throw notFound(`An enabled user named "${username}"`);
      return this.createToken({ actor: toActor(user), ip: null }, { name, expiresInDays });
    },

    async listTokens(ctx: RequestContext) {
      const actor = requireActor(ctx);
      return store.listTokens(knex, actor.userId);
    },

    async revokeToken(ctx: RequestContext, id: string): Promise<void> {
      const actor = requireActor(ctx);
      await inTransaction(async (tx) => {
        const n = await store.revokeToken(tx.db, id, actor.userId, clock.now());
        if (n !== 1) throw notFound('An active token of yours with that id');
        await tx.audit.append(ctx, { action: 'token.revoked', objectType: 'user', objectId: actor.userId, data: { tokenId: id } });
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
export type TxAccounts = ReturnType<AccountsService['on']>;
