// PDF layout of the award notice: 中标通知书 (tender procedures, cost side) or 成交通知书 (auctions,
// listings, negotiated procurement; the revenue side), rendering the JSON of GET /api/sections/:id/award.
import type { PublicAward } from '../../modules/formats/award';
import type { RecordDocument } from '../../modules/records/pdf';
import { rmbUppercase } from './rmb';
import { beijingTime, both, centreName } from './strings';

/** GET /api/sections/:id/award as this layout reads it. */
/** The public award (GET /api/sections/:id/award) this notice prints (modules/formats/award.ts). */
export type AwardJson = PublicAward;

/** Section facts printed next to the award (the notice text names them too). */
export interface AwardNoticeSection {
  title: string;
  projectTitle: string | null;
  tenderee: string | null;
}

const REVENUE_CENTRES = new Set(['land', 'property']);
const TITLE_EN: Record<string, string> = { 中标通知书: 'Notice of Award', 成交通知书: 'Notice of Transaction' };

/** The notice's own title (its first line) when it has one, else by the centre's side. */
export function noticeKind(a: AwardJson['award']): '中标通知书' | '成交通知书' {
  const first = (a.notice ?? '').split('\n')[0]?.trim();
  if (first === '中标通知书' || first === '成交通知书') return first;
  return REVENUE_CENTRES.has(a.centre) ? '成交通知书' : '中标通知书';
}

/** The date (YYYY-MM-DD) of an instant in Asia/Shanghai. */
const shanghaiDate = (ms: number) => beijingTime(ms).slice(0, 10);

export function awardNoticeDocument(json: AwardJson, section: AwardNoticeSection, source: string): RecordDocument {
  const a = json.award;
  const kind = noticeKind(a);
  const tender = kind === '中标通知书';
  const upper = rmbUppercase(a.amount);
  const contractUpper = a.contractAmount ? rmbUppercase(a.contractAmount) : null;
  return {
    title: `${kind} ${TITLE_EN[kind]}`,
    subtitle: `${a.code} ${section.projectTitle ?? ''} ${section.title}`.replace(/\s+/g, ' ').trim(),
    subject: `${TITLE_EN[kind]} of section ${a.code}`,
    keywords: ['etender', 'award notice', a.code, a.sectionId],
    json,
    source,
    blocks: [
      { kind: 'heading', text: both({ zh: '通知事项', en: 'Particulars' }) },
      {
        kind: 'keyValue',
        rows: [
          [tender ? '中标人 Winning bidder' : '成交人 Buyer / winning party', a.bidderName],
          [tender ? '中标金额 Award amount' : '成交金额 Transaction amount', `¥${a.amount} 元 yuan`],
          ['大写 In capitals', upper ? `人民币${upper}` : '—'],
          [tender ? '中标日期 Award date' : '成交日期 Transaction date', `${shanghaiDate(a.awardedAt)} (Asia/Shanghai)`],
          ['标段编号 Section code', a.code],
          ['标段名称 Section', section.title],
          ['项目 Project', section.projectTitle ?? '—'],
          ['招标人 Tenderee', section.tenderee ?? '—'],
          ['交易中心 Centre', centreName(a.centre)],
          ...(a.contractSignedAt !== null
            ? ([
                ['合同签订日期 Contract signed', `${shanghaiDate(a.contractSignedAt)} (Asia/Shanghai)`],
                ['合同金额 Contract amount', `¥${a.contractAmount ?? '—'} 元 yuan${contractUpper ? `（人民币${contractUpper}）` : ''}`],
              ] as Array<[string, string]>)
            : []),
        ],
      },
      { kind: 'heading', text: both({ zh: '通知书正文', en: 'Text of the notice' }) },
      { kind: 'paragraph', size: 11, text: a.notice ?? '—' },
    ],
  };
}
