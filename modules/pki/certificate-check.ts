// Whether a certificate may be used for signing or encryption at a given instant: the CAs it may
// chain to (the platform CA and the trusted CAs), validity, key usage, not a CA, and revocation here.
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { Knex } from 'knex';
import { certError, iso, oneLine } from './certificate-errors';
import { certificateFingerprint } from '../core/fingerprint';
import type { PlatformKeys } from './platform-keys';
import * as store from './pki-store';
import { keyUsageOf, type KeyUsageName } from './x509-der';

type CertificateUsage = store.CertificateUsage;

export interface VerifiedCertificate {
  fingerprint: string;
  /**
   * The platform user the certificate belongs to: the one it was issued to, or the one who registered
   * it (another CA's certificate); null for the platform timer and for other CAs' certificates that
   * nobody registered.
   */
  userId: string | null;
  orgId: string | null;
  subject: string;
  serial: string;
  publicKey: KeyObject;
  notBefore: number;
  notAfter: number;
  issuer: 'platform' | 'trusted';
  /** SHA-256 (hex) of the issuing CA's certificate. */
  issuerFingerprint: string;
}

/** A CA whose certificates are accepted. */
export interface Authority {
  cert: X509Certificate;
  fingerprint: string;
  kind: 'platform' | 'trusted';
}

/** A certificate that passed every check that needs no database: chain, dates, key usage, not a CA. */
export interface Examined {
  cert: X509Certificate;
  fingerprint: string;
  subject: string;
  authority: Authority;
  notBefore: number;
  notAfter: number;
}

const REQUIRED_KEY_USAGE: Record<CertificateUsage, { bit: KeyUsageName; doing: string }> = {
  signing: { bit: 'digitalSignature', doing: 'signing (a bid manifest, a share release)' },
  encryption: { bit: 'keyEncipherment', doing: 'receiving encrypted key shares' },
};

/** The platform CA and the CAs trusted by configuration; throws at start-up if one is not a CA. */
export function trustAnchors(keys: PlatformKeys, trustedCaPems: string[]): { ca: Authority; trusted: Authority[] } {
  const ca: Authority = { cert: keys.ca.cert, fingerprint: keys.ca.fingerprint, kind: 'platform' };
  const trusted: Authority[] = trustedCaPems.map((pem, i) => {
    const cert = new X509Certificate(pem);
    if (!cert.ca) throw new Error(`trusted CA #${i + 1} (${oneLine(cert.subject)}) is not a CA certificate`);
    return { cert, fingerprint: certificateFingerprint(cert), kind: 'trusted' };
  });
  return { ca, trusted };
}

export function createCertificateCheck(deps: { knex: Knex; keys: PlatformKeys; authorities: Authority[] }) {
  const { knex, keys, authorities } = deps;

  /**
   * The checks of a certificate for a use at instant `at` that need no database: issued by the
   * platform CA or a trusted CA, not itself a CA, valid at `at` (and its CA too), with the key usage
   * the use needs. Every refusal is a 422 with a code and what to do.
   */
  function examine(certPemOrDer: string | Buffer, at: number, usage: CertificateUsage): Examined {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPemOrDer);
    } catch {
      throw certError('certificate_invalid', 'The certificate cannot be read; send one X.509 certificate in PEM or DER.');
    }
    const fingerprint = certificateFingerprint(cert);
    const subject = oneLine(cert.subject);
    if (cert.ca) {
      throw certError('certificate_is_ca', `"${subject}" is a CA certificate; a CA certificate cannot sign bids or receive key shares. Use your own certificate issued by the platform.`);
    }
    const authority = authorities.find((a) => cert.checkIssued(a.cert) && cert.verify(a.cert.publicKey));
    if (!authority) {
      throw certError(
        'certificate_untrusted',
        `The certificate of "${subject}" names "${oneLine(cert.issuer)}" as its issuer, which is neither the platform CA nor a CA this platform trusts, or its signature does not verify. Request a certificate from the platform ("etender csr" then "etender cert request").`,
      );
    }
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    if (at < notBefore) {
      throw certError('certificate_not_yet_valid', `The certificate of "${subject}" is valid from ${iso(notBefore)} to ${iso(notAfter)}; it was not yet valid at ${iso(at)}.`);
    }
    if (at > notAfter) {
      throw certError(
        'certificate_expired',
        `The certificate of "${subject}" expired at ${iso(notAfter)} (valid from ${iso(notBefore)}); it was no longer valid at ${iso(at)}. Request a new certificate.`,
      );
    }
    const caFrom = Date.parse(authority.cert.validFrom);
    const caTo = Date.parse(authority.cert.validTo);
    if (at < caFrom || at > caTo) {
      throw certError('certificate_untrusted', `The CA "${oneLine(authority.cert.subject)}" that issued this certificate is valid from ${iso(caFrom)} to ${iso(caTo)}, not at ${iso(at)}.`);
    }
    let keyUsage: Set<KeyUsageName> | null;
    try {
      keyUsage = keyUsageOf(cert.raw);
    } catch {
      throw certError('certificate_invalid', "The certificate's extensions cannot be read.");
    }
    const need = REQUIRED_KEY_USAGE[usage];
    if (!keyUsage || !keyUsage.has(need.bit)) {
      const has = keyUsage ? [...keyUsage].join(', ') || 'none' : 'no keyUsage extension';
      throw certError(
        'certificate_usage',
        `The certificate of "${subject}" may not be used for ${need.doing}: that needs keyUsage ${need.bit}, and it has ${has}. Use your ${usage} certificate, or request one with --usage ${usage}.`,
      );
    }
    return { cert, fingerprint, subject, authority, notBefore, notAfter };
  }

  /** `examine`, then the register: who the certificate belongs to, and whether it was revoked by `at`. */
  async function checkCertificate(certPemOrDer: string | Buffer, opts: { at: number; usage: CertificateUsage }): Promise<VerifiedCertificate> {
    const examined = examine(certPemOrDer, opts.at, opts.usage);
    return judge(examined, await store.findCertificate(knex, examined.fingerprint), opts.at);
  }

  /**
   * The registered certificate with this (normalised) fingerprint, checked like `checkCertificate`
   * from its stored PEM, with one read of the register instead of two; null when none is registered.
   */
  async function checkRegistered(fingerprint: string, opts: { at: number; usage: CertificateUsage }): Promise<VerifiedCertificate | null> {
    const row = await store.findCertificate(knex, fingerprint);
    if (!row) return null;
    const examined = examine(row.pem, opts.at, opts.usage);
    // The register is keyed by the fingerprint of the stored certificate; a row whose PEM hashes to
    // another fingerprint is not what was asked for: check that one from its own row.
    if (examined.fingerprint !== row.fingerprint) return judge(examined, await store.findCertificate(knex, examined.fingerprint), opts.at);
    return judge(examined, row, opts.at);
  }

  /** The register's part of the checks: who the certificate belongs to, and whether it was revoked by `at`. */
  function judge(examined: Examined, row: store.CertificateRecord | null, at: number): VerifiedCertificate {
    const { cert, fingerprint, subject, authority, notBefore, notAfter } = examined;
    let userId: string | null = null;
    let orgId: string | null = null;
    if (authority.kind === 'platform' && fingerprint !== keys.timer.fingerprint) {
      if (!row) {
        throw certError(
          'certificate_unknown',
          `The certificate of "${subject}" carries the platform CA's signature but is not in the platform's register of issued certificates; it cannot be used. Request a new certificate.`,
        );
      }
      userId = row.userId;
      orgId = row.orgId;
    } else if (authority.kind === 'trusted' && row?.issuer === 'trusted') {
      userId = row.userId;
      orgId = row.orgId;
    }
    if (row && row.revokedAt !== null && row.revokedAt <= at) {
      throw certError(
        'certificate_revoked',
        `The certificate of "${subject}" was revoked at ${iso(row.revokedAt)}${row.revocationReason ? ` (${row.revocationReason})` : ''}, before ${iso(at)}. Request a new certificate.`,
      );
    }
    return {
      fingerprint,
      userId,
      orgId,
      subject: row?.subject ?? subject,
      serial: cert.serialNumber.toLowerCase(),
      publicKey: cert.publicKey,
      notBefore,
      notAfter,
      issuer: authority.kind,
      issuerFingerprint: authority.fingerprint,
    };
  }

  return { examine, checkCertificate, checkRegistered };
}
