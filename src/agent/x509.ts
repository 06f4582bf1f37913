/**
 * Just enough DER to issue X.509 v3 certificates with P-256 keys (node:crypto signs; it cannot
 * build certificates). Used for the simulated app CA, GetTlsKey and the legacy Tappd.DeriveKey.
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

const tlv = (tag: number, content: Uint8Array): Buffer => {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
};
const seq = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 + n, inner);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Uint8Array) => tlv(0x04, b);
const bitString = (b: Uint8Array, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));

function integer(bytes: Uint8Array): Buffer {
  let b = Buffer.from(bytes);
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const groups: number[] = [];
    for (let n = part; ; n = Math.floor(n / 128)) {
      groups.unshift((n % 128) | (groups.length ? 0x80 : 0));
      if (n < 128) break;
    }
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Every certificate says it is simulated, where people look first. */
export const SIMULATED_ORG = 'Preflight agent (SIMULATED - not attested, not for production)';

function name(commonName: string): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(rdn(OID.organization, SIMULATED_ORG), rdn(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function altName(entry: string): Buffer {
  if (isIP(entry) === 4) return tlv(0x87, Buffer.from(entry.split('.').map(Number)));
  return tlv(0x82, Buffer.from(entry, 'ascii')); // dNSName, IA5String
}

export interface CertRequest {
  subjectKey: KeyObject;
  subject: string;
  issuerName: string;
  issuerKey: KeyObject;
  isCa: boolean;
  altNames?: string[];
  serverAuth?: boolean;
  clientAuth?: boolean;
  notBefore: Date;
  notAfter: Date;
  serial?: Uint8Array;
}

/** Issues a certificate; returns PEM. */
export function issueCertificate(req: CertRequest): string {
  const spki = createPublicKey(req.subjectKey).export({ type: 'spki', format: 'der' });
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, req.isCa ? seq(bool(true)) : seq()),
    // keyCertSign|cRLSign for a CA (bits 5,6 → 0x06, 1 unused bit); digitalSignature for a leaf (0x80, 7 unused).
    extension(OID.keyUsage, true, req.isCa ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
  ];
  const usages = [...(req.serverAuth ? [OID.serverAuth] : []), ...(req.clientAuth ? [OID.clientAuth] : [])];
  if (!req.isCa && usages.length) extensions.push(extension(OID.extKeyUsage, false, seq(...usages.map(oid))));
  if (req.altNames?.length) extensions.push(extension(OID.subjectAltName, false, seq(...req.altNames.map(altName))));
  const serial = req.serial ?? randomBytes(16);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([serial[0]! & 0x7f || 1]), serial.subarray(1)])),
    algorithm,
    name(req.issuerName),
    seq(time(req.notBefore), time(req.notAfter)),
    name(req.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, req.issuerKey); // DER-encoded ECDSA
  return toPem('CERTIFICATE', seq(tbs, algorithm, bitString(signature)));
}

function toPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
