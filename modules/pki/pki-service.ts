// The platform PKI: issues X.509 certificates to users for keys made on their own machines (from a
// CSR, or from a public key with a proof of possession), registers users' certificates of other,
// trusted CAs (with a proof of possession), revokes both kinds, and checks a certificate at the
// time it is used — with node:crypto only; node-forge merely lays out what the CA signs.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { MINUTE } from '../core/clock';
import { isOverseer, requireActor, requireRole, type Actor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, notFound } from '../core/errors';
import { isUniqueViolation, withTransaction } from '../../db/transactions';
import type { AuditService } from '../audit/audit-service';
import type { OrgsService } from '../orgs/orgs-service';
import { addYears, ATTR, issueCertificate, parseCsr, type NameAttribute } from './certificate-authority';
import { certFingerprint, type PlatformKeys } from './platform-keys';
import { FINGERPRINT } from './pki-schemas';
import * as store from './pki-store';
import { crlDistributionPointsOf, keyUsageOf, OID, type KeyUsageName } from './x509-der';

export type { CertificateIssuer, CertificateRecord, CertificateUsage } from './pki-store';
type CertificateUsage = store.CertificateUsage;

export interface IssuedCertificate {
  fingerprint: string;
  pem: string;
  notBefore: number;
  notAfter: number;
  usage: CertificateUsage;
}

export interface RegisteredCertificate extends IssuedCertificate {
  subject: string;
  serial: string;
  issuer: 'trusted';
  /** SHA-256 (hex) of the trusted CA's certificate, and its subject. */
  issuerFingerprint: string;
  issuerSubject: string;
  registeredAt: number;
  /** The CRLs the certificate names; never fetched here (see `revocation`). */
  crlDistributionPoints: string[];
  /** What revocation means for this certificate here, for the user to read. */
  revocation: string;
}

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

export interface PublishedKeys {
  ca: { certPem: string; fingerprint: string };
  receipt: { keyId: string; publicKeyPem: string };
  log: { keyId: string; publicKeyPem: string };
  timer: { certPem: string; fingerprint: string };
  trustedCas: Array<{ certPem: string; fingerprint: string; subject: string }>;
}

export interface ProofOfPossession {
  /** SPKI PEM of the RSA public key to certify. */
  publicKeySpkiPem: string;
  challenge: string;
  /** Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge. */
  signature: string;
}

export interface ForeignRegistration {
  /** The certificate of a trusted CA, PEM. */
  certificatePem: string;
  challenge: string;
  /** Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge, by the certificate's key. */
  signature: string;
}

export interface PkiDeps {
  knex: Knex;
  clock: Clock;
  audit: AuditService;
  keys: PlatformKeys;
  /** Other certificate authorities whose certificates are accepted (mutual recognition). */
  trustedCaPems: string[];
  /** To name a bidder's organisation in its certificates. */
  orgs: Pick<OrgsService, 'get'>;
}

const CERT_YEARS = 2;
const CHALLENGE_TTL_MS = 5 * MINUTE;
const CHALLENGE_PREFIX = 'etender-pki-challenge.';
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;

const REQUIRED_KEY_USAGE: Record<CertificateUsage, { bit: KeyUsageName; doing: string }> = {
  signing: { bit: 'digitalSignature', doing: 'signing (a bid manifest, a share release)' },
  encryption: { bit: 'keyEncipherment', doing: 'receiving encrypted key shares' },
};

const iso = (ms: number) => new Date(ms).toISOString();
const certError = (code: string, message: string) => new AppError(422, code, message);
const oneLine = (name: string) => name.split('\n').join(', ');

interface Authority {
  cert: X509Certificate;
  fingerprint: string;
  kind: 'platform' | 'trusted';
}

/** A certificate that passed every check that needs no database: chain, dates, key usage, not a CA. */
interface Examined {
  cert: X509Certificate;
  fingerprint: string;
  subject: string;
  authority: Authority;
  notBefore: number;
  notAfter: number;
}

/** RFC 5280 4.1.2.2: at most 20 octets. */
const MAX_SERIAL_HEX = 40;

const alreadyRegistered = () =>
  conflict('This certificate is already registered on this platform (a certificate can belong to one account only). Your certificates: GET /api/pki/certificates.');

const FOREIGN_REVOCATION_NOTE =
  "This platform does not consult the revocation lists (CRL) or OCSP responders of other CAs. If the issuing CA revokes this certificate, or its key is lost, revoke it here too (POST /api/pki/certificates/:fingerprint/revoke, or ask an admin): only then does it stop being accepted here.";

/** RSA of 2048–16384 bits, or a 422 that says what to do. */
function requireAcceptableKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw certError('key_not_rsa', `The key is ${key.asymmetricKeyType}; the platform certifies RSA keys only. Make one with "etender keygen" (RSA 3072 bits).`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
    throw certError(
      'key_too_weak',
      bits < MIN_RSA_BITS
        ? `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (3072 recommended). Make a new key with "etender keygen".`
        : `The RSA key has ${bits} bits; at most ${MAX_RSA_BITS} are accepted.`,
    );
  }
}

export function normaliseFingerprint(input: string): string {
  return input.replace(/:/g, '').trim().toLowerCase();
}

export function createPkiService(deps: PkiDeps) {
  const { knex, clock, audit, keys, orgs } = deps;
  const ca: Authority = { cert: keys.ca.cert, fingerprint: keys.ca.fingerprint, kind: 'platform' };
  const trusted: Authority[] = deps.trustedCaPems.map((pem, i) => {
    const cert = new X509Certificate(pem);
    if (!cert.ca) throw new Error(`trusted CA #${i + 1} (${oneLine(cert.subject)}) is not a CA certificate`);
    return { cert, fingerprint: certFingerprint(cert), kind: 'trusted' };
  });
  const authorities = [ca, ...trusted];
  const caNotBefore = Date.parse(keys.ca.cert.validFrom);
  const caNotAfter = Date.parse(keys.ca.cert.validTo);

  /** A bidder's organisation, which must be approved before its representatives get (or register) certificates. */
  async function approvedOrganisationOf(ctx: RequestContext, actor: Actor, doing: string) {
    if (!actor.orgId) throw forbidden('Your bidder account belongs to no organisation; ask the centre to fix it.');
    const { organisation } = await orgs.get(ctx, actor.orgId);
    if (organisation.status !== 'approved') {
      throw new AppError(403, 'org_not_approved', `Your organisation's registration is ${organisation.status}; certificates are ${doing} representatives of approved organisations only.`);
    }
    return organisation;
  }

  /** The subject the server gives a certificate: never taken from the request. */
  async function subjectFor(ctx: RequestContext, actor: Actor): Promise<NameAttribute[]> {
    const subject: NameAttribute[] = [{ type: ATTR.commonName, value: actor.username }];
    if (actor.role === 'bidder') {
      const organisation = await approvedOrganisationOf(ctx, actor, 'issued to');
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
      throw new AppError(503, 'ca_not_valid', `The platform CA is valid from ${iso(caNotBefore)} to ${iso(caNotAfter)} and cannot issue certificates at ${iso(now)}; the administrator must renew it (see certs/README.md).`);
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
      fingerprint: certFingerprint(cert),
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
    await withTransaction(knex, async (trx) => {
      await store.insertCertificate(trx, record);
      await audit.append(trx, ctx, {
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

  /**
   * Uses up a challenge of the actor's and checks the signature over it with `publicKey`: proof
   * that the caller holds the private key. A failed proof still uses the challenge up.
   */
  async function proveFreshPossession(actor: Actor, challenge: string, signatureB64: string, publicKey: KeyObject, whose: string): Promise<void> {
    const now = clock.now();
    if (!(await store.consumeChallenge(knex, challenge, actor.userId, now))) {
      const row = await store.findChallenge(knex, challenge);
      if (row && row.userId === actor.userId && row.expiresAt <= now) {
        throw certError('challenge_expired', `The challenge expired at ${iso(row.expiresAt)}; ask for a new one (POST /api/pki/challenges) and sign it at once.`);
      }
      throw certError('challenge_invalid', 'The challenge is unknown, was issued to someone else, or was already used; ask for a new one (POST /api/pki/challenges).');
    }
    const ok = crypto.verify(
      'sha256',
      Buffer.from(challenge, 'utf8'),
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(signatureB64, 'base64'),
    );
    if (!ok) {
      throw certError(
        'proof_of_possession_failed',
        `The signature over the challenge does not verify with ${whose} (RSA-PSS, SHA-256, salt length 32, over the UTF-8 bytes of the challenge). The challenge is used up; ask for a new one.`,
      );
    }
  }

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
    const fingerprint = certFingerprint(cert);
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
      throw certError('certificate_expired', `The certificate of "${subject}" expired at ${iso(notAfter)} (valid from ${iso(notBefore)}); it was no longer valid at ${iso(at)}. Request a new certificate.`);
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
      throw certError('certificate_invalid', 'The certificate\'s extensions cannot be read.');
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

  async function visibleCertificate(actor: Actor, fingerprint: string): Promise<store.CertificateRecord> {
    const fp = normaliseFingerprint(fingerprint);
    const row = FINGERPRINT.test(fp) ? await store.findCertificate(knex, fp) : null;
    // Another user's certificate is answered as not found unless the caller oversees everything.
    if (!row || (row.userId !== actor.userId && !isOverseer(actor))) throw notFound('The certificate');
    return row;
  }

  return {
    /** Certifies the RSA key of a PKCS#10 CSR for the signed-in user; the subject is set here, not by the CSR. */
    async issueFromCsr(ctx: RequestContext, csrPem: string, usage: CertificateUsage): Promise<IssuedCertificate> {
      const actor = requireActor(ctx);
      const subject = await subjectFor(ctx, actor);
      let csr;
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
    },

    /** A single-use challenge for the browser path, bound to the signed-in user, valid for 5 minutes. */
    async createChallenge(ctx: RequestContext): Promise<{ challenge: string; expiresAt: number }> {
      const actor = requireActor(ctx);
      const now = clock.now();
      const row = { challenge: CHALLENGE_PREFIX + crypto.randomBytes(32).toString('base64url'), userId: actor.userId, createdAt: now, expiresAt: now + CHALLENGE_TTL_MS };
      await store.deleteChallengesExpiredBefore(knex, now - 24 * 60 * MINUTE);
      await store.insertChallenge(knex, row);
      return { challenge: row.challenge, expiresAt: row.expiresAt };
    },

    /** Certifies a public key made in the browser, given a signature over a fresh challenge. */
    async issueFromPublicKey(ctx: RequestContext, input: ProofOfPossession, usage: CertificateUsage): Promise<IssuedCertificate> {
      const actor = requireActor(ctx);
      const subject = await subjectFor(ctx, actor);
      let publicKey: KeyObject;
      try {
        publicKey = crypto.createPublicKey(input.publicKeySpkiPem);
      } catch {
        throw certError('key_invalid', 'The public key cannot be read; send the RSA public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----").');
      }
      requireAcceptableKey(publicKey);
      await proveFreshPossession(actor, input.challenge, input.signature, publicKey, 'this public key');
      return issue(ctx, actor, subject, publicKey, usage, 'browser');
    },

    /** Revokes a certificate from now on: its owner or an admin may. */
    async revoke(ctx: RequestContext, fingerprint: string, reason: string): Promise<store.CertificateRecord> {
      const actor = requireActor(ctx);
      const row = await visibleCertificate(actor, fingerprint);
      if (row.userId !== actor.userId && actor.role !== 'admin') throw forbidden('Only the certificate\'s owner or an admin may revoke it.');
      if (row.revokedAt !== null) throw conflict(`The certificate was already revoked at ${iso(row.revokedAt)}.`);
      const at = clock.now();
      return withTransaction(knex, async (trx) => {
        if (!(await store.revokeCertificate(trx, row.fingerprint, at, reason))) throw conflict('The certificate was already revoked.');
        await audit.append(trx, ctx, {
          action: 'certificate.revoked',
          objectType: 'certificate',
          objectId: row.fingerprint,
          data: { fingerprint: row.fingerprint, userId: row.userId, reason, revokedAt: at },
        });
        return (await store.findCertificate(trx, row.fingerprint))!;
      });
    },

    /**
     * Registers a certificate of a CA trusted by configuration (TRUSTED_CA_FILES) to the signed-in
     * user — and the user's organisation for a bidder — given a signature over a fresh challenge with
     * the certificate's key. From then on it is accepted wherever a platform certificate is, for its
     * owner, and it can be revoked here like one. A certificate belongs to one account only.
     */
    async registerForeign(ctx: RequestContext, input: ForeignRegistration, usage: CertificateUsage): Promise<RegisteredCertificate> {
      const actor = requireActor(ctx);
      if (actor.role === 'bidder') await approvedOrganisationOf(ctx, actor, 'registered for');
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
      await proveFreshPossession(actor, input.challenge, input.signature, cert.publicKey, "the certificate's public key");
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
        await withTransaction(knex, async (trx) => {
          await store.insertCertificate(trx, record);
          await audit.append(trx, ctx, {
            action: 'certificate.registered',
            objectType: 'certificate',
            objectId: fingerprint,
            data: { fingerprint, serial, userId: record.userId, orgId: record.orgId, subject, usage, notBefore, notAfter, issuerFingerprint: authority.fingerprint, issuerSubject, crlDistributionPoints },
          });
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // The same certificate registered at the same moment, or another one of this CA with the same serial.
        if (await store.findCertificate(knex, fingerprint)) throw alreadyRegistered();
        throw conflict(`Another certificate of "${issuerSubject}" with the serial number ${serial} is already registered; a CA must not reuse serial numbers. Ask that CA for a new certificate.`);
      }
      const revocation = crlDistributionPoints.length
        ? `${FOREIGN_REVOCATION_NOTE} The certificate names ${crlDistributionPoints.join(', ')} as its CRL; it is not fetched.`
        : FOREIGN_REVOCATION_NOTE;
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
    },

    /**
     * Checks a certificate for a use at instant `at` (e.g. when a bid was received): issued by the
     * platform CA or a trusted CA, not itself a CA, valid at `at`, with the key usage the use needs,
     * and not revoked here at or before `at`. Every refusal is a 422 with a code and what to do.
     * A platform certificate must be in the register; another CA's certificate belongs to the user
     * who registered it, or to nobody (userId and orgId null) when nobody did.
     */
    async checkCertificate(certPemOrDer: string | Buffer, opts: { at: number; usage: CertificateUsage }): Promise<VerifiedCertificate> {
      const { at, usage } = opts;
      const { cert, fingerprint, subject, authority, notBefore, notAfter } = examine(certPemOrDer, at, usage);
      const row = await store.findCertificate(knex, fingerprint);
      let userId: string | null = null;
      let orgId: string | null = null;
      if (authority.kind === 'platform' && fingerprint !== keys.timer.fingerprint) {
        if (!row) {
          throw certError('certificate_unknown', `The certificate of "${subject}" carries the platform CA's signature but is not in the platform's register of issued certificates; it cannot be used. Request a new certificate.`);
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
    },

    /** The newest certificate of a user for `usage` that is valid and unrevoked at `at` (e.g. to encrypt a key share to a custodian). */
    async certificateOfUser(userId: string, usage: CertificateUsage, at: number): Promise<store.CertificateRecord | null> {
      return store.newestValidCertificate(knex, userId, usage, at);
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
