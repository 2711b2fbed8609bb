// The part of the demo that shows the sealed-bid protocol end to end: a procurement tender whose
// deadline falls a few minutes after the first start, with three bids sealed and signed by the
// same code the `etender seal` command runs (a key and certificate per bidder, age encryption to
// the section's recipient, an RSA-PSS signed manifest). The platform timer holds the opening key,
// so the scheduler opens the tender by itself at the deadline.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sealBid } from '../modules/bids/bid-package';
import { canonicalBytes, MANIFEST_FORMAT, newNonce, signManifest } from '../modules/bids/manifest';
import { DAY, type ManualClock } from '../modules/core/clock';
import type { RequestContext } from '../modules/core/context';
import { createCsr } from '../modules/pki/client-keys';
import { createProjectBody } from '../modules/tenders/tenders-schemas';

type Services = ReturnType<typeof import('../server/app').buildServices>;

export interface DemoBidder {
  ctx: RequestContext;
  orgId: string;
  name: string;
  creditCode: string;
  price: string;
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
  const sectionId = created.sections[0]!.id;
  await s.tenders.publish(operator, sectionId);
  past.set(now);
  const recipient = (await s.custody.recipientOf(sectionId))!;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-demo-'));
  try {
    for (const [i, b] of bidders.entries()) {
      // On the bidder's machine: a key, a certificate request, a sealed package, a signed manifest.
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const csr = createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { commonName: b.ctx.actor!.username });
      const cert = await s.pki.issueFromCsr(b.ctx, csr, 'signing');
      const attachment = path.join(work, `${i}-技术响应文件.txt`);
      fs.writeFileSync(attachment, `${b.name}\n技术响应：完全满足招标文件第三章技术参数要求。\n`);
      const file = path.join(work, `${i}-bid.age`);
      const sealed = await sealBid({
        document: {
          format: 'etender-bid/1',
          section: { id: sectionId, code: created.sections[0]!.code },
          bidder: { orgId: b.orgId, name: b.name, creditCode: b.creditCode },
          price: { amount: b.price, durationDays: 60, quality: '合格' },
        },
        attachments: [attachment],
        recipient,
        outPath: file,
      });
      const manifest = {
        format: MANIFEST_FORMAT,
        section: sectionId,
        bidder: b.orgId,
        ciphertext: { sha256: sealed.sha256, size: sealed.size },
        recipient,
        nonce: newNonce(),
        certificate: cert.fingerprint,
      } as const;
      await s.bids.submit(
        b.ctx,
        sectionId,
        { manifest: canonicalBytes(manifest).toString('base64'), signature: signManifest(manifest, privateKey), certificate: undefined, contentLength: sealed.size },
        fs.createReadStream(file),
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return sectionId;
}
