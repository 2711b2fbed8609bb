// Custody at the opening: custodians release their shares (each checked against the commitments
// as it comes in), the time lock opens with the deadline's beacon, and the key is rebuilt and
// checked against the published recipient. Keys made before verifiable sharing ('shamir-gf256')
// are still rebuilt the way they were made.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { identityToRecipient } from 'age-encryption';
import type { Clock } from '../core/clock';
import { requireActor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, validationFailed } from '../core/errors';
import type { Db, InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import { TIME_LOCK } from '../centres/centre-rules';
import type { BeaconSource } from '../timelock/beacon';
import { decryptShare, encryptShare, rebuildIdentity, wipe } from './custody-crypto';
import { PLATFORM_TIMER } from './custody-members';
import { openTimeLock, rebuildVerifiable, shareVerifies, VSS_SCHEME } from './opening-key';
import type { OpeningKeyInfo, SectionFacts } from './custody-info';
import type { ShareRelease } from './custody-schemas';
import * as store from './custody-store';

/** What the opening learns of the key now: rebuilt, still waiting for a part, or provably unusable. */
export type OpeningKeyState =
  | { status: 'ready'; identity: string }
  | { status: 'waiting'; waitingFor: 'shares' | 'beacon'; message: string; sharesIn: number; sharesNeeded: number }
  | { status: 'broken'; message: string; ceremonyBy: string | null; sharesIn: number; sharesNeeded: number };

export interface CustodyOpeningDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  beacon: BeaconSource;
  platformKeys: { timer: { certPem: string; privateKey: crypto.KeyObject | string } };
  publishedKey(sectionId: string): Promise<store.OpeningKeyRow | null>;
  sectionFacts(id: string): Promise<SectionFacts | null>;
  infoOf(db: Db, key: store.OpeningKeyRow, deadline: number | null): Promise<OpeningKeyInfo>;
  /** A user's username, through the accounts service. */
  usernameOf(userId: string): Promise<string | null>;
}

const SHARE_BYTES = 32;

export function createCustodyOpening(deps: CustodyOpeningDeps) {
  const { knex, clock, inTransaction, platformKeys, publishedKey } = deps;

  /** Shares the key needs: the holders' threshold (the time lock, when there is one, is the other part). */
  const sharesNeeded = (key: store.OpeningKeyRow) => (key.scheme === VSS_SCHEME ? key.commitments.length : key.threshold);

  async function dueFacts(sectionId: string) {
    const section = await deps.sectionFacts(sectionId);
    const key = await publishedKey(sectionId);
    if (!section || !key) throw notFound('The opening key of this section');
    const due = section.bidDeadlineAt !== null && clock.now() >= section.bidDeadlineAt;
    return { section, key, due };
  }

  /**
   * The shares at hand after the deadline, decrypted: the platform timer's, then those custodians
   * released. The caller wipes them. Shares of a verifiable key are checked again here: the timer's
   * share of a server-made key was never checked before.
   */
  async function sharesAtHand(sectionId: string, key: store.OpeningKeyRow) {
    const all = await store.sharesOf(knex, sectionId);
    const released = await store.releasedShares(knex, sectionId);
    const shares: Array<{ index: number; value: Uint8Array }> = [];
    const timer = all.find((s) => s.custodian === PLATFORM_TIMER);
    if (timer) shares.push({ index: timer.shareIndex, value: decryptShare(timer.encryptedShare, platformKeys.timer.privateKey) });
    for (const r of released) shares.push({ index: r.shareIndex, value: decryptShare(r.releasedShare, platformKeys.timer.privateKey) });
    if (key.scheme !== VSS_SCHEME) return { all, shares };
    return { all, shares: shares.filter((s) => s.value.length === SHARE_BYTES && shareVerifies(key.commitments, s.index, s.value)) };
  }

  /** Who released a share and when (the platform timer at the deadline): facts only, nothing decrypted. */
  async function releasedBy(sectionId: string, deadline: number, due: boolean) {
    const timer = (await store.sharesOf(knex, sectionId)).some((s) => s.custodian === PLATFORM_TIMER);
    const released = await store.releasedShares(knex, sectionId);
    return [...(due && timer ? [{ custodian: PLATFORM_TIMER, at: deadline }] : []), ...released.map((r) => ({ custodian: r.custodianLabel, at: r.releasedAt }))];
  }

  async function ceremonyOperator(key: store.OpeningKeyRow): Promise<string | null> {
    if (!key.ceremonyBy) return null;
    return (await deps.usernameOf(key.ceremonyBy)) ?? key.ceremonyBy;
  }

  return {
    /**
     * A custodian hands over its decrypted share at the opening (after the deadline, once). A share
     * of a verifiable key is checked against the commitments and refused (422, naming the custodian)
     * if it does not lie on them. The share is stored only encrypted to the platform timer and
     * audited as released, never logged itself.
     */
    async releaseShare(ctx: RequestContext, sectionId: string, shareB64: string): Promise<ShareRelease> {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      const key = await publishedKey(sectionId);
      if (!section || !key) throw notFound('The section');
      const shares = await store.sharesOf(knex, sectionId);
      const mine = shares.find((s) => s.custodian === actor.userId);
      if (!mine) throw forbidden(`You are not a custodian of the opening key of ${section.code}.`);
      if (section.bidDeadlineAt === null || clock.now() < section.bidDeadlineAt) {
        throw new AppError(
          409,
          'custody.too_early',
          `Shares are released at the opening, after the bid deadline (${section.bidDeadlineAt === null ? 'not set' : new Date(section.bidDeadlineAt).toISOString()}).`,
        );
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
      wipe(bytes);
      try {
        if (key.scheme === VSS_SCHEME) {
          if (!shareVerifies(key.commitments, mine.shareIndex, share)) {
            throw new AppError(
              422,
              'custody.share_invalid',
              `The share released by ${mine.custodianLabel} does not lie on the key's committed polynomial: it is not share ${mine.shareIndex} of this key. Decrypt your share of this section again (etender share decrypt) and release that.`,
              [{ rule: 'custody.vss', custodian: mine.custodianLabel, message: `the share of ${mine.custodianLabel} does not verify` }],
            );
          }
        } else {
          // An earlier key: with enough shares in to try, the rebuild must succeed.
          const at = await sharesAtHand(sectionId, key);
          try {
            const available = [...at.shares.map((s) => s.value), share];
            if (available.length >= key.threshold) await rebuildIdentity(available, key.threshold, key.recipient);
          } finally {
            wipe(...at.shares.map((s) => s.value));
          }
        }
      } catch (err) {
        wipe(share);
        throw err;
      }
      const timerCert = new crypto.X509Certificate(platformKeys.timer.certPem);
      const sealed = encryptShare(share, timerCert.publicKey);
      wipe(share);
      return inTransaction(async (tx) => {
        if (!(await store.markReleased(tx.db, sectionId, mine.shareIndex, sealed, actor.userId, clock.now()))) {
          throw conflict(`You already released your share of ${section.code}.`);
        }
        await tx.audit.append(ctx, {
          action: 'custody.share_released',
          objectType: 'section',
          objectId: sectionId,
          data: { code: section.code, custodian: mine.custodianLabel, shareIndex: mine.shareIndex, certificateFingerprint: mine.certificateFingerprint },
        });
        const released = (await store.releasedShares(tx.db, sectionId)).length + (shares.some((s) => s.custodian === PLATFORM_TIMER) ? 1 : 0);
        const needed = sharesNeeded(key);
        return { released, threshold: key.threshold, ready: released >= needed };
      });
    },

    /**
     * For the opening, after the deadline: the opening secret (an age identity) if every part is in
     * and rebuilds the published recipient; else what it waits for, or why it never will. The
     * identity must stay in memory and never be logged.
     */
    async openingKey(sectionId: string): Promise<OpeningKeyState> {
      const { key, due } = await dueFacts(sectionId);
      if (!due) throw new AppError(409, 'custody.too_early', 'No part of an opening key is opened before the bid deadline.');
      const needed = sharesNeeded(key);
      const at = await sharesAtHand(sectionId, key);
      const values = at.shares.map((s) => s.value);
      try {
        const sharesIn = at.shares.length;
        const broken = async (message: string): Promise<OpeningKeyState> => ({ status: 'broken', message, ceremonyBy: await ceremonyOperator(key), sharesIn, sharesNeeded: needed });
        if (key.scheme !== VSS_SCHEME) {
          if (sharesIn < needed) return { status: 'waiting', waitingFor: 'shares', message: `${sharesIn} of ${needed} shares are in`, sharesIn, sharesNeeded: needed };
          try {
            return { status: 'ready', identity: await rebuildIdentity(values, key.threshold, key.recipient) };
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            // With every share in and still no key, no release can help.
            if (sharesIn >= at.all.length) return broken('every share is in and they do not rebuild the published recipient');
            return { status: 'waiting', waitingFor: 'shares', message: 'the shares in do not rebuild the key yet; more may step around a bad one', sharesIn, sharesNeeded: needed };
          }
        }
        if (sharesIn < needed) return { status: 'waiting', waitingFor: 'shares', message: `${sharesIn} of ${needed} shares are in`, sharesIn, sharesNeeded: needed };
        let t = 0n;
        if (key.timeLock) {
          const lock = await openTimeLock(deps.beacon, key.timeLock);
          if (lock.status === 'invalid') return broken(`time lock: ${lock.message}`);
          if (lock.status !== 'opened') return { status: 'waiting', waitingFor: 'beacon', message: `time lock: ${lock.message}`, sharesIn, sharesNeeded: needed };
          t = lock.t;
        }
        const identity = rebuildVerifiable(t, at.shares.slice(0, needed));
        if (identity === null || (await identityToRecipient(identity)) !== key.recipient) return broken('the parts do not rebuild the published recipient (the key was not made as committed)');
        return { status: 'ready', identity };
      } finally {
        wipe(...values);
      }
    },

    /** The custody facts the opening record publishes: every public part, the time lock's ciphertext included. */
    async recordCustody(sectionId: string) {
      const { section, key, due } = await dueFacts(sectionId);
      const info = await deps.infoOf(knex, key, section.bidDeadlineAt);
      return {
        recipient: key.recipient,
        threshold: key.threshold,
        custodians: info.custodians,
        released: [...(key.timeLock && due ? [{ custodian: TIME_LOCK, at: info.timeLock!.opensAt }] : []), ...(await releasedBy(sectionId, section.bidDeadlineAt!, due))],
        scheme: key.scheme,
        commitments: key.commitments,
        timeLock: info.timeLock,
        ceremonyBy: await ceremonyOperator(key),
      };
    },
  };
}
