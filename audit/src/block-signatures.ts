import type { X509Certificate } from 'node:crypto';
import type { BlockSignature, DecodedBlock } from './block-decoder';
import type { ChannelConfigInfo, Consenter } from './channel-config';
import { type SignedBy, chainOf, checkSigner, commonName, sameCertificate, tryParseCertificate } from './identities';

/**
 * Orderer signatures on blocks, against the channel config in force. A signature counts only when its signer is an
 * ordering node of that config: the certificate chains to the CA of an organisation of the Orderer group, carries
 * the NodeOU orderer role, and is one of the config's consenters; and the ECDSA signature verifies. What it signs is
 * the SIGNATURES metadata value (an OrdererBlockMetadata: last-config pointer, consenter metadata) ‖ the signer's
 * header ‖ the block header's DER. The header is a SignatureHeader (creator, nonce) for etcdraft; for BFT it is an
 * IdentifierHeader (consenter id, nonce) and the signer is that id's entry in the consenter mapping
 * (fabric protoutil/blockutils.go BlockSignatureVerifier, orderer/consensus/smartbft/signer.go).
 * A client or peer certificate from the same CA (the gateway's ballot-relay, say) therefore cannot re-seal a block.
 * Every signature on a block must pass, and enough distinct signers must be consenters (BlockValidation): one for
 * etcdraft, a BFT quorum for BFT. Not checked: certificate validity periods and revocation (blocks outlive certificates).
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

/**
 * BFT (Fabric 3) names each consenter's id, MSP and enrollment certificate: the signer must be exactly one of them.
 * The quorum is the one configtxgen writes as BlockValidation and every BFT orderer requires of a config update
 * (fabric common/policies/bft.go, orderer/consensus/smartbft/configverifier.go): ⌈(n+f+1)/2⌉ of the n consenters'
 * identities, f = ⌊(n−1)/3⌋. It is derived here from the mapping, not read from the policy the config states.
 */
const BFT: ConsenterRule = {
  consenterOf(mspId, certificate, config) {
    return config.consenters.find((c) => c.kind === 'identity' && c.mspId === mspId && sameCertificate(c.identity, certificate));
  },
  required: (n) => Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2),
};

/** By ConsensusType.type; a new consensus type plugs in here. */
export const CONSENTER_RULES: Readonly<Record<string, ConsenterRule>> = { etcdraft: ETCDRAFT, BFT };

/**
 * `lastConfigBlock`: the number of the config block `config` comes from. When given, the block's signed last-config
 * pointer must name it (a config block names itself), as Fabric's orderers write it; receipts and consumers that
 * follow the pointers rely on that.
 */
export function checkBlockSignatures(block: DecodedBlock, config: ChannelConfigInfo | undefined, lastConfigBlock?: number): SignatureCheck {
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
  if (config.consenters.length === 0) {
    return { status: 'FAILED', reason: `the channel config in force names no ${config.consensusType} consenters` };
  }
  // One entry per signing identity, as Fabric de-duplicates a signature set (policies.SignatureSetToValidIdentities).
  const signedBy = new Map<string, string>();
  for (const [i, signature] of block.signatures.entries()) {
    const verdict = consenterOfSignature(signature, config, rule);
    if (typeof verdict === 'string') {
      // Fabric's verifier skips such a signature; an honest orderer never writes one, so here the block fails.
      const which = block.signatures.length > 1 ? `signature ${i + 1} of ${block.signatures.length}: ` : '';
      return { status: 'FAILED', reason: `${which}${verdict}` };
    }
    signedBy.set(verdict.identity, verdict.signer);
  }
  const signers = [...signedBy.values()];
  const required = rule.required(config.consenters.length);
  if (signers.length < required) {
    const count = block.signatures.length === signers.length ? 'signed by' : `${block.signatures.length} signatures by`;
    return {
      status: 'FAILED',
      reason: `${count} ${signers.length} distinct consenter(s) (${signers.join(', ')}); ${config.consensusType} with ${config.consenters.length} consenters needs ${required}`,
    };
  }
  const pointer = lastConfigBlock === undefined ? undefined : lastConfigProblem(block, lastConfigBlock);
  return pointer === undefined ? { status: 'OK', signers } : { status: 'FAILED', reason: pointer };
}

/** Why the signed last-config pointer is not the one Fabric's orderers write (blockwriter.go, smartbft signer.go). */
function lastConfigProblem(block: DecodedBlock, lastConfigBlock: number): string | undefined {
  const named = block.lastConfigIndex === undefined ? 'no block' : `block ${block.lastConfigIndex}`;
  if (block.configTx !== undefined) {
    return block.lastConfigIndex === block.number ? undefined : `the signed last-config pointer names ${named}; a config block must name itself`;
  }
  return block.lastConfigIndex === lastConfigBlock ? undefined : `the signed last-config pointer names ${named}, but the config in force is block ${lastConfigBlock}'s`;
}

/**
 * The signer of this signature, identified as Fabric does (MSP id and certificate), when it is a consenter's valid
 * signature; else why not. A BFT signature names its consenter by id (identifier header): the mapping entry's MSP
 * and identity are then the signer's, as in protoutil.BlockSignatureVerifier.
 */
function consenterOfSignature(
  signature: BlockSignature,
  config: ChannelConfigInfo,
  rule: ConsenterRule,
): { identity: string; signer: string } | string {
  let signed: SignedBy = signature;
  let named: Consenter | undefined;
  if (signature.consenterId !== undefined) {
    named = config.consenters.find((c) => c.kind === 'identity' && c.id === signature.consenterId);
    if (named?.kind !== 'identity') {
      return `signed as consenter ${signature.consenterId}, which the channel config in force does not name`;
    }
    signed = { ...signature, mspId: named.mspId, certificate: Buffer.from(named.identity) };
  }
  if (!config.ordererOrgs.includes(signed.mspId)) {
    return `signed by ${signed.mspId}, which is not an orderer organisation of the channel`;
  }
  const { info, certificate } = checkSigner(signed, config.msps);
  if (!info.verified || certificate === undefined) {
    const problem = info.problem ?? 'the signature does not verify';
    return named === undefined ? problem : `signed as consenter ${signature.consenterId ?? '?'} (${info.name}): ${problem}`;
  }
  const who = `${info.name} (${signed.mspId})`;
  if (info.role !== 'orderer') {
    return `the signer ${who} is a ${info.role}, not an orderer node`;
  }
  if ((named ?? rule.consenterOf(signed.mspId, certificate, config)) === undefined) {
    return `the signer ${who} is not a consenter of the channel config in force`;
  }
  return { identity: `${signed.mspId}|${certificate.fingerprint256}`, signer: `${signed.mspId}:${info.name}` };
}
