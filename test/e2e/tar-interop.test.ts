// The bid package's tar writer and reader against the system's GNU tar: what the writer packs,
// `tar -tvf` lists and `tar -xf` extracts byte for byte; what `tar --format=ustar|pax|gnu` packs,
// the reader reads; and the hostile archives GNU tar can make (links, "../", absolute paths) the
// reader refuses.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { TarError } from '../../modules/bids/tar-format';
import { tarArchive, tarChunks } from '../../modules/bids/tar-writer';
import { workDir } from '../support/bidding';
import { tarMembers } from '../support/tar';
import { requireTool } from '../support/tools';

// TZ=UTC: tar -tv prints mtimes in local time.
const run = (args: string[], cwd: string) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile('tar', args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | undefined) : 0;
      resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });

describe('the bid package tar and GNU tar', function () {
  this.timeout(60_000);
  let dir: string;
  const entries = [
    { name: 'bid.json', data: Buffer.from('{"format":"etender-bid/1"}\n') },
    { name: '技术方案.pdf', data: crypto.randomBytes(100_000) },
    { name: 'empty.txt', data: Buffer.alloc(0) },
    { name: 'exact-512.bin', data: crypto.randomBytes(512) },
    { name: `${'目录'.repeat(15)}/${'长'.repeat(30)}.txt`, data: crypto.randomBytes(513) }, // the ustar prefix field
    { name: `${'长文件名'.repeat(12)}.docx`, data: crypto.randomBytes(700) }, // a pax path
  ];

  before(function () {
    requireTool(this, 'tar', 'apt-get install tar');
  });
  beforeEach(() => {
    dir = workDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('what the writer packs, tar -tvf lists as regular files of the right sizes and tar -xf extracts byte for byte', async () => {
    fs.writeFileSync(path.join(dir, 'a.tar'), tarArchive(entries));
    const list = await run(['-tvf', 'a.tar'], dir);
    expect(list.status, list.stderr).to.equal(0);
    expect(list.stderr).to.equal('');
    const lines = list.stdout.split('\n').filter(Boolean);
    expect(lines).to.have.length(entries.length);
    for (const [i, line] of lines.entries()) {
      expect(line, line).to.match(/^-rw-r--r-- 0\/0 +(\d+) 1970-01-01 00:00 (.*)$/);
      const [, size, name] = /^\S+ \S+ +(\d+) \S+ \S+ (.*)$/.exec(line)!;
      expect([Number(size), name]).to.deep.equal([entries[i]!.data.length, entries[i]!.name]);
    }
    fs.mkdirSync(path.join(dir, 'x'));
    const x = await run(['-xf', '../a.tar'], path.join(dir, 'x'));
    expect(x.status, x.stderr).to.equal(0);
    for (const e of entries) expect(fs.readFileSync(path.join(dir, 'x', e.name)).equals(e.data), e.name).to.equal(true);
  });

  it('the streaming writer gives GNU tar the same archive (an attachment streamed from disk)', async () => {
    const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(path.join(dir, 'source.bin'), big);
    const out = fs.createWriteStream(path.join(dir, 'b.tar'));
    for await (const chunk of tarChunks([{ name: '大文件.bin', size: big.length, body: fs.createReadStream(path.join(dir, 'source.bin')) }])) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.mkdirSync(path.join(dir, 'x'));
    const x = await run(['-xf', '../b.tar'], path.join(dir, 'x'));
    expect(x.status, x.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'x', '大文件.bin')).equals(big)).to.equal(true);
  });

  for (const format of ['ustar', 'pax', 'gnu'] as const) {
    it(`reads what tar --format=${format} packs`, async () => {
      const files = [
        { name: 'bid.json', data: Buffer.from('{}') },
        { name: '报价单.pdf', data: crypto.randomBytes(5000) },
        { name: 'zero.txt', data: Buffer.alloc(0) },
        // ustar cannot hold a 148-byte name without a "/"; pax and gnu can.
        ...(format === 'ustar' ? [] : [{ name: `${'长文件名'.repeat(12)}.docx`, data: crypto.randomBytes(1234) }]),
      ];
      fs.mkdirSync(path.join(dir, 'src'));
      for (const f of files) fs.writeFileSync(path.join(dir, 'src', f.name), f.data);
      const made = await run([`--format=${format}`, '-cf', '../t.tar', ...files.map((f) => f.name)], path.join(dir, 'src'));
      expect(made.status, made.stderr).to.equal(0);
      const members = await tarMembers(fs.readFileSync(path.join(dir, 't.tar')));
      expect(members.map((m) => m.name)).to.deep.equal(files.map((f) => f.name));
      for (const [i, m] of members.entries()) expect(m.data.equals(files[i]!.data), m.name).to.equal(true);
    });
  }

  async function refusedBy(tarFile: string): Promise<TarError> {
    return tarMembers(fs.readFileSync(path.join(dir, tarFile))).then(
      () => expect.fail('the archive was read'),
      (err: unknown) => {
        expect(err).to.be.instanceOf(TarError);
        return err as TarError;
      },
    );
  }

  it('refuses a symbolic link, a hard link and a directory that GNU tar packs', async () => {
    fs.mkdirSync(path.join(dir, 'src', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'a.pdf'), 'x');
    fs.symlinkSync('/etc/passwd', path.join(dir, 'src', 'link'));
    fs.linkSync(path.join(dir, 'src', 'a.pdf'), path.join(dir, 'src', 'hard.pdf'));
    const cases = [
      { args: ['a.pdf', 'link'], message: 'member "link" is a symbolic link; a bid package holds regular files only' },
      { args: ['a.pdf', 'hard.pdf'], message: 'member "hard.pdf" is a hard link; a bid package holds regular files only' },
      { args: ['sub'], message: 'member "sub/" is a directory; a bid package holds regular files only' },
    ];
    for (const [i, c] of cases.entries()) {
      const made = await run(['--format=pax', '-cf', `../${i}.tar`, ...c.args], path.join(dir, 'src'));
      expect(made.status, made.stderr).to.equal(0);
      expect((await refusedBy(`${i}.tar`)).message).to.equal(c.message);
    }
  });

  it('refuses "../" and absolute names that GNU tar packs with --absolute-names', async () => {
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'outside.txt'), 'x');
    const up = await run(['--format=ustar', '--absolute-names', '-cf', '../up.tar', '../outside.txt'], path.join(dir, 'src'));
    expect(up.status, up.stderr).to.equal(0);
    expect((await refusedBy('up.tar')).message).to.equal('member "../outside.txt" has an unsafe name: it has a ".." component');
    const abs = await run(['--format=ustar', '--absolute-names', '-cf', 'abs.tar', path.join(dir, 'outside.txt')], dir);
    expect(abs.status, abs.stderr).to.equal(0);
    expect((await refusedBy('abs.tar')).message).to.equal(`member "${path.join(dir, 'outside.txt')}" has an unsafe name: it is an absolute path`);
  });
});
