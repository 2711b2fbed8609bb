// The shared text schemas: what a name or title may hold, and what a multi-line text may hold.
import { expect } from 'chai';
import { multiLineText, oneLineText, textProblem } from '../../modules/core/text';

describe('text schemas (modules/core/text.ts)', () => {
  const refusedEverywhere = [
    '\u0000',
    '\u0001',
    '\u0007',
    '\u0008',
    '\u000B',
    '\u000C',
    '\u000D',
    '\u001B',
    '\u001F',
    '\u007F',
    '\u0080',
    '\u0085',
    '\u009F',
    '\u061C',
    '\u200B',
    '\u200C',
    '\u200D',
    '\u200E',
    '\u200F',
    '\u202A',
    '\u202B',
    '\u202C',
    '\u202D',
    '\u202E',
    '\u2060',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\uFEFF',
  ];

  it('a one-line text refuses every control, bidi and zero-width character, and line breaks and tabs', () => {
    const schema = oneLineText(1, 100);
    for (const ch of [...refusedEverywhere, '\n', '\t', '\u2028', '\u2029']) {
      const r = schema.safeParse(`甲${ch}乙`);
      expect(r.success, `U+${ch.codePointAt(0)!.toString(16)}`).to.equal(false);
      expect(r.error!.issues[0]!.message)
        .to.include(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
        .and.to.include('position 2');
    }
  });

  it('a multi-line text allows line feeds and tabs, reads CR LF as LF, and refuses the rest', () => {
    const schema = multiLineText(1, 100);
    expect(schema.parse('一\r\n\t二\n三')).to.equal('一\n\t二\n三');
    for (const ch of refusedEverywhere) expect(schema.safeParse(`一${ch}二`).success, `U+${ch.codePointAt(0)!.toString(16)}`).to.equal(false);
    expect(schema.safeParse('一\r二').success, 'a lone CR').to.equal(false);
  });

  it('ordinary text passes: Chinese, Latin, punctuation, ideographic space, emoji', () => {
    for (const s of ['合肥市公共资源交易中心', 'Anhui Jianye Co., Ltd.', '第（一）包 · A/B', '甲\u3000乙', 'ok 👍']) {
      expect(textProblem(s, false), s).to.equal(null);
      expect(oneLineText(1, 100).parse(s)).to.equal(s);
    }
  });

  it('trims and keeps the length limits', () => {
    expect(oneLineText(1, 5).parse('  甲乙  ')).to.equal('甲乙');
    expect(oneLineText(1, 5).safeParse('   ').success).to.equal(false);
    expect(oneLineText(1, 5).safeParse('123456').success).to.equal(false);
    expect(multiLineText(0, 10, { trim: false }).parse(' a\n')).to.equal(' a\n');
  });
});
