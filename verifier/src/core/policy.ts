/**
 * Fabric policies evaluated over a set of verified signers, as the committing peer evaluates them: signature
 * policies with cauthdsl's semantics (each signer satisfies at most one principal of an n-out-of branch, tried in
 * order), implicit meta policies (ANY / ALL / MAJORITY of the sub-groups' policies), and a chaincode's
 * ApplicationPolicy (an inline signature policy or a reference to a channel config policy).
 */
import { common, msp, peer } from './protos';
import type { ChannelConfig } from './config';
import type { IdentityCheck } from './msp';

/** A distinct signer whose identity and signature already verified. */
export interface PolicySigner {
  readonly mspId: string;
  readonly check: IdentityCheck;
}

type Principal = (signer: PolicySigner) => boolean;
type Rule = (signers: readonly PolicySigner[], used: boolean[]) => boolean;

const compiled = new WeakMap<common.SignaturePolicyEnvelope, Rule>();

export function evaluateSignaturePolicy(envelope: common.SignaturePolicyEnvelope, signers: readonly PolicySigner[]): boolean {
  let rule = compiled.get(envelope);
  if (rule === undefined) {
    rule = compile(envelope);
    compiled.set(envelope, rule);
  }
  return rule(signers, signers.map(() => false));
}

function compile(envelope: common.SignaturePolicyEnvelope): Rule {
  const principals = envelope.getIdentitiesList().map(principalOf);
  const build = (policy: common.SignaturePolicy | undefined): Rule => {
    if (policy === undefined) return () => false;
    const outOf = policy.getNOutOf();
    if (outOf === undefined) {
      const principal = principals[policy.getSignedBy()] ?? ((): boolean => false);
      return (signers, used) => {
        for (const [i, signer] of signers.entries()) {
          if (!used[i] && principal(signer)) {
            used[i] = true;
            return true;
          }
        }
        return false;
      };
    }
    const rules = outOf.getRulesList().map(build);
    const n = outOf.getN();
    return (signers, used) => {
      let satisfied = 0;
      for (const rule of rules) {
        const trial = [...used];
        if (rule(signers, trial)) {
          satisfied += 1;
          trial.forEach((u, i) => (used[i] = u));
        }
      }
      return satisfied >= n;
    };
  };
  return build(envelope.getRule());
}

const Roles = msp.MSPRole.MSPRoleType;

function principalOf(principal: msp.MSPPrincipal): Principal {
  const bytes = principal.getPrincipal_asU8();
  try {
    switch (principal.getPrincipalClassification()) {
      case msp.MSPPrincipal.Classification.ROLE: {
        const role = msp.MSPRole.deserializeBinary(bytes);
        const mspId = role.getMspIdentifier();
        const wanted = role.getRole();
        return (s) => s.mspId === mspId && s.check.valid && satisfiesRole(s.check, wanted);
      }
      case msp.MSPPrincipal.Classification.ORGANIZATION_UNIT: {
        const unit = msp.OrganizationUnit.deserializeBinary(bytes);
        const mspId = unit.getMspIdentifier();
        const ou = unit.getOrganizationalUnitIdentifier();
        return (s) => s.mspId === mspId && s.check.valid && (s.check.certificate?.organizationalUnits.includes(ou) ?? false);
      }
      case msp.MSPPrincipal.Classification.IDENTITY: {
        const identity = msp.SerializedIdentity.deserializeBinary(bytes);
        const mspId = identity.getMspid();
        const certificate = identity.getIdBytes_asU8();
        return (s) => s.mspId === mspId && s.check.valid && s.check.certificate !== undefined && sameCertificate(s.check.certificate.der, certificate);
      }
      default:
        return () => false;
    }
  } catch {
    return () => false;
  }
}

function satisfiesRole(check: IdentityCheck, role: number): boolean {
  switch (role) {
    case Roles.MEMBER:
      return true;
    case Roles.ADMIN:
      return check.admin;
    case Roles.CLIENT:
      return check.role === 'client';
    case Roles.PEER:
      return check.role === 'peer';
    case Roles.ORDERER:
      return check.role === 'orderer';
    default:
      return false;
  }
}

/** The principal's certificate may be PEM or DER; compare what both parse to. */
function sameCertificate(der: Uint8Array, principalCert: Uint8Array): boolean {
  const text = new TextDecoder().decode(principalCert);
  const body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END/.exec(text)?.[1]?.replace(/\s+/g, '');
  const other = body === undefined ? principalCert : Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return other.length === der.length && other.every((b, i) => b === der[i]);
}

/** A channel config policy by path; false for a path the config does not have (Fabric's reject policy). */
export function evaluateConfigPolicy(config: ChannelConfig, path: string, signers: readonly PolicySigner[]): boolean {
  const policy = config.policies.get(path);
  if (policy === undefined) return false;
  switch (policy.kind) {
    case 'signature':
      return evaluateSignaturePolicy(policy.envelope, signers);
    case 'meta': {
      const groupPath = path.slice(0, path.lastIndexOf('/'));
      const children = config.groups.get(groupPath) ?? [];
      const satisfied = children.filter((child) => evaluateConfigPolicy(config, `${groupPath}/${child}/${policy.subPolicy}`, signers)).length;
      const needed = policy.rule === 'ANY' ? 1 : policy.rule === 'ALL' ? children.length : Math.floor(children.length / 2) + 1;
      return satisfied >= needed;
    }
    default:
      return false;
  }
}

export type ApplicationPolicy =
  | { readonly kind: 'signature'; readonly envelope: common.SignaturePolicyEnvelope }
  | { readonly kind: 'reference'; readonly path: string };

/** A chaincode definition's validation parameter (peer.ApplicationPolicy); undefined when it does not decode. */
export function decodeApplicationPolicy(bytes: Uint8Array): ApplicationPolicy | undefined {
  try {
    const policy = peer.ApplicationPolicy.deserializeBinary(bytes);
    const signature = policy.getSignaturePolicy();
    if (signature !== undefined) return { kind: 'signature', envelope: signature };
    const path = policy.getChannelConfigPolicyReference();
    return path === '' ? undefined : { kind: 'reference', path };
  } catch {
    return undefined;
  }
}

export function evaluateApplicationPolicy(policy: ApplicationPolicy, config: ChannelConfig, signers: readonly PolicySigner[]): boolean {
  return policy.kind === 'signature' ? evaluateSignaturePolicy(policy.envelope, signers) : evaluateConfigPolicy(config, policy.path, signers);
}
