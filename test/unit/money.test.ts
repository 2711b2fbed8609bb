import { expect } from 'chai';
import { MAX_FEN, formatYuan, parseYuan, fenToDecimal } from '../../modules/core/money';

function fenOf(input: unknown): bigint {
  const r = parseYuan(input);
  if (!r.ok) throw new Error(`expected ${String(input)} to parse, got: ${r.reason}`);
  return r.fen;
}

function reasonOf(input: unknown): string {
  const r = parseYuan(input);
  if (r.ok) throw new Error(`expected ${String(input)} to be rejected, got ${r.fen}`);
  return r.reason;
}

describe('money', () => {
  describe('parseYuan accepts', () => {
    const cases: Array<[string, bigint]> = [
      ['0', 0n],
      ['0.0', 0n],
      ['0.00', 0n],
      ['0.5', 50n],
      ['0.05', 5n],
      ['0.01', 1n],
      ['0.99', 99n],
      ['1', 100n],
      ['1.5', 150n],
      ['1.05', 105n],
      ['10', 1000n],
      ['100.10', 10010n],
      ['12345678.90', 1234567890n],
      ['12345678.9', 1234567890n],
      ['999999999999.99', 99999999999999n],
      // above 2^53: a float would lose these last digits
      ['90071992547409.93', 9007199254740993n],
      ['92233720368547758.07', 9223372036854775807n],
    ];
    for (const [input, fen] of cases) {
      it(`"${input}" → ${fen} fen`, () => {
        expect(parseYuan(input)).to.deep.equal({ ok: true, fen });
      });
    }

    it('returns a bigint, not a number', () => {
      expect(typeof fenOf('12.34')).to.equal('bigint');
    });

    it('accepts exactly the BIGINT maximum', () => {
      expect(fenOf('92233720368547758.07')).to.equal(MAX_FEN);
      expect(MAX_FEN).to.equal(2n ** 63n - 1n);
    });
  });

  describe('parseYuan rejects', () => {
    it('three or more decimals, with a reason about decimals', () => {
      for (const input of ['1.234', '0.001', '12345678.901', '1.0000']) {
        expect(reasonOf(input), input).to.match(/decimals/);
        expect(reasonOf(input), input).to.include('more than two decimals');
      }
    });

    it('negative amounts, with a reason saying so', () => {
      for (const input of ['-1', '-0.01', '-0', '-12345678.90', '-1.234']) {
        expect(reasonOf(input), input).to.include('negative');
      }
    });

    it('malformed strings', () => {
      for (const input of ['', ' 1', '1 ', '01', '00', '00.5', '1e5', '1E5', '+1', '.5', '1.', '1,000.00', '1_000', '0x10', 'Infinity', 'NaN', '１２', '12.3.4', '¥12', '1.5\n']) {
        const reason = reasonOf(input);
        expect(reason, JSON.stringify(input)).to.equal('must be a decimal string in yuan with at most two decimals, such as "12345678.90"');
      }
    });

    it('non-strings, including numbers and bigints', () => {
      for (const input of [0, 1, 0.5, 12345678.9, 100n, null, undefined, {}, [], ['1'], true, new String('1')]) {
        expect(reasonOf(input), String(input)).to.equal('must be a decimal string in yuan, such as "12345678.90"');
      }
    });

    it('one fen above the BIGINT maximum', () => {
      expect(reasonOf('92233720368547758.08')).to.equal('is too large');
      expect(reasonOf('92233720368547759')).to.equal('is too large');
      expect(reasonOf('100000000000000000')).to.equal('is too large');
    });

    it('amounts far beyond the BIGINT maximum (beyond decimal.js default precision)', () => {
      expect(reasonOf('1' + '0'.repeat(40))).to.equal('is too large');
      expect(reasonOf('9'.repeat(30) + '.99')).to.equal('is too large');
    });
  });

  describe('formatYuan', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0.00'],
      [1n, '0.01'],
      [5n, '0.05'],
      [10n, '0.10'],
      [99n, '0.99'],
      [100n, '1.00'],
      [105n, '1.05'],
      [1234567890n, '12345678.90'],
      [9007199254740993n, '90071992547409.93'],
      [MAX_FEN, '92233720368547758.07'],
      [-1n, '-0.01'],
      [-5n, '-0.05'],
      [-100n, '-1.00'],
      [-12345n, '-123.45'],
      [-1234567890n, '-12345678.90'],
      [-MAX_FEN - 1n, '-92233720368547758.08'],
    ];
    for (const [fen, text] of cases) {
      it(`${fen} fen → "${text}"`, () => {
        expect(formatYuan(fen)).to.equal(text);
      });
    }
  });

  describe('round trip', () => {
    it('formatYuan(parseYuan(x)) gives x in two-decimal form', () => {
      const cases: Array<[string, string]> = [
        ['0', '0.00'],
        ['0.5', '0.50'],
        ['0.05', '0.05'],
        ['7', '7.00'],
        ['12345678.90', '12345678.90'],
        ['12345678.9', '12345678.90'],
        ['0.1', '0.10'],
        ['0.2', '0.20'],
        ['0.3', '0.30'],
        ['1.1', '1.10'],
        ['1.15', '1.15'],
        ['4.35', '4.35'],
        ['1.00', '1.00'],
        ['9007199254740.99', '9007199254740.99'],
        ['90071992547409.93', '90071992547409.93'],
        ['92233720368547758.07', '92233720368547758.07'],
      ];
      for (const [input, out] of cases) {
        const r = parseYuan(input);
        expect(r.ok, input).to.equal(true);
        if (r.ok) expect(formatYuan(r.fen), input).to.equal(out);
      }
    });

    it('parseYuan(formatYuan(fen)) gives fen back for every fen 0..10000 and for large values', () => {
      for (let n = 0n; n <= 10000n; n++) {
        const r = parseYuan(formatYuan(n));
        if (!r.ok || r.fen !== n) throw new Error(`round trip failed for ${n}: ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
      for (const n of [MAX_FEN, MAX_FEN - 1n, MAX_FEN - 99n, 2n ** 53n + 1n, 10n ** 18n + 7n, 123456789012345678n]) {
        expect(parseYuan(formatYuan(n)), n.toString()).to.deep.equal({ ok: true, fen: n });
      }
    });
  });

  describe('fenToDecimal', () => {
    it('keeps every digit of a large fen amount', () => {
      expect(fenToDecimal(MAX_FEN).toFixed(0)).to.equal('9223372036854775807');
      expect(fenToDecimal(-12345n).toFixed(0)).to.equal('-12345');
    });
  });
});
