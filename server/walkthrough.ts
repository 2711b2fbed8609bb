// `npm run walkthrough -- --url http://127.0.0.1:3000 --username bidder-a --password …`
// A bidder's whole journey against a running instance, through the real `etender` command:
// key, certificate, seal, submit, verify the receipt, replace the bid, verify again; then (with an
// auditor's credentials) `etender audit verify` over the whole log. Exits 0 only if every step checked out.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, 'etender.js');

function parseOptions() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'auditor-username': { type: 'string' },
        'auditor-password': { type: 'string' },
        section: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`walkthrough: ${(err as Error).message}\nRun "npm run walkthrough -- --help".\n`);
    process.exit(2);
  }
}
const { values } = parseOptions();

if (values.help || !values.url) {
  process.stdout.write(`walkthrough — seal, submit, replace and verify a bid against a running etender

Usage: npm run walkthrough -- --url URL --username BIDDER --password PW
         [--auditor-username auditor --auditor-password PW] [--section ID]
Defaults come from WALKTHROUGH_USERNAME, WALKTHROUGH_PASSWORD, WALKTHROUGH_AUDITOR_USERNAME and
WALKTHROUGH_AUDITOR_PASSWORD. The demo accounts are printed once by the first "npm start".

Example:
  npm run walkthrough -- --url http://127.0.0.1:3000 --username bidder-a --password 'xxxx' \\
    --auditor-username auditor --auditor-password 'yyyy'
`);
  process.exit(values.help ? 0 : 2);
}

const url = values.url.replace(/\/$/, '');
const username = values.username ?? process.env.WALKTHROUGH_USERNAME;
const password = values.password ?? process.env.WALKTHROUGH_PASSWORD;
const auditorUsername = values['auditor-username'] ?? process.env.WALKTHROUGH_AUDITOR_USERNAME;
const auditorPassword = values['auditor-password'] ?? process.env.WALKTHROUGH_AUDITOR_PASSWORD;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-walkthrough-'));
let failures = 0;

function report(ok: boolean, step: string, detail = ''): boolean {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${step}${detail ? ` — ${detail}` : ''}\n`);
  if (!ok) failures++;
  return ok;
}

function etender(step: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`.trim();
  report(r.status === 0, step, r.status === 0 ? out.split('\n')[0] : out);
  return { ok: r.status === 0, out };
}

/**
 * One HTTP exchange on a fresh connection. The CLI steps run synchronously in between, so a pooled
 * keep-alive socket could be closed by the server meanwhile; a fresh one never is.
 */
function call(method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${p}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function json<T>(method: string, p: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await call(method, p, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : undefined);
  return { status: res.status, body: (res.text ? JSON.parse(res.text) : null) as T };
}

async function tokenFor(user: string, pw: string): Promise<string | null> {
  const login = await call('POST', '/api/auth/login', { 'content-type': 'application/json' }, JSON.stringify({ username: user, password: pw }));
  if (!report(login.status === 200, `log in as ${user}`, login.status === 200 ? '' : `HTTP ${login.status}`)) return null;
  const cookie = String(([] as string[]).concat(login.headers['set-cookie'] ?? [])[0] ?? '').split(';')[0]!;
  const created = await call('POST', '/api/tokens', { cookie, 'content-type': 'application/json', origin: url }, JSON.stringify({ name: 'walkthrough', expiresInDays: 1 }));
  const body = (created.text ? JSON.parse(created.text) : {}) as { token?: { token: string } };
  return report(created.status === 201 && !!body.token, `API token for ${user}`) ? body.token!.token : null;
}

async function main(): Promise<void> {
  const health = await json<{ status: string; db: string }>('GET', '/healthz').catch(() => ({ status: 0, body: null }));
  if (!report(health.status === 200, 'the instance is healthy', health.body ? `database ${health.body.db}` : `cannot reach ${url}`)) return;
  if (!username || !password) {
    report(false, 'bidder credentials', 'give --username and --password (a demo bidder such as bidder-a)');
    return;
  }
  const token = await tokenFor(username, password);
  if (!token) return;
  const common = ['--url', url, '--token', token];

  if (!etender('etender keygen', ['keygen', '--out', 'key.pem']).ok) return;
  if (!etender('etender csr', ['csr', '--key', 'key.pem', '--name', username, '--out', 'req.csr']).ok) return;
  if (!etender('etender cert request', ['cert', 'request', ...common, '--csr', 'req.csr', '--usage', 'signing', '--out', 'cert.pem']).ok) return;

  let sectionId = values.section;
  if (!sectionId) {
    // The open section with the latest deadline: the walkthrough must finish before it.
    const list = await json<{ sections: Array<{ id: string; bidDeadlineAt: number }> }>('GET', '/api/sections?state=bidding');
    sectionId = list.body.sections.sort((a, b) => b.bidDeadlineAt - a.bidDeadlineAt)[0]?.id;
  }
  if (!report(!!sectionId, 'a section open for bids', sectionId ?? 'none is in state bidding')) return;

  fs.writeFileSync(path.join(work, '技术方案.txt'), '施工组织设计与技术方案（演示）\n');
  const versions: string[] = [];
  for (const [round, price] of [
    ['first bid', '1180000.00'],
    ['replacement', '1165000.00'],
  ] as const) {
    const out = `bid-${versions.length + 1}.age`;
    if (
      !etender(`etender seal (${round})`, [
        'seal',
        ...common,
        '--section',
        sectionId!,
        '--price',
        price,
        '--duration-days',
        '180',
        '--key',
        'key.pem',
        '--cert',
        'cert.pem',
        '--out',
        out,
        '技术方案.txt',
      ]).ok
    )
      return;
    if (!etender(`etender submit (${round})`, ['submit', ...common, '--section', sectionId!, '--in', out, '--receipt', `${out}.receipt.json`]).ok) return;
    if (!etender(`etender verify-receipt (${round})`, ['verify-receipt', '--receipt', `${out}.receipt.json`, '--url', url, '--in', out]).ok) return;
    versions.push(JSON.parse(fs.readFileSync(path.join(work, `${out}.receipt.json`), 'utf8')).bid.id);
  }
  const second = JSON.parse(fs.readFileSync(path.join(work, 'bid-2.age.receipt.json'), 'utf8'));
  report(second.supersedes === versions[0], 'the replacement supersedes the first bid');
  const mine = await json<{ bids: Array<{ id: string; status: string }> }>('GET', `/api/sections/${sectionId}/my-bids`, token);
  const mineOk = mine.body.bids.some((b) => b.id === versions[0] && b.status === 'superseded') && mine.body.bids.some((b) => b.id === versions[1] && b.status === 'active');
  report(mineOk, 'both versions are kept and the latest counts');

  if (auditorUsername && auditorPassword) {
    const auditorToken = await tokenFor(auditorUsername, auditorPassword);
    if (auditorToken) etender('etender audit verify', ['audit', 'verify', '--url', url, '--token', auditorToken]);
  } else {
    report(false, 'etender audit verify', 'give --auditor-username and --auditor-password to check the whole log');
  }
}

main()
  .catch((err) => report(false, 'unexpected error', `${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}`))
  .finally(() => {
    fs.rmSync(work, { recursive: true, force: true });
    process.stdout.write(failures === 0 ? 'Walkthrough passed: every step checked out.\n' : `Walkthrough FAILED: ${failures} step(s) did not check out.\n`);
    process.exit(failures === 0 ? 0 : 1);
  });
