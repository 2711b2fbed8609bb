// Strings shared by every PDF record: Chinese first, English after it where it helps a reader who
// does not read Chinese (auditors from elsewhere, the tests).
import { yuanGrouped } from '../../modules/core/money';
import { offsetLabel, wallClockText } from '../../modules/core/zoned-time';

export const PLATFORM_NAME = { zh: '统一电子招投标平台', en: 'Unified e-Tendering Platform' };

/** "中文 English" for labels; Chinese alone where the English adds nothing. */
export const both = (s: { zh: string; en: string }) => `${s.zh} ${s.en}`;

export const COMMON = {
  digestHeading: { zh: '数据摘要', en: 'JSON digest (SHA-256)' },
  digestNote: {
    zh: '本文件依据下列 JSON 文档生成；对该 JSON 按 RFC 8785 规范化后计算 SHA-256，结果应与此摘要一致。',
    en: 'This PDF renders the JSON document named below; its RFC 8785 canonical form hashes (SHA-256) to this digest.',
  },
  source: { zh: 'JSON 来源', en: 'JSON source' },
  generatedAt: { zh: '生成时间', en: 'Generated at' },
  page: (n: number, total: number) => `第 ${n} / ${total} 页 Page ${n} of ${total}`,
  none: { zh: '无', en: 'none' },
};

export const CENTRE_NAMES: Record<string, { zh: string; en: string }> = {
  procurement: { zh: '政府采购', en: 'Government procurement' },
  construction: { zh: '建设工程', en: 'Construction projects' },
  land: { zh: '土地使用权出让', en: 'State land-use rights' },
  property: { zh: '国有产权交易', en: 'State property rights' },
};

export function centreName(code: unknown): string {
  const c = typeof code === 'string' ? CENTRE_NAMES[code] : undefined;
  return c ? `${c.zh} ${c.en}` : String(code ?? '');
}

/** An instant (UTC epoch ms) as Beijing time, "2026-12-01 09:00:00"; strings pass through. */
export function beijingTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Date.parse(String(value));
  if (!Number.isFinite(ms)) return String(value);
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Any JSON value as one line of text for a table cell. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** "¥3,528,600.00"; "—" for no amount. */
export const rmb = (amount: string | bigint | null | undefined): string => {
  const t = yuanGrouped(amount);
  if (t === '—' || !/^-?[\d,]+\.\d\d$/.test(t)) return t;
  return t.startsWith('-') ? `-¥${t.slice(1)}` : `¥${t}`;
};

/** What a render knows besides the JSON: the centres as the portal names them, and names for ids. */
export interface RenderContext {
  centres?: Record<string, { zh: string; en: string; timeZone: string }>;
  /** Organisation (and other) ids → the names the platform knows for them. */
  names?: Record<string, string>;
}

/** The centre's name as on the portal ("土地出让 State land-use rights"), else the built-in one. */
export function portalCentreName(code: unknown, ctx?: RenderContext): string {
  const c = typeof code === 'string' ? ctx?.centres?.[code] : undefined;
  return c ? `${c.zh} ${c.en}` : centreName(code);
}

/** The issuing body of a notice: the centre as a trading centre, "土地出让交易中心" / "产权交易中心". */
export function issuerName(code: unknown, ctx?: RenderContext): { zh: string; en: string } {
  const c = (typeof code === 'string' ? (ctx?.centres?.[code] ?? CENTRE_NAMES[code]) : undefined) ?? { zh: String(code ?? ''), en: String(code ?? '') };
  const zh = c.zh.endsWith('中心') ? c.zh : c.zh.endsWith('交易') ? `${c.zh}中心` : `${c.zh}交易中心`;
  const en = /centre$/i.test(c.en) ? c.en : `${c.en} Trading Centre`;
  return { zh, en };
}

/**
 * An instant in a time zone with its offset: "2026-12-01 09:00:00 (UTC+08:00 Asia/Shanghai)"; the
 * zone's name is left out when `short`.
 */
export function zonedTime(ms: unknown, timeZone = 'Asia/Shanghai', short = false): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return beijingTime(ms);
  const off = offsetLabel(ms, timeZone);
  return `${wallClockText(ms, timeZone)} ${short ? off : `(${off} ${timeZone})`}`;
}

/** The centre's time zone (Asia/Shanghai unless the render was told otherwise). */
export const zoneOf = (code: unknown, ctx?: RenderContext): string => (typeof code === 'string' ? ctx?.centres?.[code]?.timeZone : undefined) ?? 'Asia/Shanghai';

/** Words the PDFs need beyond modules/centres/centre-words.ts: who owns what is traded, and how it is traded. */
export function partyWords(centre: string): { owner: { zh: string; en: string }; procedure: { zh: string; en: string } } {
  if (centre === 'land' || centre === 'property') return { owner: { zh: '出让人', en: 'Seller' }, procedure: { zh: '交易方式', en: 'Procedure' } };
  if (centre === 'procurement') return { owner: { zh: '采购人', en: 'Purchaser' }, procedure: { zh: '采购方式', en: 'Procedure' } };
  return { owner: { zh: '招标人', en: 'Tenderee' }, procedure: { zh: '招标方式', en: 'Procedure' } };
}
