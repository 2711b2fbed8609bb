// Registering a user's certificate of another CA trusted by configuration (mutual recognition), given
// a proof of possession of its key, so that it is accepted — and can be revoked — like a platform one.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type RequestContext } from '../core/context';
import { conflict } from '../core/errors';
import { isUniqueViolation, type InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import type { OrgsService } from '../orgs/orgs-service';
import type { Examined } from './certificate-check';
import { certError, oneLine } from './certificate-errors';
import { approvedOrganisationOf } from './certificate-issuance';
import type { RegisteredCertificate } from './pki-schemas';
import * as store from './pki-store';
import { requireAcceptableKey, type ProofOfPossessionService } from './proof-of-possession';
import { crlDistributionPointsOf } from './x509-der';

type CertificateUsage = store.CertificateUsage;

export type { RegisteredCertificate };

export interface ForeignRegistration {
  /** The certificate of a trusted CA, PEM. */
  certificatePem: string;
  challenge: string;
  /** Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge, by the certificate's key. */
  signature: string;
}

/** RFC 5280 4.1.2.2: at most 20 octets. */
const MAX_SERIAL_HEX = 40;

const alreadyRegistered = () => conflict('This certificate is already registered on this platform (a certificate can belong to one account only). Your certificates: GET /api/pki/certificates.');

const FOREIGN_REVOCATION_NOTE =
  'This platform does not consult the revocation lists (CRL) or OCSP responders of other CAs. If the issuing CA revokes this certificate, or its key is lost, revoke it here too (POST /api/pki/certificates/:fingerprint/revoke, or ask an admin): only then does it stop being accepted here.';

export function createForeignRegistration(deps: {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  orgs: Pick<OrgsService, 'get'>;
  examine: (certPemOrDer: string | Buffer, at: number, usage: CertificateUsage) => Examined;
  possession: Pick<ProofOfPossessionService, 'proveFreshPossession'>;
}) {
  const { knex, clock, inTransaction, orgs, examine, possession } = deps;

  /** Registers a trusted CA's certificate to the signed-in user (and a bidder's organisation); one account per certificate. */
  async function registerForeign(ctx: RequestContext, input: ForeignRegistration, usage: CertificateUsage): Promise<RegisteredCertificate> {
    const actor = requireActor(ctx);
    if (actor.role === 'bidder') await approvedOrganisationOf(orgs, ctx, actor, 'registered for');
    const now = clock.now();
    const { cert, fingerprint, subject, authority, notBefore, notAfter } = examine(input.certificatePem, now, usage);
    if (authority.kind === 'platform') {
      throw certError(
        'certificate_not_foreign',
        `The certificate of "${subject}" was issued by the platform CA: the platform's own certificates are issued to an account, not registered. Register certificates of the other CAs this platform trusts (GET /api/pki/keys lists them).`,
      );
    }
    requireAcceptableKey(cert.publicKey);
    const serial = cert.serialNumber.toLowerCase();
    if (serial.length > MAX_SERIAL_HEX) {
      throw certError('certificate_invalid', `The certificate's serial number has ${Math.ceil(serial.length / 2)} octets; RFC 5280 allows at most 20.`);
    }
    await possession.proveFreshPossession(actor, input.challenge, input.signature, cert.publicKey, "the certificate's public key");
    // Only after the proof: someone without the key learns nothing about the register.
    if (await store.findCertificate(knex, fingerprint)) throw alreadyRegistered();
    const record: store.CertificateRecord = {
      fingerprint,
      serial,
      userId: actor.userId,
      orgId: actor.orgId,
      subject,
      usage,
      pem: cert.toString(),
      notBefore,
      notAfter,
      issuedAt: now,
      revokedAt: null,
      revocationReason: null,
      issuer: 'trusted',
      issuerFingerprint: authority.fingerprint,
    };
    let crlDistributionPoints: string[];
    try {
      crlDistributionPoints = crlDistributionPointsOf(cert.raw);
    } catch {
      crlDistributionPoints = []; // an unreadable CRL extension is not ours to judge: we never fetch it
    }
    const issuerSubject = oneLine(authority.cert.subject);
    try {
      await inTransaction(async (tx) => {
        await store.insertCertificate(tx.db, record);
        await tx.audit.append(ctx, {
          action: 'certificate.registered',
          objectType: 'certificate',
          objectId: fingerprint,
          data: {
            fingerprint,
            serial,
            userId: record.userId,
            orgId: record.orgId,
            subject,
            usage,
            notBefore,
            notAfter,
            issuerFingerprint: authority.fingerprint,
            issuerSubject,
            crlDistributionPoints,
          },
        });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The same certificate registered at the same moment, or another one of this CA with the same serial.
      if (await store.findCertificate(knex, fingerprint)) throw alreadyRegistered();
      throw conflict(`Another certificate of "${issuerSubject}" with the serial number ${serial} is already registered; a CA must not reuse serial numbers. Ask that CA for a new certificate.`);
    }
    const revocation = crlDistributionPoints.length ? `${FOREIGN_REVOCATION_NOTE} The certificate names ${crlDistributionPoints.join(', ')} as its CRL; it is not fetched.` : FOREIGN_REVOCATION_NOTE;
    return {
      fingerprint,
      pem: record.pem,
      subject,
      serial,
      usage,
      notBefore,
      notAfter,
      issuer: 'trusted',
      issuerFingerprint: authority.fingerprint,
      issuerSubject,
      registeredAt: now,
      crlDistributionPoints,
      revocation,
    };
  }

  return { registerForeign };
}
