// The shapes the portal's pages render: centres, sections and the published opening record as the
// public API gives them (modules/formats), and a centre's name in the page's language.
import type { Centre } from '../../modules/centres/centres-schemas';
import type { OpeningRecord } from '../../modules/formats/opening-record';
import type { Section } from '../../modules/formats/section';
import type { Ctx } from './layout';

/** A centre as the pages show it: its names and the settings they print (modules/centres/centres-schemas.ts). */
export type CentreView = Pick<Centre, 'code' | 'nameZh' | 'nameEn'> & { settings: Pick<Centre['settings'], 'direction' | 'metric' | 'timeZone'> };
/**
 * A public section as the API shows it (formats/section.ts), with its project's title and tenderee
 * where the list gives them. Public sections are published, and publishing needs a bid deadline.
 */
export type SectionView = Omit<Section, 'bidDeadlineAt' | 'openingKey'> & { bidDeadlineAt: number; projectTitle?: string; tenderee?: string; openingKey?: OpeningKeyView | null };
export type OpeningKeyView = NonNullable<Section['openingKey']>;
/** The portal renders the published record itself (modules/formats/opening-record.ts). */
export type OpeningRecordView = OpeningRecord;
export type RecordBid = OpeningRecord['bids'][number];

export function centreName(c: Ctx, centres: CentreView[], code: string): string {
  const x = centres.find((y) => y.code === code);
  return x ? (c.lang === 'en' ? x.nameEn : x.nameZh) : code;
}
