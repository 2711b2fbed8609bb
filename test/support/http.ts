// Small supertest helpers shared by the tests.
import { expect } from 'chai';
import type supertest from 'supertest';

/** Reads the response body as raw bytes (PDFs, ciphertexts). */
export function binary(test: supertest.Test): supertest.Test {
  return test.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

/** Expects the status, showing the body when it is another. */
export const ok = (res: { status: number; body: unknown }, status = 200) => expect(res.status, JSON.stringify(res.body)).to.equal(status);
