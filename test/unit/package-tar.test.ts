// The bid package's tar writer and reader (modules/bids/tar-*.ts): round trips, the packages the
// CLI already sealed with tar-stream, streaming bodies, and every archive the reader must refuse.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TarError, type TarErrorReason } from '../../modules/bids/tar-format';
import { readTar, type TarReadLimits } from '../../modules/bids/tar-reader';
import { tarArchive, tarChunks, tarEntryHeader, tarStream } from '../../modules/bids/tar-writer';
import { tarMembers } from '../support/tar';
import { padded, paxData, rawArchive, rawHeader } from '../support/raw-tar';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tar');

async function refusal(archive: Uint8Array, limits: Partial<TarReadLimits> = {}): Promise<TarError> {
  try {
    await (async () => {
      for await (const entry of readTar([archive], { maxEntrySize: archive.length, ...limits })) for await (const _ of entry.body);
    })();
  } catch (err) {
    if (err instanceof TarError) return err;
    throw err;
  }
  throw new Error('the archive was read without a refusal');
}

async function expectRefused(archive: Uint8Array, reason: TarErrorReason, message: RegExp, limits: Partial<TarReadLimits> = {}): Promise<void> {
  const err = await refusal(archive, limits);
  expect([err.reason, err.message]).to.satisfy(([r, m]: [string, string]) => r === reason && message.test(m), `${err.reason}: ${err.message}`);
}

async function collect(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const entries = [
  { name: 'bid.json', data: Buffer.from('{"a":1}\n') },
  { name: '技术方案.pdf', data: crypto.randomBytes(1000) },
  { name: 'empty.txt', data: Buffer.alloc(0) },
  { name: 'exact-512.bin', data: crypto.randomBytes(512) },
  { name: `${'目录'.repeat(15)}/${'长'.repeat(30)}.txt`, data: crypto.randomBytes(513) }, // split into the prefix field
  { name: `${'长文件名'.repeat(12)}.docx`, data: crypto.randomBytes(700) }, // 148 bytes, no "/": a pax path
];

describe('the bid package tar writer and reader', () => {
  it('round-trips names and bytes, in 512-byte blocks ending in two zero blocks', async () => {
    const archive = tarArchive(entries);
    expect(archive.length % 512).to.equal(0);
    expect(Buffer.from(archive.subarray(257, 265)).toString('latin1')).to.equal('ustar\u000000');
    expect(Buffer.from(archive.subarray(archive.length - 1024)).equals(Buffer.alloc(1024))).to.equal(true);
    const back = await tarMembers(archive);
    expect(back.map((e) => e.name)).to.deep.equal(entries.map((e) => e.name));
    for (const [i, e] of back.entries()) expect(e.data.equals(entries[i]!.data), e.name).to.equal(true);
  });

  it('streams the same bytes as the in-memory writer, from Uint8Array, Blob, ReadableStream and async iterable bodies', async () => {
    const [a, b, c, d] = [entries[0]!, entries[1]!, entries[3]!, entries[5]!];
    async function* twoPieces() {
      yield d.data.subarray(0, 100);
      yield d.data.subarray(100);
    }
    const sources = [
      { name: a.name, size: a.data.length, body: a.data },
      { name: b.name, size: b.data.length, body: new Blob([b.data]) },
      { name: c.name, size: c.data.length, body: new Blob([c.data]).stream() as ReadableStream<Uint8Array> },
      { name: d.name, size: d.data.length, body: twoPieces() },
    ];
    const streamed = await collect(tarStream(sources));
    expect(streamed.equals(Buffer.from(tarArchive([a, b, c, d])))).to.equal(true);
  });

  it('pulls a body only as the archive is read, so a large attachment is never held whole', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const count = 8000; // 500 MiB if it were all buffered
    async function* big() {
      for (let i = 0; i < count; i++) {
        produced++;
        yield chunk;
      }
    }
    const chunks = tarChunks([{ name: 'big.bin', size: count * chunk.length, body: big() }]);
    const header = await chunks.next();
    expect((header.value as Uint8Array).length).to.equal(512);
    await chunks.next();
    await chunks.next();
    expect(produced).to.equal(2);
    await chunks.return(undefined);
  });

  it('refuses a body that is not the size declared, and names no package may hold', async () => {
    await collect(tarChunks([{ name: 'a.pdf', size: 10, body: Buffer.alloc(9) }])).then(
      () => expect.fail('a short body was accepted'),
      (err: TarError) => expect([err.reason, err.message]).to.deep.equal(['size_mismatch', '"a.pdf" was declared as 10 bytes but its content has 9; did the file change while it was packed?']),
    );
    await collect(tarChunks([{ name: 'a.pdf', size: 10, body: Buffer.alloc(11) }])).then(
      () => expect.fail('a long body was accepted'),
      (err: TarError) => expect(err.reason).to.equal('size_mismatch'),
    );
    for (const name of ['', '../x', 'a/../../x', '/etc/passwd', 'C:x', 'a\\b', 'dir/', 'new\nline']) {
      expect(() => tarEntryHeader({ name, size: 0 }), JSON.stringify(name)).to.throw(TarError, /cannot go into a bid package/);
    }
    expect(() => tarArchive([entries[0]!, entries[0]!])).to.throw(TarError, /two files in the package are named "bid.json"/);
  });

  it('reads the packages the CLI sealed with tar-stream (pax headers for non-ASCII and long names)', async () => {
    const archive = fs.readFileSync(path.join(FIXTURES, 'tar-stream-bid-package.tar'));
    const members = await tarMembers(archive);
    expect(members.map((m) => m.name)).to.deep.equal(['bid.json', '报价单.pdf', 'empty.txt', 'exact-512.bin', `${'x'.repeat(120)}.bin`, `${'长文件名'.repeat(10)}.docx`]);
    const listed = JSON.parse(members[0]!.data.toString('utf8')).attachments as Array<{ name: string; size: number; sha256: string }>;
    expect(members.slice(1).map((m) => ({ name: m.name, size: m.data.length, sha256: crypto.createHash('sha256').update(m.data).digest('hex') }))).to.deep.equal(listed);
  });

  it('reads an archive in chunks of any size', async () => {
    const archive = tarArchive(entries);
    for (const size of [1, 7, 511, 513, 4096]) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < archive.length; i += size) pieces.push(archive.subarray(i, i + size));
      const names: string[] = [];
      for await (const e of readTar(pieces, { maxEntrySize: 10_000 })) {
        names.push(e.name);
        if (e.name === 'bid.json') for await (const _ of e.body); // the others are skipped unread
      }
      expect(names, `chunks of ${size}`).to.deep.equal(entries.map((e) => e.name));
    }
  });

  it('ignores pax records it does not need, and a global header that sets no path or size', async () => {
    const global = paxData({ comment: 'made by git archive' });
    const local = paxData({ mtime: '1796133043.527202841', uname: 'root', path: '报价单.pdf', size: '5' });
    const archive = rawArchive([
      { header: rawHeader({ name: 'pax_global_header', size: global.length, type: 'g' }), data: global },
      { header: rawHeader({ name: 'PaxHeader', size: local.length, type: 'x' }), data: local },
      { header: rawHeader({ name: 'ignored-name', size: 0 }), data: Buffer.from('hello') }, // pax size wins over the header's 0
    ]);
    expect((await tarMembers(archive)).map((m) => [m.name, m.data.toString()])).to.deep.equal([['报价单.pdf', 'hello']]);
    const globalPath = paxData({ path: 'x' });
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'g', size: globalPath.length, type: 'g' }), data: globalPath }]), 'bad_header', /global header sets "path"/);
  });

  it('reads no bytes at all as an empty archive', async () => {
    expect(await tarMembers(new Uint8Array(0))).to.deep.equal([]);
  });
});

describe('archives the tar reader refuses', () => {
  const body = Buffer.from('hello');
  const file = (name: string, data = body) => ({ header: rawHeader({ name, size: data.length }), data });

  it('path traversal and absolute names', async () => {
    await expectRefused(rawArchive([file('../x')]), 'unsafe_name', /^member "..\/x" has an unsafe name: it has a ".." component$/);
    await expectRefused(rawArchive([file('a/../../x')]), 'unsafe_name', /".." component/);
    await expectRefused(rawArchive([file('/etc/cron.d/x')]), 'unsafe_name', /it is an absolute path/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'x', prefix: '..', size: 5 }), data: body }]), 'unsafe_name', /"..\/x".*".." component/);
    await expectRefused(rawArchive([file('C:\\Windows\\x')]), 'unsafe_name', /drive letter/);
  });

  it('links, directories, devices and FIFOs', async () => {
    await expectRefused(
      rawArchive([{ header: rawHeader({ name: 'link', size: 0, type: '2', linkname: '/etc/passwd' }) }]),
      'not_regular',
      /^member "link" is a symbolic link; a bid package holds regular files only$/,
    );
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'hard', size: 0, type: '1', linkname: 'bid.json' }) }]), 'not_regular', /a hard link/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'dir', size: 0, type: '5' }) }]), 'not_regular', /a directory/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'dev', size: 0, type: '3' }) }]), 'not_regular', /a character device/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'fifo', size: 0, type: '6' }) }]), 'not_regular', /a FIFO/);
    await expectRefused(rawArchive([file('old-style-dir/')]), 'unsafe_name', /a directory/);
    const sparse = paxData({ 'GNU.sparse.major': '1' });
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'PaxHeader', size: sparse.length, type: 'x' }), data: sparse }, file('s.bin')]), 'not_regular', /sparse/);
  });

  it('two members of the same name', async () => {
    await expectRefused(rawArchive([file('bid.json'), file('a.pdf'), file('bid.json')]), 'duplicate_name', /^two members are named "bid.json"$/);
  });

  it('truncated archives: inside a header, inside a body, and without the end blocks', async () => {
    const whole = rawArchive([file('a.pdf', crypto.randomBytes(2000))]);
    const limits = { maxEntrySize: 1e6 };
    await expectRefused(whole.subarray(0, 300), 'truncated', /ends inside a header/, limits);
    await expectRefused(whole.subarray(0, 512 + 1000), 'truncated', /ends inside member "a.pdf"/, limits);
    await expectRefused(whole.subarray(0, 512 + 2000), 'truncated', /ends inside member "a.pdf"/, limits); // in its padding
    await expectRefused(whole.subarray(0, whole.length - 1024), 'truncated', /without its end-of-archive blocks/, limits);
  });

  it('a size field that lies: larger than the data, or smaller', async () => {
    const data = crypto.randomBytes(3000);
    // Declares 10,000 bytes: the next member's header and the end blocks are read as its body.
    await expectRefused(Buffer.concat([rawHeader({ name: 'a.pdf', size: 10_000 }), padded(data), Buffer.alloc(1024)]), 'truncated', /inside member "a.pdf"/, { maxEntrySize: 1e6 });
    // Declares 100 bytes: the rest of the data is read as the next header.
    await expectRefused(Buffer.concat([rawHeader({ name: 'a.pdf', size: 100 }), padded(data), Buffer.alloc(1024)]), 'bad_header', /wrong checksum/);
  });

  it('a declared size over the limit, before reading any of it', async () => {
    const header = rawHeader({ name: 'huge.bin', size: 0o77777777777 }); // 8 GiB, with no data behind it
    await expectRefused(Buffer.concat([header, Buffer.alloc(1024)]), 'too_large', /^member "huge.bin" declares 8589934591 bytes, more than the limit of 5000$/, { maxEntrySize: 5000 });
    const pax = paxData({ size: '99999999999999999999' });
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'PaxHeader', size: pax.length, type: 'x' }), data: pax }, file('a')]), 'bad_header', /pax size record/);
    const longPax = Buffer.alloc(70_000, 0x61);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'PaxHeader', size: longPax.length, type: 'x' }), data: longPax }, file('a')]), 'too_large', /extended header declares 70000 bytes/, {
      maxEntrySize: 1e6,
    });
  });

  it('more members than allowed', async () => {
    await expectRefused(rawArchive([file('a'), file('b'), file('c')]), 'too_many', /more than 2 members/, { maxEntries: 2 });
  });

  it('damaged headers, unknown formats and bytes after the end', async () => {
    const good = rawArchive([file('a.pdf')]);
    const damaged = Buffer.from(good);
    damaged[10] = 0x41;
    await expectRefused(damaged, 'bad_header', /wrong checksum/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'a', size: 5, magic: '\0\0\0\0\0\0\0\0' }), data: body }]), 'bad_header', /not a ustar header/);
    await expectRefused(Buffer.concat([good, Buffer.from('hidden')]), 'trailing_data', /bytes after the end of the archive/);
    await expectRefused(rawArchive([{ header: rawHeader({ name: '\u00ff\u00fe', nameEncoding: 'latin1', size: 0 }) }]), 'bad_header', /not UTF-8/);
    const malformed = Buffer.from('99 path=x\n');
    await expectRefused(rawArchive([{ header: rawHeader({ name: 'PaxHeader', size: malformed.length, type: 'x' }), data: malformed }, file('a')]), 'bad_header', /pax extended header is malformed/);
  });
});
