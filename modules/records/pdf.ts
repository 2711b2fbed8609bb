// Renders a record's document model to a PDF with pdfkit and the embedded CJK font: a small layout
// layer (title, key/value table, wrapping multi-column table, bar chart, page header and footer)
// that the templates in templates/records/ fill. Every PDF states the SHA-256 of the canonical JSON
// it renders on its first page, in every footer and in its metadata.
import PDFDocument from 'pdfkit';
import { COMMON, PLATFORM_NAME, both } from '../../templates/records/strings';
import { canonicalDigest } from './digest';
import { cjkFont } from './fonts';

export interface TableColumn {
  header: string;
  /** Relative width; the columns share the page width in proportion. */
  weight?: number;
  align?: 'left' | 'right' | 'center';
}

export interface ChartBar {
  label: string;
  /** null: no data for this bar (drawn as a gap with "—"). */
  value: number | null;
}

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; size?: number }
  | { kind: 'keyValue'; rows: Array<[string, string]> }
  | { kind: 'table'; columns: TableColumn[]; rows: string[][]; size?: number }
  | { kind: 'barChart'; title: string; unit: string; bars: ChartBar[] }
  /** Signature lines: each label over a line to sign on, and a date line; `seal` adds a box for the seal. */
  | { kind: 'signatures'; lines: string[]; columns?: number; seal?: string; date?: boolean; title?: string };

export interface RecordDocument {
  /** Title on the first page and in the metadata. */
  title: string;
  subtitle?: string;
  /** PDF Subject metadata. */
  subject: string;
  keywords?: string[];
  /** The JSON document this PDF renders (the same one the JSON endpoint serves). */
  json: unknown;
  /** Where that JSON is served, printed next to the digest. */
  source: string;
  blocks: Block[];
}

export interface RenderedPdf {
  pdf: Buffer;
  sha256: string;
}

export { PDF_LAYOUT } from './pdf-layout';

const PAGE = { width: 595.28, height: 841.89, margin: 50, top: 64, bottom: 64 };
const FONT = 'cjk';
const INK = '#111111';
const GREY = '#666666';
const RULE = '#999999';

type Doc = PDFKit.PDFDocument;

const contentWidth = () => PAGE.width - 2 * PAGE.margin;
const bottomLimit = () => PAGE.height - PAGE.bottom;

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > bottomLimit()) doc.addPage();
}

function heading(doc: Doc, text: string): void {
  ensureRoom(doc, 40);
  doc.moveDown(0.6).fontSize(13).fillColor(INK).text(text, PAGE.margin, doc.y, { width: contentWidth() });
  const y = doc.y + 2;
  doc
    .moveTo(PAGE.margin, y)
    .lineTo(PAGE.margin + contentWidth(), y)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();
  doc.y = y + 6;
}

function paragraph(doc: Doc, text: string, size = 9.5): void {
  doc.fontSize(size).fillColor(INK);
  ensureRoom(doc, doc.heightOfString(text, { width: contentWidth() }) > 200 ? 30 : doc.heightOfString(text, { width: contentWidth() }));
  doc.text(text, PAGE.margin, doc.y, { width: contentWidth() });
  doc.moveDown(0.4);
}

/**
 * Column widths in proportion to the weights, but never narrower than the longest word of the
 * column's header (so that "Decryption" does not break into "Decr" and "yption"): narrow columns
 * get their minimum, the others share the rest in proportion.
 */
function columnWidths(doc: Doc, columns: TableColumn[], size: number, pad: number): number[] {
  doc.fontSize(size);
  const mins = columns.map((c) => Math.max(0, ...c.header.split(/\s+/).map((w) => doc.widthOfString(w))) + 2 * pad + 4);
  const fixed = new Set<number>();
  for (;;) {
    const free = contentWidth() - [...fixed].reduce((s, i) => s + mins[i]!, 0);
    const weight = columns.reduce((s, c, i) => (fixed.has(i) ? s : s + (c.weight ?? 1)), 0);
    const widths = columns.map((c, i) => (fixed.has(i) ? mins[i]! : ((c.weight ?? 1) / weight) * free));
    const short = widths.findIndex((w, i) => !fixed.has(i) && w < mins[i]!);
    if (short < 0 || fixed.size === columns.length - 1) return widths;
    fixed.add(short);
  }
}

/** Lines to sign on, in columns: the label, a rule, and "日期 Date" under it when asked for. */
function signatures(doc: Doc, lines: string[], columns = 2, seal?: string, date = true, title?: string): void {
  const gap = 24;
  const sealW = seal ? 130 : 0;
  const areaW = contentWidth() - (seal ? sealW + gap : 0);
  const colW = (areaW - gap * (columns - 1)) / columns;
  const rowH = 54;
  const rows = Math.ceil(lines.length / columns);
  ensureRoom(doc, Math.max(Math.min(rows, 2) * rowH, seal ? 128 : 0) + (title ? 30 : 10));
  if (title) {
    doc
      .fontSize(9)
      .fillColor(INK)
      .text(title, PAGE.margin, doc.y + 4, { width: contentWidth() });
    doc.moveDown(0.3);
  }
  const start = doc.y + 4;
  let top = start;
  lines.forEach((label, i) => {
    const col = i % columns;
    if (col === 0 && i > 0) top += rowH;
    if (top + rowH > bottomLimit()) {
      doc.addPage();
      top = doc.y + 4;
    }
    const x = PAGE.margin + col * (colW + gap);
    doc.fontSize(9).fillColor(INK).text(label, x, top, { width: colW, height: 29, ellipsis: true });
    const lineY = top + 31;
    doc
      .moveTo(x, lineY)
      .lineTo(x + colW, lineY)
      .lineWidth(0.6)
      .strokeColor(INK)
      .stroke();
    doc
      .fontSize(7)
      .fillColor(GREY)
      .text('签字 Signature', x, lineY + 2, { width: colW * 0.4, lineBreak: false });
    if (date) doc.text('日期 Date        年     月     日', x + colW * 0.4, lineY + 2, { width: colW * 0.6, align: 'right', lineBreak: false });
  });
  if (seal) {
    const sx = PAGE.margin + contentWidth() - sealW;
    const sy = start;
    doc.rect(sx, sy, sealW, 120).dash(3, { space: 3 }).lineWidth(0.6).strokeColor(GREY).stroke().undash();
    doc
      .fontSize(8)
      .fillColor(GREY)
      .text(seal, sx + 6, sy + 50, { width: sealW - 12, align: 'center' });
  }
  doc.x = PAGE.margin;
  doc.y = Math.max(top + rowH, seal ? start + 124 : 0) + 6;
}

/** A table: header row repeated on every page, cells wrapped to their column's width. */
function table(doc: Doc, columns: TableColumn[], rows: string[][], size = 8.5): void {
  const pad = 3;
  const widths = columnWidths(doc, columns, size, pad);
  const maxRow = bottomLimit() - PAGE.top - 40;

  const rowHeight = (cells: string[]) => {
    doc.fontSize(size);
    let h = 0;
    cells.forEach((text, i) => {
      h = Math.max(h, doc.heightOfString(text || ' ', { width: widths[i]! - 2 * pad }));
    });
    return Math.min(h + 2 * pad, maxRow);
  };

  const drawRow = (cells: string[], height: number, header: boolean) => {
    const y = doc.y;
    let x = PAGE.margin;
    if (header) doc.rect(PAGE.margin, y, contentWidth(), height).fillColor('#eeeeee').fill();
    doc.fontSize(size).fillColor(header ? INK : INK);
    cells.forEach((text, i) => {
      const w = widths[i]!;
      doc.text(text || '', x + pad, y + pad, { width: w - 2 * pad, height: height - 2 * pad, align: columns[i]?.align ?? 'left', ellipsis: true });
      x += w;
    });
    doc
      .moveTo(PAGE.margin, y + height)
      .lineTo(PAGE.margin + contentWidth(), y + height)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.x = PAGE.margin;
    doc.y = y + height;
  };

  const headers = columns.map((c) => c.header);
  const headerHeight = rowHeight(headers);
  ensureRoom(doc, headerHeight + 20);
  drawRow(headers, headerHeight, true);
  for (const row of rows) {
    const h = rowHeight(row);
    if (doc.y + h > bottomLimit()) {
      doc.addPage();
      drawRow(headers, headerHeight, true);
    }
    drawRow(row, h, false);
  }
  doc.moveDown(0.5);
}

function keyValue(doc: Doc, rows: Array<[string, string]>): void {
  const labelWidth = contentWidth() * 0.3;
  const valueWidth = contentWidth() - labelWidth;
  doc.fontSize(9.5);
  for (const [label, value] of rows) {
    const h = Math.max(doc.heightOfString(label || ' ', { width: labelWidth - 6 }), doc.heightOfString(value || ' ', { width: valueWidth }));
    ensureRoom(doc, h + 4);
    const y = doc.y;
    doc.fillColor(GREY).text(label, PAGE.margin, y, { width: labelWidth - 6 });
    doc.fillColor(INK).text(value || '—', PAGE.margin + labelWidth, y, { width: valueWidth });
    doc.y = y + h + 3;
  }
  doc.x = PAGE.margin;
  doc.moveDown(0.3);
}

/** Vertical bars on a zero baseline (negative values go below it), drawn with vector primitives. */
function barChart(doc: Doc, title: string, unit: string, bars: ChartBar[]): void {
  if (bars.every((b) => b.value === null)) {
    ensureRoom(doc, 30);
    doc.fontSize(9.5).fillColor(INK).text(title, PAGE.margin, doc.y, { width: contentWidth() });
    doc
      .fontSize(9)
      .fillColor(GREY)
      .text('本期间无数据 No data in this period', PAGE.margin, doc.y + 2, { width: contentWidth() });
    doc.x = PAGE.margin;
    doc.moveDown(0.6);
    return;
  }
  const height = 150;
  ensureRoom(doc, height + 50);
  doc.fontSize(9.5).fillColor(INK).text(title, PAGE.margin, doc.y, { width: contentWidth() });
  const top = doc.y + 6;
  const axisX = PAGE.margin + 40;
  const plotW = contentWidth() - 45;
  const values = bars.map((b) => b.value).filter((v): v is number => v !== null);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const yOf = (v: number) => top + ((max - v) / span) * height;
  const zeroY = yOf(0);

  doc.lineWidth(0.5).strokeColor(RULE);
  doc
    .moveTo(axisX, top)
    .lineTo(axisX, top + height)
    .stroke();
  doc
    .moveTo(axisX, zeroY)
    .lineTo(axisX + plotW, zeroY)
    .stroke();
  doc.fontSize(7).fillColor(GREY);
  for (const v of [max, min].filter((v, i, a) => a.indexOf(v) === i)) {
    doc.text(`${v.toFixed(2)}${unit}`, PAGE.margin - 8, yOf(v) - 4, { width: 44, align: 'right' });
  }

  const n = Math.max(bars.length, 1);
  const slot = plotW / n;
  const barW = Math.max(2, Math.min(28, slot * 0.6));
  bars.forEach((bar, i) => {
    const cx = axisX + slot * i + slot / 2;
    if (bar.value !== null) {
      const y = yOf(Math.max(bar.value, 0));
      const h = Math.abs(yOf(bar.value) - zeroY);
      doc
        .rect(cx - barW / 2, y, barW, Math.max(h, 0.5))
        .fillColor(bar.value >= 0 ? '#3b6ea5' : '#b5473a')
        .fill();
    }
    doc.fontSize(6.5).fillColor(GREY);
    if (n <= 24) {
      const valueText = bar.value === null ? '—' : bar.value.toFixed(2);
      const vy = bar.value === null ? zeroY - 9 : bar.value >= 0 ? yOf(bar.value) - 9 : yOf(bar.value) + 2;
      doc.text(valueText, cx - slot / 2, vy, { width: slot, align: 'center', lineBreak: false });
    }
    const every = Math.ceil(n / 12);
    if (i % every === 0) doc.text(bar.label, cx - (slot * every) / 2, top + height + 4, { width: slot * every, align: 'center', lineBreak: false });
  });
  doc.x = PAGE.margin;
  doc.y = top + height + 20;
}

function firstPage(doc: Doc, model: RecordDocument, sha256: string): void {
  doc.fontSize(18);
  if (doc.widthOfString(model.title) > contentWidth()) doc.fontSize(15);
  doc.fillColor(INK).text(model.title, PAGE.margin, PAGE.top + 6, { width: contentWidth(), align: 'center' });
  if (model.subtitle) doc.moveDown(0.2).fontSize(11).fillColor(GREY).text(model.subtitle, { width: contentWidth(), align: 'center' });
  doc.moveDown(0.8);
  const boxTop = doc.y;
  doc.fontSize(8.5).fillColor(INK);
  doc.text(`${both(COMMON.digestHeading)}: ${sha256}`, PAGE.margin + 6, boxTop + 5, { width: contentWidth() - 12 });
  doc.fillColor(GREY).text(`${both(COMMON.source)}: ${model.source}`, { width: contentWidth() - 12 });
  doc.text(`${COMMON.digestNote.zh} ${COMMON.digestNote.en}`, { width: contentWidth() - 12 });
  const boxBottom = doc.y + 4;
  doc
    .rect(PAGE.margin, boxTop, contentWidth(), boxBottom - boxTop)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();
  doc.x = PAGE.margin;
  doc.y = boxBottom + 6;
}

/** Header (platform and record title) and footer (page x of n, digest) on every buffered page. */
function decorate(doc: Doc, model: RecordDocument, sha256: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing in the margins must not trigger pdfkit's automatic page break.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(7.5).fillColor(GREY);
    doc.text(`${PLATFORM_NAME.zh} ${PLATFORM_NAME.en}`, PAGE.margin, 30, { width: contentWidth() / 2, lineBreak: false });
    doc.text(model.title, PAGE.margin + contentWidth() / 2, 30, { width: contentWidth() / 2, align: 'right', lineBreak: false });
    doc
      .moveTo(PAGE.margin, 44)
      .lineTo(PAGE.margin + contentWidth(), 44)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    const fy = PAGE.height - 44;
    doc
      .moveTo(PAGE.margin, fy - 4)
      .lineTo(PAGE.margin + contentWidth(), fy - 4)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.fontSize(7).fillColor(GREY);
    doc.text(`SHA-256 ${sha256}`, PAGE.margin, fy, { width: contentWidth() * 0.72, lineBreak: false });
    doc.text(COMMON.page(i - range.start + 1, range.count), PAGE.margin + contentWidth() * 0.72, fy, { width: contentWidth() * 0.28, align: 'right', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
}

/** The PDF of a record and the digest it states. */
export function renderPdf(model: RecordDocument): Promise<RenderedPdf> {
  const { sha256 } = canonicalDigest(model.json);
  const doc = new PDFDocument({
    size: 'A4',
    bufferPages: true,
    margins: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.margin, right: PAGE.margin },
    lang: 'zh-CN',
    info: {
      Title: model.title,
      Subject: `${model.subject} (JSON SHA-256 ${sha256})`,
      Keywords: [...(model.keywords ?? []), `sha256:${sha256}`].join(', '),
      Creator: `${PLATFORM_NAME.en} (etender)`,
      Producer: 'etender records (pdfkit)',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(FONT, cjkFont());
  doc.font(FONT);
  firstPage(doc, model, sha256);
  for (const block of model.blocks) {
    switch (block.kind) {
      case 'heading':
        heading(doc, block.text);
        break;
      case 'paragraph':
        paragraph(doc, block.text, block.size);
        break;
      case 'keyValue':
        keyValue(doc, block.rows);
        break;
      case 'table':
        table(doc, block.columns, block.rows, block.size);
        break;
      case 'barChart':
        barChart(doc, block.title, block.unit, block.bars);
        break;
      case 'signatures':
        signatures(doc, block.lines, block.columns, block.seal, block.date, block.title);
        break;
    }
  }
  decorate(doc, model, sha256);
  doc.end();
  return done.then((pdf) => ({ pdf, sha256 }));
}
