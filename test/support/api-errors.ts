// What every refused request must look like: {"error":{"code","message","details"?}} with a message
// a person can act on, and not a row of any table changed.
import { expect } from 'chai';
import type supertest from 'supertest';
import type { TestApp } from './test-app';

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}

export interface Detail {
  field?: string;
  rule?: string;
  line?: number;
  message: string;
}

/** Checks the status and that the body is exactly {error:{code,message,details?}}; returns the error. */
export function expectError(res: supertest.Response, status: number, code: string): ApiError {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.body).to.be.an('object');
  expect(Object.keys(res.body)).to.deep.equal(['error']);
  const error = res.body.error as ApiError;
  expect(error).to.be.an('object');
  const keys = Object.keys(error).sort();
  expect(keys, JSON.stringify(error)).to.satisfy((k: string[]) => k.join() === 'code,message' || k.join() === 'code,details,message');
  expect(error.code).to.be.a('string');
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a('string');
  // A sentence, not a bare code.
  expect(error.message.trim().length, error.message).to.be.greaterThan(15);
  expect(error.message).to.not.match(/NaN|\[object Object\]/);
  expect(error.message).to.not.match(/\b(select|insert|update|delete)\b.*\b(from|into|set)\b/i);
  return error;
}

export function detailsOf(error: ApiError): Detail[] {
  expect(error.details, 'details').to.be.an('array').that.is.not.empty;
  const details = error.details as Detail[];
  for (const d of details) {
    expect(d.message).to.be.a('string');
    expect(d.message.length).to.be.greaterThan(0);
  }
  return details;
}

/**
 * A 422 validation failure naming the field in details[].field, and (unless told otherwise) in the
 * top-level message and in that detail's own message.
 */
export function expectInvalidField(res: supertest.Response, field: string, options: { inMessage?: boolean; inDetail?: boolean } = {}): Detail {
  const error = expectError(res, 422, 'validation_failed');
  const details = detailsOf(error);
  const detail = details.find((d) => d.field === field);
  expect(detail, `no detail for ${field} in ${JSON.stringify(details)}`).to.not.equal(undefined);
  if (options.inMessage ?? true) expect(error.message).to.include(field);
  if (options.inDetail ?? true) expect(detail!.message).to.include(field);
  return detail!;
}

/** A 422 rule violation naming the rule in details[0].rule. */
export function expectRule(res: supertest.Response, rule: string): Detail {
  const error = expectError(res, 422, 'rule_violation');
  const details = detailsOf(error);
  expect(details[0]!.rule).to.equal(rule);
  expect(details[0]!.message).to.equal(error.message);
  return details[0]!;
}

/** Runs the request and checks that no row of any table changed. */
export async function unchanged<R>(t: TestApp, send: () => PromiseLike<R>): Promise<R> {
  const before = await t.snapshot();
  const res = await send();
  const r = res as { status?: number; body?: unknown; text?: string };
  expect(await t.snapshot(), `the database changed on ${r.status} ${JSON.stringify(r.body ?? r.text)}`).to.equal(before);
  return res;
}
