// The shared instant schema: epoch ms or ISO 8601 with an offset, from 2000 to before 2200 UTC.
import { expect } from 'chai';
import { instantSchema, MAX_INSTANT, MIN_INSTANT } from '../../modules/core/instant';

describe('instant schema (modules/core/instant.ts)', () => {
  it('accepts the ends of the range and ordinary instants in both forms', () => {
    expect(instantSchema.parse(MIN_INSTANT)).to.equal(Date.parse('2000-01-01T00:00:00Z'));
    expect(instantSchema.parse(MAX_INSTANT - 1)).to.equal(Date.parse('2199-12-31T23:59:59.999Z'));
    expect(instantSchema.parse('2026-12-20T09:30:00+08:00')).to.equal(Date.parse('2026-12-20T01:30:00Z'));
  });

  it('refuses instants outside it, whatever the form', () => {
    for (const v of [0, -1, MIN_INSTANT - 1, MAX_INSTANT, 253_402_300_799_999, '0000-01-01T00:00:00Z', '1999-12-31T23:59:59+00:00', '2200-01-01T08:00:00+08:00', '9999-12-31T23:59:59Z']) {
      const r = instantSchema.safeParse(v);
      expect(r.success, String(v)).to.equal(false);
      expect(r.error!.issues[0]!.message).to.include('from 2000-01-01 to before 2200-01-01 UTC');
    }
  });

  it('refuses what is not an instant', () => {
    for (const v of [1.5, '2026-12-20', '2026-12-20T09:30:00', 'tomorrow', null, true]) expect(instantSchema.safeParse(v).success, String(v)).to.equal(false);
  });
});
