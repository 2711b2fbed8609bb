// Strings shared by every PDF record: Chinese first, English after it where it helps a reader who
// does not read Chinese (auditors from elsewhere, the tests).

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
