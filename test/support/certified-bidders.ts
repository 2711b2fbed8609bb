// Many approved bidder organisations, each with its own API token, RSA key and signing certificate,
// made through the services as a centre would (register → approve → token → challenge → certificate):
// the set-up the deadline-surge benchmark, the several-servers and Galera tests and the fault tests share.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSTEM_CONTEXT, type RequestContext } from '../../modules/core/context';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import type { Services } from '../../server/app';

export interface CertifiedBidder {
  orgId: string;
  name: string;
  token: string;
  privateKey: crypto.KeyObject;
  fingerprint: string;
}

/**
 * `n` RSA-2048 bidder keys. Making hundreds takes minutes on a loaded 2-core machine, so they are
 * kept between runs in the temporary directory (0600, test keys of nobody) and only missing ones are
 * made. Every bidder still gets its own key and its own certificate.
 */
export async function bidderKeys(n: number): Promise<crypto.KeyObject[]> {
  const file = path.join(os.tmpdir(), `etender-surge-bidder-keys-${os.userInfo().uid}.json`);
  let pems: string[] = [];
  try {
    pems = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  } catch {
    /* none yet */
  }
  const keys = pems.slice(0, n).map((pem) => crypto.createPrivateKey(pem));
  if (keys.length < n) {
    const made = await Promise.all(
      Array.from(
        { length: n - keys.length },
        () => new Promise<crypto.KeyObject>((resolve, reject) => crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv)))),
      ),
    );
    keys.push(...made);
    fs.writeFileSync(file, JSON.stringify(keys.map((k) => k.export({ type: 'pkcs8', format: 'pem' }))), { mode: 0o600 });
  }
  return keys;
}

/** A credit code unique to this process: `prefix` (6 digits), the pid, the counter, the check character. */
export function uniqueCreditCode(prefix: string, i: number): string {
  const body = `${prefix}${String(process.pid % 1e5).padStart(5, '0')}${String(i).padStart(6, '0')}`;
  return body + creditCodeCheckChar(body);
}

export interface CertifyOptions {
  count: number;
  /** One key per bidder (bidderKeys), or one key shared by all (the fault tests: fewer keys, same path). */
  keys: crypto.KeyObject[] | crypto.KeyObject;
  /** Usernames are `${prefix}-${i + 1}`; also the token's name. */
  prefix: string;
  creditCode(i: number): string;
  name?(i: number): string;
}

/** Registers, approves and certifies `count` bidders, a few at a time (the passwords' scrypt runs on libuv's threads). */
export async function certifyBidders(services: Services, operator: RequestContext, o: CertifyOptions): Promise<CertifiedBidder[]> {
  const one = async (i: number): Promise<CertifiedBidder> => {
    const username = `${o.prefix}-${i + 1}`;
    const name = o.name?.(i) ?? `第${i + 1}号建设工程有限公司`;
    const reg = await services.orgs.register(SYSTEM_CONTEXT, {
      name,
      creditCode: o.creditCode(i),
      contactName: '联系人',
      contactPhone: '0551-7654321',
      representatives: [{ username, displayName: username, password: `pw-${username}-0123456789` }],
    });
    await services.orgs.approve(operator, reg.organisation.id);
    const token = await services.accounts.createTokenForUsername(username, o.prefix);
    const ctx: RequestContext = { actor: (await services.accounts.actorById(reg.representatives[0]!.id))!, ip: '127.0.0.1' };
    const privateKey = Array.isArray(o.keys) ? o.keys[i]! : o.keys;
    const { challenge } = await services.pki.createChallenge(ctx);
    const signature = crypto.sign('sha256', Buffer.from(challenge, 'utf8'), { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64');
    const publicKeySpkiPem = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    const issued = await services.pki.issueFromPublicKey(ctx, { publicKeySpkiPem, challenge, signature }, 'signing');
    return { orgId: reg.organisation.id, name, token: token.token, privateKey, fingerprint: issued.fingerprint };
  };
  const bidders: CertifiedBidder[] = [];
  for (let i = 0; i < o.count; i += 8) bidders.push(...(await Promise.all(Array.from({ length: Math.min(8, o.count - i) }, (_, k) => one(i + k)))));
  return bidders;
}
