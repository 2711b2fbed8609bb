import type { Db } from '../../db/transactions';
import { toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

import type { Organisation } from './orgs-schemas';

export type { Organisation };
export type OrgStatus = Organisation['status'];

function map(r: any): Organisation {
  return {
    id: toStr(r.id),
    name: toStr(r.name),
    creditCode: toStr(r.credit_code),
    contactName: toStr(r.contact_name),
    contactPhone: toStr(r.contact_phone),
    contactEmail: toStrOrNull(r.contact_email),
    address: toStrOrNull(r.address),
    status: toStr(r.status) as OrgStatus,
    reviewedBy: toStrOrNull(r.reviewed_by),
    reviewedAt: toMsOrNull(r.reviewed_at),
    reviewNote: toStrOrNull(r.review_note),
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
  };
}

export async function insertOrg(db: Db, o: Organisation): Promise<void> {
  await db('organisations').insert({
    id: o.id,
    name: o.name,
    credit_code: o.creditCode,
    contact_name: o.contactName,
    contact_phone: o.contactPhone,
    contact_email: o.contactEmail,
    address: o.address,
    status: o.status,
    reviewed_by: null,
    reviewed_at: null,
    review_note: null,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  });
}

export async function findOrg(db: Db, where: { id?: string; credit_code?: string }): Promise<Organisation | null> {
  const r = await db('organisations').where(where).first();
  return r ? map(r) : null;
}

export async function listOrgs(db: Db, status?: OrgStatus): Promise<Organisation[]> {
  const q = db('organisations').orderBy('created_at');
  if (status) q.where({ status });
  return (await q).map(map);
}

/** Guarded review: only a pending organisation can be approved or rejected. */
export async function reviewOrg(db: Db, id: string, to: 'approved' | 'rejected', by: string, note: string | null, now: number): Promise<boolean> {
  const n = await db('organisations').where({ id, status: 'pending' }).update({ status: to, reviewed_by: by, reviewed_at: now, review_note: note, updated_at: now });
  return Number(n) === 1;
}
