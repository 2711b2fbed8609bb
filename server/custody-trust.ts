// What the start tells about who can open bids early. Time-locked to drand, nobody can; custody
// that keeps a key on this host — a local beacon (certs/beacon.key) or the platform timer
// (certs/timer.key.pem) — lets whoever runs the host open early. The start log says so plainly, and
// production refuses such custody unless TRUST_HOST_CUSTODY says it is meant.
import { custodyOf, hostTrusted } from '../modules/centres/centre-rules';
import { ConfigError, type Config } from './config';

export interface CustodyTrust {
  /** Why the host can open bids early; empty when it cannot. */
  hostTrustedBecause: string[];
}

export async function custodyTrust(
  config: Pick<Config, 'timeLockBeacon' | 'certsDir'>,
  centres: { list(): Promise<Array<{ code: string; settings: Parameters<typeof custodyOf>[0] }>> },
): Promise<CustodyTrust> {
  const reasons: string[] = [];
  const all = await centres.list();
  const timeLocked = all.filter((c) => custodyOf(c.settings).members.includes('time-lock')).map((c) => c.code);
  if (config.timeLockBeacon === 'local' && timeLocked.length) {
    reasons.push(`the time locks of ${timeLocked.join(', ')} use a LOCAL beacon whose key is ${config.certsDir}/beacon.key: whoever holds it can sign any future round`);
  }
  const timer = all.filter((c) => hostTrusted(custodyOf(c.settings))).map((c) => c.code);
  if (timer.length) reasons.push(`${timer.join(', ')} make the platform timer (${config.certsDir}/timer.key.pem) a custodian`);
  return { hostTrustedBecause: reasons };
}

/** Refuses, in production, custody that trusts the host unless TRUST_HOST_CUSTODY=true; answers the warning to log otherwise. */
export function checkCustodyTrust(config: Pick<Config, 'production' | 'trustHostCustody'>, trust: CustodyTrust): string | null {
  if (trust.hostTrustedBecause.length === 0) return null;
  const message = `Whoever runs this server host can open bids before their deadline: ${trust.hostTrustedBecause.join('; ')}.`;
  if (config.production && !config.trustHostCustody) {
    throw new ConfigError(
      `${message} In production, time-lock to drand (TIME_LOCK_BEACON=drand, the default) and keep the platform timer out of the centres' custody, or set TRUST_HOST_CUSTODY=true to accept this.`,
    );
  }
  return `${message} For development and offline trials only; see README, "Who must be trusted".`;
}
