// The part of the demo that shows a custodian's day: the construction centre's opening keys are held
// by the time lock and the demo custodian (account 'custodian'), whose encryption key is made here —
// as `etender keygen` would on the custodian's machine — and kept in the data directory (mode 0600),
// with its certificate issued by the platform CA. A construction tender with three sealed bids then
// waits at its deadline for the custodian's share: released with `etender share release`, or on the
// custody page.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DAY, type ManualClock } from '../../modules/core/clock';
import type { RequestContext } from '../../modules/core/context';
import { createCsr } from '../../modules/pki/client-keys';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';
import { submitDemoBids, type DemoBidder } from './seed-demo-opening';

type Services = ReturnType<typeof import('../app').buildServices>;

/** The centre whose custody includes the demo custodian. */
export const DEMO_CUSTODY_CENTRE = 'construction';
/** The demo custodian's account, as seed-demo.ts creates it. */
export const DEMO_CUSTODIAN = 'custodian';
/** Where the demo keeps the custodian's private key, under DATA_DIR. */
export const demoCustodianKeyFile = (dataDir: string) => path.join(dataDir, 'demo', 'custodian.key.pem');

export interface DemoCustody {
  sectionId: string;
  code: string;
  deadline: number;
  keyFile: string;
}

/**
 * At 22 days ago (the custodian's certificate must be valid when the tender is published, 20 days
 * before its deadline — so only when the platform CA is that old, see coversDemoHistory): the key and
 * certificate, the centre's custody set, the tender published. Its bids come later (submitDemoCustodyBids).
 */
export async function publishDemoCustodyTender(
  s: Services,
  past: ManualClock,
  now: number,
  who: { admin: RequestContext; operator: RequestContext; custodian: RequestContext },
  deadline: number,
  dataDir: string,
): Promise<DemoCustody> {
  past.set(now - 22 * DAY);
  const keyFile = demoCustodianKeyFile(dataDir);
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  // A stale key of an earlier demo (a database reset, the data directory kept) belongs to no certificate: replace it.
  fs.rmSync(keyFile, { force: true });
  fs.writeFileSync(keyFile, pem, { mode: 0o600, flag: 'wx' });
  await s.pki.issueFromCsr(who.custodian, createCsr(pem, { commonName: DEMO_CUSTODIAN }), 'encryption');

  const centre = (await s.centres.list()).find((c) => c.code === DEMO_CUSTODY_CENTRE)!;
  // The time lock and the custodian: neither alone opens a bid, and nobody opens before the deadline.
  await s.centres.updateSettings(who.admin, DEMO_CUSTODY_CENTRE, { ...centre.settings, custody: { threshold: 2, members: ['time-lock', `user:${DEMO_CUSTODIAN}`] } });

  const created = await s.tenders.createProject(
    who.operator,
    createProjectBody.parse({
      centre: DEMO_CUSTODY_CENTRE,
      title: '滨湖新区综合管廊监控系统工程（密钥保管演示）',
      tenderee: '合肥市滨湖新区建设投资有限公司',
      sections: [{ title: '监控系统施工', referencePrice: '5600000.00', bidBond: '100000.00', bidDeadlineAt: deadline }],
    }),
  );
  const section = created.sections[0]!;
  await s.tenders.publish(who.operator, section.id);
  return { sectionId: section.id, code: section.code, deadline, keyFile };
}

/** The three demo bidders bid on the custody tender, at the services' clock time (before its deadline). */
export async function submitDemoCustodyBids(s: Services, custody: DemoCustody, bidders: DemoBidder[]): Promise<void> {
  const prices = ['5380000.00', '5215000.00', '5490000.00'];
  await submitDemoBids(
    s,
    { id: custody.sectionId, code: custody.code },
    bidders.map((b, i) => ({ bidder: b, price: prices[i % prices.length]!, durationDays: 120, quality: '合格' })),
    '技术响应：监控系统满足招标文件第五章的技术要求。',
  );
}
