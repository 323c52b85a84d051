import { common, msp, peer } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';
import { commonName, tryParseCertificate } from './identities';

/**
 * Policies as people write them (Fabric's policy DSL: AND('ObserverMSP.admin', OR(...)), "MAJORITY Admins"), so a
 * rule change in the report reads as what changed, not as bytes. Anything not understood is shown by its hash.
 */

const ROLE_NAMES: Readonly<Record<number, string>> = { 0: 'member', 1: 'admin', 2: 'client', 3: 'peer', 4: 'orderer' };
const META_RULES: Readonly<Record<number, string>> = { 0: 'ANY', 1: 'ALL', 2: 'MAJORITY' };

export function shortHash(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

/** A config Policy (the value of a config group's policy). */
export function policyText(policy: common.Policy): string {
  const value = policy.getValue_asU8();
  try {
    switch (policy.getType()) {
      case common.Policy.PolicyType.SIGNATURE:
        return signaturePolicyText(common.SignaturePolicyEnvelope.deserializeBinary(value));
      case common.Policy.PolicyType.IMPLICIT_META: {
        const meta = common.ImplicitMetaPolicy.deserializeBinary(value);
        return `${META_RULES[meta.getRule()] ?? `RULE_${meta.getRule()}`} ${meta.getSubPolicy()}`;
      }
      default:
        return `policy type ${policy.getType()} ${shortHash(value)}`;
    }
  } catch {
    return `undecodable policy ${shortHash(value)}`;
  }
}

/** A chaincode's validation parameter or a collection's endorsement policy (peer.ApplicationPolicy). */
export function applicationPolicyText(bytes: Uint8Array): string {
  try {
    const policy = peer.ApplicationPolicy.deserializeBinary(bytes);
    const signature = policy.getSignaturePolicy();
    if (signature !== undefined) {
      return signaturePolicyText(signature);
    }
    const reference = policy.getChannelConfigPolicyReference();
    return reference === '' ? `empty policy ${shortHash(bytes)}` : `channel policy ${reference}`;
  } catch {
    return `undecodable policy ${shortHash(bytes)}`;
  }
}

export function signaturePolicyText(envelope: common.SignaturePolicyEnvelope): string {
  const principals = envelope.getIdentitiesList().map(principalText);
  const rule = envelope.getRule();
  return rule === undefined ? 'no rule' : ruleText(rule, principals);
}

function ruleText(rule: common.SignaturePolicy, principals: readonly string[]): string {
  const outOf = rule.getNOutOf();
  if (outOf === undefined) {
    return principals[rule.getSignedBy()] ?? `unknown principal ${rule.getSignedBy()}`;
  }
  const parts = outOf.getRulesList().map((r) => ruleText(r, principals));
  const n = outOf.getN();
  if (n === 1) {
    return `OR(${parts.join(', ')})`;
  }
  return n === parts.length ? `AND(${parts.join(', ')})` : `OutOf(${n}, ${parts.join(', ')})`;
}

function principalText(principal: msp.MSPPrincipal): string {
  const bytes = principal.getPrincipal_asU8();
  try {
    switch (principal.getPrincipalClassification()) {
      case msp.MSPPrincipal.Classification.ROLE: {
        const role = msp.MSPRole.deserializeBinary(bytes);
        return `'${role.getMspIdentifier()}.${ROLE_NAMES[role.getRole()] ?? `role${role.getRole()}`}'`;
      }
      case msp.MSPPrincipal.Classification.ORGANIZATION_UNIT: {
        const unit = msp.OrganizationUnit.deserializeBinary(bytes);
        return `'${unit.getMspIdentifier()}.OU:${unit.getOrganizationalUnitIdentifier()}'`;
      }
      case msp.MSPPrincipal.Classification.IDENTITY:
        return `'${identityText(bytes)}'`;
      default:
        return `'principal ${principal.getPrincipalClassification()} ${shortHash(bytes)}'`;
    }
  } catch {
    return `'undecodable principal ${shortHash(bytes)}'`;
  }
}

/**
 * One exact identity, as BFT's BlockValidation names each consenter: its MSP and CN, and a hash that tells apart two
 * certificates with the same name.
 */
function identityText(serializedIdentity: Uint8Array): string {
  const identity = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
  const certificate = tryParseCertificate(identity.getIdBytes_asU8());
  const name = certificate === undefined ? 'unparsable certificate' : commonName(certificate);
  return `${identity.getMspid()} identity ${name} ${shortHash(serializedIdentity)}`;
}
