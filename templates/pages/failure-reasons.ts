// A failed section's published reason in the page's language. The platform stores the reason in
// English (modules/opening/opening-service.ts, modules/evaluation/evaluation-service.ts); the
// reasons it writes are recognised here and said in Chinese with the centre's own words. A reason
// not recognised (an older or hand-written one) is shown as stored.
import type { Lang } from './strings';

type Words = { bidder: string; bid: string };

interface Pattern {
  re: RegExp;
  zh: (m: RegExpExecArray, w: Words) => string;
}

const PATTERNS: Pattern[] = [
  {
    re: /^Too few bids to open: (\d+) received, the (\w+) centre's minimum is (\d+)/,
    zh: (m, w) => `${w.bid}不足，未开标：共收到 ${m[1]} 份，本中心最少须 ${m[3]} 份（《招标投标法实施条例》第四十四条、《招标投标法》第二十八条）。所有${w.bid}文件均未解密；本标段可重新招标。`,
  },
  {
    re: /^The opening key cannot be rebuilt \((.*)\), so no bid can be opened/,
    zh: (m) => `开标私钥无法重建（${m[1]}），所有投标文件均无法开启；这不是投标人的过错（《电子招标投标办法》第三十一条）。本标段可重新招标。`,
  },
  {
    re: /^Every price is over the (budget|control price) of ([\d.,]+) yuan/,
    zh: (m) => `所有报价均超过${m[1] === 'budget' ? '预算金额' : '最高限价'} ${m[2]} 元（《政府采购法》第三十六条），本次采购废标，可重新招标。`,
  },
  {
    re: /^Only (\d+) responsive bids? remained after the evaluation, fewer than (\d+)/,
    zh: (m) => `评审后仅剩 ${m[1]} 份实质性响应的投标，少于 ${m[2]} 份（《政府采购法》第三十六条、财政部令第87号第四十三条），本次采购废标，可重新招标。`,
  },
  {
    re: /^No responsive bid remained after the evaluation/,
    zh: (_m, w) => `评审后没有实质性响应的${w.bid}，未能成交。`,
  },
  {
    re: /^The best price ([\d.,]+) yuan is under the reserve price \(底价\) of ([\d.,]+) yuan/,
    zh: (m) => `最高报价 ${m[1]} 元低于底价 ${m[2]} 元，未能成交（可重新挂牌）。`,
  },
  {
    re: /^No responsive price reaches the reserve price \(底价\) of ([\d.,]+) yuan/,
    zh: (m) => `没有达到底价 ${m[1]} 元的有效报价，未能成交。`,
  },
];

export function failureReasonText(lang: Lang, reason: string | null | undefined, words: Words): string | null {
  if (!reason) return null;
  if (lang === 'en') return reason;
  for (const p of PATTERNS) {
    const m = p.re.exec(reason);
    if (m) return p.zh(m, words);
  }
  return reason;
}
