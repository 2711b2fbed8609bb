import { expect } from 'chai';
import { checkCreditCode, creditCodeCheckChar } from '../../modules/orgs/credit-code';

// GB 32100-2015 alphabet and weights, computed here independently of the module.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

function referenceCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

const VALID = '91350100M000100Y43';

describe('credit code (GB 32100-2015)', () => {
  describe('weights', () => {
    it('are 3^i mod 31 for i = 0..16', () => {
      expect(WEIGHTS).to.deep.equal([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
    });

    it('give the module the same check character as 3^i mod 31 weighting, for every single-unit body', () => {
      // Body "0…0X0…0" isolates the weight of each position: the check char is (31 - v*w) mod 31.
      for (let i = 0; i < 17; i++) {
        for (const ch of ['1', '2', 'A', 'Y']) {
          const body = '0'.repeat(i) + ch + '0'.repeat(16 - i);
          const v = ALPHABET.indexOf(ch);
          const expected = ALPHABET[(31 - ((v * WEIGHTS[i]!) % 31)) % 31]!;
          expect(creditCodeCheckChar(body), `position ${i}, char ${ch}`).to.equal(expected);
        }
      }
    });
  });

  describe('creditCodeCheckChar', () => {
    it('computes "3" for the well-known body 91350100M000100Y4', () => {
      expect(creditCodeCheckChar('91350100M000100Y4')).to.equal('3');
    });

    it('computes "0" for an all-zero body', () => {
      expect(creditCodeCheckChar('00000000000000000')).to.equal('0');
    });

    it('matches an independent computation for several bodies', () => {
      const bodies = ['91350100M000100Y4', '91110000802100433', '12100000400000624', '51110000500000154', '9144030071526726X', 'Y1110105MA0000000', 'A2330100ABCDEFGHJ', '1YYYYYYYYYYYYYYYY'];
      for (const body of bodies) {
        const c = creditCodeCheckChar(body);
        expect(c, body).to.equal(referenceCheckChar(body));
        expect(ALPHABET, body).to.include(c);
      }
    });

    it('makes every computed code pass checkCreditCode', () => {
      const bodies = ['91350100M000100Y4', '91110000802100433', '52440300MJL123456', 'N1320500ABC123XYY'];
      for (const body of bodies) {
        const code = body + creditCodeCheckChar(body);
        expect(checkCreditCode(code), code).to.deep.equal({ ok: true });
      }
    });
  });

  describe('checkCreditCode', () => {
    it('accepts 91350100M000100Y43', () => {
      expect(checkCreditCode(VALID)).to.deep.equal({ ok: true });
    });

    it('rejects wrong lengths with a reason naming the length', () => {
      for (const code of ['', VALID.slice(0, 17), VALID + '0', VALID.slice(0, 10)]) {
        const r = checkCreditCode(code);
        expect(r.ok, code).to.equal(false);
        if (!r.ok) expect(r.reason).to.equal(`must have 18 characters, not ${code.length}`);
      }
    });

    it('rejects each forbidden letter I, O, Z, S, V, in the body and as the check character', () => {
      for (const letter of ['I', 'O', 'Z', 'S', 'V']) {
        const code = VALID.slice(0, 8) + letter + VALID.slice(9);
        const r = checkCreditCode(code);
        expect(r.ok, code).to.equal(false);
        if (!r.ok) expect(r.reason).to.include(`"${letter}"`).and.to.include('not allowed');
        const asCheck = checkCreditCode(VALID.slice(0, 17) + letter);
        expect(asCheck.ok, `check char ${letter}`).to.equal(false);
        if (!asCheck.ok) expect(asCheck.reason).to.include('not allowed');
      }
    });

    it('rejects lowercase letters', () => {
      const code = VALID.toLowerCase();
      expect(code).to.equal('91350100m000100y43');
      const r = checkCreditCode(code);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.include('"m"');
    });

    it('rejects a first character that is not a registration authority, even with a correct check char', () => {
      for (const first of ['0', 'J', 'K', 'X']) {
        const body = first + VALID.slice(1, 17);
        const code = body + creditCodeCheckChar(body);
        const r = checkCreditCode(code);
        expect(r.ok, code).to.equal(false);
        if (!r.ok) expect(r.reason).to.include('registration authority');
      }
    });

    it('accepts each registration authority as first character when the check char is right', () => {
      for (const first of '123456789ABCDEFGHNY') {
        const body = first + VALID.slice(1, 17);
        expect(checkCreditCode(body + creditCodeCheckChar(body)), body).to.deep.equal({ ok: true });
      }
    });

    it('rejects a non-digit administrative division code (characters 3–8), even with a correct check char', () => {
      for (let pos = 2; pos < 8; pos++) {
        const body = VALID.slice(0, pos) + 'A' + VALID.slice(pos + 1, 17);
        const code = body + creditCodeCheckChar(body);
        const r = checkCreditCode(code);
        expect(r.ok, code).to.equal(false);
        if (!r.ok) expect(r.reason).to.include('administrative division');
      }
    });

    it('rejects a wrong check character with a reason about the check character', () => {
      const r = checkCreditCode('91350100M000100Y44');
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.include('wrong check character');
    });

    it('rejects every single-character substitution of a valid code (mod-31 detects all of them)', () => {
      let tried = 0;
      for (const valid of [VALID, '91110000802100433' + creditCodeCheckChar('91110000802100433')]) {
        expect(checkCreditCode(valid).ok).to.equal(true);
        for (let i = 0; i < 18; i++) {
          for (const ch of ALPHABET) {
            if (ch === valid[i]) continue;
            const typo = valid.slice(0, i) + ch + valid.slice(i + 1);
            expect(checkCreditCode(typo).ok, `${typo} (position ${i})`).to.equal(false);
            tried++;
          }
        }
      }
      expect(tried).to.equal(2 * 18 * 30);
    });

    it('detects every single substitution through the check character alone (not only through format rules)', () => {
      // For each position, the changed body must yield a check char different from the original one.
      const body = VALID.slice(0, 17);
      for (let i = 0; i < 17; i++) {
        for (const ch of ALPHABET) {
          if (ch === body[i]) continue;
          const typo = body.slice(0, i) + ch + body.slice(i + 1);
          expect(creditCodeCheckChar(typo), `${typo} (position ${i})`).to.not.equal(VALID[17]);
        }
      }
    });
  });
});
