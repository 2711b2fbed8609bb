// The free-tool path (EB 16): a bid packaged by `etender package`, sealed by the standard `age`
// command (Debian's package), signed by `etender sign` and sent by `etender submit` is accepted,
// its receipt verifies, and the section's custody key opens it again with `age -d`.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { createTestApp, T0, type TestApp } from '../support/test-app';
import { openingIdentity, publishedSection, workDir } from '../support/bidding';
import { ROOT } from '../support/server-process';
import { requireTool } from '../support/tools';

const CLI = path.join(ROOT, 'server/etender.js');

describe('the standard age tool plus etender sign produces an acceptable bid', function () {
  this.timeout(120_000);
  let t: TestApp;
  let server: Server;
  let url: string;
  let dir: string;

  // Asynchronous: the server runs in this very process, so a synchronous child would starve it.
  const run = (cmd: string, args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number | undefined) : 0;
        resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
      });
    });
  const etender = (...args: string[]) => run(process.execPath, [CLI, ...args]);

  before(async function () {
    requireTool(this, 'age', 'apt-get install age');
    requireTool(this, 'tar', 'apt-get install tar');
    const age = spawnSync('age', ['--version'], { encoding: 'utf8' });
    expect(age.status, 'the age command runs').to.equal(0);
    t = await createTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = workDir();
  });
  after(async () => {
    server?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('package → age -r → etender sign → etender submit → etender verify-receipt; then age -d opens it', async () => {
    const token = t.users.bidderA.token;
    const common = ['--url', url, '--token', token];
    expect((await etender('keygen', '--out', 'key.pem')).status).to.equal(0);
    expect((await etender('csr', '--key', 'key.pem', '--name', 'bidder-a', '--out', 'req.csr')).status).to.equal(0);
    const cert = await etender('cert', 'request', ...common, '--csr', 'req.csr', '--usage', 'signing', '--out', 'cert.pem');
    expect(cert.status, cert.stderr).to.equal(0);

    const section = await publishedSection(t);
    fs.writeFileSync(path.join(dir, '报价明细.csv'), '项目,金额\n设备,860000.00\n');
    const pkg = await etender('package', ...common, '--section', section.id, '--price', '860000.00', '--duration-days', '90', '--out', 'bid.tar', '报价明细.csv');
    expect(pkg.status, pkg.stderr).to.equal(0);
    const listing = await run('tar', ['tf', 'bid.tar']);
    expect(listing.stdout.split('\n').filter(Boolean)).to.deep.equal(['bid.json', '报价明细.csv']);

    const sealed = await run('age', ['-r', section.recipient, '-o', 'bid.age', 'bid.tar']);
    expect(sealed.status, sealed.stderr).to.equal(0);
    const signed = await etender('sign', ...common, '--section', section.id, '--key', 'key.pem', '--cert', 'cert.pem', '--in', 'bid.age', '--out', 'bid.manifest.json');
    expect(signed.status, signed.stderr).to.equal(0);
    const submitted = await etender('submit', ...common, '--section', section.id, '--in', 'bid.age', '--manifest', 'bid.manifest.json', '--receipt', 'receipt.json');
    expect(submitted.status, submitted.stderr).to.equal(0);
    expect(submitted.stdout).to.match(/^Accepted: bid \w+ \(version 1\)/);

    const verified = await etender('verify-receipt', '--receipt', 'receipt.json', '--url', url, '--in', 'bid.age');
    expect(verified.status, verified.stdout + verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/^Receipt valid/);
    // Offline, with the keys saved once, and a tampered receipt fails.
    fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify((await t.req().get('/api/pki/keys')).body));
    const receipt = JSON.parse(fs.readFileSync(path.join(dir, 'receipt.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'forged.json'), JSON.stringify({ ...receipt, receivedAt: receipt.receivedAt - 60_000 }));
    expect((await etender('verify-receipt', '--receipt', 'receipt.json', '--keys', 'keys.json')).status).to.equal(0);
    const forged = await etender('verify-receipt', '--receipt', 'forged.json', '--keys', 'keys.json');
    expect(forged.status).to.equal(1);
    expect(forged.stdout).to.match(/NOT valid/);

    // After the deadline, the custody key of the section (the time lock, opened by the local beacon's round) opens the file with the standard tool.
    t.clock.set(section.deadline);
    const identity = await openingIdentity(t, section.id);
    fs.writeFileSync(path.join(dir, 'identity.txt'), `${identity}\n`, { mode: 0o600 });
    const opened = await run('age', ['-d', '-i', 'identity.txt', '-o', 'opened.tar', 'bid.age']);
    expect(opened.status, opened.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'opened.tar')).equals(fs.readFileSync(path.join(dir, 'bid.tar')))).to.equal(true);
  });

  it('refuses an unsealed file sent the same way, saying it is not sealed', async () => {
    t.clock.set(T0);
    const section = await publishedSection(t);
    const common = ['--url', url, '--token', t.users.bidderA.token];
    expect((await etender('package', ...common, '--section', section.id, '--price', '1.00', '--out', 'plain.tar')).status).to.equal(0);
    expect((await etender('sign', ...common, '--section', section.id, '--key', 'key.pem', '--cert', 'cert.pem', '--in', 'plain.tar', '--out', 'plain.manifest.json')).status).to.equal(0);
    const r = await etender('submit', ...common, '--section', section.id, '--in', 'plain.tar', '--manifest', 'plain.manifest.json');
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/not a sealed bid/);
  });
});
