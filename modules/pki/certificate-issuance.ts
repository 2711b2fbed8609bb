// Issuing platform certificates to users for keys made on their own machines — from a PKCS#10 CSR,
// or from a public key with a proof of possession — with a subject the server sets.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import type { Clock } from '../core/clock';
import { requireActor, type Actor, type RequestContext } from '../core/context';
import { AppError, forbidden } from '../core/errors';
import type { InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import type { OrgsService } from '../orgs/orgs-service';
import { addYears, ATTR, issueCertificate, parseCsr, type NameAttribute } from './certificate-authority';
import { certError, iso, oneLine } from './certificate-errors';
import { certificateFingerprint } from '../core/fingerprint';
import type { PlatformKeys } from './platform-keys';
import type { IssuedCertificate } from './pki-schemas';
import * as store from './pki-store';
import { requireAcceptableKey, type ProofOfPossessionService } from './proof-of-possession';
import { OID } from './x509-der';

type CertificateUsage = store.CertificateUsage;

export type { IssuedCertificate };

export interface ProofOfPossession {
  /** SPKI PEM of the RSA public key to certify. */
  publicKeySpkiPem: string;
  challenge: string;
  /** Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge. */
  signature: string;
}

const CERT_YEARS = 2;

/** A bidder's organisation, which must be approved before its representatives get (or register) certificates. */
export async function approvedOrganisationOf(orgs: Pick<OrgsService, 'get'>, ctx: RequestContext, actor: Actor, doing: string) {
  if (!actor.orgId) throw forbidden('Your bidder account belongs to no organisation; ask the centre to fix it.');
  const { organisation } = await orgs.get(ctx, actor.orgId);
  if (organisation.status !== 'approved') {
    throw new AppError(403, 'org_not_approved', `Your organisation's registration is ${organisation.status}; certificates are ${doing} representatives of approved organisations only.`);
  }
  return organisation;
}

export function createCertificateIssuance(deps: {
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  keys: PlatformKeys;
  orgs: Pick<OrgsService, 'get'>;
  possession: Pick<ProofOfPossessionService, 'proveFreshPossession'>;
}) {
  const { clock, inTransaction, keys, orgs, possession } = deps;
  const caNotBefore = Date.parse(keys.ca.cert.validFrom);
  const caNotAfter = Date.parse(keys.ca.cert.validTo);

  /** The subject the server gives a certificate: never taken from the request. */
  async function subjectFor(ctx: RequestContext, actor: Actor): Promise<NameAttribute[]> {
    const subject: NameAttribute[] = [{ type: ATTR.commonName, value: actor.username }];
    if (actor.role === 'bidder') {
      const organisation = await approvedOrganisationOf(orgs, ctx, actor, 'issued to');
      subject.push({ type: ATTR.organizationName, value: organisation.name });
      subject.push({ type: ATTR.organizationalUnitName, value: organisation.creditCode });
    } else {
      subject.push({ type: ATTR.organizationalUnitName, value: actor.role });
    }
    subject.push({ type: ATTR.serialNumber, value: actor.userId });
    return subject;
  }

  async function issue(ctx: RequestContext, actor: Actor, subject: NameAttribute[], publicKey: KeyObject, usage: CertificateUsage, via: 'csr' | 'browser'): Promise<IssuedCertificate> {
    const now = clock.now();
    const notBefore = Math.floor(now / 1000) * 1000;
    if (notBefore < caNotBefore || notBefore > caNotAfter) {
      throw new AppError(
        503,
        'ca_not_valid',
        `The platform CA is valid from ${iso(caNotBefore)} to ${iso(caNotAfter)} and cannot issue certificates at ${iso(now)}; the administrator must renew it (see certs/README.md).`,
      );
    }
    const notAfter = Math.min(addYears(notBefore, CERT_YEARS), caNotAfter);
    const extensions =
      usage === 'signing'
        ? [
            { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
            { name: 'extKeyUsage', [OID.documentSigning]: true },
          ]
        : [{ name: 'keyUsage', keyEncipherment: true, critical: true }];
    const pem = issueCertificate(
      { certDer: keys.ca.cert.raw, privateKey: keys.ca.privateKey },
      {
        subject,
        publicKey,
        notBefore,
        notAfter,
        extensions: [{ name: 'basicConstraints', cA: false, critical: true }, ...extensions, { name: 'subjectKeyIdentifier' }],
      },
    );
    const cert = new X509Certificate(pem);
    const record: store.CertificateRecord = {
      fingerprint: certificateFingerprint(cert),
      serial: cert.serialNumber.toLowerCase(),
      userId: actor.userId,
      orgId: actor.orgId,
      subject: oneLine(cert.subject),
      usage,
      pem,
      notBefore,
      notAfter,
      issuedAt: now,
      revokedAt: null,
      revocationReason: null,
      issuer: 'platform',
      issuerFingerprint: null,
    };
    await inTransaction(async (tx) => {
      await store.insertCertificate(tx.db, record);
      await tx.audit.append(ctx, {
        action: 'certificate.issued',
        objectType: 'certificate',
        objectId: record.fingerprint,
        data: {
          fingerprint: record.fingerprint,
          serial: record.serial,
          userId: record.userId,
          orgId: record.orgId,
          subject: record.subject,
          usage,
          notBefore,
          notAfter,
          via,
        },
      });
    });
    return { fingerprint: record.fingerprint, pem, notBefore, notAfter, usage };
  }

  /** Certifies the RSA key of a PKCS#10 CSR for the signed-in user; the subject is set here, not by the CSR. */
  async function issueFromCsr(ctx: RequestContext, csrPem: string, usage: CertificateUsage): Promise<IssuedCertificate> {
    const actor = requireActor(ctx);
    const subject = await subjectFor(ctx, actor);
    let csr: ReturnType<typeof parseCsr>;
    try {
      csr = parseCsr(csrPem);
    } catch (err) {
      throw certError('csr_invalid', `The certificate request cannot be read: ${(err as Error).message}. Make one with "etender csr".`);
    }
    if (!csr.signatureValid) {
      throw certError('csr_signature_invalid', 'The certificate request is not signed by the key it carries (its signature does not verify). Make it again with "etender csr" and the same key.');
    }
    requireAcceptableKey(csr.publicKey);
    return issue(ctx, actor, subject, csr.publicKey, usage, 'csr');
  }

  /** Certifies a public key made in the browser, given a signature over a fresh challenge. */
  async function issueFromPublicKey(ctx: RequestContext, input: ProofOfPossession, usage: CertificateUsage): Promise<IssuedCertificate> {
    const actor = requireActor(ctx);
    const subject = await subjectFor(ctx, actor);
    let publicKey: KeyObject;
    try {
      publicKey = crypto.createPublicKey(input.publicKeySpkiPem);
    } catch {
      throw certError('key_invalid', 'The public key cannot be read; send the RSA public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----").');
    }
    requireAcceptableKey(publicKey);
    await possession.proveFreshPossession(actor, input.challenge, input.signature, publicKey, 'this public key');
    return issue(ctx, actor, subject, publicKey, usage, 'browser');
  }

  return { issueFromCsr, issueFromPublicKey };
}
