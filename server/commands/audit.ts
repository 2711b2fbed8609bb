// Auditor tools: re-check a whole instance's audit log from outside, over HTTP.
import fs from 'node:fs';
import { verifyInstance } from '../../modules/audit/audit-verify';
import { UsageError, type CliCommand } from './command';

export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: 're-check the audit log of an instance: every entry, root, checkpoint signature and consistency proof',
  help: `etender audit verify — re-check the audit log of a running instance from outside

Fetches the latest signed checkpoint and every stored one, then every entry in pages of 1000;
hashes every entry again (RFC 6962), recomputes the tree head at every checkpoint size, checks every
checkpoint signature, checks the server's consistency proofs between consecutive checkpoints, and
that each entry's "idx" is its position. Prints each problem; exit code 1 if there is any.

Options:
  --url URL            the instance, e.g. https://etender.example.org
  --token T            API token of a supervisor, auditor or admin (default: $ETENDER_TOKEN);
                       the entries name bidders, so they are not public
  --public-key FILE    the log-signing public key (SPKI PEM); default: the one the instance
                       publishes at /api/pki/keys (better: a copy you saved earlier)

Example:
  etender audit verify --url https://etender.example.org --token etk_… --public-key log.pub.pem`,
  options: { url: { type: 'string' }, token: { type: 'string' }, 'public-key': { type: 'string' } },
  async run(values) {
    const url = values.url as string | undefined;
    if (!url) throw new UsageError('--url is required. Example: etender audit verify --url https://etender.example.org --token etk_…');
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must start with http:// or https://; got "${url}".`);
    const keyFile = values['public-key'] as string | undefined;
    let publicKeyPem: string | undefined;
    if (keyFile) {
      try {
        publicKeyPem = fs.readFileSync(keyFile, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read the public key file "${keyFile}": ${(err as Error).message}`);
      }
    }
    const token = (values.token as string | undefined) ?? process.env.ETENDER_TOKEN;
    const report = await verifyInstance({ baseUrl: url, token, publicKeyPem, progress: (line) => process.stderr.write(`${line}\n`) });
    if (report.ok) {
      process.stdout.write(`OK: ${report.entries} entries hashed, ${report.checkpoints} checkpoint root(s) recomputed, signatures and consistency proofs verified.\n`);
      return;
    }
    process.stdout.write(`FAILED: ${report.problems.length} problem(s) (${report.entries} entries hashed, ${report.checkpoints} checkpoint root(s) recomputed):\n`);
    for (const p of report.problems) process.stdout.write(`  - ${p}\n`);
    process.exitCode = 1;
  },
};
