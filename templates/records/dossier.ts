// PDF layout of the section dossier (标段审计档案) for auditors and supervisors: the section, every
// audit entry with its leaf hash, the checkpoints, and how to verify all of it independently.
import type { Dossier } from '../../modules/records/dossier';
import type { RecordDocument } from '../../modules/records/pdf';
import { centreWords } from '../../modules/centres/centre-words';
import { both, cell, portalCentreName, type RenderContext, zoneOf, zonedTime } from './strings';

const L = {
  title: { zh: '标段审计档案', en: 'Section Dossier' },
  section: { zh: '标段', en: 'Section' },
  entries: { zh: '审计日志条目', en: 'Audit log entries' },
  checkpoint: { zh: '签名检查点', en: 'Signed checkpoint' },
  recordCheckpoints: { zh: '开标记录中的检查点', en: 'Checkpoints named by the opening record' },
  bids: { zh: '投标及回执日志位置', en: 'Bids and their receipts\u2019 log positions' },
  verify: { zh: '如何核验', en: 'How to verify' },
};

/**
 * The "how to verify" steps. $URL stands for the instance's address (not taken from the request, so
 * that the dossier JSON, and its digest, do not depend on which host name the reader used).
 */
export function verifySteps(sectionId: string): string[] {
  const url = '$URL';
  return [
    '$URL = 本平台地址 the address of this platform, e.g. https://etender.example.org',
    `1. 核验审计日志 Verify the audit log: etender audit verify --url ${url} --token <auditor token> --public-key log.pub.pem — 重新计算每个条目的叶哈希 (RFC 6962)、每个检查点的树根与签名及一致性证明 (re-hashes every entry, recomputes every checkpoint root, checks signatures and consistency proofs).`,
    `2. 单个条目 One entry: 叶哈希 = SHA-256(0x00 || 条目规范 JSON); GET ${url}/api/audit/proofs/inclusion?index=<index>&size=<checkpoint size> 给出包含证明，其根应等于下列检查点的 root (the proof's root must equal the checkpoint root below).`,
    `3. 投标回执 Bid receipts: etender verify-receipt --receipt bid.age.receipt.json --url ${url} --in bid.age — 离线核验平台签名、密文摘要与日志位置 (checks the platform signature, the ciphertext digest and the log position offline).`,
    `4. 开标 Opening: 用开标记录公布的开标私钥解密公布的密文 (decrypt the published ciphertexts with the opening key published in the opening record): age -d -i opening-key.txt -o bid.tar bid.age，比对 bid.json 中的报价与开标记录 (compare the price in bid.json with the record): GET ${url}/api/sections/${sectionId}/opening-record`,
    `5. 本档案 This dossier: GET ${url}/api/sections/${sectionId}/dossier 的 JSON 按 RFC 8785 规范化后的 SHA-256 应等于首页所示摘要 (the canonical JSON hashes to the digest on the first page).`,
  ];
}

/** Labels for the data keys the log's entries use most; other keys print as they are. */
const KEY_LABELS: Record<string, string> = {
  state: '状态 state',
  code: '编号 code',
  centre: '中心 centre',
  bidder: '投标人 bidder',
  orgId: '单位 organisation',
  org: '单位 organisation',
  by: '由 by',
  reason: '原因 reason',
  amount: '金额 amount',
  price: '报价 price',
  rank: '排名 rank',
  bidDeadlineAt: '投标截止 deadline',
  bidOpensAt: '开始投标 bids open',
  publishedAt: '发布 published',
  clarificationDeadlineAt: '澄清截止 clarification deadline',
  promisedAt: '承诺入日志 promised',
  receivedAt: '递交 received',
  ciphertextSha256: '密文摘要 ciphertext SHA-256',
  manifestSha256: '清单摘要 manifest SHA-256',
  certificate: '证书 certificate',
  recipient: '接收方 recipient',
  threshold: '门限 threshold',
  kind: '类别 kind',
  sha256: 'SHA-256',
  text: '内容 text',
  answer: '答复 answer',
};

/** Keys whose numbers are instants (epoch ms). */
const isInstantKey = (key: string) => /(At|Time|Until|deadline)$/i.test(key);
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const HASHLIKE = /^[0-9a-f]{40,}$/i;

interface Readable {
  zone: string;
  names: Record<string, string>;
  sectionId: string;
  sectionCode: string;
  bidders: Map<string, string>;
  centres: NonNullable<RenderContext['centres']>;
}

function valueText(key: string, v: unknown, r: Readable): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return isInstantKey(key) && v > 1e11 ? zonedTime(v, r.zone, true) : String(v);
  if (typeof v === 'boolean') return v ? '是 yes' : '否 no';
  if (typeof v === 'string') {
    if (v === r.sectionId) return r.sectionCode;
    if (key === 'centre' && r.centres[v]) return `${r.centres[v]!.zh} (${v})`;
    if (ID.test(v)) {
      const name = r.names[v] ?? r.bidders.get(v);
      return name ? `${name} (${v.slice(-6)})` : v;
    }
    if (HASHLIKE.test(v)) return `${v.slice(0, 16)}…`;
    return v.length > 120 ? `${v.slice(0, 117)}…` : v;
  }
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map((x) => valueText(key, x, r)).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}: ${valueText(k, x, r)}`)
    .join(', ');
}

/** An entry's data as labelled lines: times in the centre's zone, names for the ids the platform knows, state changes as "a → b". */
export function readableData(data: Record<string, unknown>, r: Readable): string {
  const lines: string[] = [];
  const before = data.before as Record<string, unknown> | undefined;
  const after = data.after as Record<string, unknown> | undefined;
  if (before && after && typeof before === 'object' && typeof after === 'object' && 'state' in after) {
    lines.push(`${KEY_LABELS.state}: ${cell(before.state)} → ${cell(after.state)}`);
  } else if (after && typeof after === 'object' && 'state' in after) {
    lines.push(`${KEY_LABELS.state}: ${cell(after.state)}`);
  }
  for (const [k, v] of Object.entries(data)) {
    if ((k === 'before' || k === 'after') && v && typeof v === 'object' && Object.keys(v).every((x) => x === 'state')) continue;
    if (k === 'code' && v === r.sectionCode) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => x === null || typeof x !== 'object')) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) lines.push(`${KEY_LABELS[k2] ?? `${k}.${k2}`}: ${valueText(k2, v2, r)}`);
      continue;
    }
    lines.push(`${KEY_LABELS[k] ?? k}: ${valueText(k, v, r)}`);
  }
  const text = lines.join('\n') || '—';
  return text.length > 600 ? `${text.slice(0, 597)}…` : text;
}

export function dossierDocument(d: Dossier, source: string, ctx?: RenderContext): RecordDocument {
  const s = d.section;
  const cp = d.checkpoint;
  const zone = zoneOf(s.centre, ctx);
  const words = centreWords(s.centre);
  // Bids are named after their bidders, as their bid.submitted entries name them.
  const bidders = new Map<string, string>();
  for (const e of d.entries) {
    const org = e.entry.data.bidder ?? e.entry.data.orgId;
    if (e.entry.object.type === 'bid' && e.entry.object.id && typeof org === 'string') {
      const name = ctx?.names?.[org];
      if (name) bidders.set(e.entry.object.id, `${name}的${words.bid.zh}`);
    }
  }
  const r: Readable = { zone, names: ctx?.names ?? {}, sectionId: s.id, sectionCode: s.code ?? s.id, bidders, centres: ctx?.centres ?? {} };
  const objectText = (o: { type: string; id: string | null }) => {
    if (o.type === 'section' && o.id === s.id) return `标段 section ${s.code ?? s.id}`;
    if (o.type === 'bid' && o.id) return `${words.bid.zh} ${words.bid.en} ${bidders.get(o.id) ?? ''} (${o.id})`.replace(/\s+/g, ' ');
    return `${o.type} ${o.id ? (r.names[o.id] ?? o.id) : ''}`.trim();
  };
  return {
    title: both(L.title),
    subtitle: `${s.code ?? s.id} ${s.title}`,
    subject: `Audit dossier of section ${s.code ?? s.id}`,
    keywords: ['etender', 'dossier', s.id, ...(s.code ? [s.code] : [])],
    json: d,
    source,
    blocks: [
      { kind: 'heading', text: both(L.section) },
      {
        kind: 'keyValue',
        rows: [
          ['编号 Code', s.code ?? '—'],
          ['标段 Section', s.title],
          ['项目 Project', s.projectTitle ?? '—'],
          ['招标人 Tenderee', s.tenderee ?? '—'],
          ['中心 Centre', portalCentreName(s.centre, ctx)],
          ['时区 Time zone', `${zone} (${zonedTime(cp.at, zone, true).slice(20)})`],
          ['状态 State', s.state],
          ['ID', s.id],
        ],
      },
      { kind: 'heading', text: both(L.checkpoint) },
      {
        kind: 'keyValue',
        rows: [
          ['树大小 Size', String(cp.size)],
          ['树根 Root', cp.root],
          ['时间 At', zonedTime(cp.at, zone)],
          ['密钥 Key id', cp.keyId],
          ['签名 Signature', cp.signature],
        ],
      },
      ...(d.recordCheckpoints.length
        ? [
            { kind: 'heading' as const, text: both(L.recordCheckpoints) },
            {
              kind: 'table' as const,
              size: 7,
              columns: [
                { header: '树大小 Size', weight: 0.6, align: 'right' as const },
                { header: '时间 At', weight: 1.3 },
                { header: '树根 Root', weight: 2.4 },
                { header: '签名 Signature', weight: 2.4 },
              ],
              rows: d.recordCheckpoints.map((c) => [String(c.size), zonedTime(c.at, zone, true), c.root, `${c.keyId}\n${c.signature}`]),
            },
          ]
        : []),
      ...(d.bids.length
        ? [
            { kind: 'heading' as const, text: both(L.bids) },
            {
              kind: 'table' as const,
              columns: [
                { header: '投标 Bid', weight: 2 },
                { header: '回执日志位置 Receipt log index', weight: 1, align: 'right' as const },
              ],
              rows: d.bids.map((b) => [`${bidders.get(b.bidId) ?? ''}\n${b.bidId}`.trim(), b.receiptLogIndex === null || b.receiptLogIndex === undefined ? '—' : String(b.receiptLogIndex)]),
            },
          ]
        : []),
      { kind: 'heading', text: `${both(L.entries)} (${d.entries.length})` },
      {
        kind: 'table',
        size: 7,
        columns: [
          { header: '序号 Index', weight: 0.6, align: 'right' },
          { header: `时间 Time (${zone})`, weight: 1.3 },
          { header: '事件 Action / 对象 Object', weight: 1.8 },
          { header: '操作者 Actor', weight: 1 },
          { header: '内容 Data', weight: 3 },
          { header: '叶哈希 Leaf hash (SHA-256)', weight: 2.1 },
        ],
        rows: d.entries.map((e) => [
          String(e.index),
          zonedTime(e.entry.at, zone, true),
          `${e.entry.action}\n${objectText(e.entry.object)}`,
          e.entry.actor ? `${r.names[e.entry.actor.id] ?? e.entry.actor.username} (${e.entry.actor.role})` : '平台 platform',
          readableData(e.entry.data, r),
          e.leafHash,
        ]),
      },
      { kind: 'heading', text: both(L.verify) },
      ...d.verify.map((text) => ({ kind: 'paragraph' as const, text, size: 8 })),
    ],
  };
}
