// SQL for awards and contracts.
import type { Db } from '../../db/transactions';
import { fenParam, toFen, toFenOrNull, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

export interface Award {
  sectionId: string;
  centre: string;
  code: string;
  title: string;
  referenceKind: string;
  referencePriceFen: bigint;
  orgId: string | null;
  bidderName: string;
  amountFen: bigint;
  awardedAt: number;
  notice: string | null;
  contractSignedAt: number | null;
  contractAmountFen: bigint | null;
  createdBy: string | null;
  createdAt: number;
}

const mapAward = (r: any): Award => ({
  sectionId: toStr(r.section_id),
  centre: toStr(r.centre_code),
  code: toStr(r.code),
  title: toStr(r.title),
  referenceKind: toStr(r.reference_kind),
  referencePriceFen: toFen(r.reference_price_fen),
  orgId: toStrOrNull(r.org_id),
  bidderName: toStr(r.bidder_name),
  amountFen: toFen(r.amount_fen),
  awardedAt: toMs(r.awarded_at),
  notice: toStrOrNull(r.notice),
  contractSignedAt: toMsOrNull(r.contract_signed_at),
  contractAmountFen: toFenOrNull(r.contract_amount_fen),
  createdBy: toStrOrNull(r.created_by),
  createdAt: toMs(r.created_at),
});

export async function insertAward(db: Db, a: Award): Promise<void> {
  await db('awards').insert({
    section_id: a.sectionId,
    centre_code: a.centre,
    code: a.code,
    title: a.title,
    reference_kind: a.referenceKind,
    reference_price_fen: fenParam(a.referencePriceFen),
    org_id: a.orgId,
    bidder_name: a.bidderName,
    amount_fen: fenParam(a.amountFen),
    awarded_at: a.awardedAt,
    notice: a.notice,
    contract_signed_at: null,
    contract_amount_fen: null,
    created_by: a.createdBy,
    created_at: a.createdAt,
  });
}

export async function findAward(db: Db, sectionId: string): Promise<Award | null> {
  const r = await db('awards').where({ section_id: sectionId }).first();
  return r ? mapAward(r) : null;
}

/** Records the contract once: false if one was recorded meanwhile. */
export async function setContract(db: Db, sectionId: string, signedAt: number, amountFen: bigint, by: string): Promise<boolean> {
  const n = await db('awards')
    .where({ section_id: sectionId })
    .whereNull('contract_signed_at')
    .update({ contract_signed_at: signedAt, contract_amount_fen: fenParam(amountFen), contract_recorded_by: by });
  return Number(n) === 1;
}

/** Awards with awarded_at in [from, to), in award order. */
export async function awardsBetween(db: Db, from: number, to: number): Promise<Award[]> {
  const rows = await db('awards')
    .whereBetween('awarded_at', [from, to - 1])
    .orderBy([{ column: 'awarded_at' }, { column: 'section_id' }]);
  return rows.map(mapAward);
}
