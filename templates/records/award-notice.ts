// PDF layout of the award notice: 中标通知书 (tender procedures), 成交通知书 (negotiated procurement)
// or, for land-use and property rights, the 成交确认书 of a sale, rendering the JSON of
// GET /api/sections/:id/award; issued by the centre, with its seal area and the lines to sign on.
import type { PublicAward } from '../../modules/formats/award';
import type { RecordDocument } from '../../modules/records/pdf';
import { centreWords, tradeKindOf } from '../../modules/centres/centre-words';
import { rmbUppercase } from './rmb';
import { both, issuerName, partyWords, portalCentreName, type RenderContext, rmb, zoneOf, zonedTime } from './strings';

/** The public award (GET /api/sections/:id/award) this notice prints (modules/formats/award.ts). */
export type AwardJson = PublicAward;

/** Section facts printed next to the award (the notice text names them too). */
export interface AwardNoticeSection {
  title: string;
  projectTitle: string | null;
  tenderee: string | null;
}

type Kind = '中标通知书' | '成交通知书' | '成交确认书';
const TITLE_EN: Record<Kind, string> = { 中标通知书: 'Notice of Award', 成交通知书: 'Notice of Transaction', 成交确认书: 'Confirmation of Sale' };

/** A sale's letter is always the 成交确认书; otherwise the notice's own title (its first line), else 中标通知书. */
export function noticeKind(a: AwardJson['award']): Kind {
  if (tradeKindOf(a.centre) === 'sale') return '成交确认书';
  const first = (a.notice ?? '').split('\n')[0]?.trim();
  return first === '成交通知书' ? '成交通知书' : '中标通知书';
}

/** The date (YYYY-MM-DD) of an instant in the centre's zone. */
const localDay = (ms: number, zone: string) => zonedTime(ms, zone, true).slice(0, 10);

export function awardNoticeDocument(json: AwardJson, section: AwardNoticeSection, source: string, ctx?: RenderContext): RecordDocument {
  const a = json.award;
  const kind = noticeKind(a);
  const sale = kind === '成交确认书';
  const w = centreWords(a.centre);
  const winner = kind === '成交通知书' ? { zh: '成交人', en: 'Winning party' } : { zh: w.winner.zh, en: sale ? 'Buyer' : 'Successful bidder' };
  const amount = kind === '成交通知书' ? { zh: '成交金额', en: 'Transaction amount' } : { zh: w.awardAmount.zh, en: sale ? 'Sale price' : 'Award amount' };
  const owner = partyWords(a.centre).owner;
  const zone = zoneOf(a.centre, ctx);
  const issuer = issuerName(a.centre, ctx);
  const upper = rmbUppercase(a.amount);
  const contractUpper = a.contractAmount ? rmbUppercase(a.contractAmount) : null;
  // Notices written before the sale wording (a 成交通知书 text for a land sale) are printed as they were issued.
  return {
    title: `${kind} ${TITLE_EN[kind]}`,
    subtitle: `${a.code} ${section.projectTitle ?? ''} ${section.title}`.replace(/\s+/g, ' ').trim(),
    subject: `${TITLE_EN[kind]} of section ${a.code}`,
    keywords: ['etender', 'award notice', a.code, a.sectionId],
    json,
    source,
    blocks: [
      { kind: 'heading', text: both({ zh: sale ? '成交事项' : '通知事项', en: 'Particulars' }) },
      {
        kind: 'keyValue',
        rows: [
          [both(winner), a.bidderName],
          [both(amount), `${rmb(a.amount)} 元 yuan`],
          ['大写 In capitals', upper ? `人民币${upper}` : '—'],
          [sale ? '成交日期 Date of sale' : kind === '中标通知书' ? '中标日期 Award date' : '成交日期 Transaction date', `${localDay(a.awardedAt, zone)} (${zone})`],
          ['标段编号 Section code', a.code],
          [sale ? '标的 Lot' : '标段名称 Section', section.title],
          ['项目 Project', section.projectTitle ?? '—'],
          [both(owner), section.tenderee ?? '—'],
          ['交易中心 Centre', portalCentreName(a.centre, ctx)],
          ...(a.contractSignedAt !== null
            ? ([
                ['合同签订日期 Contract signed', `${localDay(a.contractSignedAt, zone)} (${zone})`],
                ['合同金额 Contract amount', `${rmb(a.contractAmount)} 元 yuan${contractUpper ? `（人民币${contractUpper}）` : ''}`],
              ] as Array<[string, string]>)
            : []),
        ],
      },
      { kind: 'heading', text: both({ zh: sale ? '确认书正文' : '通知书正文', en: 'Text' }) },
      { kind: 'paragraph', size: 10.5, text: a.notice ?? '—' },
      { kind: 'paragraph', size: 9, text: `签发 Issued by: ${issuer.zh} ${issuer.en}, ${localDay(a.awardedAt, zone)}` },
      {
        kind: 'signatures',
        lines: sale ? [`${owner.zh} ${owner.en}（盖章 seal）`, `${w.winner.zh} ${winner.en}（盖章 seal）`] : [`${issuer.zh}经办人 Officer`],
        columns: sale ? 2 : 1,
        seal: `${issuer.zh}\n（盖章）\nSeal of the centre`,
      },
    ],
  };
}
