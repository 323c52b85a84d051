import type { X509Certificate } from 'node:crypto';
import type { BlockSignature, DecodedBlock } from './block-decoder';
import type { ChannelConfigInfo, Consenter } from './channel-config';
import { chainOf, checkSigner, commonName, sameCertificate, tryParseCertificate } from './identities';

/**
 * Orderer signatures on blocks, against the channel config in force. A signature counts only when its signer is an
 * ordering node of that config: the certificate chains to the CA of an organisation of the Orderer group, carries
 * the NodeOU orderer role, and is one of the config's consenters; and the ECDSA signature over
 * value ‖ signature header ‖ header DER verifies. A client or peer certificate from the same CA (the gateway's
 * ballot-relay, say) therefore cannot re-seal a block. Every signature on a block must pass, and enough distinct
 * consenters must sign (BlockValidation): one for etcdraft, a BFT quorum for BFT.
 * Not checked: certificate validity periods and revocation (blocks outlive certificates).
 */

export type SignatureCheck =
  | { readonly status: 'OK'; readonly signers: readonly string[] }
  | { readonly status: 'UNSIGNED_GENESIS' }
  | { readonly status: 'FAILED'; readonly reason: string };

/** How a consensus type ties a verified orderer certificate to one of its consenters, and how many must sign. */
export interface ConsenterRule {
  consenterOf(mspId: string, certificate: X509Certificate, config: ChannelConfigInfo): Consenter | undefined;
  required(consenterCount: number): number;
}

/**
 * etcdraft lists consenters by TLS certificate only, so the tie is how this network issues them
 * (test-network-scripts/lib/ca.sh): each orderer node is enrolled twice at its organisation's CA, as <name> (the
 * enrollment certificate, which signs blocks) and as <name>-tls (its TLS certificate). A signer is a consenter when a
 * consenter's TLS certificate chains to the TLS roots of the signer's MSP and its subject CN is the signer's CN
 * followed by "-tls", or the signer's CN itself (cryptogen's layout). An organisation's own CA can mint such a pair,
 * so this separates organisations and roles, not nodes within one organisation.
 */
const ETCDRAFT: ConsenterRule = {
  consenterOf(mspId, certificate, config) {
    const msp = Object.hasOwn(config.msps, mspId) ? config.msps[mspId] : undefined;
    const cn = commonName(certificate);
    return config.consenters.find((c) => c.kind === 'tls' && msp !== undefined && c.tlsCerts.some((pem) => {
      const tls = tryParseCertificate(pem);
      const tlsCn = tls === undefined ? undefined : commonName(tls);
      return tls !== undefined && (tlsCn === cn || tlsCn === `${cn}-tls`) && chainOf(tls, msp.tlsRootCerts, msp.tlsIntermediateCerts) !== undefined;
    }));
  },
  // Raft's default BlockValidation is "ANY Writers": one valid signature, here narrowed to a consenter's.
  required: () => 1,
};

/** BFT (Fabric 3) names each consenter's MSP and enrollment certificate: the signer must be exactly one of them. */
const BFT: ConsenterRule = {
  consenterOf(mspId, certificate, config) {
    return config.consenters.find((c) => c.kind === 'identity' && c.mspId === mspId && sameCertificate(c.identity, certificate));
  },
  // Fabric's BFT quorum: f = ⌊(n−1)/3⌋, q = ⌈(n+f+1)/2⌉ distinct consenters.
  required: (n) => Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2),
};

/** By ConsensusType.type; a new consensus type plugs in here. */
export const CONSENTER_RULES: Readonly<Record<string, ConsenterRule>> = { etcdraft: ETCDRAFT, BFT };

export function checkBlockSignatures(block: DecodedBlock, config: ChannelConfigInfo | undefined): SignatureCheck {
  // configtxgen writes the genesis block unsigned; it is the trust anchor and is pinned by hash instead.
  if (block.number === 0 && config === undefined) {
    return { status: 'UNSIGNED_GENESIS' };
  }
  if (block.signatureDecodeError !== undefined) {
    return { status: 'FAILED', reason: `signature metadata does not decode: ${block.signatureDecodeError}` };
  }
  if (block.signatures.length === 0) {
    return { status: 'FAILED', reason: 'the block is not signed' };
  }
  if (config === undefined) {
    return { status: 'FAILED', reason: 'no channel config seen yet, so no orderer is known' };
  }
  const rule = Object.hasOwn(CONSENTER_RULES, config.consensusType) ? CONSENTER_RULES[config.consensusType] : undefined;
  if (rule === undefined) {
    return { status: 'FAILED', reason: `consensus type '${config.consensusType}': the auditor cannot tell which nodes are its consenters` };
  }
  const signedBy = new Map<string, string>();
  for (const signature of block.signatures) {
    const verdict = consenterOfSignature(signature, config, rule);
    if (typeof verdict === 'string') {
      return { status: 'FAILED', reason: verdict };
    }
    signedBy.set(verdict.consenter.endpoint, verdict.signer);
  }
  const required = rule.required(config.consenters.length);
  if (signedBy.size < required) {
    return { status: 'FAILED', reason: `signed by ${signedBy.size} consenter(s); ${config.consensusType} with ${config.consenters.length} consenters needs ${required}` };
  }
  return { status: 'OK', signers: [...new Set(signedBy.values())] };
}

/** The consenter that made this signature, or why it is not a consenter's valid signature. */
function consenterOfSignature(
  signature: BlockSignature,
  config: ChannelConfigInfo,
  rule: ConsenterRule,
): { consenter: Consenter; signer: string } | string {
  let signed = signature;
  if (signature.consenterId !== undefined) {
    const named = config.consenters.find((c) => c.kind === 'identity' && c.id === signature.consenterId);
    if (named?.kind !== 'identity') {
      return `signed as consenter ${signature.consenterId}, which the channel config does not name`;
    }
    signed = { ...signature, mspId: named.mspId, certificate: Buffer.from(named.identity) };
  }
  if (!config.ordererOrgs.includes(signed.mspId)) {
    return `signed by ${signed.mspId}, which is not an orderer organisation of the channel`;
  }
  const { info, certificate } = checkSigner(signed, config.msps);
  if (!info.verified || certificate === undefined) {
    return info.problem ?? 'the signature does not verify';
  }
  const who = `${info.name} (${signed.mspId})`;
  if (info.role !== 'orderer') {
    return `the signer ${who} is a ${info.role}, not an orderer node`;
  }
  const consenter = rule.consenterOf(signed.mspId, certificate, config);
  if (consenter === undefined) {
    return `the signer ${who} is not a consenter of the channel config in force`;
  }
  return { consenter, signer: `${signed.mspId}:${info.name}` };
}
