// The auditor's and supervisor's desk: /audit lists every section (paged) with its records' JSON and
// PDF links and, after the deadline, the identical-ciphertext signal by the bidders' names; a
// signed-out browser opening a dossier is sent to the sign-in page (an API client still gets JSON
// 401), and after signing in gets the PDF; /audit/log shows entries readably (names, zone offset,
// yuan, no epoch milliseconds) page by page; the verifier's module (log-verify.ts, what
// /audit/verify runs in the browser) agrees with `etender audit verify` and finds a tampered entry.
import { expect } from 'chai';
import { verifyInstance } from '../../modules/audit/audit-verify';
import { verifyLog } from '../../server/pages/client/log-verify';
import { AUDIT_STRINGS } from '../../templates/pages/audit-strings';
import { fill } from '../../templates/pages/text';
import { approvedBidder, bidAndOpen, publishedSection, sealedBid, signedFor, signingCertificate, submit, type PublishedSection } from '../support/bidding';
import { browserAgent, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, listenOnLoopback, openTenderSection, type TestApp, type TestUser } from '../support/test-app';

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

/** Two English words in a row: a sentence the page did not translate. */
const ENGLISH_WORDS = /[A-Za-z]{2,}[ ,.:;]+(?:a |an |the )?[A-Za-z]{2,}/;

/** The page's text without its tags and without the leaves the script checks (data-leaf). */
const visibleText = (page: string) => page.replace(/data-leaf="[^"]*"/g, '').replace(/<[^>]+>/g, ' ');

describe('audit pages', function () {
  this.timeout(120_000);
  let t: TestApp;
  let opened: PublishedSection;
  let duplicated: PublishedSection;
  let waiting: PublishedSection;

  before(async () => {
    t = await createTestApp();
    opened = await publishedSection(t, { title: '审计用已开标标段' });
    duplicated = await publishedSection(t, { title: '相同密文标段', bidDeadlineAt: openTenderSection().bidDeadlineAt + 2 * 86_400_000 });
    waiting = await publishedSection(t, { title: '仍在投标标段', bidDeadlineAt: openTenderSection().bidDeadlineAt + 5 * 86_400_000 });
    // 21 drafts: more than a page of the desk.
    for (let i = 0; i < 21; i++) {
      const res = await t
        .req(t.users.opProc)
        .post('/api/projects')
        .send({ centre: 'procurement', title: `草稿项目${i}`, tenderee: '市住建局', sections: [openTenderSection({ title: `草稿标段${i}` })] });
      expect(res.status).to.equal(201);
    }
    const keyA = await signingCertificate(t, t.users.bidderA);
    const keyB = await signingCertificate(t, t.users.bidderB);
    const bidA = await sealedBid(duplicated, t.orgA, keyA);
    expect((await submit(t, t.users.bidderA, duplicated.id, bidA)).status).to.equal(201);
    expect((await submit(t, t.users.bidderB, duplicated.id, signedFor(bidA.file, duplicated, t.orgB, keyB))).status).to.equal(201);
    const bidders = [await approvedBidder(t, '丙工程有限公司'), await approvedBidder(t, '丁设备有限公司'), await approvedBidder(t, '戊科技有限公司')];
    await bidAndOpen(t, opened, [
      [bidders[0]!, '950000.00'],
      [bidders[1]!, '960000.00'],
      [bidders[2]!, '970000.00'],
    ]);
    await t.services.audit.checkpoint();
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  it('is for supervisors, auditors and admins: a signed-out visitor signs in first, a bidder is refused', async () => {
    for (const path of ['/audit', '/audit/log', '/audit/verify']) {
      const anon = await t.req().get(path);
      expect(anon.status, path).to.equal(303);
      expect(anon.headers.location).to.equal(`/login?${new URLSearchParams({ next: path })}`);
      const bidder = await (await signIn(t, t.users.bidderA)).get(path);
      expect(bidder.status, path).to.equal(403);
      expect(bidder.headers['content-type']).to.match(/text\/html/);
    }
    for (const user of [t.users.auditor, t.users.supervisor, t.users.admin]) expect((await (await signIn(t, user)).get('/audit')).status, user.username).to.equal(200);
  });

  it('lists every section with its records as JSON and PDF, and the signal after the deadline', async () => {
    const agent = await signIn(t, t.users.supervisor);
    const desk = async () => (await agent.get('/audit')).text + (await agent.get('/audit?page=2')).text;
    const page = await desk();
    const card = (id: string) => {
      const m = new RegExp(`<li class="card desk-section[^"]*" id="section-${id}"[\\s\\S]*?</dl>\\n</li>`).exec(page);
      expect(m, `a card for ${id}`).to.not.equal(null);
      return m![0];
    };
    const o = card(opened.id);
    for (const tail of ['dossier', 'dossier.pdf', 'opening-record', 'opening-record.pdf', 'record-downloads']) expect(o).to.contain(`href="/api/sections/${opened.id}/${tail}"`);
    expect(o).to.not.contain('award-notice.pdf');
    expect(o).to.contain('class="signals-none"');
    // Before the deadline nothing is said about bids, not even to a supervisor.
    const w = card(waiting.id);
    expect(w).to.contain(`href="/api/sections/${waiting.id}/dossier.pdf"`);
    expect(w).to.not.contain('opening-record');
    expect(w).to.contain('class="signals-later"');
    expect(card(duplicated.id)).to.contain('class="signals-later"');

    t.clock.set(duplicated.deadline);
    await t.services.lifecycle.advanceDue();
    const after = await desk();
    const d = new RegExp(`class="card desk-section[^"]*" id="section-${duplicated.id}"[\\s\\S]*?</dl>\\n</li>`).exec(after)![0];
    expect(d).to.contain('desk-section flagged');
    expect(d).to.contain('不同投标人提交了完全相同的密文');
    expect(d).to.contain('甲建设有限公司').and.to.contain('乙科技有限公司');
    const en = (await agent.get('/audit?lang=en')).text + (await agent.get('/audit?lang=en&page=2')).text;
    expect(en).to.contain('Different bidders submitted the identical ciphertext');

    // Every link on the desk answers the supervisor.
    for (const m of after.matchAll(/href="(\/api\/sections\/[^"]+)"/g)) {
      const res = await agent.get(m[1]!);
      expect(res.status, m[1]).to.equal(200);
    }
  });

  it('pages the sections and filters them by centre and state', async () => {
    const agent = await signIn(t, t.users.auditor);
    const first = (await agent.get('/audit')).text;
    expect(first.match(/class="card desk-section/g)).to.have.length(20);
    expect(first).to.contain('id="next-page"');
    const second = (await agent.get('/audit?page=2')).text;
    expect(second).to.contain('id="prev-page"');
    const drafts = (await agent.get('/audit?centre=procurement&state=draft')).text;
    expect(drafts.match(/class="card desk-section/g)).to.have.length(20);
    expect(drafts).to.not.contain(opened.code);
    const lastDrafts = (await agent.get('/audit?centre=procurement&state=draft&page=2')).text;
    expect(lastDrafts.match(/class="card desk-section/g)).to.have.length(1);
    expect(lastDrafts).to.not.contain('id="next-page"');
    await timePage(agent, '/audit (20 sections)', '/audit');
  });

  it('sends a signed-out browser opening a dossier to the sign-in page and back; an API client gets JSON 401', async () => {
    const path = `/api/sections/${opened.id}/dossier.pdf`;
    const browser = await t.req().get(path).set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(browser.status).to.equal(303);
    expect(browser.headers.location).to.equal(`/login?${new URLSearchParams({ next: path })}`);
    const json = await t.req().get(path).set('Accept', 'application/json');
    expect(json.status).to.equal(401);
    expect(json.body.error.code).to.equal('unauthenticated');
    const noAccept = await t.req().get(`/api/sections/${opened.id}/dossier`);
    expect(noAccept.status).to.equal(401);
    // A public record is not affected; a bidder (signed in, not allowed) gets the API's 403.
    expect((await t.req().get(`/api/sections/${opened.id}/opening-record.pdf`).set('Accept', 'text/html')).status).to.equal(200);

    const agent = browserAgent(t);
    const login = await postForm(agent, `/login?next=${encodeURIComponent(path)}`, '/login', { username: t.users.auditor.username, password: t.users.auditor.password, next: path });
    expect(login.status).to.equal(303);
    expect(login.headers.location).to.equal(path);
    const pdf = await agent.get(path).set('Accept', 'text/html').buffer(true);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
  });

  it('shows the log page by page, readably: names, the centre zone, yuan, no epoch milliseconds', async () => {
    const award = await t.req(t.users.opProc).get(`/api/sections/${opened.id}`);
    expect(award.status).to.equal(200);
    const agent = await signIn(t, t.users.auditor);
    const size = await t.services.audit.size();
    const page = (await agent.get('/audit/log')).text;
    expect(page.match(/class="card log-entry"/g)).to.have.length(50);
    expect(page).to.contain(`id="entry-${size - 1}"`);
    expect(page).to.contain('id="next-page"');
    expect(page).to.contain('/portal-static/audit-verify.js');
    const text = visibleText(page);
    expect(text).to.contain('(UTC+08:00)');
    expect(text, 'no epoch milliseconds').to.not.match(/\b1\d{12}\b/);
    expect(text).to.not.contain('"at":');

    // The entries of the opening, further back: decryptions with prices in yuan, the section by code.
    let found = '';
    for (let p = 1; p <= Math.ceil(size / 50) && !found; p++) {
      const html = (await agent.get(`/audit/log?page=${p}`)).text;
      if (html.includes('解密投标文件')) found = html;
    }
    expect(found, 'a page with the bid decryptions').to.not.equal('');
    const shown = visibleText(found);
    expect(shown).to.contain('950,000.00 元');
    expect(shown).to.contain(opened.code);
    expect(found).to.contain(`href="/sections/${opened.id}"`);
    const en = visibleText((await agent.get('/audit/log?lang=en')).text);
    expect(en).to.contain('Entry ');
    // Each card carries its exact leaf: what the page shows is what its script hashes.
    const leaf = /id="entry-(\d+)" data-index="\d+" data-leaf="([^"]+)"/.exec(page)!;
    const stored = await t.services.audit.entries(Number(leaf[1]), Number(leaf[1]) + 1);
    expect(
      leaf[2]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ).to.equal(stored[0]!.entry);
    expect(page).to.contain('id="checkpoint-table"');
    await timePage(agent, '/audit/log (50 entries)', '/audit/log');
  });

  it('verifies the log with the browser verifier module as `etender audit verify` does, and finds a tampered entry', async () => {
    await t.services.audit.checkpoint();
    const server = await listenOnLoopback(t.app);
    try {
      const token = t.users.auditor.token;
      const api = async (path: string) => {
        const res = await fetch(`${server.baseUrl}${path}`, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
        return { status: res.status, body: await res.json() };
      };
      const phases = new Set<string>();
      const r = await verifyLog(api, (p) => phases.add(p.phase));
      const cli = await verifyInstance({ baseUrl: server.baseUrl, token });
      expect(r.problems).to.deep.equal([]);
      expect(r.ok).to.equal(true);
      expect(cli.ok).to.equal(true);
      expect(r.entries).to.equal(cli.entries);
      expect(r.roots).to.equal(cli.checkpoints);
      expect(r.signatures).to.equal(r.checkpoints);
      expect(r.consistency).to.be.greaterThan(0);
      expect([...phases]).to.include.members(['checkpoints', 'entries', 'consistency']);

      // One entry answered altered: its leaf changes, so every root from its position on fails.
      const tampered = async (path: string) => {
        const res = await api(path);
        const body = res.body as { entries?: Array<{ entry: string }> };
        if (path.startsWith('/api/audit/entries') && body.entries?.length) body.entries[0]!.entry = body.entries[0]!.entry.replace('"v":1', '"v":1 ');
        return res;
      };
      const bad = await verifyLog(tampered);
      expect(bad.ok).to.equal(false);
      expect(bad.problems.map((p) => p.key))
        .to.include('rootMismatch')
        .and.to.include('entryNotCanonical');
      // As the zh page says them (audit-verify-page.js fills these strings): no English sentence.
      const zh = AUDIT_STRINGS.zh.problems;
      for (const p of bad.problems) {
        const said = fill(zh[p.key] ?? p.key, p.values);
        expect(zh[p.key], p.key).to.be.a('string');
        expect(said, said).to.not.match(ENGLISH_WORDS);
      }
    } finally {
      await server.close();
    }
  });
});
