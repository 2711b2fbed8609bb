// PDF layout of the section dossier (标段审计档案) for auditors and supervisors: the section, every
// audit entry with its leaf hash, the checkpoints, and how to verify all of it independently.
import type { Dossier } from '../../modules/records/dossier';
import type { RecordDocument } from '../../modules/records/pdf';
import { beijingTime, both, cell, centreName } from './strings';

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

function summary(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}=${cell(v)}`)
    .join('; ');
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

export function dossierDocument(d: Dossier, source: string): RecordDocument {
  const s = d.section;
  const cp = d.checkpoint;
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
          ['中心 Centre', centreName(s.centre)],
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
          ['时间 At', beijingTime(cp.at)],
          ['密钥 Key id', cp.keyId],
          ['签名 Signature', cp.signature],
        ],
      },
      ...(d.recordCheckpoints.length
        ? [
            { kind: 'heading' as const, text: both(L.recordCheckpoints) },
            { kind: 'paragraph' as const, size: 7.5, text: d.recordCheckpoints.map((c) => cell(c)).join('\n') },
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
              rows: d.bids.map((b) => [b.bidId, b.receiptLogIndex === null || b.receiptLogIndex === undefined ? '—' : String(b.receiptLogIndex)]),
            },
          ]
        : []),
      { kind: 'heading', text: `${both(L.entries)} (${d.entries.length})` },
      {
        kind: 'table',
        size: 7,
        columns: [
          { header: '序号 Index', weight: 0.7, align: 'right' },
          { header: '时间 Time', weight: 1.4 },
          { header: '事件 Action / 对象 Object', weight: 1.9 },
          { header: '操作者 Actor', weight: 1.1 },
          { header: '内容 Data', weight: 2.6 },
          { header: '叶哈希 Leaf hash (SHA-256)', weight: 2.2 },
        ],
        rows: d.entries.map((e) => [
          String(e.index),
          beijingTime(e.entry.at),
          `${e.entry.action}\n${e.entry.object.type}:${e.entry.object.id ?? ''}`,
          e.entry.actor ? `${e.entry.actor.username} (${e.entry.actor.role})` : '平台 platform',
          summary(e.entry.data),
          e.leafHash,
        ]),
      },
      { kind: 'heading', text: both(L.verify) },
      ...d.verify.map((text) => ({ kind: 'paragraph' as const, text, size: 8 })),
    ],
  };
}
