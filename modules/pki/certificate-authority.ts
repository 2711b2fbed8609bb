// The certificate authority's one job, done with node-forge: lay out X.509 certificates (the CA's
// own, the timer's, bidders') and read CSRs. The signature itself is computed by node:crypto with
// the CA key, which never enters forge: forge builds the TBSCertificate, node signs its DER.
import crypto, { type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { subjectKeyIdOf, subjectNameAsn1 } from './x509-der';

const asn1 = forge.asn1;

export interface NameAttribute {
  /** An attribute OID, e.g. 2.5.4.3 for commonName. */
  type: string;
  value: string;
}

export const ATTR = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  serialNumber: '2.5.4.5',
} as const;

export type ExtensionSpec = Record<string, unknown> & { name?: string; id?: string };

export interface CertificateSpec {
  subject: NameAttribute[];
  publicKey: KeyObject;
  notBefore: number;
  notAfter: number;
  extensions: ExtensionSpec[];
  /** Hex, positive. Default: 16 random bytes. */
  serialHex?: string;
}

/** The signer of a certificate: the CA's certificate (its subject becomes the issuer), or "self". */
export type Issuer = { certDer: Buffer; privateKey: KeyObject } | { self: true; privateKey: KeyObject };

/** The same instant `years` calendar years later (UTC). */
export function addYears(ms: number, years: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

/** A random positive 16-byte serial number, as hex (the top bit cleared so DER keeps it positive). */
export function randomSerialHex(): string {
  const b = crypto.randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

function forgePublicKey(key: KeyObject): forge.pki.rsa.PublicKey {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the platform CA only certifies RSA keys');
  return forge.pki.publicKeyFromPem((key.type === 'private' ? crypto.createPublicKey(key) : key).export({ type: 'spki', format: 'pem' }) as string) as forge.pki.rsa.PublicKey;
}

type ForgePkiExtras = {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
};
const pkiExtras = forge.pki as unknown as ForgePkiExtras;

/** Lays out and signs one certificate; returns its PEM. sha256WithRSAEncryption with an RSA CA key. */
export function issueCertificate(issuer: Issuer, spec: CertificateSpec): string {
  if (issuer.privateKey.asymmetricKeyType !== 'rsa') throw new Error('the platform CA key must be an RSA key');
  const cert = forge.pki.createCertificate();
  cert.serialNumber = spec.serialHex ?? randomSerialHex();
  cert.publicKey = forgePublicKey(spec.publicKey);
  cert.validity.notBefore = new Date(spec.notBefore);
  cert.validity.notAfter = new Date(spec.notAfter);
  const subject = spec.subject.map((a) => ({ type: a.type, value: a.value, valueTagClass: asn1.Type.UTF8 }));
  cert.setSubject(subject as never);
  cert.setIssuer(subject as never); // replaced below by the CA's subject, byte for byte
  const extensions = [...spec.extensions];
  if (!('self' in issuer)) {
    const keyId = subjectKeyIdOf(issuer.certDer);
    if (keyId) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: keyId.toString('binary') });
  }
  cert.setExtensions(extensions as never);
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = pkiExtras.getTBSCertificate(cert);
  if (!('self' in issuer)) (tbs.value as forge.asn1.Asn1[])[3] = subjectNameAsn1(issuer.certDer);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  cert.signature = crypto.sign('sha256', tbsDer, issuer.privateKey).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

export interface ParsedCsr {
  publicKey: KeyObject;
  signatureValid: boolean;
}

/** Reads a PKCS#10 CSR; throws an Error with a readable message when it cannot be read. */
export function parseCsr(pem: string): ParsedCsr {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(pem, true);
  } catch (err) {
    const msg = (err as Error).message;
    if (/OID is not RSA/.test(msg)) throw new Error('the CSR carries a key that is not RSA; the platform certifies RSA keys (3072 bits recommended)');
    throw new Error(`it is not a PEM "CERTIFICATE REQUEST" (${msg})`);
  }
  let signatureValid = false;
  try {
    signatureValid = csr.verify();
  } catch {
    signatureValid = false; // an unsupported or malformed signature is no signature
  }
  const publicKey = crypto.createPublicKey(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey));
  return { publicKey, signatureValid };
}

/**
 * Builds a CSR for `publicKey` with the subject CN and signs it with `privateKey` through node:crypto
 * (sha256WithRSAEncryption). Used on the bidder's machine by the CLI.
 */
export function buildCsr(privateKey: KeyObject, commonName: string): string {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('a CSR for the platform needs an RSA key');
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forgePublicKey(crypto.createPublicKey(privateKey));
  csr.setSubject([{ type: ATTR.commonName, value: commonName, valueTagClass: asn1.Type.UTF8 }] as never);
  csr.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  csr.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const cri = pkiExtras.getCertificationRequestInfo(csr);
  (csr as unknown as { certificationRequestInfo: forge.asn1.Asn1 }).certificationRequestInfo = cri;
  const criDer = Buffer.from(asn1.toDer(cri).getBytes(), 'binary');
  csr.signature = crypto.sign('sha256', criDer, privateKey).toString('binary');
  return forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n');
}
