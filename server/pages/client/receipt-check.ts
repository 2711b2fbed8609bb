// Checking a bid receipt where the bidder is (the receipt page bundles this; it runs in Node too):
// the receipt and promise signatures with WebCrypto Ed25519 against the published keys, then — once
// bidding has closed — the log's answer about the promise: the entry it appended must be the
// promised one and a signed checkpoint must include it (RFC 9162 inclusion, SHA-256 in WebCrypto).
// The rules themselves are the server's (modules/bids/receipt-checks.ts); only the cryptography is
// done here. No DOM and no node: imports.
import canonicalize from 'canonicalize';
import { inclusionSteps } from '../../../modules/audit/inclusion-steps';
import { promiseSignedBytes } from '../../../modules/audit/log-promise';
import {
  entryPositionProblems,
  inclusionVerdict,
  LEGACY_RECEIPT_FORMAT,
  receiptContentProblems,
  type InclusionVerdict,
  type LoggedEntry,
  type PromiseAnswer,
  type PublishedKeys,
  type Receipt,
} from '../../../modules/bids/receipt-checks';

/** GET a path of the platform's API: the status and the parsed JSON body. */
export type ApiGet = (path: string) => Promise<{ status: number; body: any }>;

export type ReceiptReport =
  /** The receipt itself does not hold: these problems. */
  | { result: 'invalid'; problems: string[] }
  /** A receipt of format /1 with its inclusion proof inside, verified. */
  | { result: 'included'; index: number; checkpointSize: number }
  | { result: 'not_yet_due'; dueAt: number | null }
  | { result: 'broken'; problems: string[] };

const subtle = () => globalThis.crypto.subtle;
const utf8 = (s: string) => new TextEncoder().encode(s);
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Ed25519 over `message` with an SPKI PEM key; false for any malformed input. */
async function ed25519Valid(publicKeyPem: string, message: string, signatureB64: unknown): Promise<boolean> {
  if (typeof signatureB64 !== 'string') return false;
  try {
    const der = fromBase64(publicKeyPem.replace(/-----[A-Z ]+-----|\s+/g, ''));
    const key = await subtle().importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, fromBase64(signatureB64), utf8(message));
  } catch {
    return false;
  }
}

const signedJson = (o: Record<string, unknown>) => promiseSignedBytes(o); // canonical JSON of all but `signature`

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return new Uint8Array(await subtle().digest('SHA-256', all));
}

/** Problems with an entry's inclusion in a checkpoint signed by the published log key. */
async function proofProblems(logged: LoggedEntry, keys: PublishedKeys): Promise<string[]> {
  const problems: string[] = [];
  const cp = logged.checkpoint;
  if (!cp || cp.keyId !== keys.log.keyId || !(await ed25519Valid(keys.log.publicKeyPem, signedJson(cp as unknown as Record<string, unknown>), cp.signature))) {
    problems.push('the checkpoint signature does not verify with the published log key');
  }
  problems.push(...entryPositionProblems(logged));
  const proof = Array.isArray(logged.inclusionProof) ? logged.inclusionProof : [];
  const steps = cp ? inclusionSteps(logged.index, cp.size, proof.length) : null;
  let node = await sha256(new Uint8Array([0]), utf8(logged.entry ?? ''));
  if (steps) for (const [i, h] of proof.entries()) node = steps[i] ? await sha256(new Uint8Array([1]), fromHex(h), node) : await sha256(new Uint8Array([1]), node, fromHex(h));
  if (!steps || !cp || toHex(node) !== cp.root) problems.push('the inclusion proof does not lead to the checkpoint root');
  return problems;
}

/** Checks a receipt at `now` (the checker's own clock: the server's could lie) against the platform at `api`. */
export async function checkReceipt(receipt: Receipt, api: ApiGet, now: number): Promise<ReceiptReport> {
  const keys = (await api('/api/pki/keys')).body as PublishedKeys;
  const problems: string[] = [];
  if (receipt?.keyId !== keys.receipt.keyId || !(await ed25519Valid(keys.receipt.publicKeyPem, signedJson(receipt as unknown as Record<string, unknown>), receipt?.signature))) {
    problems.push('the receipt signature does not verify with the published receipt key');
  }
  if (receipt?.format === LEGACY_RECEIPT_FORMAT) {
    problems.push(...(await proofProblems(receipt.log ?? ({} as LoggedEntry), keys)), ...receiptContentProblems(receipt));
    return problems.length ? { result: 'invalid', problems } : { result: 'included', index: receipt.log!.index, checkpointSize: receipt.log!.checkpoint.size };
  }
  const promise = receipt?.promise;
  if (promise && (promise.keyId !== keys.log.keyId || !(await ed25519Valid(keys.log.publicKeyPem, signedJson(promise as unknown as Record<string, unknown>), promise.signature)))) {
    problems.push('the promise signature does not verify with the published log key');
  }
  problems.push(...(receipt ? receiptContentProblems(receipt) : ['this is not a receipt']));
  if (problems.length) return { result: 'invalid', problems };

  const digest = toHex(await sha256(utf8(canonicalize(promise) as string)));
  const asked = await api(`/api/audit/promises/${digest}`);
  if (asked.status !== 200 && asked.status !== 404) throw new Error(`the log answered ${asked.status}: ${asked.body?.error?.message ?? ''}`);
  const answer = (asked.status === 404 ? null : asked.body) as PromiseAnswer;
  const { section } = (await api(`/api/sections/${encodeURIComponent(receipt.section.id)}`)).body as { section: { bidDeadlineAt: number | null; cancelledAt: number | null } };
  const found = answer && answer.state === 'merged' ? await proofProblems(answer, keys) : [];
  const verdict: InclusionVerdict = inclusionVerdict(receipt, answer, found, section, now);
  return verdict.verdict === 'included'
    ? { result: 'included', index: verdict.index, checkpointSize: verdict.checkpointSize }
    : verdict.verdict === 'not_yet_due'
      ? { result: 'not_yet_due', dueAt: verdict.dueAt }
      : { result: 'broken', problems: verdict.problems };
}
