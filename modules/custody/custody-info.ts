// The public face of an opening key: what the notice, the record and the custodians' tools show of
// it, and the facts of a section that custody reads through the tenders service.
import type { Clock } from '../core/clock';
import type { KeyObject } from 'node:crypto';
import type { Db } from '../../db/transactions';
import { TIME_LOCK } from '../centres/centre-rules';
import { roundTimeMs, type BeaconSource } from '../timelock/beacon';
import type { OpeningKeyInfo } from './custody-schemas';
import * as store from './custody-store';

/** The platform timer's key pair (certs/timer.key.pem, certs/timer.cert.pem). */
export interface CustodyPlatformKeys {
  timer: { certPem: string; privateKey: KeyObject | string };
}

/** The facts of a section that custody needs, read through the tenders service (never its tables). */
export interface SectionFacts {
  id: string;
  centre: string;
  code: string;
  title: string;
  state: string;
  publishedAt: number | null;
  bidDeadlineAt: number | null;
}

export type { OpeningKeyInfo };

/** The key's public parts as the notice shows them, the time lock's ciphertext only once `deadline` has passed. */
export async function keyInfo(db: Db, key: store.OpeningKeyRow, deadline: number | null, clock: Clock, beacon: BeaconSource): Promise<OpeningKeyInfo> {
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
      ? {
          round: key.timeLock.round,
          chainHash: key.timeLock.chainHash,
          point: key.timeLock.point,
          opensAt: roundTimeMs(beacon.info, key.timeLock.round),
          beacon: beacon.kind,
          ...(due ? { ciphertext: key.timeLock.ciphertext } : {}),
        }
      : null,
    publishedAt: key.publishedAt,
  };
}
