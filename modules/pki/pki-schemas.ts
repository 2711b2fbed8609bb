import { z } from 'zod';
import { multiLineText } from '../core/text';
import { epochMs, hex64 } from '../formats/common';

export const CERTIFICATE_USAGES = ['signing', 'encryption'] as const;

const usage = z.enum(CERTIFICATE_USAGES).describe('"signing" (bid manifests; keyUsage digitalSignature, nonRepudiation) or "encryption" (key shares; keyUsage keyEncipherment).');

export const issueFromCsrBody = z.strictObject({
  csr: z.string().min(1).max(16_384).describe('A PKCS#10 certificate request in PEM ("-----BEGIN CERTIFICATE REQUEST-----"), RSA 2048 bits or more.'),
  usage,
});

export const issueFromKeyBody = z.strictObject({
  publicKey: z.string().min(1).max(8_192).describe('The RSA public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----").'),
  challenge: z.string().min(1).max(100).describe('A challenge from POST /api/pki/challenges.'),
  signature: z
    .string()
    .max(4_096)
    .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64')
    .describe('Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge.'),
  usage,
});

export const registerForeignBody = z.strictObject({
  certificate: z.string().min(1).max(16_384).describe('Your certificate from a CA this platform trusts (GET /api/pki/keys lists them), in PEM ("-----BEGIN CERTIFICATE-----"); RSA 2048 bits or more.'),
  challenge: z.string().min(1).max(100).describe('A challenge from POST /api/pki/challenges.'),
  signature: z
    .string()
    .max(4_096)
    .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64')
    .describe("Base64 RSA-PSS (SHA-256, salt length 32) signature over the UTF-8 bytes of the challenge, made with the certificate's private key."),
  usage,
});

export const revokeBody = z.strictObject({
  reason: multiLineText(1, 500).describe('Why, e.g. "key compromised" or "left the organisation".'),
});

export const FINGERPRINT = /^[0-9a-f]{64}$/;

// What the certificate routes answer.

const fingerprint = hex64.describe("SHA-256 (hex) of the certificate's DER");

/** A certificate the platform CA issued. */
export const issuedCertificateSchema = z.strictObject({
  fingerprint,
  pem: z.string(),
  notBefore: epochMs,
  notAfter: epochMs,
  usage: z.enum(CERTIFICATE_USAGES),
});
export type IssuedCertificate = z.infer<typeof issuedCertificateSchema>;

/** A certificate of a trusted CA, registered to an account (mutual recognition). */
export const registeredCertificateSchema = issuedCertificateSchema.extend({
  subject: z.string(),
  serial: z.string(),
  issuer: z.literal('trusted'),
  /** SHA-256 (hex) of the trusted CA's certificate, and its subject. */
  issuerFingerprint: hex64,
  issuerSubject: z.string(),
  registeredAt: epochMs,
  /** The CRLs the certificate names; never fetched here (see `revocation`). */
  crlDistributionPoints: z.array(z.string()),
  /** What revocation means for this certificate here, for the user to read. */
  revocation: z.string(),
});
export type RegisteredCertificate = z.infer<typeof registeredCertificateSchema>;

export const CERTIFICATE_ISSUERS = ['platform', 'trusted'] as const;

/** A certificate as stored: issued here or registered. */
export const certificateRecordSchema = z.strictObject({
  fingerprint,
  /** Hex. */
  serial: z.string(),
  userId: z.string(),
  orgId: z.string().nullable(),
  subject: z.string(),
  usage: z.enum(CERTIFICATE_USAGES),
  pem: z.string(),
  notBefore: epochMs,
  notAfter: epochMs,
  issuedAt: epochMs,
  revokedAt: epochMs.nullable(),
  revocationReason: z.string().nullable(),
  issuer: z.enum(CERTIFICATE_ISSUERS),
  /** SHA-256 (hex) of the trusted CA's certificate for a registered certificate; null for the platform CA. */
  issuerFingerprint: hex64.nullable(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

export const issuedCertificateResponse = z.strictObject({ certificate: issuedCertificateSchema });
export const registeredCertificateResponse = z.strictObject({ certificate: registeredCertificateSchema });
export const certificateRecordResponse = z.strictObject({ certificate: certificateRecordSchema });
export const certificatesResponse = z.strictObject({ certificates: z.array(certificateRecordSchema) });
export const challengeResponse = z.strictObject({ challenge: z.string(), expiresAt: epochMs });
