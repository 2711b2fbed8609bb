import { z } from 'zod';
import { multiLineText } from '../core/text';

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
