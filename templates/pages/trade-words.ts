// The trade's words on a page: a land or property sale says 出让公告/挂牌公告, 竞买人, 竞买保证金,
// 成交确认书 where a tender says 招标公告, 投标人, 投标保证金, 中标通知书 (modules/centres/centre-words.ts).
import { centreWords, wordsIn } from '../../modules/centres/centre-words';
import type { Ctx } from './layout';

export type TradeWords = ReturnType<typeof tradeWords>;

/** One centre's words in the page's language; English ones start with a capital, as labels do. */
export function tradeWords(c: Ctx, x: { centre: string; procedure?: string | null }) {
  const w = wordsIn(centreWords(x.centre, x.procedure), c.lang);
  if (c.lang === 'zh') return w;
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.charAt(0).toUpperCase() + v.slice(1)])) as typeof w;
}
