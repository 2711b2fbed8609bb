// Opening keys in custody: each section gets an age X25519 key whose recipient is fixed at
// publication. Its secret exists only as parts nobody holds alone before the deadline: a time lock
// to the deadline's beacon round (by default), and/or verifiable k-of-n shares encrypted to the
// centre's custodians. This file composes custody and fixes keys at publication and when a deadline
// moves; custody-ceremony.ts takes offline ceremonies and custodians' confirmations;
// custody-opening.ts rebuilds keys at the opening; custody-info.ts is what the public sees of them.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type Actor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, notFound, ruleViolation, validationFailed } from '../core/errors';
import { isUniqueViolation, type Db, type InTransaction, type Tx } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import { custodyOf, shareHoldersOf, TIME_LOCK, type CustodySettings } from '../centres/centre-rules';
import type { Centre } from '../centres/centres-service';
import { roundAtOrAfter, type BeaconSource } from '../timelock/beacon';
import { PLATFORM_TIMER, resolveShareHolders, type CustodyPki } from './custody-members';
import { createCustodyCeremony } from './custody-ceremony';
import { keyInfo, type CustodyPlatformKeys, type OpeningKeyInfo, type SectionFacts } from './custody-info';
import { createCustodyOpening } from './custody-opening';
import { createCustodyOverview, type MyCustody } from './custody-overview';
import { commitmentsDigest, lockScalar, recipientOfParts, rewrapTimeLock, sealNewVerifiableKey, VSS_SCHEME } from './opening-key';
import { randomScalar } from './feldman';
import * as store from './custody-store';

export { PLATFORM_TIMER } from './custody-members';
export type { CustodyPki } from './custody-members';
export type { CustodyPlatformKeys, OpeningKeyInfo, SectionFacts } from './custody-info';
export type { CeremonyUpload } from './custody-ceremony';

export interface CustodyDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
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

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function createCustodyService(deps: CustodyDeps) {
  const { knex, clock, inTransaction, pki, platformKeys, centres, accounts, beacon } = deps;

  async function custodySetOf(centre: string): Promise<CustodySettings> {
    return custodyOf((await centres.get(centre)).settings);
  }

  const holdersOf = (custody: CustodySettings, now: number) => resolveShareHolders(custody, now, { timerCertPem: platformKeys.timer.certPem, pki, actorByUsername: accounts.actorByUsername });

  /** The time lock for a deadline: the first beacon round at or after it. */
  function lockRound(deadline: number): number {
    return roundAtOrAfter(beacon.info, deadline);
  }

  const infoOf = (db: Db, key: store.OpeningKeyRow, deadline: number | null) => keyInfo(db, key, deadline, clock, beacon);

  async function publishedKey(sectionId: string): Promise<store.OpeningKeyRow | null> {
    const key = await store.findKey(knex, sectionId);
    return key && key.publishedAt !== null ? key : null;
  }

  /** Before publication, every user custodian of a ceremony key must have confirmed its share. */
  function requireConfirmations(shares: store.KeyShareRow[]): void {
    const disputed = shares.filter((s) => s.confirmation === 'failed').map((s) => s.custodianLabel);
    if (disputed.length) {
      throw new AppError(
        422,
        'custody.share_disputed',
        `${disputed.join(', ')} found that their share does not verify against the key's commitments; this key cannot be published. Run the ceremony again.`,
        [{ rule: 'custody.vss', custodians: disputed, message: `disputed by ${disputed.join(', ')}` }],
      );
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
    inTransaction,
    beacon,
    platformKeys,
    publishedKey,
    sectionFacts: deps.sectionFacts,
    infoOf,
    usernameOf: async (id) => (await accounts.actorById(id))?.username ?? null,
  });

  const overview = createCustodyOverview({ knex, clock, sectionFacts: deps.sectionFacts });

  const ceremony = createCustodyCeremony({ knex, clock, inTransaction, platformKeys, custodySetOf, holdersOf, sectionFacts: deps.sectionFacts, infoOf });

  return {
    /** Custody's steps inside the publication's and a clarification's unit of work. */
    on: (tx: Tx<AuditedTx>) => ({
      /**
       * In the publication's unit of work: fixes the key and logs its public parts (never a share, never t).
       * `bidDeadlineAt` is the deadline read in that unit of work: a draft edited since the plan was
       * made would otherwise publish a time lock that opens at the old deadline.
       */
      async storeOpeningKey(ctx: RequestContext, sectionId: string, plan: OpeningKeyPlan, bidDeadlineAt: number): Promise<void> {
        if (plan.timeLock && plan.timeLock.round !== lockRound(bidDeadlineAt)) {
          throw conflict('The bid deadline changed while the section was being published; publish again.');
        }
        const now = clock.now();
        if (plan.source === 'ceremony') {
          if (!(await store.markPublished(tx.db, sectionId, plan.uploadedRecipient!, plan.recipient, plan.timeLock, now))) {
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
            await store.insertKey(tx.db, key, shares);
          } catch (err) {
            if (isUniqueViolation(err)) throw conflict('An opening key was uploaded for this section meanwhile; publish again to use it.');
            throw err;
          }
        }
        await tx.audit.append(ctx, {
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
       * A clarification moved the deadline (in its unit of work): the time lock is wrapped again
       * for the new deadline's round, so it opens no earlier than the new deadline. The earlier
       * ciphertext was never public; only a copy of the database taken before the move could open it
       * at the earlier round (README, trust model).
       */
      async deadlineMoved(ctx: RequestContext, sectionId: string, newDeadline: number): Promise<void> {
        const key = await store.findKey(tx.db, sectionId);
        if (!key?.timeLock) return;
        const round = lockRound(newDeadline);
        if (round <= key.timeLock.round) return;
        const moved = await rewrapTimeLock(beacon, key.timeLock, round);
        if (!(await store.moveTimeLock(tx.db, sectionId, key.timeLock.round, moved))) throw conflict('The opening key changed meanwhile; try again.');
        await tx.audit.append(ctx, {
          action: 'section.time_lock_moved',
          objectType: 'section',
          objectId: sectionId,
          data: { fromRound: key.timeLock.round, toRound: round, chainHash: key.timeLock.chainHash, ciphertextSha256: sha256(moved.ciphertext) },
        });
      },
    }),

    ...opening,
    ...ceremony,

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
          throw ruleViolation(
            'custody.vss',
            `The opening key uploaded for ${section.code} has no Feldman commitments, so nobody can check that its shares rebuild it. Run \`etender ceremony\` again (this version commits to every share).`,
          );
        }
        const shares = await store.sharesOf(knex, section.id);
        const uploaded = shares.map((s) => (s.custodian === PLATFORM_TIMER ? PLATFORM_TIMER : s.custodianLabel));
        if (existing.threshold !== custody.threshold || uploaded.length !== holders.length || !holders.every((h) => uploaded.includes(h))) {
          throw ruleViolation(
            'custody.members',
            `The ${section.centre} centre's custody changed after the ceremony (now ${custody.threshold} of {${custody.members.join(', ')}}); run the ceremony again.`,
          );
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
    /** The sections whose opening key the signed-in user holds a share of, and whether it can be released now. */
    mySections(ctx: RequestContext): Promise<MyCustody> {
      return overview.mySections(ctx);
    },

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
export type TxCustody = ReturnType<CustodyService['on']>;
