/**
 * Orderer signatures on a block, judged by the channel config in force at that block. A signature counts when its
 * signer is an ordering node of that config: a valid identity of an organisation of the Orderer group with the
 * NodeOU orderer role, that is one of the consenters, and whose low-S ECDSA signature over
 * value ‖ signer header ‖ header DER verifies (protoutil.BlockSignatureVerifier). etcdraft needs one such signer;
 * BFT a quorum ⌈(n+f+1)/2⌉, f = ⌊(n−1)/3⌋, of distinct consenters, each named by its IdentifierHeader and verified
 * with the identity certificate the ConsenterMapping holds. Other signatures do not count (as in Fabric), and the
 * signed last-config pointer must name the config in force (a config block names itself).
 */
import type { ChannelConfig, Consenter, MspInfo } from './config';
import type { BlockSignature, DecodedBlock } from './decode';
import { type IdentityCheck, SignatureVerifier, checkIdentity } from './msp';
import { parseCertificate } from './x509';

export interface OrdererVerdict {
  readonly ok: boolean;
  /** Who counted, as "MSP:CN". */
  readonly signers: readonly string[];
  readonly problem?: string;
  /** Signatures present that did not count, with why. */
  readonly ignored: readonly string[];
}

export const bftQuorum = (n: number): number => Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2);

export async function checkOrdererSignatures(
  block: DecodedBlock,
  config: ChannelConfig,
  configBlock: number,
  isConfigBlock: boolean,
  verifier: SignatureVerifier,
): Promise<OrdererVerdict> {
  if (block.signatureProblem !== undefined) return { ok: false, signers: [], ignored: [], problem: block.signatureProblem };
  const bft = config.consensusType === 'BFT';
  if (!bft && config.consensusType !== 'etcdraft') {
    return { ok: false, signers: [], ignored: [], problem: `consensus type '${config.consensusType}': the verifier cannot tell its consenters` };
  }
  if (config.consenters.length === 0) return { ok: false, signers: [], ignored: [], problem: 'the channel config in force names no consenters' };
  const counted = new Map<string, string>();
  const ignored: string[] = [];
  const verdicts = await Promise.all(block.signatures.map((s) => signerOf(s, config, verifier)));
  verdicts.forEach((verdict, i) => {
    const label = `signature ${i + 1} of ${block.signatures.length}`;
    if (typeof verdict === 'string') ignored.push(`${label}: ${verdict}`);
    else if (counted.has(verdict.key)) ignored.push(`${label}: a second signature by ${verdict.name}`);
    else counted.set(verdict.key, verdict.name);
  });
  const signers = [...counted.values()];
  const required = bft ? bftQuorum(config.consenters.length) : 1;
  if (signers.length < required) {
    const why = ignored.length === 0 ? '' : ` (${ignored.join('; ')})`;
    return { ok: false, signers, ignored, problem: `${signers.length} valid consenter signature(s), ${config.consensusType} with ${config.consenters.length} consenters needs ${required}${why}` };
  }
  const wanted = isConfigBlock ? block.number : configBlock;
  if (block.lastConfigIndex !== wanted) {
    const named = block.lastConfigIndex === undefined ? 'no block' : `block ${block.lastConfigIndex}`;
    return { ok: false, signers, ignored, problem: `the signed last-config pointer names ${named}, but the config in force is block ${wanted}'s` };
  }
  return { ok: true, signers, ignored };
}

async function signerOf(signature: BlockSignature, config: ChannelConfig, verifier: SignatureVerifier): Promise<{ key: string; name: string } | string> {
  let mspId: string;
  let certificateBytes: Uint8Array;
  let consenter: Consenter | undefined;
  if (signature.consenterId !== undefined) {
    consenter = config.consenters.find((c) => c.kind === 'identity' && c.id === signature.consenterId);
    if (consenter?.kind !== 'identity') return `signed as consenter ${signature.consenterId}, which the config in force does not name`;
    ({ mspId } = consenter);
    certificateBytes = consenter.identity;
  } else if (signature.creator !== undefined) {
    if (config.consensusType === 'BFT') return 'a BFT block signature must name its consenter by identifier header';
    ({ mspId, certificate: certificateBytes } = signature.creator);
  } else {
    return 'no signer header';
  }
  if (!config.ordererOrgs.includes(mspId)) return `signed by ${mspId}, which is not an ordering organisation`;
  const mspInfo = config.msps.get(mspId);
  const identity = await verifier.verifySigned(mspInfo, { mspId, identity: new Uint8Array(0), certificate: certificateBytes, signedBytes: signature.signedBytes, signature: signature.signature });
  const name = `${mspId}:${identity.certificate?.commonName ?? '?'}`;
  if (!identity.valid || identity.certificate === undefined || mspInfo === undefined) return identity.problem ?? 'the signature does not verify';
  if (identity.role !== 'orderer') return `${name} is not an orderer node (NodeOU ${identity.role ?? 'none'})`;
  if (consenter === undefined && !(await isRaftConsenter(identity, mspInfo, config, verifier))) return `${name} is not a consenter of the config in force`;
  return { key: `${mspId}|${identity.certificate.id}`, name };
}

const tlsMsps = new WeakMap<MspInfo, MspInfo>();

/**
 * etcdraft lists consenters by TLS certificate only. As this network issues them (test-network-scripts/lib/ca.sh),
 * an orderer's TLS certificate is issued by its organisation's TLS CA with the signer's CN, or the CN plus "-tls".
 * This separates organisations and roles, not nodes of one organisation (its CA could mint such a pair).
 */
async function isRaftConsenter(identity: IdentityCheck, mspInfo: MspInfo, config: ChannelConfig, verifier: SignatureVerifier): Promise<boolean> {
  let tls = tlsMsps.get(mspInfo);
  if (tls === undefined) {
    tls = { mspId: mspInfo.mspId, rootCerts: mspInfo.tlsRootCerts, intermediateCerts: mspInfo.tlsIntermediateCerts, tlsRootCerts: [], tlsIntermediateCerts: [], admins: [] };
    tlsMsps.set(mspInfo, tls);
  }
  const cn = identity.certificate?.commonName ?? '';
  for (const consenter of config.consenters) {
    if (consenter.kind !== 'tls') continue;
    for (const pem of consenter.tlsCerts) {
      const tlsCn = parseCertificate(pem)?.commonName;
      if ((tlsCn === cn || tlsCn === `${cn}-tls`) && (await checkIdentity(tls, pem, verifier.crypto)).valid) return true;
    }
  }
  return false;
}
