// Re-checks an instance's audit log from outside, over HTTP only (`etender audit verify`): every
// entry is fetched and hashed again, the tree head is recomputed for every signed checkpoint, every
// signature is checked, and the server's consistency proofs between consecutive checkpoints must
// hold against the signed roots. Trusts nothing the server computes.
export { receiptOrder } from './entry-checks';
import { keyIdOf, verifyCheckpointSignature, type Checkpoint } from './checkpoint';
import { checkEntry, isCheckpointShape, receiptOrder } from './entry-checks';
import { appendToFrontier, fromHex, leafHash, rootFromFrontier, toHex, verifyConsistency } from './merkle';

export interface VerifyOptions {
  /** e.g. https://etender.example.org */
  baseUrl: string;
  /** API token of a supervisor, auditor or admin (the entries are not public). */
  token?: string;
  /** SPKI PEM of the log-signing key; fetched from GET /api/pki/keys when absent. */
  publicKeyPem?: string;
  fetch?: typeof fetch;
  /** Called with progress lines (entries hashed so far). */
  progress?: (line: string) => void;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries fetched and hashed. */
  entries: number;
  /** Checkpoints whose root was recomputed. */
  checkpoints: number;
  problems: string[];
}

const PAGE = 1000;
/** Enough problems to see the pattern; a tampered log of a million entries would list them all otherwise. */
const MAX_PROBLEMS = 100;

class HttpProblem extends Error {}

export async function verifyInstance(options: VerifyOptions): Promise<VerifyReport> {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const problems: string[] = [];
  const problem = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
    else if (problems.length === MAX_PROBLEMS) problems.push('… and more problems; stopped listing them.');
  };
  let entries = 0;
  let checked = 0;

  async function get(pathAndQuery: string, what: string): Promise<any> {
    let res: Response;
    try {
      res = await doFetch(`${base}${pathAndQuery}`, {
        headers: { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      });
    } catch (err) {
      throw new HttpProblem(`cannot reach ${base} for ${what}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpProblem(`${what}: ${pathAndQuery} answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const message = body?.error?.message ?? text.slice(0, 200);
      const err = new HttpProblem(`${what}: ${pathAndQuery} answered ${res.status}: ${message}`);
      (err as HttpProblem & { status?: number }).status = res.status;
      throw err;
    }
    return body;
  }

  try {
    const latest = (await get('/api/audit/checkpoint', 'the latest checkpoint')) as Checkpoint;
    if (!isCheckpointShape(latest)) throw new HttpProblem('the latest checkpoint is malformed');

    // The public key: given, or the one the platform publishes.
    let publicKeyPem = options.publicKeyPem;
    if (!publicKeyPem) {
      try {
        const keys = await get('/api/pki/keys', 'the platform keys');
        publicKeyPem = typeof keys?.log?.publicKeyPem === 'string' ? keys.log.publicKeyPem : undefined;
        if (!publicKeyPem) problem('GET /api/pki/keys has no log.publicKeyPem; pass the log public key with --public-key FILE.');
      } catch (err) {
        problem(`${(err as Error).message}; pass the log public key with --public-key FILE to check the signatures.`);
      }
    }
    let keyId: string | undefined;
    if (publicKeyPem) {
      try {
        keyId = keyIdOf(publicKeyPem);
      } catch (err) {
        problem(`the log public key is not a readable SPKI PEM public key: ${(err as Error).message}`);
        publicKeyPem = undefined;
      }
    }

    // Every stored checkpoint up to the latest, in size order.
    const checkpoints: Checkpoint[] = [];
    for (let from = 0; ; ) {
      const page = (await get(`/api/audit/checkpoints?from=${from}&limit=${PAGE}`, 'the stored checkpoints')).checkpoints as Checkpoint[];
      if (!Array.isArray(page)) throw new HttpProblem('GET /api/audit/checkpoints answered without a checkpoints array');
      for (const cp of page) {
        if (!isCheckpointShape(cp)) problem(`a stored checkpoint is malformed: ${JSON.stringify(cp).slice(0, 200)}`);
        else if (cp.size <= latest.size) checkpoints.push(cp);
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      if (!isCheckpointShape(last) || last.size > latest.size) break;
      from = last.size + 1;
    }
    for (let i = 1; i < checkpoints.length; i++) {
      if (checkpoints[i]!.size <= checkpoints[i - 1]!.size) problem(`checkpoints are not in increasing size order at size ${checkpoints[i]!.size}`);
    }
    const stored = checkpoints.find((cp) => cp.size === latest.size);
    if (!stored) {
      problem(`the latest checkpoint (size ${latest.size}) is not among the stored checkpoints`);
      checkpoints.push(latest);
      checkpoints.sort((a, b) => a.size - b.size);
    } else if (stored.root !== latest.root || stored.signature !== latest.signature || stored.at !== latest.at) {
      problem(`the latest checkpoint (size ${latest.size}) differs from the stored one of that size`);
    }

    for (const cp of checkpoints) {
      if (!publicKeyPem) continue;
      if (keyId && cp.keyId !== keyId) problem(`checkpoint of size ${cp.size} names key ${cp.keyId}, not the log key ${keyId}`);
      if (!verifyCheckpointSignature(cp, publicKeyPem)) problem(`checkpoint of size ${cp.size}: the signature does not verify`);
    }

    // Every entry, hashed again; the tree head at every checkpoint size.
    const bySize = new Map(checkpoints.map((cp) => [cp.size, cp]));
    let frontier: Buffer[] = [];
    const order = receiptOrder();
    const checkRoot = (size: number) => {
      const cp = bySize.get(size);
      if (!cp) return;
      checked++;
      const root = toHex(rootFromFrontier(frontier));
      if (root !== cp.root) problem(`checkpoint of size ${size}: root ${cp.root} does not match the entries (recomputed ${root})`);
    };
    try {
      checkRoot(0);
      for (let start = 0; start < latest.size; start += PAGE) {
        const end = Math.min(start + PAGE, latest.size);
        const page = (await get(`/api/audit/entries?start=${start}&end=${end}`, 'the log entries')).entries as Array<{ index: number; entry: string }>;
        if (!Array.isArray(page) || page.length !== end - start) throw new HttpProblem(`GET /api/audit/entries?start=${start}&end=${end} did not answer ${end - start} entries`);
        for (const [k, item] of page.entries()) {
          const position = start + k;
          if (item?.index !== position || typeof item.entry !== 'string') throw new HttpProblem(`the entries are out of order at position ${position}`);
          order.check(item.entry, position, problem, checkEntry(item.entry, position, problem));
          frontier = appendToFrontier(frontier, leafHash(Buffer.from(item.entry, 'utf8')), position).frontier;
          entries++;
          checkRoot(position + 1);
        }
        options.progress?.(`${end} of ${latest.size} entries hashed`);
      }
    } catch (err) {
      // Without the entries the roots cannot be recomputed; the proofs can still be checked.
      if (!(err instanceof HttpProblem)) throw err;
      problem(`${err.message}${options.token ? '' : ' (the entries need the API token of a supervisor, auditor or admin: --token)'}`);
    }

    // The server's own consistency proofs between consecutive checkpoints, against the signed roots.
    for (let i = 1; i < checkpoints.length; i++) {
      const a = checkpoints[i - 1]!;
      const b = checkpoints[i]!;
      if (a.size >= b.size) continue;
      const res = await get(`/api/audit/proofs/consistency?from=${a.size}&to=${b.size}`, 'a consistency proof');
      let proof: Buffer[];
      try {
        proof = (res.proof as string[]).map(fromHex);
      } catch {
        problem(`consistency proof ${a.size} → ${b.size} is malformed`);
        continue;
      }
      if (!verifyConsistency(a.size, b.size, proof, fromHex(a.root), fromHex(b.root))) {
        problem(`consistency proof ${a.size} → ${b.size} does not verify against the signed roots`);
      }
    }
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    problem(err.message);
  }
  return { ok: problems.length === 0, entries, checkpoints: checked, problems };
}
