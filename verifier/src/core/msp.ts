/**
 * Fabric identities judged against an MSP of the channel config: the certificate chains to one of its roots
 * (directly, or through one of its intermediates), and with NodeOUs on it carries exactly one NodeOU role (Fabric's
 * rule since MSP v1.4.3: a certificate with none, or several, is not a valid identity). Signatures are ECDSA P-256
 * with low S, as Fabric's BCCSP requires. Not checked: validity periods and revocation lists (blocks outlive
 * certificates; CRLs are not evaluated), basic constraints and key usage.
 */
import type { MspInfo, NodeRole } from './config';
import { type CryptoProvider, isLowS } from './crypto';
import type { Signed } from './decode';
import { type ParsedCertificate, issuedBy, parseCertificate } from './x509';

export interface IdentityCheck {
  readonly valid: boolean;
  readonly problem?: string;
  readonly certificate?: ParsedCertificate;
  /** The NodeOU role (NodeOUs on), or undefined. */
  readonly role?: NodeRole;
  /** In the MSP's explicit admin list, or NodeOU admin. */
  readonly admin: boolean;
}

const NODE_ROLES: readonly NodeRole[] = ['client', 'peer', 'admin', 'orderer'];
const checks = new WeakMap<MspInfo, Map<string, Promise<IdentityCheck>>>();

/** Cached per MSP config and certificate: a config's MspInfo objects live as long as that config is in force. */
export function checkIdentity(mspInfo: MspInfo, certificateBytes: Uint8Array, crypto: CryptoProvider): Promise<IdentityCheck> {
  const certificate = parseCertificate(certificateBytes);
  if (certificate === undefined) return Promise.resolve({ valid: false, admin: false, problem: 'the certificate does not parse (or is not ECDSA P-256)' });
  let known = checks.get(mspInfo);
  if (known === undefined) {
    known = new Map();
    checks.set(mspInfo, known);
  }
  let check = known.get(certificate.id);
  if (check === undefined) {
    check = judge(mspInfo, certificate, crypto);
    known.set(certificate.id, check);
  }
  return check;
}

async function judge(mspInfo: MspInfo, certificate: ParsedCertificate, crypto: CryptoProvider): Promise<IdentityCheck> {
  const chain = await chainOf(certificate, mspInfo, crypto);
  if (chain === undefined) return { valid: false, admin: false, certificate, problem: `the certificate (${certificate.commonName}) was not issued by ${mspInfo.mspId}'s CA` };
  const explicitAdmin = mspInfo.admins.some((pem) => parseCertificate(pem)?.id === certificate.id);
  const ous = mspInfo.nodeOUs;
  if (ous === undefined) return { valid: true, admin: explicitAdmin, certificate };
  const roles = NODE_ROLES.filter((role) => {
    const id = ous[role];
    if (id === undefined || !certificate.organizationalUnits.includes(id.ou)) return false;
    const required = id.certificate === undefined ? undefined : parseCertificate(id.certificate);
    return required === undefined || chain.some((c) => c.id === required.id);
  });
  const [role] = roles;
  if (explicitAdmin) return { valid: true, admin: true, certificate, ...(role === undefined ? {} : { role }) };
  if (role === undefined || roles.length > 1) {
    const why = role === undefined ? 'no NodeOU role' : `several NodeOU roles (${roles.join(', ')})`;
    return { valid: false, admin: false, certificate, problem: `${certificate.commonName} of ${mspInfo.mspId} has ${why}` };
  }
  return { valid: true, admin: role === 'admin', certificate, role };
}

/** [root] or [intermediate, root] above `certificate`, or undefined. */
async function chainOf(certificate: ParsedCertificate, mspInfo: MspInfo, crypto: CryptoProvider): Promise<ParsedCertificate[] | undefined> {
  const roots = parseAll(mspInfo.rootCerts);
  for (const root of roots) if (await issuedBy(certificate, root, crypto)) return [root];
  for (const intermediate of parseAll(mspInfo.intermediateCerts)) {
    if (!(await issuedBy(certificate, intermediate, crypto))) continue;
    for (const root of roots) if (await issuedBy(intermediate, root, crypto)) return [intermediate, root];
  }
  return undefined;
}

function parseAll(list: readonly Uint8Array[]): ParsedCertificate[] {
  return list.map(parseCertificate).filter((c) => c !== undefined);
}

/** Counts every ECDSA verification the verifier performs, for the report's stats. */
export class SignatureVerifier {
  #count = 0;
  readonly crypto: CryptoProvider;

  constructor(crypto: CryptoProvider) {
    this.crypto = crypto;
  }

  get count(): number {
    return this.#count;
  }

  /** The signature over `signedBytes` by `certificate`'s key, low-S as Fabric requires. */
  async verify(certificate: ParsedCertificate, signedBytes: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (!isLowS(signature)) return false;
    this.#count += 1;
    return await this.crypto.verifyP256(certificate.spki, signedBytes, signature);
  }

  /** `signed` by a valid identity of `mspInfo` whose signature verifies; the check says why not otherwise. */
  async verifySigned(mspInfo: MspInfo | undefined, signed: Signed): Promise<IdentityCheck> {
    if (mspInfo === undefined) return { valid: false, admin: false, problem: `${signed.mspId} is not an organisation of the channel config in force` };
    const identity = await checkIdentity(mspInfo, signed.certificate, this.crypto);
    if (!identity.valid || identity.certificate === undefined) return identity;
    if (!(await this.verify(identity.certificate, signed.signedBytes, signed.signature))) {
      return { ...identity, valid: false, problem: `the signature by ${identity.certificate.commonName} (${signed.mspId}) does not verify` };
    }
    return identity;
  }
}
