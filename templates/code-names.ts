// The names of the platform's codes (procedures, evaluation methods, kinds of reference price) in
// zh-CN and English: the one list the portal pages and the PDF layouts print instead of the codes.

type Names = Record<string, { zh: string; en: string }>;

export const PROCEDURE_NAMES: Names = {
  open_tender: { zh: '公开招标', en: 'open tender' },
  invited_tender: { zh: '邀请招标', en: 'invited tender' },
  competitive_negotiation: { zh: '竞争性谈判', en: 'competitive negotiation' },
  competitive_consultation: { zh: '竞争性磋商', en: 'competitive consultation' },
  inquiry: { zh: '询价', en: 'request for quotations' },
  single_source: { zh: '单一来源', en: 'single source' },
  listing: { zh: '挂牌', en: 'listing' },
  auction: { zh: '拍卖', en: 'auction' },
  online_bidding: { zh: '网络竞价', en: 'online bidding' },
};

export const EVALUATION_METHOD_NAMES: Names = {
  lowest_price: { zh: '最低评标价法', en: 'lowest evaluated price' },
  lowest_evaluated_price: { zh: '最低评标价法', en: 'lowest evaluated price' },
  comprehensive_scoring: { zh: '综合评分法', en: 'comprehensive scoring' },
  highest_price: { zh: '价高者得', en: 'highest price' },
};

export const REFERENCE_KIND_NAMES: Names = {
  budget: { zh: '预算金额', en: 'budget' },
  control_price: { zh: '最高限价', en: 'control price' },
  starting_price: { zh: '起始价', en: 'starting price' },
  listing_price: { zh: '挂牌价', en: 'listing price' },
};

/** One language's names: { open_tender: '公开招标', … }. */
export function namesIn(names: Names, lang: 'zh' | 'en'): Record<string, string> {
  return Object.fromEntries(Object.entries(names).map(([code, n]) => [code, n[lang]]));
}

/** "公开招标 open tender" for the bilingual PDFs; the code itself when it has no name. */
export function bilingualName(names: Names, code: string | null | undefined): string {
  if (!code) return '—';
  const n = names[code];
  return n ? `${n.zh} ${n.en}` : code;
}
