// The part of the demo that shows the sealed-bid protocol end to end: a procurement tender whose
// deadline falls a few minutes after the first start, with three bids sealed and signed by the
// same code the `etender seal` command runs (a key and certificate per bidder, age encryption to
// the section's recipient, an RSA-PSS signed manifest). The platform timer holds the opening key,
// so the scheduler opens the tender by itself at the deadline. The demo history
// (seed-demo-history.ts) submits its past bids with the same helpers.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sealBid } from '../../modules/bids/bid-package';
import { canonicalBytes, MANIFEST_FORMAT, newNonce, signManifest } from '../../modules/bids/manifest';
import { DAY, type ManualClock } from '../../modules/core/clock';
import type { RequestContext } from '../../modules/core/context';
import { createCsr } from '../../modules/pki/client-keys';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';

type Services = ReturnType<typeof import('../app').buildServices>;

export interface DemoBidder {
  ctx: RequestContext;
  orgId: string;
  name: string;
  creditCode: string;
  price: string;
  /** The bidder's signing key and its platform certificate, once issued (kept for later bids). */
  signing?: { privateKey: KeyObject; fingerprint: string };
}

export interface DemoBid {
  bidder: DemoBidder;
  price: string;
  durationDays?: number;
  quality?: string;
}

/**
 * On the bidder's machine: an RSA key and a certificate request, certified by the platform CA at
 * the services' clock time. Issued once per bidder and reused for its later bids.
 */
export async function demoSigningKey(s: Services, b: DemoBidder): Promise<NonNullable<DemoBidder['signing']>> {
  if (b.signing) return b.signing;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const csr = createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { commonName: b.ctx.actor!.username });
  const cert = await s.pki.issueFromCsr(b.ctx, csr, 'signing');
  b.signing = { privateKey, fingerprint: cert.fingerprint };
  return b.signing;
}

/**
 * Each bidder seals its bid (bid.json and an attachment) to the section's opening recipient with
 * age, signs the manifest with its certified key, and submits it at the services' clock time —
 * what `etender seal` and `etender submit` do.
 */
export async function submitDemoBids(s: Services, section: { id: string; code: string }, bids: DemoBid[], response: string): Promise<void> {
  const recipient = (await s.custody.recipientOf(section.id))!;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-demo-'));
  try {
    for (const [i, { bidder: b, price, durationDays, quality }] of bids.entries()) {
      const { privateKey, fingerprint } = await demoSigningKey(s, b);
      const attachment = path.join(work, `${i}-技术响应文件.txt`);
      fs.writeFileSync(attachment, `${b.name}\n${response}\n`);
      const file = path.join(work, `${i}-bid.age`);
      const sealed = await sealBid({
        document: {
          format: 'etender-bid/1',
          section: { id: section.id, code: section.code },
          bidder: { orgId: b.orgId, name: b.name, creditCode: b.creditCode },
          price: { amount: price, ...(durationDays !== undefined ? { durationDays } : {}), ...(quality !== undefined ? { quality } : {}) },
        },
        attachments: [attachment],
        recipient,
        outPath: file,
      });
      const manifest = {
        format: MANIFEST_FORMAT,
        section: section.id,
        bidder: b.orgId,
        ciphertext: { sha256: sealed.sha256, size: sealed.size },
        recipient,
        nonce: newNonce(),
        certificate: fingerprint,
      } as const;
      await s.bids.submit(
        b.ctx,
        section.id,
        { manifest: canonicalBytes(manifest).toString('base64'), signature: signManifest(manifest, privateKey), certificate: undefined, contentLength: sealed.size },
        fs.createReadStream(file),
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Publishes the demo opening tender in the past and has each bidder submit a sealed bid now. */
export async function seedDemoOpening(s: Services, past: ManualClock, now: number, operator: RequestContext, bidders: DemoBidder[], openInMs: number): Promise<string> {
  past.set(now - 21 * DAY);
  const created = await s.tenders.createProject(
    operator,
    createProjectBody.parse({
      centre: 'procurement',
      title: '市民服务中心会议系统采购（开标演示）',
      tenderee: '合肥市政务服务管理局',
      sections: [{ title: '会议系统设备及安装', referencePrice: '2600000.00', bidBond: '50000.00', bidDeadlineAt: now + openInMs }],
    }),
  );
  const section = created.sections[0]!;
  await s.tenders.publish(operator, section.id);
  past.set(now);
  await submitDemoBids(
    s,
    { id: section.id, code: section.code },
    bidders.map((b) => ({ bidder: b, price: b.price, durationDays: 60, quality: '合格' })),
    '技术响应：完全满足招标文件第三章技术参数要求。',
  );
  return section.id;
}
