// Benchmark: records at scale (issue 12, Benchmarks item 4). The opening-record PDF of a 500-bid
// section and the dossier PDF of a section with 10,000 audit entries: time and size, and the CJK
// font embedded as a subset (pdffonts: "yes yes" in the emb and sub columns).
//
// Each value is built directly in its zod format's shape (modules/formats/opening-record.ts,
// modules/formats/dossier.ts), checked against the schema, and rendered in this process through
// the renderer the records module uses (documentFor → renderPdf; the server runs the same code in
// its worker thread). Floor, same run: a minimal pdfkit document with the same font and the same
// number of text lines (the record PDF's own lines, as pdftotext reads them back), one doc.text each.
// Ratio = record render time / floor render time (information only: no bound yet).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { DOSSIER_FORMAT, dossierSchema, type Dossier } from '../../modules/formats/dossier';
import { OPENING_RECORD_FORMAT, openingRecordSchema, type OpeningRecord } from '../../modules/formats/opening-record';
import { cjkFont } from '../../modules/records/fonts';
import { renderPdf } from '../../modules/records/pdf';
import { documentFor, type RecordKind } from '../../modules/records/record-documents';
import { benchTempDir, failed, fmtMs, isMain, onInterrupt, printResult, removeDir, type BenchResult, type BenchRow } from './report';

const BIDS = Number(process.env.BENCH_RECORD_BIDS ?? 500);
const ENTRIES = Number(process.env.BENCH_DOSSIER_ENTRIES ?? 10_000);
const T = Date.parse('2026-11-20T09:30:00+08:00');

const hex = (seed: string) => crypto.createHash('sha256').update(seed).digest('hex');
const checkpoint = (size: number) => ({
  v: 1 as const,
  log: 'etender-audit' as const,
  size,
  root: hex(`root${size}`),
  at: T + size,
  keyId: hex('key'),
  signature: Buffer.alloc(64, 7).toString('base64'),
});

function openingRecord(bids: number): OpeningRecord {
  const value: OpeningRecord = {
    format: OPENING_RECORD_FORMAT,
    section: {
      id: 'sec-bench',
      code: 'HF-2026-C-0500',
      title: '滨湖新区学校新建工程 第一标段',
      round: 1,
      project: { id: 'prj-bench', code: 'HF-2026-C', title: '滨湖新区学校新建工程', tenderee: '合肥市教育局' },
      centre: { code: 'construction', name: '建设工程', direction: 'cost' },
      procedure: 'open_tender',
      evaluationMethod: 'lowest_price',
      referenceKind: 'control_price',
      referencePrice: '98000000.00',
    },
    openingTime: T,
    officials: { presiding: '张主持', recording: '李记录', supervising: '王监督' },
    freeze: { auditIndex: 1000, bidCount: bids, checkpoint: checkpoint(1001) },
    custody: {
      recipient: `age1${'q'.repeat(58)}`,
      threshold: 2,
      custodians: ['c1', 'c2', 'c3'],
      released: [
        { custodian: 'c1', at: T + 60_000 },
        { custodian: 'c2', at: T + 120_000 },
      ],
      scheme: 'shamir-gf256',
      commitments: [],
      timeLock: null,
    },
    releaseWindow: { hours: 2, endsAt: T + 7_200_000, exceeded: false, flaggedAt: null },
    bids: Array.from({ length: bids }, (_, i) => ({
      seq: i + 1,
      bidId: `bid-${String(i).padStart(5, '0')}`,
      bidder: { orgId: `org-${i}`, name: `合肥第${i + 1}建设工程有限公司`, creditCode: `91340100MA${String(i).padStart(8, '0')}`.slice(0, 18) },
      receivedAt: T - 3_600_000 + i * 1000,
      ciphertextSha256: hex(`ct${i}`),
      size: 100_000 + i,
      manifestSha256: hex(`mf${i}`),
      receiptLogIndex: 10 + i,
      certificate: hex(`cert${i}`),
      decryption: 'ok' as const,
      status: 'opened' as const,
      cause: null,
      price: { amount: `${90_000_000 + i * 137}.${String(i % 100).padStart(2, '0')}`, durationDays: 365, quality: '合格' },
      attachments: [{ name: '投标文件.pdf', size: 90_000, sha256: hex(`att${i}`) }],
      validity: 'valid' as const,
      remarks: i % 10 === 0 ? ['投标保证金以保函形式提交'] : [],
      openingLogIndex: 1100 + i,
    })),
    objections: [],
    openingKey: { recipient: `age1${'q'.repeat(58)}`, identity: `AGE-SECRET-KEY-1${'Q'.repeat(58)}` },
    publication: { checkpoint: checkpoint(1100 + bids) },
  };
  return openingRecordSchema.parse(value);
}

function dossier(entries: number): Dossier {
  const actions = ['bid.submitted', 'section.updated', 'clarification.published', 'bid.withdrawn', 'section.opened'];
  const value: Dossier = {
    format: DOSSIER_FORMAT,
    section: {
      id: 'sec-bench',
      code: 'HF-2026-C-0500',
      title: '滨湖新区学校新建工程 第一标段',
      centre: 'construction',
      state: 'awarded',
      projectTitle: '滨湖新区学校新建工程',
      tenderee: '合肥市教育局',
    },
    bids: Array.from({ length: 500 }, (_, i) => ({ bidId: `bid-${String(i).padStart(5, '0')}`, receiptLogIndex: 10 + i })),
    entries: Array.from({ length: entries }, (_, i) => ({
      index: i,
      leafHash: hex(`leaf${i}`),
      entry: {
        v: 1 as const,
        idx: i,
        id: `ent-${i}`,
        at: T - 86_400_000 + i * 1000,
        action: actions[i % actions.length]!,
        object: { type: i % 5 === 0 ? 'bid' : 'section', id: i % 5 === 0 ? `bid-${String(i % 500).padStart(5, '0')}` : 'sec-bench' },
        actor: { id: `usr-${i % 50}`, role: 'bidder', username: `bidder-${i % 50}` },
        ip: '127.0.0.1',
        data: { sectionId: 'sec-bench', seq: i },
      },
    })),
    checkpoint: checkpoint(entries + 1),
    recordCheckpoints: [checkpoint(1001)],
    verify: ['etender-verify dossier dossier.json'],
  };
  return dossierSchema.parse(value);
}

/** pdffonts' rows: every font must be embedded (emb) and a subset (sub). */
function fontsOf(file: string): { lines: string[]; ok: boolean } {
  const out = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n');
  const rows = out.slice(2);
  return { lines: rows, ok: rows.length > 0 && rows.every((r) => /\byes\s+yes\b/.test(r)) };
}

/** The floor: the same font, the same lines of text, one doc.text each, nothing else. */
function floorPdf(lines: string[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', cjkFont());
  doc.font('cjk').fontSize(8.5);
  for (const line of lines) doc.text(line);
  doc.end();
  return done;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function runRecordsScale(): Promise<BenchResult> {
  const result: BenchResult = { name: 'records-scale', rows: [], notes: [], errors: [] };
  const dir = benchTempDir('records');
  const forget = onInterrupt(() => removeDir(dir));
  try {
    // Warm up pdfkit and the font once so that neither side pays the first load.
    await floorPdf(['预热 warm-up']);
    const cases: Array<{ kind: RecordKind; label: string; value: unknown }> = [
      { kind: 'opening-record', label: `opening record, ${BIDS} bids`, value: openingRecord(BIDS) },
      { kind: 'dossier', label: `dossier, ${ENTRIES} audit entries`, value: dossier(ENTRIES) },
    ];
    for (const c of cases) {
      const json = JSON.stringify(c.value);
      const rendered = await timed(() => renderPdf(documentFor({ kind: c.kind, json, source: `/api/bench/${c.kind}.json` })));
      const file = path.join(dir, `${c.kind}.pdf`);
      fs.writeFileSync(file, rendered.value.pdf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1] ?? 0);
      const floor = await timed(() => floorPdf(lines));
      const floorFile = path.join(dir, `${c.kind}-floor.pdf`);
      fs.writeFileSync(floorFile, floor.value);
      const fonts = fontsOf(file);
      if (!fonts.ok) result.errors.push(`${c.label}: a font is not embedded as a subset:\n${fonts.lines.join('\n')}`);
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      const rows: BenchRow[] = [
        { bench: 'records-scale', metric: `${c.label}: render time`, floor: fmtMs(floor.ms), measured: fmtMs(rendered.ms), ratio: rendered.ms / floor.ms, bound: null, boundText: 'info' },
        {
          bench: 'records-scale',
          metric: `${c.label}: PDF size`,
          floor: kib(floor.value.length),
          measured: kib(rendered.value.pdf.length),
          ratio: rendered.value.pdf.length / floor.value.length,
          bound: null,
          boundText: 'info',
        },
      ];
      result.rows.push(...rows);
      result.notes.push(
        `${c.label}: ${kib(json.length)} of JSON → ${pages} pages, ${lines.length} text lines, ${kib(rendered.value.pdf.length)} of PDF; fonts: ${fonts.lines.map((l) => l.replace(/\s+/g, ' ')).join(' | ')}`,
      );
    }
  } finally {
    await removeDir(dir);
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runRecordsScale();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
