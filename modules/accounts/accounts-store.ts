import type { Db } from '../../db/transactions';
import { toBool, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';
import type { Role } from '../core/context';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  orgId: string | null;
  passwordHash: string;
  disabled: boolean;
  centres: string[];
  createdAt: number;
  updatedAt: number;
}

function mapUser(r: any, centres: string[]): UserRow {
  return {
    id: toStr(r.id),
    username: toStr(r.username),
    displayName: toStr(r.display_name),
    role: toStr(r.role) as Role,
    orgId: toStrOrNull(r.org_id),
    passwordHash: toStr(r.password_hash),
    disabled: toBool(r.disabled),
    centres,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
  };
}

async function centresOf(db: Db, userIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (userIds.length === 0) return map;
  const rows = await db('user_centres').whereIn('user_id', userIds).orderBy('centre_code');
  for (const r of rows) {
    const list = map.get(r.user_id) ?? [];
    list.push(toStr(r.centre_code));
    map.set(r.user_id, list);
  }
  return map;
}

/**
 * The centres of one user row. Only operators act for centres (the service refuses centres for any
 * other role, and a role never changes), so the others cost no second query.
 */
async function withCentres(db: Db, r: any): Promise<UserRow> {
  if (toStr(r.role) !== 'operator') return mapUser(r, []);
  const centres = await centresOf(db, [r.id]);
  return mapUser(r, centres.get(r.id) ?? []);
}

export async function findUser(db: Db, where: { id?: string; username?: string }): Promise<UserRow | null> {
  const r = await db('users').where(where).first();
  return r ? withCentres(db, r) : null;
}

/**
 * The API token with this hash and the account it belongs to, in one query: every bearer-token
 * request asks this first.
 */
export async function findTokenUser(db: Db, tokenHash: string): Promise<{ token: Pick<TokenRow, 'expiresAt' | 'revokedAt'>; user: UserRow } | null> {
  const r = await db('api_tokens')
    .join('users', 'users.id', 'api_tokens.user_id')
    .where('api_tokens.token_hash', tokenHash)
    .first('users.*', 'api_tokens.expires_at as token_expires_at', 'api_tokens.revoked_at as token_revoked_at');
  if (!r) return null;
  return { token: { expiresAt: toMsOrNull(r.token_expires_at), revokedAt: toMsOrNull(r.token_revoked_at) }, user: await withCentres(db, r) };
}

export async function listUsers(db: Db, filter: { orgId?: string } = {}): Promise<UserRow[]> {
  const q = db('users').orderBy('username');
  if (filter.orgId) q.where('org_id', filter.orgId);
  const rows = await q;
  const centres = await centresOf(
    db,
    rows.map((r: any) => r.id),
  );
  return rows.map((r: any) => mapUser(r, centres.get(r.id) ?? []));
}

export async function insertUser(db: Db, u: Omit<UserRow, 'updatedAt'>): Promise<void> {
  await db('users').insert({
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    role: u.role,
    org_id: u.orgId,
    password_hash: u.passwordHash,
    disabled: u.disabled,
    created_at: u.createdAt,
    updated_at: u.createdAt,
  });
  if (u.centres.length) await db('user_centres').insert(u.centres.map((c) => ({ user_id: u.id, centre_code: c })));
}

export async function updateUser(db: Db, id: string, patch: { displayName?: string; disabled?: boolean; passwordHash?: string; centres?: string[] }, now: number): Promise<void> {
  const row: Record<string, unknown> = { updated_at: now };
  if (patch.displayName !== undefined) row.display_name = patch.displayName;
  if (patch.disabled !== undefined) row.disabled = patch.disabled;
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  await db('users').where({ id }).update(row);
  if (patch.centres) {
    await db('user_centres').where({ user_id: id }).delete();
    if (patch.centres.length) await db('user_centres').insert(patch.centres.map((c) => ({ user_id: id, centre_code: c })));
  }
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db('users').count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

export interface TokenRow {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

function mapToken(r: any): TokenRow {
  return {
    id: toStr(r.id),
    userId: toStr(r.user_id),
    name: toStr(r.name),
    createdAt: toMs(r.created_at),
    expiresAt: toMsOrNull(r.expires_at),
    revokedAt: toMsOrNull(r.revoked_at),
  };
}

export async function insertToken(db: Db, t: TokenRow & { tokenHash: string }): Promise<void> {
  await db('api_tokens').insert({
    id: t.id,
    user_id: t.userId,
    name: t.name,
    token_hash: t.tokenHash,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    revoked_at: null,
  });
}

export async function listTokens(db: Db, userId: string): Promise<TokenRow[]> {
  return (await db('api_tokens').where({ user_id: userId }).orderBy('created_at')).map(mapToken);
}

export async function revokeToken(db: Db, id: string, userId: string, now: number): Promise<number> {
  return Number(await db('api_tokens').where({ id, user_id: userId }).whereNull('revoked_at').update({ revoked_at: now }));
}

/** Deletes the user's login sessions, except `exceptSid` when given. */
export async function deleteSessionsOfUser(db: Db, userId: string, exceptSid?: string): Promise<number> {
  const q = db('sessions').where({ user_id: userId });
  if (exceptSid !== undefined) q.whereNot({ sid: exceptSid });
  return Number(await q.delete());
}

export async function revokeTokensOfUser(db: Db, userId: string, now: number): Promise<number> {
  const q = db('api_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now));
  return Number(await q.update({ revoked_at: now }));
}

export async function countActiveTokens(db: Db, userId: string, now: number): Promise<number> {
  const r = await db('api_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .count({ n: '*' })
    .first();
  return Number(r?.n ?? 0);
}
