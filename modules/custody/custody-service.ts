// Opening keys in custody: each section gets an age X25519 key whose recipient is fixed at
// publication. Its secret exists only as parts nobody holds alone before the deadline: a time lock
// to the deadline's beacon round (by default), and/or verifiable k-of-n shares encrypted to the
// centre's custodians. This file makes and fixes keys (publication, offline ceremonies, custodians'
// confirmations); custody-opening.ts rebuilds them at the opening.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, type Actor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, ruleViolation, validationFailed } from '../core/errors';
import { isUniqueViolation, withTransaction, type Db } from '../../db/transactions';
import type { AuditService } from '../audit/audit-service';
import { custodyOf, shareHoldersOf, TIME_LOCK, type CustodySettings } from '../centres/centre-rules';
import type { Centre } from '../centres/centres-service';
import { roundAtOrAfter, roundTimeMs, type BeaconSource } from '../timelock/beacon';
import { decryptShare, wipe } from './custody-crypto';
import { normalizeFingerprint, PLATFORM_TIMER, resolveShareHolders, type CustodyPki, type ResolvedCustodian } from './custody-members';
import { createCustodyOpening } from './custody-opening';
import { commitmentsDigest, lockScalar, parseCommitments, recipientOfParts, rewrapTimeLock, sealNewVerifiableKey, shareVerifies, VSS_SCHEME } from './opening-key';
import { randomScalar } from './feldman';
import * as store from './custody-store';

export { PLATFORM_TIMER, normalizeFingerprint, certificateFingerprint } from './custody-members';
export type { CustodyPki } from './custody-members';

/** The platform timer's key pair (certs/timer.key.pem, certs/timer.cert.pem). */
export interface CustodyPlatformKeys {
  timer: { certPem: string; privateKey: crypto.KeyObject | string };
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
  /** Where time locks are made to and opened from (drand relays, or a local beacon). */
  beacon: BeaconSource;
  centres: { get(code: string): Promise<Centre> };
  accounts: { actorByUsername(username: string): Promise<Actor | null>; actorById(id: string): Promise<Actor | null> };
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

/** An opening key ready to be stored: public parts and encrypted shares only. */
export interface OpeningKeyPlan {
  source: store.KeySource;
  recipient: string;
  /** The recipient an uploaded ceremony key had before the time lock was added. */
  uploadedRecipient: string | null;
  threshold: number;
  commitments: string[];
  timeLock: store.TimeLockRow | null;
  shares: PlannedShare[];
  /** The username of the operator whose ceremony made the shares (read before the publish transaction). */
  ceremonyBy: string | null;
}

export interface OpeningKeyInfo {
  recipient: string;
  threshold: number;
  /** Every member: 'time-lock' first when there is one, then the share holders. */
  custodians: string[];
  source: store.KeySource;
  scheme: store.KeyScheme;
  commitments: string[];
  timeLock: { round: number; chainHash: string; point: string; opensAt: number; beacon: 'local' | 'drand'; ciphertext?: string } | null;
  publishedAt: number | null;
}

export interface CeremonyUpload {
  threshold: number;
  commitments: string[];
  shares: Array<{ custodian: string; certificateFingerprint: string; encryptedShare: string }>;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function mayManage(actor: Actor, centre: string): boolean {
  return actor.role === 'admin' || (actor.role === 'operator' && actor.centres.includes(centre));
}

export function createCustodyService(deps: CustodyDeps) {
  const { knex, clock, audit, pki, platformKeys, centres, accounts, beacon } = deps;

  async function custodySetOf(centre: string): Promise<CustodySettings> {
    return custodyOf((await centres.get(centre)).settings);
  }

  const holdersOf = (custody: CustodySettings, now: number) =>
    resolveShareHolders(custody, now, { timerCertPem: platformKeys.timer.certPem, pki, actorByUsername: accounts.actorByUsername });

  /** The time lock for a deadline: the first beacon round at or after it. */
  function lockRound(deadline: number): number {
    return roundAtOrAfter(beacon.info, deadline);
  }

  async function infoOf(db: Db, key: store.OpeningKeyRow, deadline: number | null): Promise<OpeningKeyInfo> {
    const shares = await store.sharesOf(db, key.sectionId);
    const due = deadline !== null && clock.now() >= deadline;
    return {
      recipient: key.recipient,
      threshold: key.threshold,
      custodians: [...(key.timeLock ? [TIME_LOCK] : []), ...shares.map((s) => s.custodianLabel)],
      source: key.source,
      scheme: key.scheme,
      commitments: key.commitments,
      // The ciphertext stays back until the deadline: a clarification may move the deadline, and the
      // lock of the earlier round, once public, would open at that earlier round.
      timeLock: key.timeLock
        ? { round: key.timeLock.round, chainHash: key.timeLock.chainHash, point: key.timeLock.point, opensAt: roundTimeMs(beacon.info, key.timeLock.round), beacon: beacon.kind, ...(due ? { ciphertext: key.timeLock.ciphertext } : {}) }
        : null,
      publishedAt: key.publishedAt,
    };
  }

  async function publishedKey(sectionId: string): Promise<store.OpeningKeyRow | null> {
    const key = await store.findKey(knex, sectionId);
    return key && key.publishedAt !== null ? key : null;
  }

  /** The uploaded shares in the order of the centre's set, each checked against its custodian's certificate. */
  function ceremonyShares(sectionId: string, input: CeremonyUpload, named: string[], holders: ResolvedCustodian[]): store.KeyShareRow[] {
    return holders.map((c, i) => {
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

  const shareInvalid = (label: string, extra: Record<string, unknown> = {}) =>
    new AppError(
      422,
      'custody.share_invalid',
      `The share of ${label} does not lie on the key's committed polynomial (Feldman check s·B = Σ C_j·i^j failed): the ceremony did not deal it from the key it committed to. Run the ceremony again.`,
      [{ rule: 'custody.vss', custodian: label, message: `the share of ${label} does not verify`, ...extra }],
    );

  /** Before publication, every user custodian of a ceremony key must have confirmed its share. */
  function requireConfirmations(shares: store.KeyShareRow[]): void {
    const disputed = shares.filter((s) => s.confirmation === 'failed').map((s) => s.custodianLabel);
    if (disputed.length) {
      throw new AppError(422, 'custody.share_disputed', `${disputed.join(', ')} found that their share does not verify against the key's commitments; this key cannot be published. Run the ceremony again.`, [
        { rule: 'custody.vss', custodians: disputed, message: `disputed by ${disputed.join(', ')}` },
      ]);
    }
    const pending = shares.filter((s) => s.custodian !== PLATFORM_TIMER && s.confirmation !== 'verified').map((s) => s.custodianLabel);
    if (pending.length) {
      throw new AppError(
        422,
        'custody.unconfirmed',
        `The opening key's shares are not all confirmed: ${pending.join(', ')} must check their share (etender share confirm) before the section can be published.`,
        [{ rule: 'custody.confirmation', custodians: pending, message: `waiting for ${pending.join(', ')}` }],
      );
    }
  }

  const opening = createCustodyOpening({
    knex,
    clock,
    audit,
    beacon,
    platformKeys,
    publishedKey,
    sectionFacts: deps.sectionFacts,
    infoOf,
    usernameOf: async (id) => (await accounts.actorById(id))?.username ?? null,
  });

  return {
    ...opening,

    /**
     * Decides the section's opening key before the publish transaction (it reads the database, and
     * SQLite has one connection): the uploaded ceremony key if there is one (with the time lock
     * added now), else a fresh key. Only public parts and encrypted shares leave this function.
     */
    async planOpeningKey(section: { id: string; centre: string; code: string; bidDeadlineAt: number | null }): Promise<OpeningKeyPlan> {
      if (section.bidDeadlineAt === null) {
        throw validationFailed('Set the bid deadline (bidDeadlineAt) before publishing.', [{ field: 'bidDeadlineAt', message: '"bidDeadlineAt" is required to publish' }]);
      }
      const custody = await custodySetOf(section.centre);
      const { timeLock, holders, shareThreshold } = shareHoldersOf(custody);
      const lockTo = timeLock ? { source: beacon, round: lockRound(section.bidDeadlineAt) } : null;
      const existing = await store.findKey(knex, section.id);
      if (existing) {
        if (existing.publishedAt !== null) throw conflict(`The opening key of ${section.code} is already fixed.`);
        if (existing.scheme !== VSS_SCHEME) {
          throw ruleViolation('custody.vss', `The opening key uploaded for ${section.code} has no Feldman commitments, so nobody can check that its shares rebuild it. Run \`etender ceremony\` again (this version commits to every share).`);
        }
        const shares = await store.sharesOf(knex, section.id);
        const uploaded = shares.map((s) => (s.custodian === PLATFORM_TIMER ? PLATFORM_TIMER : s.custodianLabel));
        if (existing.threshold !== custody.threshold || uploaded.length !== holders.length || !holders.every((h) => uploaded.includes(h))) {
          throw ruleViolation('custody.members', `The ${section.centre} centre's custody changed after the ceremony (now ${custody.threshold} of {${custody.members.join(', ')}}); run the ceremony again.`);
        }
        requireConfirmations(shares);
        const lock = lockTo ? await lockScalar(lockTo.source, lockTo.round, randomScalar()) : null;
        return {
          source: 'ceremony',
          recipient: recipientOfParts(existing.commitments, lock?.point ?? null),
          uploadedRecipient: existing.recipient,
          threshold: existing.threshold,
          commitments: existing.commitments,
          timeLock: lock,
          shares: shares.map((s) => ({ index: s.shareIndex, custodian: s.custodian, label: s.custodianLabel, certificateFingerprint: s.certificateFingerprint, encryptedShare: s.encryptedShare })),
          ceremonyBy: existing.ceremonyBy ? ((await accounts.actorById(existing.ceremonyBy))?.username ?? existing.ceremonyBy) : null,
        };
      }
      const resolved = await holdersOf(custody, clock.now());
      const sealed = await sealNewVerifiableKey(
        resolved.map((c) => ({ label: c.label, publicKey: c.publicKey })),
        shareThreshold,
        lockTo,
      );
      return {
        source: 'server',
        recipient: sealed.recipient,
        uploadedRecipient: null,
        threshold: custody.threshold,
        commitments: sealed.commitments,
        timeLock: sealed.timeLock,
        shares: sealed.shares.map((s, i) => ({ ...s, custodian: resolved[i]!.custodian, certificateFingerprint: resolved[i]!.fingerprint })),
        ceremonyBy: null,
      };
    },

    /**
     * Inside the publish transaction: fixes the key and logs its public parts (never a share, never t).
     * `bidDeadlineAt` is the deadline read in that transaction: a draft edited since the plan was
     * made would otherwise publish a time lock that opens at the old deadline.
     */
    async storeOpeningKey(trx: Db, ctx: RequestContext, sectionId: string, plan: OpeningKeyPlan, bidDeadlineAt: number): Promise<void> {
      if (plan.timeLock && plan.timeLock.round !== lockRound(bidDeadlineAt)) {
        throw conflict('The bid deadline changed while the section was being published; publish again.');
      }
      const now = clock.now();
      if (plan.source === 'ceremony') {
        if (!(await store.markPublished(trx, sectionId, plan.uploadedRecipient!, plan.recipient, plan.timeLock, now))) {
          throw conflict('The opening key of this section was replaced meanwhile; publish again.');
        }
      } else {
        const key: store.OpeningKeyRow = {
          sectionId,
          recipient: plan.recipient,
          threshold: plan.threshold,
          members: plan.shares.length + (plan.timeLock ? 1 : 0),
          source: 'server',
          createdAt: now,
          publishedAt: now,
          scheme: VSS_SCHEME,
          commitments: plan.commitments,
          timeLock: plan.timeLock,
          ceremonyBy: null,
        };
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
          custodians: [...(plan.timeLock ? [TIME_LOCK] : []), ...plan.shares.map((s) => s.label)],
          certificateFingerprints: plan.shares.map((s) => s.certificateFingerprint),
          source: plan.source,
          scheme: VSS_SCHEME,
          commitments: plan.commitments,
          timeLock: plan.timeLock
            ? { round: plan.timeLock.round, chainHash: plan.timeLock.chainHash, point: plan.timeLock.point, ciphertextSha256: sha256(plan.timeLock.ciphertext), beacon: beacon.kind }
            : null,
          ...(plan.ceremonyBy ? { ceremonyBy: plan.ceremonyBy } : {}),
        },
      });
    },

    /**
     * A clarification moved the deadline (inside its transaction): the time lock is wrapped again
     * for the new deadline's round, so it opens no earlier than the new deadline. The earlier
     * ciphertext was never public; only a copy of the database taken before the move could open it
     * at the earlier round (README, trust model).
     */
    async deadlineMoved(trx: Db, ctx: RequestContext, sectionId: string, newDeadline: number): Promise<void> {
      const key = await store.findKey(trx, sectionId);
      if (!key?.timeLock) return;
      const round = lockRound(newDeadline);
      if (round <= key.timeLock.round) return;
      const moved = await rewrapTimeLock(beacon, key.timeLock, round);
      if (!(await store.moveTimeLock(trx, sectionId, key.timeLock.round, moved))) throw conflict('The opening key changed meanwhile; try again.');
      await audit.append(trx, ctx, {
        action: 'section.time_lock_moved',
        objectType: 'section',
        objectId: sectionId,
        data: { fromRound: key.timeLock.round, toRound: round, chainHash: key.timeLock.chainHash, ciphertextSha256: sha256(moved.ciphertext) },
      });
    },

    /**
     * An opening key made by an offline ceremony (etender ceremony): the server receives only the
     * Feldman commitments and the shares already encrypted to the centre's share holders. The
     * platform timer's share (if it is a holder) is checked here; each user custodian checks its own
     * and confirms before publication. The time lock, if the centre has one, is added at publication.
     */
    async uploadCeremonyKey(ctx: RequestContext, sectionId: string, input: CeremonyUpload): Promise<{ openingKey: OpeningKeyInfo & { confirmations: Array<{ custodian: string; confirmation: string | null }> } }> {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      if (!section || !(section.publishedAt !== null || isOverseer(actor) || mayManage(actor, section.centre))) throw notFound('The section');
      if (!mayManage(actor, section.centre)) throw forbidden(`Only operators of the ${section.centre} centre may set the opening key of this section.`);
      if (section.state !== 'draft') {
        throw invalidTransition(`The opening key is fixed when a section is published; this section is ${section.state}.`, { state: section.state });
      }
      const custody = await custodySetOf(section.centre);
      const { holders, shareThreshold } = shareHoldersOf(custody);
      if (holders.length === 0) {
        throw ruleViolation('custody.members', `The ${section.centre} centre's opening keys are held by the time lock alone; there are no shares to deal in a ceremony. Publish the section: its key is made then.`);
      }
      const named = input.shares.map((s) => (s.custodian === PLATFORM_TIMER || s.custodian.startsWith('user:') ? s.custodian : `user:${s.custodian}`));
      const sameSet = named.length === holders.length && new Set(named).size === named.length && named.every((m) => holders.includes(m));
      if (input.threshold !== custody.threshold || !sameSet) {
        throw ruleViolation(
          'custody.members',
          `The ${section.centre} centre's opening keys are held ${custody.threshold} of {${custody.members.join(', ')}}; the upload is ${input.threshold} of {${named.join(', ')}}. Run the ceremony again with exactly those custodians and that threshold${custody.members.includes(TIME_LOCK) ? ' (list --custodian time-lock too: the server adds it at publication)' : ''}.`,
          { required: { threshold: custody.threshold, members: custody.members }, actual: { threshold: input.threshold, members: named } },
        );
      }
      if (input.commitments.length !== shareThreshold) {
        throw validationFailed(`A ${shareThreshold}-of-${holders.length} sharing has ${shareThreshold} commitments (one per coefficient); the upload has ${input.commitments.length}.`, [
          { field: 'commitments', message: `must hold ${shareThreshold} points` },
        ]);
      }
      const parsed = parseCommitments(input.commitments);
      if ('bad' in parsed) {
        throw validationFailed(`commitments.${parsed.bad} is not a point of Ed25519's prime-order group (32 bytes, hex${parsed.bad === 0 ? ', not the identity' : ''}).`, [
          { field: `commitments.${parsed.bad}`, message: 'must be an Ed25519 point of prime order, 64 hex digits' },
        ]);
      }
      const shares = ceremonyShares(sectionId, input, named, await holdersOf(custody, clock.now()));
      const timerShare = shares.find((s) => s.custodian === PLATFORM_TIMER);
      if (timerShare) {
        let plain: Uint8Array | null = null;
        try {
          plain = decryptShare(timerShare.encryptedShare, platformKeys.timer.privateKey);
        } catch {
          plain = null;
        }
        const ok = plain !== null && shareVerifies(input.commitments, timerShare.shareIndex, plain);
        wipe(plain);
        if (!ok) throw shareInvalid(PLATFORM_TIMER, { shareIndex: timerShare.shareIndex });
      }
      const now = clock.now();
      const key: store.OpeningKeyRow = {
        sectionId,
        recipient: recipientOfParts(input.commitments, null),
        threshold: input.threshold,
        members: custody.members.length,
        source: 'ceremony',
        createdAt: now,
        publishedAt: null,
        scheme: VSS_SCHEME,
        commitments: input.commitments,
        timeLock: null,
        ceremonyBy: actor.userId,
      };
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
            threshold: key.threshold,
            custodians: custody.members,
            certificateFingerprints: shares.map((s) => s.certificateFingerprint),
            scheme: VSS_SCHEME,
            commitments: key.commitments,
            commitmentsSha256: commitmentsDigest(key.commitments),
            ...(before ? { replaced: before.recipient } : {}),
          },
        });
        const info = await infoOf(trx, key, null);
        return { openingKey: { ...info, custodians: custody.members, confirmations: shares.map((s) => ({ custodian: s.custodianLabel, confirmation: s.custodian === PLATFORM_TIMER ? 'verified' : null })) } };
      });
    },

    /**
     * A custodian's word on its share of an uploaded ceremony key (before publication): it decrypted
     * the share on its own machine and checked it against the commitments (etender share confirm).
     * `commitmentsSha256` binds the word to the key it checked. A 'failed' stops the publication.
     */
    async confirmShare(ctx: RequestContext, sectionId: string, input: { result: 'verified' | 'failed'; commitmentsSha256: string }) {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      const key = await store.findKey(knex, sectionId);
      const mine = key ? (await store.sharesOf(knex, sectionId)).find((s) => s.custodian === actor.userId) : undefined;
      if (!section || !key || !mine) throw notFound('Your share of this section');
      if (key.publishedAt !== null || key.source !== 'ceremony') throw invalidTransition(`Shares are confirmed before publication, for a ceremony key; the key of ${section.code} is already fixed.`);
      if (input.commitmentsSha256.toLowerCase() !== commitmentsDigest(key.commitments)) {
        throw conflict('The commitments you checked are not those of the current key (a new ceremony replaced it): fetch your share again and check it.');
      }
      await withTransaction(knex, async (trx) => {
        if (!(await store.confirmShare(trx, sectionId, mine.shareIndex, input.result, clock.now()))) throw conflict(`You already gave your word on this share of ${section.code}.`);
        await audit.append(trx, ctx, {
          action: input.result === 'verified' ? 'custody.share_confirmed' : 'custody.share_disputed',
          objectType: 'section',
          objectId: sectionId,
          data: { code: section.code, custodian: mine.custodianLabel, shareIndex: mine.shareIndex, commitmentsSha256: commitmentsDigest(key.commitments) },
        });
      });
      return { confirmation: { custodian: mine.custodianLabel, shareIndex: mine.shareIndex, result: input.result } };
    },

    /** The published recipient that bids must be sealed to; null before publication. */
    async recipientOf(sectionId: string): Promise<string | null> {
      return (await publishedKey(sectionId))?.recipient ?? null;
    },

    /**
     * What the notice shows: recipient, threshold, custodians, commitments, time lock; null before
     * publication. The caller has the section at hand and gives its deadline (the lock's ciphertext
     * is shown from then on).
     */
    async publicInfo(sectionId: string, bidDeadlineAt: number | null): Promise<OpeningKeyInfo | null> {
      const key = await publishedKey(sectionId);
      return key ? infoOf(knex, key, bidDeadlineAt) : null;
    },

    /**
     * A custodian's own encrypted share of a section, with the commitments to check it against (to
     * decrypt on its machine: etender share confirm / release). Before publication too, for a ceremony key.
     */
    async myShare(ctx: RequestContext, sectionId: string) {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      const key = await store.findKey(knex, sectionId);
      if (!section || !key) throw notFound('The section');
      const mine = (await store.sharesOf(knex, sectionId)).find((s) => s.custodian === actor.userId);
      if (!mine) {
        if (section.publishedAt === null) throw notFound('The section');
        throw forbidden(`You are not a custodian of the opening key of ${section.code}.`);
      }
      return {
        share: {
          index: mine.shareIndex,
          custodian: mine.custodianLabel,
          certificateFingerprint: mine.certificateFingerprint,
          encryptedShare: mine.encryptedShare,
          releasedAt: mine.releasedAt,
          confirmation: mine.confirmation ?? null,
          scheme: key.scheme,
          commitments: key.commitments,
          commitmentsSha256: key.scheme === VSS_SCHEME ? commitmentsDigest(key.commitments) : null,
        },
      };
    },
  };
}

export type CustodyService = ReturnType<typeof createCustodyService>;
