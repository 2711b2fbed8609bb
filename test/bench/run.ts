// `npm run bench`: the benchmarks, one after the other, then one summary table. Not part of
// `npm test` (its spec list names test/unit, test/integration and test/e2e only).
//
// Every row is a RATIO against a floor measured in the same run on this machine, never an
// absolute time; the run exits 1 when a bounded ratio is beyond its bound (or a benchmark fails),
// 0 otherwise. Loopback only; a few minutes on 2 cores with the defaults (the surge sets up 500 bidders).
//   BENCH_ONLY=upload|audit|records|surge|opening|reports|records-scale  run one of them
//   BENCH_JSON=file.json        also write the results (every row, note and error) as JSON
//   BENCH_AUDIT_ENTRIES=1000000 grow the audit log to a million entries (default 200,000)
//   BENCH_UPLOAD_MIB=1024       size of the big bid in MiB (default 1024)
//   BENCH_SURGE_BIDDERS=500     bidders in the deadline surge (default 500); DATABASE_URL runs it on MySQL/MariaDB
//   BENCH_OPENING_BIDS=1000     bids of 1 MiB in the opening benchmark's section (default 200)
//   BENCH_RECORD_BIDS=500, BENCH_DOSSIER_ENTRIES=10000  sizes of the records-scale records
//   BENCH_REPORT_SECTIONS=200000 awarded sections behind the rate reports (default 1,000,000); DATABASE_URL runs it on MySQL/MariaDB
//   BENCH_SERVER=dist           start the build in dist/ on plain node (npm run build first)
//                               instead of server/main.ts through tsx
import fs from 'node:fs';
import { runAuditAppend } from './audit-append';
import { runDeadlineSurge } from './deadline-surge';
import { runOpeningScale } from './opening-scale';
import { runRecordDownload } from './record-download';
import { runRecordsScale } from './records-scale';
import { runReportsScale } from './reports-scale';
import { failed, printResult, table, type BenchResult } from './report';
import { runUploadMemory } from './upload-memory';

const benches: Array<{ key: string; name: string; run: () => Promise<BenchResult> }> = [
  { key: 'upload', name: 'upload-memory', run: runUploadMemory },
  { key: 'audit', name: 'audit-append', run: runAuditAppend },
  { key: 'records', name: 'record-download', run: runRecordDownload },
  { key: 'surge', name: 'deadline-surge', run: runDeadlineSurge },
  { key: 'opening', name: 'opening-scale', run: runOpeningScale },
  { key: 'reports', name: 'reports-scale', run: runReportsScale },
  { key: 'records-scale', name: 'records-scale', run: runRecordsScale },
];

const only = process.env.BENCH_ONLY;
if (only && !benches.some((b) => b.key === only)) {
  process.stderr.write(`BENCH_ONLY must be one of ${benches.map((b) => b.key).join(', ')}; got "${only}"\n`);
  process.exit(2);
}

const started = Date.now();
const results: BenchResult[] = [];
const crashed: string[] = [];
for (const bench of benches) {
  if (only && bench.key !== only) continue;
  try {
    const result = await bench.run();
    printResult(result);
    results.push(result);
  } catch (err) {
    crashed.push(bench.name);
    process.stdout.write(`\n${bench.name}: FAILED TO RUN\n${(err as Error).stack ?? err}\n`);
  }
}

process.stdout.write(`\nSummary (${((Date.now() - started) / 1000).toFixed(0)} s)\n${table(results.flatMap((r) => r.rows))}\n`);
const bad = [...crashed.map((n) => `${n} did not run to the end`), ...results.filter(failed).map((r) => `${r.name}: ${r.errors.length ? r.errors.join('; ') : 'a ratio is beyond its bound'}`)];
if (process.env.BENCH_JSON) {
  fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({ passed: bad.length === 0, seconds: Math.round((Date.now() - started) / 1000), results, failures: bad }, null, 2) + '\n');
}
process.stdout.write(bad.length ? `\nbench FAILED:\n${bad.map((b) => `  - ${b}`).join('\n')}\n` : '\nbench passed: every bounded ratio is within its bound.\n');
process.exit(bad.length ? 1 : 0);
