// The platform PKI as one service: composes issuance (certificate-issuance.ts), proof of possession
// (proof-of-possession.ts), foreign registration (foreign-registration.ts) and the check at the time
// of use (certificate-check.ts), and owns the register's revocation, listing and published keys.
import type { PublishedKeys } from '../formats/receipt';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, requireRole, type Actor, type RequestContext } from '../core/context';
import { conflict, forbidden, notFound } from '../core/errors';
import type { InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import type { OrgsService } from '../orgs/orgs-service';
import { createCertificateCheck, trustAnchors, type VerifiedCertificate } from './certificate-check';
import { iso, oneLine } from './certificate-errors';
import { createCertificateIssuance, type IssuedCertificate, type ProofOfPossession } from './certificate-issuance';
import { createForeignRegistration, type ForeignRegistration, type RegisteredCertificate } from './foreign-registration';
import type { PlatformKeys } from './platform-keys';
import { FINGERPRINT } from './pki-schemas';
import * as store from './pki-store';
import { createProofOfPossession } from './proof-of-possession';
import { normaliseFingerprint } from '../core/fingerprint';

export type { CertificateIssuer, CertificateRecord, CertificateUsage } from './pki-store';
export type { VerifiedCertificate } from './certificate-check';
export type { IssuedCertificate, ProofOfPossession } from './certificate-issuance';
export type { ForeignRegistration, RegisteredCertificate } from './foreign-registration';
type CertificateUsage = store.CertificateUsage;

export type { PublishedKeys } from '../formats/receipt';
export interface PkiDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  keys: PlatformKeys;
  /** Other certificate authorities whose certificates are accepted (mutual recognition). */
  trustedCaPems: string[];
  /** To name a bidder's organisation in its certificates. */
  orgs: Pick<OrgsService, 'get'>;
}

export function createPkiService(deps: PkiDeps) {
  const { knex, clock, inTransaction, keys, orgs } = deps;
  const { ca, trusted } = trustAnchors(keys, deps.trustedCaPems);
  const check = createCertificateCheck({ knex, keys, authorities: [ca, ...trusted] });
  const possession = createProofOfPossession({ knex, clock });
  const issuance = createCertificateIssuance({ clock, inTransaction, keys, orgs, possession });
  const foreign = createForeignRegistration({ knex, clock, inTransaction, orgs, examine: check.examine, possession });

  async function visibleCertificate(actor: Actor, fingerprint: string): Promise<store.CertificateRecord> {
    const fp = normaliseFingerprint(fingerprint);
    const row = FINGERPRINT.test(fp) ? await store.findCertificate(knex, fp) : null;
    // Another user's certificate is answered as not found unless the caller oversees everything.
    if (!row || (row.userId !== actor.userId && !isOverseer(actor))) throw notFound('The certificate');
    return row;
  }

  return {
    /** Certifies the RSA key of a PKCS#10 CSR for the signed-in user; the subject is set here, not by the CSR. */
    issueFromCsr(ctx: RequestContext, csrPem: string, usage: CertificateUsage): Promise<IssuedCertificate> {
      return issuance.issueFromCsr(ctx, csrPem, usage);
    },

    /** A single-use challenge for the browser path, bound to the signed-in user, valid for 5 minutes. */
    createChallenge(ctx: RequestContext): Promise<{ challenge: string; expiresAt: number }> {
      return possession.createChallenge(ctx);
    },

    /** Certifies a public key made in the browser, given a signature over a fresh challenge. */
    issueFromPublicKey(ctx: RequestContext, input: ProofOfPossession, usage: CertificateUsage): Promise<IssuedCertificate> {
      return issuance.issueFromPublicKey(ctx, input, usage);
    },

    /** Revokes a certificate from now on: its owner or an admin may. */
    async revoke(ctx: RequestContext, fingerprint: string, reason: string): Promise<store.CertificateRecord> {
      const actor = requireActor(ctx);
      const row = await visibleCertificate(actor, fingerprint);
      if (row.userId !== actor.userId && actor.role !== 'admin') throw forbidden("Only the certificate's owner or an admin may revoke it.");
      if (row.revokedAt !== null) throw conflict(`The certificate was already revoked at ${iso(row.revokedAt)}.`);
      const at = clock.now();
      return inTransaction(async (tx) => {
        if (!(await store.revokeCertificate(tx.db, row.fingerprint, at, reason))) throw conflict('The certificate was already revoked.');
        await tx.audit.append(ctx, {
          action: 'certificate.revoked',
          objectType: 'certificate',
          objectId: row.fingerprint,
          data: { fingerprint: row.fingerprint, userId: row.userId, reason, revokedAt: at },
        });
        return (await store.findCertificate(tx.db, row.fingerprint))!;
      });
    },

    /**
     * Registers a certificate of a CA trusted by configuration (TRUSTED_CA_FILES) to the signed-in
     * user — and the user's organisation for a bidder — given a signature over a fresh challenge with
     * the certificate's key. From then on it is accepted wherever a platform certificate is, for its
     * owner, and it can be revoked here like one. A certificate belongs to one account only.
     */
    registerForeign(ctx: RequestContext, input: ForeignRegistration, usage: CertificateUsage): Promise<RegisteredCertificate> {
      return foreign.registerForeign(ctx, input, usage);
    },

    /**
     * Checks a certificate for a use at instant `at` (e.g. when a bid was received): issued by the
     * platform CA or a trusted CA, not itself a CA, valid at `at`, with the key usage the use needs,
     * and not revoked here at or before `at`. Every refusal is a 422 with a code and what to do.
     * A platform certificate must be in the register; another CA's certificate belongs to the user
     * who registered it, or to nobody (userId and orgId null) when nobody did.
     */
    checkCertificate(certPemOrDer: string | Buffer, opts: { at: number; usage: CertificateUsage }): Promise<VerifiedCertificate> {
      return check.checkCertificate(certPemOrDer, opts);
    },

    /** The newest certificate of a user for `usage` that is valid and unrevoked at `at` (e.g. to encrypt a key share to a custodian). */
    async certificateOfUser(userId: string, usage: CertificateUsage, at: number): Promise<store.CertificateRecord | null> {
      return store.newestValidCertificate(knex, userId, usage, at);
    },

    /**
     * The registered certificate behind a fingerprint, checked for `usage` at `at` as
     * `checkCertificate` does (one read of the register); null when no certificate has it.
     */
    async checkRegisteredCertificate(fingerprint: string, opts: { at: number; usage: CertificateUsage }): Promise<VerifiedCertificate | null> {
      const fp = normaliseFingerprint(fingerprint);
      return FINGERPRINT.test(fp) ? check.checkRegistered(fp, opts) : null;
    },

    async getByFingerprint(fingerprint: string): Promise<store.CertificateRecord | null> {
      const fp = normaliseFingerprint(fingerprint);
      return FINGERPRINT.test(fp) ? store.findCertificate(knex, fp) : null;
    },

    async listMine(ctx: RequestContext): Promise<store.CertificateRecord[]> {
      const actor = requireActor(ctx);
      return store.listCertificates(knex, { userId: actor.userId });
    },

    async listAll(ctx: RequestContext): Promise<store.CertificateRecord[]> {
      requireRole(ctx, ['admin', 'supervisor', 'auditor'], 'list every certificate');
      return store.listCertificates(knex);
    },

    /** The public half of every platform key, as published at /api/pki/keys. */
    publishedKeys(): PublishedKeys {
      return {
        ca: { certPem: keys.ca.certPem, fingerprint: keys.ca.fingerprint },
        receipt: { keyId: keys.receipt.keyId, publicKeyPem: keys.receipt.publicKeyPem },
        log: { keyId: keys.log.keyId, publicKeyPem: keys.log.publicKeyPem },
        timer: { certPem: keys.timer.certPem, fingerprint: keys.timer.fingerprint },
        trustedCas: trusted.map((a) => ({ certPem: a.cert.toString(), fingerprint: a.fingerprint, subject: oneLine(a.cert.subject) })),
      };
    },

    caCertPem(): string {
      return keys.ca.certPem;
    },
  };
}

export type PkiService = ReturnType<typeof createPkiService>;
