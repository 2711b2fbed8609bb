// What the platform writes under DATA_DIR and CERTS_DIR is for its own user only: files 0600,
// directories 0700, whatever the umask, and an older install is tightened when it starts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { openDatabase } from '../../db/connection';
import { AppError } from '../../modules/core/errors';
import { tightenTree } from '../../modules/core/private-files';
import { loadOrCreatePlatformKeys } from '../../modules/pki/platform-keys';
import { LocalBlobStore } from '../../modules/storage/blob-store';
import { LocalBeacon } from '../../modules/timelock/local-beacon';

const modeOf = (p: string) => fs.lstatSync(p).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** Every entry under dir (dir included) with its mode, as "relative path: 0mode". */
function modesUnder(dir: string): string[] {
  const out = [`.: ${octal(modeOf(dir))}`];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    if (!e.isSymbolicLink()) out.push(`${path.relative(dir, full)}: ${octal(modeOf(full))}`);
  }
  return out.sort();
}

function expectPrivate(dir: string) {
  for (const line of modesUnder(dir)) {
    const [name, mode] = line.split(': ');
    const isDir = fs.statSync(path.join(dir, name!)).isDirectory();
    expect(line, dir).to.equal(`${name}: ${isDir ? '0700' : '0600'}`);
    void mode;
  }
}

describe('file modes under DATA_DIR and CERTS_DIR', function () {
  this.timeout(60_000);
  let umask: number;
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-modes-'));
    dirs.push(d);
    return d;
  };

  // The usual umask of a shell: without explicit modes, files would come out 0644 and directories 0755.
  before(() => {
    umask = process.umask(0o022);
  });
  after(() => {
    process.umask(umask);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('the SQLite database, its -wal and -shm files and its directory', async () => {
    const dataDir = path.join(tmp(), 'data');
    const db = await openDatabase({ dataDir });
    try {
      await db.knex.raw('create table t (x integer primary key)');
      await db.knex('t').insert({ x: 1 });
      expect(fs.readdirSync(dataDir).sort()).to.deep.equal(['etender.sqlite', 'etender.sqlite-shm', 'etender.sqlite-wal']);
      expectPrivate(dataDir);
    } finally {
      await db.close();
    }
  });

  it('an existing SQLite file left readable by others is tightened when opened', async () => {
    const dataDir = tmp();
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'etender.sqlite'), '', { mode: 0o644 });
    const db = await openDatabase({ dataDir });
    try {
      await db.knex.raw('create table t (x integer primary key)');
      expectPrivate(dataDir);
    } finally {
      await db.close();
    }
  });

  it('blobs, their shard directories and temporary uploads', async () => {
    const root = path.join(tmp(), 'blobs');
    const store = new LocalBlobStore(root);
    const blob = await store.put(Readable.from([Buffer.from('a tender document')]), { maxBytes: 1000 });
    expect(fs.existsSync(path.join(root, blob.sha256.slice(0, 2), blob.sha256.slice(2, 4), blob.sha256))).to.equal(true);
    const staged = await store.stage(Readable.from([Buffer.from('not yet committed')]), { maxBytes: 1000 });
    expect(fs.readdirSync(path.join(root, 'tmp'))).to.have.length(1);
    expectPrivate(root);
    await staged.discard();
  });

  it('the local beacon key and a new certs directory', () => {
    const certs = path.join(tmp(), 'certs');
    LocalBeacon.loadOrCreate(path.join(certs, 'beacon.key'));
    expectPrivate(certs);
  });

  it('the platform keys and certificates', () => {
    const certs = path.join(tmp(), 'certs');
    loadOrCreatePlatformKeys(certs);
    expect(fs.readdirSync(certs).length).to.be.greaterThan(4);
    expectPrivate(certs);
  });

  it('tightenTree takes group and other permissions away below a root, without following links', () => {
    const root = tmp();
    const outside = path.join(tmp(), 'outside.txt');
    fs.writeFileSync(outside, 'x', { mode: 0o644 });
    fs.mkdirSync(path.join(root, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'blobs'), 0o775);
    fs.writeFileSync(path.join(root, 'session-secret'), 's', { mode: 0o644 });
    fs.writeFileSync(path.join(root, 'blobs', 'ab', 'blob'), 'b', { mode: 0o666 });
    fs.writeFileSync(path.join(root, 'read-only'), 'r', { mode: 0o444 });
    fs.symlinkSync(outside, path.join(root, 'link'));
    expect(tightenTree(root)).to.equal(6);
    expect(modesUnder(root)).to.deep.equal(['.: 0700', 'blobs/ab/blob: 0600', 'blobs/ab: 0700', 'blobs: 0700', 'read-only: 0400', 'session-secret: 0600'].sort());
    expect(modeOf(outside)).to.equal(0o644);
    expect(tightenTree(root), 'a second pass changes nothing').to.equal(0);
    expect(tightenTree(path.join(root, 'missing'))).to.equal(0);
  });
});

describe('the blob store keeps a free-space reserve', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-space-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  let free = 0;
  const store = new LocalBlobStore(root, { reserveBytes: 10_000, freeSpace: async () => free });

  const refused = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      return err as AppError;
    }
    throw new Error('the upload was accepted');
  };

  it('refuses (507) an upload that would leave less than the reserve, before writing a byte', async () => {
    free = 10_999;
    const err = await refused(() => store.stage(Readable.from([Buffer.alloc(1000)]), { maxBytes: 5000, declaredBytes: 1000 }));
    expect(err).to.be.instanceOf(AppError);
    expect(err.status).to.equal(507);
    expect(err.code).to.equal('insufficient_storage');
    expect(err.message).to.match(/too little free space.*nothing was stored/);
    expect(fs.readdirSync(path.join(root, 'tmp'))).to.deep.equal([]);
  });

  it('refuses any upload of unknown size once the disk is inside the reserve', async () => {
    free = 9_999;
    const err = await refused(() => store.stage(Readable.from([Buffer.alloc(10)]), { maxBytes: 5000 }));
    expect(err.status).to.equal(507);
    expect(err.message).to.match(/nearly full/);
  });

  it('accepts an upload that fits', async () => {
    free = 11_000;
    const staged = await store.stage(Readable.from([Buffer.alloc(1000)]), { maxBytes: 5000, declaredBytes: 1000 });
    expect(staged.size).to.equal(1000);
    await staged.discard();
  });
});
