// Certificate tools run on the bidder's (or custodian's) own machine: make a key pair, write a CSR
// for it, and have the platform CA certify it. The private key never leaves this machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { AppError } from '../../modules/core/errors';
import { parseCsr } from '../../modules/pki/certificate-authority';
import { createCsr, generateRsaKeyPair, loadPrivateKey, signChallenge } from '../../modules/pki/client-keys';
import { UsageError, type CliCommand } from './command';

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;
export const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

export function need(v: Values, name: string, example: string): string {
  const value = str(v, name);
  if (!value) throw new UsageError(`--${name} is required. Example: ${example}`);
  return value;
}

export function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${what} "${file}" does not exist` : `cannot read ${what} "${file}" (${(err as Error).message})`);
  }
}

/** The first line of the passphrase file (--passphrase-file, or another option naming one), without its line ending. */
export function passphrase(v: Values, option = 'passphrase-file'): string | undefined {
  const file = str(v, option);
  if (!file) return undefined;
  const text = readText(file, 'passphrase file').split(/\r?\n/)[0] ?? '';
  if (!text) throw new UsageError(`the passphrase file "${file}" is empty`);
  return text;
}

export function writeNew(file: string, content: string, mode: number, what: string): void {
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
    const keyId = crypto
      .createHash('sha256')
      .update(crypto.createPublicKey(pair.publicKeyPem).export({ type: 'spki', format: 'der' }))
      .digest('hex');
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
    process.stdout.write(`Wrote the ${usage} certificate to ${out}.\nFingerprint (SHA-256): ${body.certificate.fingerprint}\nValid until: ${new Date(body.certificate.notAfter).toISOString()}\n`);
  },
};

/** POST a JSON body with the API token; the parsed answer, or an AppError with the platform's message. */
async function postJson<T>(base: string, route: string, token: string, body: unknown): Promise<T> {
  let endpoint: URL;
  try {
    endpoint = new URL(route, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new UsageError(`--url "${base}" is not a URL; e.g. http://127.0.0.1:3000`);
  }
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body ?? {}),
    });
  } catch (err) {
    throw new AppError(502, 'unreachable', `cannot reach ${endpoint.origin}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
  }
  const answer = (await res.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
  if (!res.ok || !answer) throw new AppError(res.status, answer?.error?.code ?? 'http_error', `the platform refused (${res.status}): ${answer?.error?.message ?? res.statusText}`);
  return answer;
}

export const certRegisterCommand: CliCommand = {
  name: 'cert register',
  summary: 'register your certificate from another trusted CA to your account (proving you hold its key)',
  help: `etender cert register — register a certificate of another CA that the platform trusts (mutual
recognition) to your account, and your organisation if you are a bidder; then it signs bids like a
platform certificate. The key proves possession by signing a one-time challenge on this machine;
the private key is never sent. The platform does not consult the other CA's revocation lists:
revoke the certificate on the platform too if that CA revokes it.

Options:
  --url URL                the platform, e.g. https://etender.example.cn
  --token TOKEN            your API token (or set ETENDER_TOKEN, which keeps it out of the shell history)
  --cert FILE              the certificate from the other CA (PEM)
  --key FILE               its private key (PEM, PKCS#8 or PKCS#1)
  --passphrase-file FILE   the key's passphrase, if it is encrypted
  --usage USAGE            signing (to sign bids) or encryption (to receive key shares as a custodian)

Example:
  ETENDER_TOKEN=etk_… etender cert register --url http://127.0.0.1:3000 --cert foreign.pem --key key.pem --usage signing`,
  options: { url: { type: 'string' }, token: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, 'passphrase-file': { type: 'string' }, usage: { type: 'string' } },
  async run(values) {
    const example = 'etender cert register --url http://127.0.0.1:3000 --token etk_… --cert foreign.pem --key key.pem --usage signing';
    const url = need(values, 'url', example);
    const token = str(values, 'token') ?? process.env.ETENDER_TOKEN;
    if (!token) throw new UsageError(`--token (or ETENDER_TOKEN) is required. Example: ${example}`);
    const certFile = need(values, 'cert', example);
    const keyFile = need(values, 'key', example);
    const usage = need(values, 'usage', example);
    if (usage !== 'signing' && usage !== 'encryption') throw new UsageError('--usage must be signing or encryption.');
    const certPem = readText(certFile, 'certificate');
    let cert: crypto.X509Certificate;
    try {
      cert = new crypto.X509Certificate(certPem);
    } catch (err) {
      throw new UsageError(`"${certFile}" is not an X.509 certificate: ${(err as Error).message}`);
    }
    const keyPem = readText(keyFile, 'key file');
    const pass = passphrase(values);
    let privateKey: crypto.KeyObject;
    try {
      privateKey = loadPrivateKey(keyPem, pass);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot use the key "${keyFile}": ${(err as Error).message}`);
    }
    const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (!spki(crypto.createPublicKey(privateKey)).equals(spki(cert.publicKey))) {
      throw new UsageError(`the key "${keyFile}" is not the key of the certificate "${certFile}"`);
    }
    const { challenge } = await postJson<{ challenge: string }>(url, 'api/pki/challenges', token, {});
    const signature = signChallenge(keyPem, challenge, { passphrase: pass });
    const { certificate } = await postJson<{ certificate: { fingerprint: string; issuerSubject: string; notAfter: number; revocation: string } }>(url, 'api/pki/certificates/register', token, {
      certificate: cert.toString(),
      challenge,
      signature,
      usage,
    });
    process.stdout.write(
      `Registered the ${usage} certificate of ${certFile} (issued by ${certificate.issuerSubject}) to your account.\n` +
        `Fingerprint (SHA-256): ${certificate.fingerprint}\nValid until: ${new Date(certificate.notAfter).toISOString()}\n${certificate.revocation}\n`,
    );
  },
};

export const PKI_COMMANDS: CliCommand[] = [keygenCommand, csrCommand, certRequestCommand, certRegisterCommand];
