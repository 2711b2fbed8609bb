// Certificate tools run on the bidder's (or custodian's) own machine: make a key pair, write a CSR
// for it, and have the platform CA certify it. The private key never leaves this machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { AppError } from '../../modules/core/errors';
import { parseCsr } from '../../modules/pki/certificate-authority';
import { createCsr, generateRsaKeyPair } from '../../modules/pki/client-keys';
import { UsageError, type CliCommand } from './command';

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;
const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

function need(v: Values, name: string, example: string): string {
  const value = str(v, name);
  if (!value) throw new UsageError(`--${name} is required. Example: ${example}`);
  return value;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${what} "${file}" does not exist` : `cannot read ${what} "${file}" (${(err as Error).message})`);
  }
}

/** The first line of the passphrase file, without its line ending. */
function passphrase(v: Values): string | undefined {
  const file = str(v, 'passphrase-file');
  if (!file) return undefined;
  const text = readText(file, 'passphrase file').split(/\r?\n/)[0] ?? '';
  if (!text) throw new UsageError(`the passphrase file "${file}" is empty`);
  return text;
}

function writeNew(file: string, content: string, mode: number, what: string): void {
  try {
    fs.writeFileSync(file, content, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists; choose another --out (the ${what} is not overwritten)`);
    throw new UsageError(`cannot write ${file} (${(err as Error).message})`);
  }
}

function write(file: string, content: string): void {
  try {
    fs.writeFileSync(file, content);
  } catch (err) {
    throw new UsageError(`cannot write ${file} (${(err as Error).message})`);
  }
}

export const keygenCommand: CliCommand = {
  name: 'keygen',
  summary: 'make an RSA key pair on this machine (for signing bids or receiving key shares)',
  help: `etender keygen — make an RSA key pair on this machine; the private key never leaves it

Options:
  --out FILE               where to write the private key (PKCS#8 PEM, mode 0600; never overwritten)
  --passphrase-file FILE   encrypt the private key with the first line of FILE (recommended)
  --public-out FILE        also write the public key (SPKI PEM)
  --bits N                 RSA key size, 2048 to 16384 (default 3072)

Example:
  etender keygen --out key.pem --passphrase-file ~/.etender-pass
  etender csr --key key.pem --passphrase-file ~/.etender-pass --name bidder-a --out req.csr`,
  options: { out: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'public-out': { type: 'string' }, bits: { type: 'string' } },
  async run(values) {
    const out = need(values, 'out', 'etender keygen --out key.pem --passphrase-file pass.txt');
    const bits = str(values, 'bits') === undefined ? 3072 : Number(str(values, 'bits'));
    if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) throw new UsageError('--bits must be a whole number from 2048 to 16384 (3072 recommended).');
    const pass = passphrase(values);
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists; choose another --out (the key is not overwritten)`);
    const pair = await generateRsaKeyPair(bits, { passphrase: pass });
    writeNew(out, pair.privateKeyPem, 0o600, 'key');
    const publicOut = str(values, 'public-out');
    if (publicOut) write(publicOut, pair.publicKeyPem);
    const keyId = crypto.createHash('sha256').update(crypto.createPublicKey(pair.publicKeyPem).export({ type: 'spki', format: 'der' })).digest('hex');
    process.stdout.write(
      `Wrote an RSA-${bits} private key to ${out}${pass ? ' (encrypted with the passphrase)' : ' (NOT encrypted: consider --passphrase-file)'}.\n` +
        `${publicOut ? `Public key: ${publicOut}\n` : ''}Public key SHA-256: ${keyId}\n` +
        'Keep the private key safe: nobody, not even the platform, can recover it.\n',
    );
  },
};

export const csrCommand: CliCommand = {
  name: 'csr',
  summary: 'write a certificate request (CSR) for a key made with keygen',
  help: `etender csr — write a PKCS#10 certificate request for your key, to send with "etender cert request"

The platform sets the certificate's subject from your account (username, organisation, credit
code); --name only labels the request.

Options:
  --key FILE               your private key (from etender keygen)
  --passphrase-file FILE   the key's passphrase, if it is encrypted
  --name NAME              a name for the request (usually your username)
  --out FILE               where to write the request (PEM)

Example:
  etender csr --key key.pem --passphrase-file ~/.etender-pass --name bidder-a --out req.csr`,
  options: { key: { type: 'string' }, 'passphrase-file': { type: 'string' }, name: { type: 'string' }, out: { type: 'string' } },
  async run(values) {
    const example = 'etender csr --key key.pem --name bidder-a --out req.csr';
    const keyFile = need(values, 'key', example);
    const name = need(values, 'name', example);
    const out = need(values, 'out', example);
    const keyPem = readText(keyFile, 'key file');
    let csr: string;
    try {
      csr = createCsr(keyPem, { commonName: name }, { passphrase: passphrase(values) });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot use the key "${keyFile}": ${(err as Error).message}`);
    }
    write(out, csr);
    process.stdout.write(`Wrote the certificate request to ${out}. Next: etender cert request --url URL --csr ${out} --usage signing --out cert.pem\n`);
  },
};

export const certRequestCommand: CliCommand = {
  name: 'cert request',
  summary: 'send a CSR to the platform and save the certificate it issues',
  help: `etender cert request — have the platform CA certify the key of a CSR, and save the certificate

Options:
  --url URL            the platform, e.g. https://etender.example.cn
  --token TOKEN        your API token (or set ETENDER_TOKEN, which keeps it out of the shell history)
  --csr FILE           the request from etender csr
  --usage USAGE        signing (to sign bids) or encryption (to receive key shares as a custodian)
  --out FILE           where to write the certificate (PEM)

Example:
  ETENDER_TOKEN=etk_… etender cert request --url http://127.0.0.1:3000 --csr req.csr --usage signing --out cert.pem`,
  options: { url: { type: 'string' }, token: { type: 'string' }, csr: { type: 'string' }, usage: { type: 'string' }, out: { type: 'string' } },
  async run(values) {
    const example = 'etender cert request --url http://127.0.0.1:3000 --token etk_… --csr req.csr --usage signing --out cert.pem';
    const url = need(values, 'url', example);
    const token = str(values, 'token') ?? process.env.ETENDER_TOKEN;
    if (!token) throw new UsageError(`--token (or ETENDER_TOKEN) is required. Example: ${example}`);
    const csrFile = need(values, 'csr', example);
    const usage = need(values, 'usage', example);
    if (usage !== 'signing' && usage !== 'encryption') throw new UsageError('--usage must be signing or encryption.');
    const out = need(values, 'out', example);
    const csr = readText(csrFile, 'certificate request');
    let requestedKey: crypto.KeyObject;
    try {
      requestedKey = parseCsr(csr).publicKey;
    } catch (err) {
      throw new UsageError(`"${csrFile}" is not a certificate request: ${(err as Error).message}`);
    }
    let endpoint: URL;
    try {
      endpoint = new URL('api/pki/certificates', url.endsWith('/') ? url : `${url}/`);
    } catch {
      throw new UsageError(`--url "${url}" is not a URL; e.g. http://127.0.0.1:3000`);
    }
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ csr, usage }),
      });
    } catch (err) {
      throw new AppError(502, 'unreachable', `cannot reach ${endpoint.origin}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as { certificate?: { pem: string; fingerprint: string; notAfter: number }; error?: { code: string; message: string } } | null;
    if (!res.ok || !body?.certificate) {
      throw new AppError(res.status, body?.error?.code ?? 'http_error', `the platform refused (${res.status}): ${body?.error?.message ?? res.statusText}`);
    }
    const cert = new crypto.X509Certificate(body.certificate.pem);
    const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (!spki(cert.publicKey).equals(spki(requestedKey))) {
      throw new AppError(502, 'wrong_certificate', 'the platform answered with a certificate for another key; nothing was saved');
    }
    write(out, body.certificate.pem);
    process.stdout.write(
      `Wrote the ${usage} certificate to ${out}.\nFingerprint (SHA-256): ${body.certificate.fingerprint}\nValid until: ${new Date(body.certificate.notAfter).toISOString()}\n`,
    );
  },
};

export const PKI_COMMANDS: CliCommand[] = [keygenCommand, csrCommand, certRequestCommand];
