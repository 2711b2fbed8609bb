// Offline key ceremonies (etender ceremony): an operator deals the share holders' part on its own
// machine and uploads Feldman commitments and encrypted shares; the server checks what it can (the
// platform timer's share) and each user custodian gives its word on its own share before publication.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, invalidTransition, notFound, ruleViolation, validationFailed } from '../core/errors';
import { isUniqueViolation, type Db, type InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import { shareHoldersOf, TIME_LOCK, type CustodySettings } from '../centres/centre-rules';
import { decryptShare, wipe } from './custody-crypto';
import type { CustodyPlatformKeys, OpeningKeyInfo, SectionFacts } from './custody-info';
import { normaliseFingerprint } from '../core/fingerprint';
import { PLATFORM_TIMER, type ResolvedCustodian } from './custody-members';
import { commitmentsDigest, parseCommitments, recipientOfParts, shareVerifies, VSS_SCHEME } from './opening-key';
import type { CeremonyKeyResponse } from './custody-schemas';
import * as store from './custody-store';
import { mayManageCentre } from '../core/access';

export interface CeremonyUpload {
  threshold: number;
  commitments: string[];
  shares: Array<{ custodian: string; certificateFingerprint: string; encryptedShare: string }>;
}

export interface CustodyCeremonyDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  platformKeys: CustodyPlatformKeys;
  custodySetOf(centre: string): Promise<CustodySettings>;
  holdersOf(custody: CustodySettings, now: number): Promise<ResolvedCustodian[]>;
  sectionFacts(id: string): Promise<SectionFacts | null>;
  infoOf(db: Db, key: store.OpeningKeyRow, deadline: number | null): Promise<OpeningKeyInfo>;
}

export function createCustodyCeremony(deps: CustodyCeremonyDeps) {
  const { knex, clock, inTransaction, platformKeys, custodySetOf, holdersOf, infoOf } = deps;

  /** The uploaded shares in the order of the centre's set, each checked against its custodian's certificate. */
  function ceremonyShares(sectionId: string, input: CeremonyUpload, named: string[], holders: ResolvedCustodian[]): store.KeyShareRow[] {
    return holders.map((c, i) => {
      const given = input.shares[named.indexOf(c.member)]!;
      if (normaliseFingerprint(given.certificateFingerprint) !== c.fingerprint) {
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

  return {
    /**
     * An opening key made by an offline ceremony (etender ceremony): the server receives only the
     * Feldman commitments and the shares already encrypted to the centre's share holders. The
     * platform timer's share (if it is a holder) is checked here; each user custodian checks its own
     * and confirms before publication. The time lock, if the centre has one, is added at publication.
     */
    async uploadCeremonyKey(ctx: RequestContext, sectionId: string, input: CeremonyUpload): Promise<CeremonyKeyResponse> {
      const actor = requireActor(ctx);
      const section = await deps.sectionFacts(sectionId);
      if (!section || !(section.publishedAt !== null || isOverseer(actor) || mayManageCentre(actor, section.centre))) throw notFound('The section');
      if (!mayManageCentre(actor, section.centre)) throw forbidden(`Only operators of the ${section.centre} centre may set the opening key of this section.`);
      if (section.state !== 'draft') {
        throw invalidTransition(`The opening key is fixed when a section is published; this section is ${section.state}.`, { state: section.state });
      }
      const custody = await custodySetOf(section.centre);
      const { holders, shareThreshold } = shareHoldersOf(custody);
      if (holders.length === 0) {
        throw ruleViolation(
          'custody.members',
          `The ${section.centre} centre's opening keys are held by the time lock alone; there are no shares to deal in a ceremony. Publish the section: its key is made then.`,
        );
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
      return inTransaction(async (tx) => {
        const before = await store.findKey(tx.db, sectionId);
        if (before && !(await store.deleteUnpublishedKey(tx.db, sectionId))) throw conflict('The section was published meanwhile; its opening key is fixed.');
        try {
          await store.insertKey(tx.db, key, shares);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('The section was published meanwhile; its opening key is fixed.');
          throw err;
        }
        await tx.audit.append(ctx, {
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
        const info = await infoOf(tx.db, key, null);
        return {
          openingKey: { ...info, custodians: custody.members, confirmations: shares.map((s) => ({ custodian: s.custodianLabel, confirmation: s.custodian === PLATFORM_TIMER ? 'verified' : null })) },
        };
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
      await inTransaction(async (tx) => {
        if (!(await store.confirmShare(tx.db, sectionId, mine.shareIndex, input.result, clock.now()))) throw conflict(`You already gave your word on this share of ${section.code}.`);
        await tx.audit.append(ctx, {
          action: input.result === 'verified' ? 'custody.share_confirmed' : 'custody.share_disputed',
          objectType: 'section',
          objectId: sectionId,
          data: { code: section.code, custodian: mine.custodianLabel, shareIndex: mine.shareIndex, commitmentsSha256: commitmentsDigest(key.commitments) },
        });
      });
      return { confirmation: { custodian: mine.custodianLabel, shareIndex: mine.shareIndex, result: input.result } };
    },
  };
}
