// Test helpers for sealed bids: a signing certificate for a bidder (key made here, CSR signed by
// the platform CA through the API), a published section, and a sealed, signed bid ready to submit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { sealBid } from '../../modules/bids/bid-package';
import { MANIFEST_FORMAT, canonicalBytes, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { createCsr } from '../../modules/pki/client-keys';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { Encrypter } from 'age-encryption';
import { tarArchive } from '../../modules/bids/tar-writer';
import { HOUR } from '../../modules/core/clock';
import type { Receipt } from '../../modules/bids/receipt';
import { makeCreditCode, openTenderSection, T0, type TestApp, type TestUser } from './test-app';

export interface BidderKey {
  privateKey: crypto.KeyObject;
  privateKeyPem: string;
  certPem: string;
  fingerprint: string;
}

export async function signingCertificate(t: TestApp, user: TestUser): Promise<BidderKey> {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const csr = createCsr(privateKeyPem, { commonName: user.username });
  const res = await t.req(user).post('/api/pki/certificates').send({ csr, usage: 'signing' });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const certPem: string = res.body.certificate.pem;
  return { privateKey, privateKeyPem, certPem, fingerprint: res.body.certificate.fingerprint };
}

export interface PublishedSection {
  id: string;
  code: string;
  recipient: string;
  deadline: number;
}

export function publishedSection(t: TestApp, overrides: Record<string, unknown> = {}): Promise<PublishedSection> {
  return publish(t, t.users.opProc, { centre: 'procurement', title: '办公设备采购', tenderee: '市政务服务管理局', sections: [openTenderSection(overrides)] });
}

/** A published land auction (highest price) with the given starting price. */
export function publishedLandSection(t: TestApp, startingPrice = '5000000.00', title = '地块一'): Promise<PublishedSection> {
  return publish(t, t.users.opLand, {
    centre: 'land',
    title: '国有建设用地使用权出让',
    tenderee: '市自然资源和规划局',
    sections: [openTenderSection({ title, referencePrice: startingPrice, referenceKind: 'starting_price', procedure: 'auction', evaluationMethod: 'highest_price', bidBond: '100000.00' })],
  });
}

async function publish(t: TestApp, operator: TestUser, project: Record<string, unknown>): Promise<PublishedSection> {
  const res = await t.req(operator).post('/api/projects').send(project);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const id = res.body.sections[0].id as string;
  const pub = await t.req(operator).post(`/api/sections/${id}/publish`);
  expect(pub.status, JSON.stringify(pub.body)).to.equal(200);
  const detail = await t.req().get(`/api/sections/${id}`);
  const recipient = detail.body.openingKey?.recipient ?? detail.body.section.openingKey?.recipient;
  expect(recipient, 'published section has an opening recipient').to.match(/^age1/);
  return { id, code: pub.body.section.code, recipient, deadline: pub.body.section.bidDeadlineAt };
}

export const workDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'etender-bid-'));

export interface SealedBid {
  file: string;
  bytes: Buffer;
  manifest: Manifest;
  manifestB64: string;
  signature: string;
}

/** A bid sealed for `orgId` with its manifest built but not signed: for a test that signs elsewhere (in the page, with the browser's kept key). */
export async function sealedForSigning(
  section: { id: string; code: string; recipient: string },
  orgId: string,
  certificateFingerprint: string,
  options: { price?: string; attachmentBytes?: number; nonce?: string; bidderName?: string } = {},
): Promise<Omit<SealedBid, 'signature'>> {
  const dir = workDir();
  const attachment = path.join(dir, '技术方案.pdf');
  fs.writeFileSync(attachment, crypto.randomBytes(options.attachmentBytes ?? 2000));
  const file = path.join(dir, 'bid.age');
  const sealed = await sealBid({
    document: {
      format: 'etender-bid/1',
      section: { id: section.id, code: section.code },
      bidder: { orgId, name: options.bidderName ?? '甲建设有限公司', creditCode: '91350100M000100Y43' },
      price: { amount: options.price ?? '880000.00' },
    },
    attachments: [attachment],
    recipient: section.recipient,
    outPath: file,
  });
  const manifest = manifestFor(section, orgId, certificateFingerprint, { sha256: sealed.sha256, size: sealed.size }, options.nonce);
  return { file, bytes: fs.readFileSync(file), manifest, manifestB64: canonicalBytes(manifest).toString('base64') };
}

export async function sealedBid(
  section: { id: string; code: string; recipient: string },
  orgId: string,
  key: BidderKey,
  options: { price?: string; attachmentBytes?: number; nonce?: string; bidderName?: string } = {},
): Promise<SealedBid> {
  const unsigned = await sealedForSigning(section, orgId, key.fingerprint, options);
  return { ...unsigned, signature: signManifest(unsigned.manifest, key.privateKey) };
}

function manifestFor(section: { id: string; recipient: string }, orgId: string, certificate: string, ciphertext: { sha256: string; size: number }, nonce?: string): Manifest {
  return { format: MANIFEST_FORMAT, section: section.id, bidder: orgId, ciphertext, recipient: section.recipient, nonce: nonce ?? newNonce(), certificate };
}

export function signedFor(file: string, section: { id: string; recipient: string }, orgId: string, key: BidderKey, digest?: { sha256: string; size: number }, nonce?: string): SealedBid {
  const bytes = fs.readFileSync(file);
  const manifest = manifestFor(section, orgId, key.fingerprint, digest ?? { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length }, nonce);
  return { file, bytes, manifest, manifestB64: canonicalBytes(manifest).toString('base64'), signature: signManifest(manifest, key.privateKey) };
}

export function submit(t: TestApp, user: TestUser, sectionId: string, bid: { bytes: Buffer; manifestB64: string; signature: string }, extraHeaders: Record<string, string> = {}) {
  let r = t.req(user).post(`/api/sections/${sectionId}/bids`).set('Content-Type', 'application/octet-stream').set('Etender-Manifest', bid.manifestB64).set('Etender-Signature', bid.signature);
  for (const [k, v] of Object.entries(extraHeaders)) r = r.set(k, v);
  return r.send(bid.bytes);
}

/** A bidder representative of a newly registered and approved organisation, with a signing certificate. */
export interface Bidder {
  user: TestUser;
  orgId: string;
  name: string;
  key: BidderKey;
}

let bidderNo = 0;
export async function approvedBidder(t: TestApp, name: string, prefix = 'bidder'): Promise<Bidder> {
  bidderNo += 1;
  const username = `${prefix}-${bidderNo}`;
  const password = `pw-${username}-0123456789`;
  const reg = await t.services.orgs.register(SYSTEM_CONTEXT, {
    name,
    creditCode: makeCreditCode(),
    contactName: '联系人',
    contactPhone: '0551-7654321',
    representatives: [{ username, displayName: username, password }],
  });
  await t.services.orgs.approve(t.users.opProc.ctx, reg.organisation.id);
  const token = await t.services.accounts.createTokenForUsername(username, 'tests');
  const actor = (await t.services.accounts.actorById(reg.representatives[0]!.id))!;
  const user: TestUser = { id: actor.userId, username, password, token: token.token, ctx: { actor, ip: '127.0.0.1' } };
  return { user, orgId: reg.organisation.id, name, key: await signingCertificate(t, user) };
}

/** A bidder seals a bid at the given price and submits it; answers the receipt (201 asserted). */
export async function placeBid(t: TestApp, section: PublishedSection, b: Bidder, amount: string): Promise<Receipt> {
  const res = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { price: amount, bidderName: b.name }));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.receipt as Receipt;
}

/** Bids one hour apart from T0, then the deadline and the opening, which must succeed. */
export async function bidAndOpen(t: TestApp, section: PublishedSection, bids: Array<[Bidder, string]>): Promise<void> {
  for (const [i, [b, amount]] of bids.entries()) {
    t.clock.set(T0 + (i + 1) * HOUR);
    await placeBid(t, section, b, amount);
  }
  t.clock.set(section.deadline);
  await t.services.lifecycle.advanceDue();
  expect((await t.services.opening.openDue()).filter((o) => o.id === section.id)).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
}

/** A secret reserve (底价) sealed with age to the section's opening recipient, base64. */
export async function sealReserve(recipient: string, amount: string): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return Buffer.from(await e.encrypt(amount)).toString('base64');
}

/** The section's opening identity, rebuilt as the opening does it (only after the deadline). */
export async function openingIdentity(t: Pick<TestApp, 'services'>, sectionId: string): Promise<string> {
  const key = await t.services.custody.openingKey(sectionId);
  if (key.status !== 'ready') throw new Error(`the opening key of ${sectionId} is not ready: ${key.status} (${key.message})`);
  return key.identity;
}

/** A package built by hand (any bid.json, even one the CLI would refuse), sealed to `recipient` and signed. */
export async function handMadeBid(section: { id: string; recipient: string }, b: Bidder, doc: Record<string, unknown>, recipient = section.recipient): Promise<SealedBid> {
  const attachment = crypto.randomBytes(3000);
  const full = { attachments: [{ name: '报价单.pdf', size: attachment.length, sha256: crypto.createHash('sha256').update(attachment).digest('hex') }], ...doc };
  const json = Buffer.from(JSON.stringify(full));
  return sealedPackage(
    section,
    b,
    tarArchive([
      { name: 'bid.json', data: json },
      { name: '报价单.pdf', data: attachment },
    ]),
    recipient,
  );
}

/** Any plaintext package (even one no tool of ours would write), sealed to `recipient` and signed. */
export async function sealedPackage(section: { id: string; recipient: string }, b: Bidder, plain: Uint8Array, recipient = section.recipient): Promise<SealedBid> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  const file = path.join(workDir(), 'bid.age');
  fs.writeFileSync(file, await e.encrypt(plain));
  return signedFor(file, section, b.orgId, b.key);
}
