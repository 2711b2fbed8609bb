// A test that needs a system tool skips without it, saying which tool and how to install it, and
// the run ends with a list of what was skipped; with CI=true the same run fails. Mocha runs a
// fixture file in a child process whose PATH holds node and, in the last case, a stand-in tool.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../support/server-process';

const MOCHA = path.join(ROOT, 'node_modules/mocha/bin/mocha.js');
const FIXTURE = 'test/fixtures/needs-pdftotext.ts';

describe('tests that need a missing system tool', function () {
  this.timeout(60_000);
  let bin: string;
  before(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-path-'));
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  });
  after(() => fs.rmSync(bin, { recursive: true, force: true }));

  function mocha(env: Record<string, string>) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'PATH')) as Record<string, string>;
    const r = spawnSync(process.execPath, [MOCHA, FIXTURE], { cwd: ROOT, env: { ...base, PATH: bin, ...env }, encoding: 'utf8', timeout: 50_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it('skip with one line naming the tool and its install command, and a summary at the end; the others run', () => {
    const { status, out } = mocha({});
    expect(status, out).to.equal(0);
    expect(out).to.contain('skipped: pdftotext is missing (install it with `apt-get install poppler-utils`): a fixture suite needs pdftotext');
    expect(out).to.match(/Skipped for missing system tools[^\n]*\n\s+pdftotext — apt-get install poppler-utils:\n\s+- a fixture suite needs pdftotext/);
    expect(out)
      .to.match(/1 passing/)
      .and.to.match(/1 pending/);
  });

  it('fail the run with CI=true', () => {
    const { status, out } = mocha({ CI: 'true' });
    expect(status, out).to.not.equal(0);
    expect(out).to.contain('pdftotext is missing: install it with `apt-get install poppler-utils` (CI=true');
    expect(out).to.match(/1 failing/);
  });

  it('run when the tool is on PATH, with nothing in the summary', () => {
    const tool = path.join(bin, 'pdftotext');
    fs.writeFileSync(tool, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    try {
      const { status, out } = mocha({ CI: 'true' });
      expect(status, out).to.equal(0);
      expect(out).to.contain(`found pdftotext at ${tool}`);
      expect(out).to.not.contain('Skipped for missing system tools');
      expect(out).to.match(/2 passing/);
    } finally {
      fs.rmSync(tool);
    }
  });
});
