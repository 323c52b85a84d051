/**
 * X.509 certificates as Fabric identities carry them (PEM in SerializedIdentity.id_bytes): subject CN and OUs, the
 * raw issuer / subject / public key, and "was this issued by that CA" checked by signature. Parsed once per distinct
 * certificate. Only ECDSA P-256 keys and ecdsa-with-SHA256 certificate signatures are supported (Fabric CA's
 * defaults); anything else does not parse, so an identity using it is not valid here.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { bytesEqual, bytesKey, fromBase64, fromUtf8 } from './bytes';
import type { CryptoProvider } from './crypto';

export interface ParsedCertificate {
  /** Injective string form of the DER, for maps and equality. */
  readonly id: string;
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
  readonly commonName: string;
  readonly organizationalUnits: readonly string[];
}

const OID_CN = '2.5.4.3';
const OID_OU = '2.5.4.11';
/** SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (65-byte uncompressed point) } */
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
]);
/** AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2), parameters absent. */
const ECDSA_SHA256 = Uint8Array.from([0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);

interface Tlv {
  readonly tag: number;
  /** The whole element, header included. */
  readonly raw: Uint8Array;
  readonly content: Uint8Array;
}

/** The DER elements of `bytes` in order (one level). Throws on malformed lengths. */
export function derChildren(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset] ?? 0;
    let length = bytes[offset + 1] ?? 0;
    let header = 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new Error('bad DER length');
      length = 0;
      for (let i = 0; i < count; i += 1) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
      header += count;
    }
    const end = offset + header + length;
    if (end > bytes.length) throw new Error('DER element overruns its container');
    out.push({ tag, raw: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) });
    offset = end;
  }
  return out;
}

const parsed = new Map<string, ParsedCertificate | null>();
const MAX_CACHED = 20_000;

/** PEM (or DER) bytes → certificate, cached; undefined when it does not parse or is not P-256. */
export function parseCertificate(bytes: Uint8Array): ParsedCertificate | undefined {
  const key = bytesKey(bytes);
  let cert = parsed.get(key);
  if (cert === undefined) {
    cert = tryParse(bytes) ?? null;
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(key, cert);
  }
  return cert ?? undefined;
}

function pemToDer(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x30) return bytes;
  const text = fromUtf8(bytes);
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  if (match?.[1] === undefined) throw new Error('not a PEM certificate');
  return fromBase64(match[1].replace(/\s+/g, ''));
}

function tryParse(bytes: Uint8Array): ParsedCertificate | undefined {
  try {
    const der = pemToDer(bytes);
    const [outer] = derChildren(der);
    const [tbsTlv, algorithm, signatureBits] = derChildren(outer?.content ?? new Uint8Array(0));
    if (tbsTlv === undefined || algorithm === undefined || signatureBits?.tag !== 0x03) return undefined;
    if (!bytesEqual(algorithm.raw, ECDSA_SHA256)) return undefined;
    const fields = derChildren(tbsTlv.content);
    // [0] version is explicit and optional; after it: serial, signature, issuer, validity, subject, spki.
    const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
    const [, , issuer, , subject, spki] = rest;
    if (issuer === undefined || subject === undefined || spki === undefined) return undefined;
    if (!bytesEqual(spki.raw.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX) || spki.raw.length !== 91) return undefined;
    const names = subjectNames(der);
    return {
      id: bytesKey(der),
      der,
      tbs: tbsTlv.raw,
      signature: signatureBits.content.subarray(1),
      issuer: issuer.raw,
      subject: subject.raw,
      spki: spki.raw,
      commonName: names.get(OID_CN)?.[0] ?? '',
      organizationalUnits: names.get(OID_OU) ?? [],
    };
  } catch {
    return undefined;
  }
}

function subjectNames(der: Uint8Array): Map<string, string[]> {
  const certificate = AsnConvert.parse(der, Certificate);
  const names = new Map<string, string[]>();
  for (const rdn of certificate.tbsCertificate.subject) {
    for (const attribute of rdn) {
      names.set(attribute.type, [...(names.get(attribute.type) ?? []), attribute.value.toString()]);
    }
  }
  return names;
}

const issuedCache = new Map<string, Promise<boolean>>();

/** `child` names `parent` as its issuer and carries `parent`'s signature (high-S allowed, as Go's x509 does). */
export function issuedBy(child: ParsedCertificate, parent: ParsedCertificate, crypto: CryptoProvider): Promise<boolean> {
  const key = `${child.id}\u0000${parent.id}`;
  let result = issuedCache.get(key);
  if (result === undefined) {
    result = bytesEqual(child.issuer, parent.subject)
      ? Promise.resolve(crypto.verifyP256(parent.spki, child.tbs, child.signature))
      : Promise.resolve(false);
    if (issuedCache.size >= MAX_CACHED) issuedCache.clear();
    issuedCache.set(key, result);
  }
  return result;
}
