// Reading the parts of an X.509 certificate that node:crypto does not expose. Node 20's
// X509Certificate.keyUsage returns the *extended* key usage OIDs, and nothing gives the basic
// keyUsage bits or the subject key identifier; so these are read here from the DER with node-forge's
// ASN.1 parser — for reading only: nothing here decides trust or touches a key.
import forge from 'node-forge';

const asn1 = forge.asn1;

export const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

export const OID = {
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  /** id-kp-documentSigning (RFC 9336). */
  documentSigning: '1.3.6.1.5.5.7.3.36',
  serialNumberAttr: '2.5.4.5',
} as const;

export interface CertificateExtension {
  critical: boolean;
  /** The DER inside the extension's OCTET STRING. */
  value: Buffer;
}

function parse(der: Buffer): forge.asn1.Asn1 {
  return asn1.fromDer(forge.util.createBuffer(der.toString('binary')), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  } as never);
}

function children(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value)) throw new Error('malformed certificate: expected a constructed ASN.1 value');
  return node.value;
}

function bytes(node: forge.asn1.Asn1): Buffer {
  if (typeof node.value !== 'string') throw new Error('malformed certificate: expected a primitive ASN.1 value');
  return Buffer.from(node.value, 'binary');
}

/** The TBSCertificate fields, with the optional [0] version skipped. */
function tbsFields(certDer: Buffer): { fields: forge.asn1.Asn1[]; extensions: forge.asn1.Asn1 | null } {
  const tbs = children(children(parse(certDer))[0]!);
  const start = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC && tbs[0]!.type === 0 ? 1 : 0;
  const extensions = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3) ?? null;
  return { fields: tbs.slice(start), extensions };
}

/** Every extension of a certificate by OID. Throws on malformed DER. */
export function certificateExtensions(certDer: Buffer): Map<string, CertificateExtension> {
  const out = new Map<string, CertificateExtension>();
  const { extensions } = tbsFields(certDer);
  if (!extensions) return out;
  for (const ext of children(children(extensions)[0]!)) {
    const parts = children(ext);
    const oid = asn1.derToOid(forge.util.createBuffer(parts[0]!.value as string));
    const critical = parts.length === 3 ? (parts[1]!.value as string) !== '\x00' : false;
    out.set(oid, { critical, value: bytes(parts[parts.length - 1]!) });
  }
  return out;
}

/** The keyUsage bits that are set, or null when the certificate has no keyUsage extension. */
export function keyUsageOf(certDer: Buffer): Set<KeyUsageName> | null {
  const ext = certificateExtensions(certDer).get(OID.keyUsage);
  if (!ext) return null;
  const bitString = bytes(parse(ext.value));
  const unused = bitString[0] ?? 0;
  const content = bitString.subarray(1);
  const set = new Set<KeyUsageName>();
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = content[i >> 3];
    const lastBit = content.length * 8 - unused;
    if (byte !== undefined && i < lastBit && (byte & (0x80 >> (i & 7))) !== 0) set.add(name);
  });
  return set;
}

/** The subjectKeyIdentifier extension's key identifier, or null. */
export function subjectKeyIdOf(certDer: Buffer): Buffer | null {
  const ext = certificateExtensions(certDer).get(OID.subjectKeyIdentifier);
  return ext ? bytes(parse(ext.value)) : null;
}

/**
 * The URIs of the certificate's CRL distribution points (RFC 5280 4.2.1.13: each
 * DistributionPoint's distributionPoint [0] → fullName [0] → uniformResourceIdentifier [6]);
 * empty when it has none. Read to tell the user, never fetched.
 */
export function crlDistributionPointsOf(certDer: Buffer): string[] {
  const ext = certificateExtensions(certDer).get(OID.crlDistributionPoints);
  if (!ext) return [];
  const ctx = (n: forge.asn1.Asn1, type: number) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === type;
  const uris: string[] = [];
  for (const point of children(parse(ext.value))) {
    const name = children(point).find((n) => ctx(n, 0));
    const fullName = name && Array.isArray(name.value) ? name.value.find((n) => ctx(n, 0)) : undefined;
    if (!fullName || !Array.isArray(fullName.value)) continue;
    for (const general of fullName.value) if (ctx(general, 6)) uris.push(bytes(general).toString('latin1'));
  }
  return uris;
}

/** The subject Name of a certificate as forge ASN.1, to be copied byte for byte as an issuer. */
export function subjectNameAsn1(certDer: Buffer): forge.asn1.Asn1 {
  // serialNumber, signature, issuer, validity, subject
  return tbsFields(certDer).fields[4]!;
}
