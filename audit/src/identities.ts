import { X509Certificate, createHash, verify } from 'node:crypto';
import type { MspInfo, NodeOUs } from './channel-config';

/**
 * Who signed something, judged against an MSP of the channel config: the certificate chains to the MSP's root
 * (directly or through one intermediate, Fabric CA's two layouts), carries a NodeOU role, and the signature verifies.
 * Not checked: validity periods and revocation lists (blocks outlive certificates; CRLs are not evaluated).
 */

/** The signed bytes and the claimed signer, as found in a block, an envelope or an endorsement. */
export interface SignedBy {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly signedBytes: Buffer;
  readonly signature: Buffer;
}

export type NodeRole = 'admin' | 'client' | 'peer' | 'orderer';
/** `member`: no NodeOU role; `ambiguous`: several (Fabric refuses both when NodeOUs are on). */
export type Role = NodeRole | 'member' | 'ambiguous';

/** A signer as the report shows it; `verified` only when the chain and the signature both check. */
export interface SignerInfo {
  readonly mspId: string;
  readonly name: string;
  readonly role: Role | '?';
  readonly verified: boolean;
  readonly problem?: string;
}

/** Fabric's defaults, which test-network-scripts/lib/ca.sh also writes into every MSP's config.yaml. */
const DEFAULT_OUS: NodeOUs = { client: { ou: 'client' }, peer: { ou: 'peer' }, admin: { ou: 'admin' }, orderer: { ou: 'orderer' } };
const NODE_ROLES: readonly NodeRole[] = ['admin', 'client', 'peer', 'orderer'];

export interface CheckedIdentity {
  readonly info: SignerInfo;
  readonly certificate?: X509Certificate;
}

export function checkSigner(signed: SignedBy, msps: Readonly<Record<string, MspInfo>>): CheckedIdentity {
  const base = { mspId: signed.mspId, name: '?', role: '?' as const, verified: false };
  const msp = Object.hasOwn(msps, signed.mspId) ? msps[signed.mspId] : undefined;
  let certificate: X509Certificate;
  try {
    certificate = parseCertificate(signed.certificate);
  } catch {
    return { info: { ...base, problem: `the certificate of ${signed.mspId} does not parse` } };
  }
  const name = commonName(certificate);
  if (msp === undefined) {
    return { info: { ...base, name, problem: `${signed.mspId} is not an organisation of the channel config in force` }, certificate };
  }
  const chain = chainOf(certificate, msp.rootCerts, msp.intermediateCerts);
  if (chain === undefined) {
    return { info: { ...base, name, problem: `the certificate was not issued by ${signed.mspId}'s CA` }, certificate };
  }
  const role = roleOf(certificate, chain, msp);
  if (!signatureVerifies(signed, certificate)) {
    return { info: { ...base, name, role, problem: `the signature by ${signed.mspId} does not verify` }, certificate };
  }
  return { info: { mspId: signed.mspId, name, role, verified: true }, certificate };
}

/** The NodeOU role per the MSP's NodeOUs config (an OU identifier's certificate must be in the chain); else the OU. */
function roleOf(certificate: X509Certificate, chain: readonly X509Certificate[], msp: MspInfo): Role {
  if (msp.admins.some((pem) => sameCertificate(pem, certificate))) {
    return 'admin';
  }
  const ous = organizationalUnits(certificate);
  const config = msp.nodeOUs ?? DEFAULT_OUS;
  const roles = NODE_ROLES.filter((role) => {
    const id = config[role];
    return id !== undefined && ous.includes(id.ou) && (id.certificate === undefined || chain.some((c) => sameCertificate(id.certificate ?? '', c)));
  });
  const [only] = roles;
  return roles.length > 1 ? 'ambiguous' : (only ?? 'member');
}

export function describeSigner(s: SignerInfo): string {
  const status = s.verified ? '' : ` UNVERIFIED: ${s.problem ?? '?'}`;
  return `${s.mspId} ${s.role} ${s.name}${status}`;
}

function signatureVerifies(signed: SignedBy, certificate: X509Certificate): boolean {
  try {
    return verify('sha256', signed.signedBytes, certificate.publicKey, signed.signature);
  } catch {
    return false;
  }
}

// --- certificates ----------------------------------------------------------------------------------------------

const certificates = new Map<string, X509Certificate>();
const MAX_CACHED = 10_000;

export function parseCertificate(bytes: Uint8Array | string): X509Certificate {
  const key = createHash('sha256').update(bytes).digest('hex');
  let certificate = certificates.get(key);
  if (certificate === undefined) {
    certificate = new X509Certificate(bytes);
    if (certificates.size >= MAX_CACHED) {
      certificates.clear();
    }
    certificates.set(key, certificate);
  }
  return certificate;
}

export function tryParseCertificate(bytes: Uint8Array | string): X509Certificate | undefined {
  try {
    return parseCertificate(bytes);
  } catch {
    return undefined;
  }
}

/** Chains already worked out, per list of roots (a config's lists are the same objects block after block). */
const chains = new WeakMap<readonly string[], Map<string, X509Certificate[] | null>>();

/** The issuing chain up to a root ([root] or [intermediate, root]); undefined when it does not chain. */
export function chainOf(certificate: X509Certificate, rootPems: readonly string[], intermediatePems: readonly string[]): X509Certificate[] | undefined {
  let known = chains.get(rootPems);
  if (known === undefined) {
    known = new Map();
    chains.set(rootPems, known);
  }
  const key = `${certificate.fingerprint256}|${intermediatePems.join('')}`;
  let chain = known.get(key);
  if (chain === undefined) {
    chain = findChain(certificate, rootPems, intermediatePems) ?? null;
    known.set(key, chain);
  }
  return chain ?? undefined;
}

function findChain(certificate: X509Certificate, rootPems: readonly string[], intermediatePems: readonly string[]): X509Certificate[] | undefined {
  const roots = parseAll(rootPems);
  const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean => child.checkIssued(parent) && child.verify(parent.publicKey);
  const root = roots.find((r) => issuedBy(certificate, r));
  if (root !== undefined) {
    return [root];
  }
  for (const mid of parseAll(intermediatePems)) {
    const midRoot = issuedBy(certificate, mid) ? roots.find((r) => issuedBy(mid, r)) : undefined;
    if (midRoot !== undefined) {
      return [mid, midRoot];
    }
  }
  return undefined;
}

function parseAll(pems: readonly string[]): X509Certificate[] {
  return pems.map((pem) => tryParseCertificate(pem)).filter((c) => c !== undefined);
}

export function sameCertificate(pem: string | Uint8Array, certificate: X509Certificate): boolean {
  return tryParseCertificate(pem)?.fingerprint256 === certificate.fingerprint256;
}

/** Parsed subjects; certificates come from parseCertificate's cache, so this is looked up block after block. */
const subjects = new WeakMap<X509Certificate, Record<string, string | string[] | undefined>>();

function subjectField(certificate: X509Certificate, field: string): string[] {
  let subject = subjects.get(certificate);
  if (subject === undefined) {
    // Node types it as single strings; a repeated attribute (several OUs) is an array.
    const legacy: unknown = certificate.toLegacyObject().subject;
    subject = legacy as Record<string, string | string[] | undefined>;
    subjects.set(certificate, subject);
  }
  const value = subject[field];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function commonName(certificate: X509Certificate): string {
  return subjectField(certificate, 'CN')[0] ?? certificate.subject;
}

export function organizationalUnits(certificate: X509Certificate): string[] {
  return subjectField(certificate, 'OU');
}
