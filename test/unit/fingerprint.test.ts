// One certificate fingerprint for PKI, custody and the CLI: SHA-256 of the DER, hex, no colons.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { loadOrCreatePlatformKeys } from '../../modules/pki/platform-keys';
import { certificateFingerprint, normaliseFingerprint } from '../../modules/core/fingerprint';
import { AGE_RECIPIENT_PATTERN } from '../../modules/core/age-recipient';
import { testCertsDir } from '../support/test-app';

describe('certificate fingerprints and age recipients', () => {
  it("gives the same fingerprint for a PEM, its DER and an X509Certificate, equal to node's fingerprint256", () => {
    const pem = loadOrCreatePlatformKeys(testCertsDir()).ca.certPem;
    const x509 = new crypto.X509Certificate(pem);
    const fp = certificateFingerprint(pem);
    expect(fp).to.match(/^[0-9a-f]{64}$/);
    expect(certificateFingerprint(x509.raw)).to.equal(fp);
    expect(certificateFingerprint(x509)).to.equal(fp);
    expect(normaliseFingerprint(` ${x509.fingerprint256} `)).to.equal(fp);
  });
  it('accepts only native age X25519 recipients', () => {
    expect(AGE_RECIPIENT_PATTERN.test('age1' + 'q'.repeat(58))).to.equal(true);
    for (const bad of ['age1' + 'b'.repeat(58), 'AGE1' + 'q'.repeat(58), 'age1' + 'q'.repeat(57), 'age1ssh' + 'q'.repeat(55) + 'x']) expect(AGE_RECIPIENT_PATTERN.test(bad), bad).to.equal(false);
  });
});
