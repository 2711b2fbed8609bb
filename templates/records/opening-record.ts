// PDF layout of the opening record (开标记录表): section, centre, time, officials, every bid in order
// of receipt, objections, the checkpoints at freeze and publication, and the opening key.
import { yuanGrouped } from '../../modules/core/money';
import type { OpeningRecord } from '../../modules/formats/opening-record';
import { recipientFingerprint } from '../../modules/formats/recipient-fingerprint';
import type { Block, RecordDocument } from '../../modules/records/pdf';
import { centreWords } from '../../modules/centres/centre-words';
import { both, cell, partyWords, portalCentreName, type RenderContext, rmb, zoneOf, zonedTime } from './strings';

/** Amounts inside the opening's messages ("the price 1200000.00 is over…") with thousands separators. */
const amountsIn = (text: string) => text.replace(/\b\d{4,}\.\d{2}\b/g, (m) => yuanGrouped(m));
import { bilingualName, EVALUATION_METHOD_NAMES, PROCEDURE_NAMES, REFERENCE_KIND_NAMES } from '../code-names';

/** The record this layout prints: the format's own type (modules/formats/opening-record.ts). */
export type OpeningRecordJson = OpeningRecord;

const L = {
  title: { zh: '开标记录表', en: 'Bid Opening Record' },
  section: { zh: '项目与标段', en: 'Project and section' },
  officials: { zh: '开标人员', en: 'Officials' },
  bids: { zh: '投标情况（按递交顺序）', en: 'Bids, in order of receipt' },
  objections: { zh: '开标现场异议及答复', en: 'Objections raised at the opening and answers' },
  checkpoints: { zh: '审计日志检查点', en: 'Audit-log checkpoints' },
  key: { zh: '开标密钥（任何人可用 age 工具解密已公布的密文）', en: 'Opening key (decrypt the published ciphertexts with any age tool)' },
  signature: { zh: '签章', en: 'Signatures' },
};

const DECRYPTION: Record<string, string> = { ok: '成功 ok', failed: '失败 failed' };
const VALIDITY: Record<string, string> = { valid: '有效 valid', invalid: '无效 invalid' };

function checkpointLine(cp: unknown, zone: string): string {
  if (!cp || typeof cp !== 'object') return '—';
  const c = cp as Record<string, unknown>;
  return `size ${cell(c.size)} · root ${cell(c.root)} · ${zonedTime(c.at, zone, true)} · key ${cell(c.keyId)}\nsignature ${cell(c.signature)}`;
}

function priceText(p: OpeningRecordJson['bids'][number]['price']): string {
  if (!p) return '—';
  const parts = [rmb(p.amount)];
  if (p.durationDays !== undefined) parts.push(`工期 ${p.durationDays} 天 days`);
  if (p.quality) parts.push(`质量 ${p.quality}`);
  for (const [k, v] of Object.entries(p.other ?? {})) parts.push(`${k}: ${v}`);
  return parts.join('\n');
}

/** The bids table of an opening record (also inside the evaluation report). */
export function openingBidsTable(r: OpeningRecordJson, ctx?: RenderContext): Block {
  const w = centreWords(r.section.centre.code, r.section.procedure);
  const zone = zoneOf(r.section.centre.code, ctx);
  return {
    kind: 'table',
    size: 7.5,
    columns: [
      { header: '序号 No.', weight: 0.5, align: 'right' },
      { header: `${w.bidder.zh} ${w.bidder.en.charAt(0).toUpperCase()}${w.bidder.en.slice(1)}`, weight: 2.6 },
      { header: '递交时间 Received', weight: 1.3 },
      { header: '密文摘要 Ciphertext SHA-256', weight: 2.0 },
      { header: '解密 Decryption', weight: 0.9 },
      { header: '报价及其他 Price, other items', weight: 1.6 },
      { header: '有效性及备注 Validity, remarks', weight: 2 },
    ],
    rows: r.bids.map((b, i) => [
      String(b.seq),
      `${b.bidder.name}${b.bidder.creditCode ? `\n${b.bidder.creditCode}` : ''}`,
      zonedTime(b.receivedAt, zone, true),
      `${b.ciphertextSha256}\n回执日志 receipt log #${cell(b.receiptLogIndex)}`,
      DECRYPTION[b.decryption] ?? cell(b.decryption),
      priceText(b.price),
      amountsIn(
        [
          VALIDITY[b.validity ?? ''] ?? cell(b.validity),
          b.status,
          b.cause ? `${b.cause.code}: ${b.cause.message}` : '',
          ...b.remarks.filter((m) => !b.cause || !(b.cause.message.includes(m) || m.includes(b.cause.message))),
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    ]),
  };
}

export function openingRecordDocument(r: OpeningRecordJson, source: string, ctx?: RenderContext): RecordDocument {
  const s = r.section;
  const centre = s.centre.code;
  const w = centreWords(centre, s.procedure);
  const p = partyWords(centre);
  const zone = zoneOf(centre, ctx);
  const centres = { ...ctx?.centres };
  centres[centre] ??= { zh: s.centre.name, en: portalCentreName(centre).split(' ').slice(1).join(' '), timeZone: zone };
  return {
    title: both(L.title),
    subtitle: `${s.code} ${s.project.title} ${s.title}`.replace(/\s+/g, ' ').trim(),
    subject: `Opening record of section ${s.code}`,
    keywords: ['etender', 'opening record', s.code, s.id],
    json: r,
    source,
    blocks: [
      { kind: 'heading', text: both(L.section) },
      {
        kind: 'keyValue',
        rows: [
          ['标段编号 Section code', s.code],
          ['项目 Project', [s.project.code, s.project.title].filter(Boolean).join(' ') || '—'],
          ['标段名称 Section', `${s.title}${s.round && s.round > 1 ? `（第 ${s.round} 轮 round ${s.round}）` : ''}`],
          [both(p.owner), s.project.tenderee],
          ['交易中心 Centre', portalCentreName(centre, { centres })],
          [both(p.procedure), bilingualName(PROCEDURE_NAMES, s.procedure)],
          ['评标办法 Evaluation', bilingualName(EVALUATION_METHOD_NAMES, s.evaluationMethod)],
          ['参考价 Reference price', s.referencePrice ? `${rmb(s.referencePrice)} (${bilingualName(REFERENCE_KIND_NAMES, s.referenceKind)})` : '—'],
          ['开标时间 Opening time', r.openingTime ? zonedTime(r.openingTime, zone) : '—'],
          [`${w.bid.zh}数 ${w.bid.en === 'bid' ? 'Bids' : 'Offers'} counted`, String(r.freeze.bidCount)],
        ],
      },
      { kind: 'heading', text: both(L.officials) },
      {
        kind: 'keyValue',
        rows: [
          ['开标人（主持人）Presiding', r.officials.presiding],
          ['记录人 Recording', r.officials.recording],
          ['监标人 Supervising', r.officials.supervising],
        ],
      },
      { kind: 'heading', text: both(L.bids) },
      openingBidsTable(r, ctx),
      { kind: 'heading', text: both(L.objections) },
      r.objections.length
        ? {
            kind: 'table',
            size: 8,
            columns: [
              { header: '提出时间 Raised', weight: 1.2 },
              { header: '异议 Objection', weight: 3 },
              { header: '答复 Answer', weight: 3 },
            ],
            rows: r.objections.map((o) => [
              zonedTime(o.raisedAt, zone, true),
              `${o.text}${o.bidder ? `\n(${r.bids.find((b) => b.bidder.orgId === o.bidder)?.bidder.name ?? ctx?.names?.[o.bidder] ?? o.bidder})` : ''}`,
              `${o.answer ?? '—'}${o.answeredAt ? `\n${zonedTime(o.answeredAt, zone, true)}` : ''}`,
            ]),
          }
        : { kind: 'paragraph', text: '无 None' },
      { kind: 'heading', text: both(L.checkpoints) },
      {
        kind: 'keyValue',
        rows: [
          [`封存 Freeze (log #${cell(r.freeze.auditIndex)})`, checkpointLine(r.freeze.checkpoint, zone)],
          ['公布 Publication', checkpointLine(r.publication.checkpoint, zone)],
        ],
      },
      { kind: 'heading', text: both(L.key) },
      {
        kind: 'keyValue',
        rows: [
          ['接收方 Recipient', r.openingKey.recipient],
          ['公钥指纹 Fingerprint (SHA-256)', recipientFingerprint(r.openingKey.recipient)],
          ['私钥 Identity', r.openingKey.identity],
          ['门限 Threshold', `${r.custody.threshold} of ${r.custody.custodians.length}`],
        ],
      },
      { kind: 'heading', text: both(L.signature) },
      {
        kind: 'paragraph',
        size: 8,
        text: '本记录由平台数字签名：其规范化 JSON 的 SHA-256 记录于审计日志 section.opened 条目，并由上列公布检查点覆盖。\nSigned by the platform: the SHA-256 of its canonical JSON is in the section.opened audit entry, covered by the publication checkpoint above.',
      },
      {
        kind: 'signatures',
        lines: [`开标人 Opened by\n${r.officials.presiding}`, `记录人 Recorded by\n${r.officials.recording}`, `监标人 Supervised by\n${r.officials.supervising}`],
        columns: 3,
      },
      {
        kind: 'signatures',
        title: `${w.bidder.zh}代表签字 Signatures of the ${w.bidder.en}s' representatives`,
        lines: r.bids.length ? r.bids.map((b) => `${b.seq}. ${b.bidder.name}`) : ['—'],
        columns: 2,
      },
    ],
  };
}
