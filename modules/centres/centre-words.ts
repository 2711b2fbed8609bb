// The words a record uses depend on what is traded. Procurement and construction tender (招标公告,
// 投标人, 投标保证金, 中标通知书); land-use and property rights are sold by listing or auction, and
// the same steps are called 出让公告/挂牌公告, 竞买人, 竞买保证金 and 成交确认书. Pages and PDFs take
// their vocabulary from here so that a land sale never calls its buyer 投标人.

export type TradeKind = 'tender' | 'sale';

interface Word {
  zh: string;
  en: string;
}

export interface CentreWords {
  /** The published notice: 招标公告 / 出让公告 (挂牌公告 when the procedure is a listing). */
  notice: Word;
  /** The party that submits: 投标人 / 竞买人. */
  bidder: Word;
  /** What that party submits: 投标 / 竞买申请 (the sealed offer). */
  bid: Word;
  /** The security it pays: 投标保证金 / 竞买保证金. */
  deposit: Word;
  /** The letter to the winner: 中标通知书 / 成交确认书. */
  awardLetter: Word;
  /** The winner: 中标人 / 竞得人. */
  winner: Word;
  /** The amount it won at: 中标金额 / 成交价. */
  awardAmount: Word;
  /** The rate the reports give: 资金节约率 / 增值率. */
  rate: Word;
  /** Who offers the contract or the right: 招标人 / 出让人 (land) / 转让方 (property). */
  tenderee: Word;
  /** The documents it publishes: 招标文件 / 出让文件 / 转让文件. */
  documents: Word;
  /** The deadline, which is also the opening: 投标截止 / 竞买申请截止. */
  deadline: Word;
}

const TENDER: CentreWords = {
  notice: { zh: '招标公告', en: 'tender notice' },
  bidder: { zh: '投标人', en: 'bidder' },
  bid: { zh: '投标', en: 'bid' },
  deposit: { zh: '投标保证金', en: 'bid security' },
  awardLetter: { zh: '中标通知书', en: 'notice of award' },
  winner: { zh: '中标人', en: 'successful bidder' },
  awardAmount: { zh: '中标金额', en: 'award amount' },
  rate: { zh: '资金节约率', en: 'savings rate' },
  tenderee: { zh: '招标人', en: 'tenderee' },
  documents: { zh: '招标文件', en: 'tender documents' },
  deadline: { zh: '投标截止 / 开标时间', en: 'bid deadline / opening' },
};

const SALE: CentreWords = {
  notice: { zh: '出让公告', en: 'notice of sale' },
  bidder: { zh: '竞买人', en: 'prospective buyer' },
  bid: { zh: '竞买', en: 'offer' },
  deposit: { zh: '竞买保证金', en: 'bidding deposit' },
  awardLetter: { zh: '成交确认书', en: 'confirmation of sale' },
  winner: { zh: '竞得人', en: 'buyer' },
  awardAmount: { zh: '成交价', en: 'sale price' },
  rate: { zh: '增值率', en: 'value-added rate' },
  tenderee: { zh: '出让人', en: 'seller' },
  documents: { zh: '出让文件', en: 'sale documents' },
  deadline: { zh: '竞买申请截止 / 开标时间', en: 'offer deadline / opening' },
};

/** Property rights are transferred (转让) by their holder; land-use rights are granted (出让). */
const PROPERTY: Partial<CentreWords> = {
  tenderee: { zh: '转让方', en: 'transferor' },
  documents: { zh: '转让文件', en: 'transfer documents' },
};

/** Land-use and property rights are sold; procurement and construction are tendered. */
export function tradeKindOf(centre: string): TradeKind {
  return centre === 'land' || centre === 'property' ? 'sale' : 'tender';
}

/** The vocabulary of a centre; a listing's notice is a 挂牌公告. */
export function centreWords(centre: string, procedure?: string | null): CentreWords {
  if (tradeKindOf(centre) === 'tender') return TENDER;
  const sale = centre === 'property' ? { ...SALE, ...PROPERTY } : SALE;
  if (procedure === 'listing') return { ...sale, notice: { zh: '挂牌公告', en: 'listing notice' } };
  return sale;
}

/** One language's words: { bidder: '竞买人', … }. */
export function wordsIn(words: CentreWords, lang: 'zh' | 'en'): Record<keyof CentreWords, string> {
  return Object.fromEntries(Object.entries(words).map(([k, w]) => [k, (w as Word)[lang]])) as Record<keyof CentreWords, string>;
}
