// How many SQL statements one sealed-bid submission costs, from the bearer token to the stored
// receipt (issue 12, the deadline surge: every statement is CPU on the one event loop that 100
// bidders wait on). Counted with knex's "query" event over the whole HTTP request. The bounds are
// what the submission needs today (20 before the token, section, certificate and bid reads were
// cut and combined); a duplicate read added anywhere on the path fails this test. Today's 12: the
// token with its account, the organisation's approval, the section, its opening recipient, the
// certificate, the replay check; in the transaction BEGIN, the section's deadline lock, the
// bidder's versions and ciphertext twins, the log's promise, the bid with its receipt, COMMIT.
// The list of statements is printed on failure, so that the new one is easy to find.
import { expect } from 'chai';
import { createTestApp, type TestApp } from '../support/test-app';
import { publishedSection, sealedBid, signingCertificate, submit, type BidderKey } from '../support/bidding';

/** A first bid of an organisation for a section. */
const FIRST_SUBMISSION_MAX_QUERIES = 12;
/** A second version, superseding the first (it retires the previous bid as well). */
const SUPERSEDING_SUBMISSION_MAX_QUERIES = 13;

describe('one sealed-bid submission: SQL statements', () => {
  let t: TestApp;
  let keyA: BidderKey;

  before(async () => {
    t = await createTestApp();
    keyA = await signingCertificate(t, t.users.bidderA);
  });
  after(async () => t.close());

  /** Runs `fn`, answering the SQL of every statement knex sent meanwhile. */
  async function counted(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const onQuery = (q: { sql: string }) => seen.push(q.sql);
    t.tdb.db.knex.on('query', onQuery);
    try {
      await fn();
    } finally {
      t.tdb.db.knex.off('query', onQuery);
    }
    return seen;
  }

  it(`costs at most ${FIRST_SUBMISSION_MAX_QUERIES} statements for a first bid and ${SUPERSEDING_SUBMISSION_MAX_QUERIES} for a new version`, async () => {
    const section = await publishedSection(t);
    const first = await sealedBid(section, t.orgA, keyA, { price: '900000.00' });
    const second = await sealedBid(section, t.orgA, keyA, { price: '890000.00' });
    let status = 0;
    const firstSql = await counted(async () => {
      status = (await submit(t, t.users.bidderA, section.id, first)).status;
    });
    expect(status).to.equal(201);
    expect(firstSql.length, `a first submission sent ${firstSql.length} statements:\n${firstSql.join('\n')}`).to.be.at.most(FIRST_SUBMISSION_MAX_QUERIES);
    const secondSql = await counted(async () => {
      status = (await submit(t, t.users.bidderA, section.id, second)).status;
    });
    expect(status).to.equal(201);
    expect(secondSql.length, `a superseding submission sent ${secondSql.length} statements:\n${secondSql.join('\n')}`).to.be.at.most(SUPERSEDING_SUBMISSION_MAX_QUERIES);
    // The bound is not trivially met: a submission does read and write.
    expect(firstSql.some((s) => /insert into [`"]bids[`"]/i.test(s))).to.equal(true);
  });
});
