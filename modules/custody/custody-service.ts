// Opening keys in custody: each section gets an age X25519 key whose recipient is fixed at
// publication and whose secret exists only as k-of-n shares, each encrypted to one custodian
// (the platform timer or a user's encryption certificate). Rebuilding happens at the opening.
import crypto, { type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, type Actor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, ruleViolation, validationFailed } from '../core/errors';
import { isUniqueViolation, withTransaction, type Db } from '../../db/transactions';
import type { AuditService } from '../audit/audit-service';
import { custodyOf, type CustodySettings } from '../centres/centre-rules';
import type { Centre } from '../centres/centres-service';
import { decryptShare, encryptShare, isAgeRecipient, rebuildIdentity, sealNewOpeningKey, wipe } from './custody-crypto';
import * as store from './custody-store';

export const PLATFORM_TIMER = 'platform-timer';

type Usage = 'signing' | 'encryption';
type MaybePromise<T> = T | Promise<T>;

/** What custody needs of the PKI service. */
export interface CustodyPki {
  certificateOfUser(userId: string, usage: Usage, at: number): MaybePromise<{ fingerprint: string; pem: string } | null>;
  checkCertificate(pemOrDer: string | Buffer, options: { at: number; usage: Usage }): MaybePromise<{ fingerprint: string; publicKey: KeyObject }>;
}

/** The platform timer's key pair (certs/timer.key.pem, certs/timer.cert.pem). */
export interface CustodyPlatformKeys {
  timer: { certPem: string; privateKey: KeyObject | string };
}

/** The facts of a section that custody needs, read through the tenders service (never its tables). */
export interface SectionFacts {
  id: string;
  centre: string;
  code: string;
  state: string;
  publishedAt: number | null;
  bidDeadlineAt: number | null;
}

export interface CustodyDeps {
  knex: Knex;
  clock: Clock;
  audit: AuditService;
  pki: CustodyPki;
  platformKeys: CustodyPlatformKeys;
  centres: { get(code: string): Promise<Centre> };
  accounts: { actorByUsername(username: string): Promise<Actor | null> };
  /** Bound late: the tenders service is built after custody (it uses custody at publication). */
  sectionFacts(id: string): Promise<SectionFacts | null>;
}

export interface PlannedShare {
  index: number;
  /** 'platform-timer' or a user id. */
  custodian: string;
  /** 'platform-timer' or 'user:<username>'. */
  label: string;
  certificateFingerprint: string;
  encryptedShare: string;
}

/** An opening key ready to be stored: public recipient and encrypted shares only. */
export interface OpeningKeyPlan {
  source: store.KeySource;
  recipient: string;
  threshold: number;
  shares: PlannedShare[];
}

export interface OpeningKeyInfo {
  recipient: string;
  threshold: number;
  custodians: string[];
  source: store.KeySource;
  publishedAt: number | null;
}

export interface CeremonyUpload {
  recipient: string;
  threshold: number;
  shares: Array<{ custodian: string; certificateFingerprint: string; encryptedShare: string }>;
}

interface ResolvedCustodian {
  member: string;
  custodian: string;
  label: string;
  fingerprint: string;
  publicKey: KeyObject;
}

/** Fingerprints compared without regard to case or colons ("AB:CD…" = "abcd…"). */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/:/g, '').toLowerCase();
}

/** SHA-256 of the certificate's DER, lowercase hex. */
export function certificateFingerprint(pem: string): string {
  return crypto.createHash('sha256').update(new crypto.X509Certificate(pem).raw).digest('hex');
}

export function createCustodyService(deps: CustodyDeps) {
  const { knex, clock, audit, pki, platformKeys, centres, accounts } = deps;

  async function custodySetOf(centre: string): Promise<CustodySettings> {
    return custodyOf((await centres.get(centre)).settings);
  }

  /** Each member of the set with the public key its share is encrypted to; one 422 listing every problem. */
  async function resolveCustodians(custody: CustodySettings, now: number): Promise<ResolvedCustodian[]> {
    const resolved: ResolvedCustodian[] = [];
    const problems: string[] = [];
    for (const member of custody.members) {
      if (member === PLATFORM_TIMER) {
        const cert = new crypto.X509Certificate(platformKeys.timer.certPem);
        resolved.push({ member, custodian: PLATFORM_TIMER, label: PLATFORM_TIMER, fingerprint: certificateFingerprint(platformKeys.timer.certPem), publicKey: cert.publicKey });
        continue;
      }
      const username = member.slice('user:'.length);
      const actor = await accounts.actorByUsername(username);
      if (!actor || actor.role === 'bidder') {
        problems.push(`custodian ${member} is not an active staff account`);
        continue;
      }
      const cert = await pki.certificateOfUser(actor.userId, 'encryption', now);
      if (!cert) {
        problems.push(`custodian ${member} has no valid encryption certificate`);
        continue;
      }
      try {
        const checked = await pki.checkCertificate(cert.pem, { at: now, usage: 'encryption' });
        resolved.push({ member, custodian: actor.userId, label: member, fingerprint: normalizeFingerprint(checked.fingerprint), publicKey: checked.publicKey });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        problems.push(`custodian ${member} has no usable encryption certificate (${err.message})`);
      }
    }
    if (problems.length) {
      throw ruleViolation(
        'custody.certificates',
        `${problems.join('; ')}. Each custodian needs a valid 'encryption' certificate before a section can be published: have them send a CSR and get it issued, or change the centre's custody set (PUT /api/centres/:code/settings, "custody").`,
        { custodians: problems },
      );
    }
    return resolved;
  }

  /** The uploaded shares in the order of the centre's set, each checked against its custodian's certificate. */
  function ceremonyShares(sectionId: string, input: CeremonyUpload, named: string[], custodians: ResolvedCustodian[]): store.KeyShareRow[] {
    return custodians.map((c, i) => {
      const given = input.shares[named.indexOf(c.member)]!;
      if (normalizeFingerprint(given.certificateFingerprint) !== c.fingerprint) {
        throw ruleViolation(
          'custody.certificates',
          `The share for ${c.label} is encrypted to certificate ${given.certificateFingerprint}, but ${c.label}'s valid encryption certificate is ${c.fingerprint}. Encrypt the share to the current certificate.`,
          { custodian: c.label, expected: c.fingerprint, actual: given.certificateFingerprint },
        );
      }
      const bytes = Buffer.from(given.encryptedShare, 'base64');
      const modulusBytes = Math.ceil((c.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      if (bytes.toString('base64') !== given.encryptedShare || bytes.length !== modulusBytes) {
        throw validationFailed(`The share for ${c.label} is not an RSA-OAEP ciphertext for its certificate (expected ${modulusBytes} bytes in base64).`, [
          { field: `shares.${named.indexOf(c.member)}.encryptedShare`, message: `must be ${modulusBytes} bytes in base64` },
        ]);
      }
      return { sectionId, shareIndex: i + 1, custodian: c.custodian, custodianLabel: c.label, certificateFingerprint: c.fingerprint, encryptedShare: bytes.toString('base64'), releasedAt: null };
    });
  }

  function mayManage(actor: Actor, centre: string): boolean {
    return actor.role === 'admin' || (actor.role === 'operator' && actor.centres.includes(centre));
  }

  async function publishedKey(sectionId: string): Promise<store.OpeningKeyRow | null> {
    const key = await store.findKey(knex, sectionId);
    return key && key.publishedAt !== null ? key : null;
  }

  async function infoOf(db: Db, key: store.OpeningKeyRow): Promise<OpeningKeyInfo> {
    const shares = await store.sharesOf(db, key.sectionId);
    return { recipient: key.recipient, threshold: key.threshold, custodians: shares.map((s) => s.custodianLabel), source: key.source, publishedAt: key.publishedAt };
  }

  return {
    /**
     * Decides the section's opening key before the publish transaction (it reads the database, and
     * SQLite has one connection): the uploaded ceremony key if there is one, else a fresh key split
     * among the centre's custodians. Only the recipient and encrypted shares leave this function.
     */
    async planOpeningKey(section: { id: string; centre: string; code: string }): Promise<OpeningKeyPlan> {
      const existing = await store.findKey(knex, section.id);
      if (existing) {
        if (existing.publishedAt !== null) throw conflict(`The opening key of ${section.code} is already fixed.`);
        const shares = await store.sharesOf(knex, section.id);
        return {
          source: existing.source,
          recipient: existing.recipient,
          threshold: existing.threshold,
          shares: shares.map((s) => ({ index: s.shareIndex, custodian: s.custodian, label: s.custodianLabel, certificateFingerprint: s.certificateFingerprint, encryptedShare: s.encryptedShare })),
        };
      }
      const custody = await custodySetOf(section.centre);
      const custodians = await resolveCustodians(custody, clock.now());
      const sealed = await sealNewOpeningKey(custodians.map((c) => ({ label: c.label, publicKey: c.publicKey })), custody.threshold);
      return {
        source: 'server',
        recipient: sealed.recipient,
        threshold: sealed.threshold,
        shares: sealed.shares.map((s, i) => ({ ...s, custodian: custodians[i]!.custodian, certificateFingerprint: custodians[i]!.fingerprint })),
      };
    },

    /** Inside the publish transaction: fixes the key and logs its recipient (never a share). */
    async storeOpeningKey(trx: Db, ctx: RequestContext, sectionId: string, plan: OpeningKeyPlan): Promise<void> {
      const now = clock.now();
      if (plan.source === 'ceremony') {
        if (!(await store.markPublished(trx, sectionId, plan.recipient, now))) {
          throw conflict('The opening key of this section was replaced meanwhile; publish again.');
        }
      } else {
        const key: store.OpeningKeyRow = { sectionId, recipient: plan.recipient, threshold: plan.threshold, members: plan.shares.length, source: 'server', createdAt: now, publishedAt: now };
        const shares = plan.shares.map((s) => ({
          sectionId,
          shareIndex: s.index,
          custodian: s.custodian,
          custodianLabel: s.label,
          certificateFingerprint: s.certificateFingerprint,
          encryptedShare: s.encryptedShare,
          releasedAt: null,
        }));
        try {
          await store.insertKey(trx, key, shares);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('An opening key was uploaded for this section meanwhile; publish again to use it.');
          throw err;
        }
      }
      await audit.append(trx, ctx, {
        action: 'section.opening_key',
        objectType: 'section',
        objectId: sectionId,
        data: {
          recipient: plan.recipient,
          threshold: plan.threshold,
          custodians: plan.shares.map((s) => s.label),
          certificateFingerprints: plan.shares.map((s) => s.certificateFingerprint),
          source: plan.source,
        },
      });
    },

    /**
     * An opening key made by an offline ceremony (etender ceremony): the server receives only the
     * recipient and the shares already encrypted to the centre's custodians; publication uses it.
     */
    async uploadCeremonyKey(ctx: RequestContext, sectionId: string, input: CeremonyUpload): Promise<{ openingKey: OpeningKeyInfo }> {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      if (!section || !(section.publishedAt !== null || isOverseer(actor) || mayManage(actor, section.centre))) throw notFound('The section');
      if (!mayManage(actor, section.centre)) throw forbidden(`Only operators of the ${section.centre} centre may set the opening key of this section.`);
      if (section.state !== 'draft') {
        throw invalidTransition(`The opening key is fixed when a section is published; this section is ${section.state}.`, { state: section.state });
      }
      if (!isAgeRecipient(input.recipient)) {
        throw validationFailed('recipient: must be an age X25519 recipient (age1… with 58 more characters and a valid checksum).', [
          { field: 'recipient', message: '"recipient" must be an age X25519 recipient, age1…' },
        ]);
      }
      const custody = await custodySetOf(section.centre);
      const named = input.shares.map((s) => (s.custodian === PLATFORM_TIMER || s.custodian.startsWith('user:') ? s.custodian : `user:${s.custodian}`));
      const sameSet = named.length === custody.members.length && new Set(named).size === named.length && named.every((m) => (custody.members as string[]).includes(m));
      if (input.threshold !== custody.threshold || !sameSet) {
        throw ruleViolation(
          'custody.members',
          `The ${section.centre} centre's opening keys are held ${custody.threshold} of {${custody.members.join(', ')}}; the upload is ${input.threshold} of {${named.join(', ')}}. Run the ceremony again with exactly those custodians and that threshold.`,
          { required: { threshold: custody.threshold, members: custody.members }, actual: { threshold: input.threshold, members: named } },
        );
      }
      const shares = ceremonyShares(sectionId, input, named, await resolveCustodians(custody, clock.now()));
      const now = clock.now();
      const key: store.OpeningKeyRow = { sectionId, recipient: input.recipient, threshold: input.threshold, members: shares.length, source: 'ceremony', createdAt: now, publishedAt: null };
      return withTransaction(knex, async (trx) => {
        const before = await store.findKey(trx, sectionId);
        if (before && !(await store.deleteUnpublishedKey(trx, sectionId))) throw conflict('The section was published meanwhile; its opening key is fixed.');
        try {
          await store.insertKey(trx, key, shares);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('The section was published meanwhile; its opening key is fixed.');
          throw err;
        }
        await audit.append(trx, ctx, {
          action: 'section.opening_key_uploaded',
          objectType: 'section',
          objectId: sectionId,
          data: {
            code: section.code,
            recipient: key.recipient,
            threshold: key.threshold,
            custodians: shares.map((s) => s.custodianLabel),
            certificateFingerprints: shares.map((s) => s.certificateFingerprint),
            ...(before ? { replaced: before.recipient } : {}),
          },
        });
        return { openingKey: await infoOf(trx, key) };
      });
    },

    /** The published recipient that bids must be sealed to; null before publication. */
    async recipientOf(sectionId: string): Promise<string | null> {
      return (await publishedKey(sectionId))?.recipient ?? null;
    },

    /** What the notice shows: recipient, threshold and custodians; null before publication. */
    async publicInfo(sectionId: string): Promise<OpeningKeyInfo | null> {
      const key = await publishedKey(sectionId);
      return key ? infoOf(knex, key) : null;
    },

    /**
     * Rebuilds the identity from decrypted shares and checks it against the published recipient.
     * The result is the opening secret: keep it in memory, and never log it.
     */
    async rebuildSecret(sectionId: string, decryptedShares: Uint8Array[]): Promise<string> {
      const key = await publishedKey(sectionId);
      if (!key) throw notFound('The opening key of this section');
      return rebuildIdentity(decryptedShares, key.threshold, key.recipient);
    },

    /** A custodian's own encrypted share of a section (to decrypt on its machine: etender share decrypt / release). */
    async myShare(ctx: RequestContext, sectionId: string) {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      if (!section || section.publishedAt === null) throw notFound('The section');
      const mine = (await store.sharesOf(knex, sectionId)).find((s) => s.custodian === actor.userId);
      if (!mine) throw forbidden(`You are not a custodian of the opening key of ${section.code}.`);
      return { share: { index: mine.shareIndex, custodian: mine.custodianLabel, certificateFingerprint: mine.certificateFingerprint, encryptedShare: mine.encryptedShare, releasedAt: mine.releasedAt } };
    },

    /**
     * A custodian hands over its decrypted share at the opening (after the deadline, once). When,
     * with the shares already in (and the platform timer's, if it is a member), there are enough to
     * rebuild the key, the rebuild must succeed — a share of another key is refused (422) and not
     * counted. The share is audited as released, never logged itself.
     */
    async releaseShare(ctx: RequestContext, sectionId: string, shareB64: string): Promise<{ released: number; threshold: number; ready: boolean }> {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      const key = await publishedKey(sectionId);
      if (!section || !key) throw notFound('The section');
      const shares = await store.sharesOf(knex, sectionId);
      const mine = shares.find((s) => s.custodian === actor.userId);
      if (!mine) throw forbidden(`You are not a custodian of the opening key of ${section.code}.`);
      if (section.bidDeadlineAt === null || clock.now() < section.bidDeadlineAt) {
        throw new AppError(409, 'custody.too_early', `Shares are released at the opening, after the bid deadline (${section.bidDeadlineAt === null ? 'not set' : new Date(section.bidDeadlineAt).toISOString()}).`);
      }
      if (section.state !== 'closed' && section.state !== 'opening') {
        throw invalidTransition(`Shares are released while the section waits to be opened; this section is ${section.state}.`, { state: section.state });
      }
      if (mine.releasedAt !== null) throw conflict(`You already released your share of ${section.code}.`);
      const bytes = Buffer.from(shareB64.trim(), 'base64');
      if (bytes.length < 2 || bytes.toString('base64').replace(/=+$/, '') !== shareB64.trim().replace(/=+$/, '')) {
        throw validationFailed('share: must be the base64 of the decrypted share, as `etender share decrypt` prints it.', [{ field: 'share', message: 'must be base64' }]);
      }
      const share = new Uint8Array(bytes);
      const others = await this.openingShares(sectionId);
      try {
        const available = [...others.shares, share];
        if (available.length >= key.threshold) await rebuildIdentity(available, key.threshold, key.recipient);
      } finally {
        wipe(...others.shares);
      }
      const timerCert = new crypto.X509Certificate(platformKeys.timer.certPem);
      const sealed = encryptShare(share, timerCert.publicKey);
      wipe(share, bytes);
      return withTransaction(knex, async (trx) => {
        if (!(await store.markReleased(trx, sectionId, mine.shareIndex, sealed, actor.userId, clock.now()))) {
          throw conflict(`You already released your share of ${section.code}.`);
        }
        await audit.append(trx, ctx, {
          action: 'custody.share_released',
          objectType: 'section',
          objectId: sectionId,
          data: { code: section.code, custodian: mine.custodianLabel, shareIndex: mine.shareIndex, certificateFingerprint: mine.certificateFingerprint },
        });
        const released = (await store.releasedShares(trx, sectionId)).length + (shares.some((s) => s.custodian === PLATFORM_TIMER) ? 1 : 0);
        return { released, threshold: key.threshold, ready: released >= key.threshold };
      });
    },

    /**
     * For the opening: the shares available now — the platform timer's (if it is a custodian) and
     * those released by custodians — with who released them. Only after the deadline.
     */
    async openingShares(sectionId: string): Promise<{ shares: Uint8Array[]; threshold: number; recipient: string; custodians: string[]; released: Array<{ custodian: string; at: number }> }> {
      const key = await publishedKey(sectionId);
      if (!key) throw notFound('The opening key of this section');
      const all = await store.sharesOf(knex, sectionId);
      const released = await store.releasedShares(knex, sectionId);
      const shares: Uint8Array[] = [];
      const section = await deps.sectionFacts(sectionId);
      const due = !!section && section.bidDeadlineAt !== null && clock.now() >= section.bidDeadlineAt;
      const timer = all.find((s) => s.custodian === PLATFORM_TIMER);
      if (due && timer) shares.push(await this.decryptTimerShare(sectionId));
      for (const r of released) shares.push(decryptShare(r.releasedShare, platformKeys.timer.privateKey));
      return {
        shares,
        threshold: key.threshold,
        recipient: key.recipient,
        custodians: all.map((s) => s.custodianLabel),
        released: [...(due && timer ? [{ custodian: PLATFORM_TIMER, at: section!.bidDeadlineAt! }] : []), ...released.map((r) => ({ custodian: r.custodianLabel, at: r.releasedAt }))],
      };
    },

    /** The platform timer's share, decrypted with its key in certs/; only once the bid deadline has passed. */
    async decryptTimerShare(sectionId: string): Promise<Uint8Array> {
      const section = await deps.sectionFacts(sectionId);
      const key = await publishedKey(sectionId);
      if (!section || !key) throw notFound('The opening key of this section');
      if (section.bidDeadlineAt === null || clock.now() < section.bidDeadlineAt) {
        throw new AppError(409, 'custody.too_early', `No share is decrypted before the bid deadline (${section.bidDeadlineAt === null ? 'not set' : new Date(section.bidDeadlineAt).toISOString()}).`);
      }
      const share = (await store.sharesOf(knex, sectionId)).find((s) => s.custodian === PLATFORM_TIMER);
      if (!share) throw new AppError(409, 'custody.no_timer_share', "The platform timer is not a custodian of this section's opening key.");
      return decryptShare(share.encryptedShare, platformKeys.timer.privateKey);
    },
  };
}

export type CustodyService = ReturnType<typeof createCustodyService>;
