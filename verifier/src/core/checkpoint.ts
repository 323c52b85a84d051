/**
 * The serving observer's signed checkpoint, checked against what the verifier derived: the block it names has the
 * header hash it states, and its signer is a valid identity of the stated organisation in the channel config the
 * verifier followed itself, whose ECDSA signature over the statement's canonical JSON verifies. Someone comparing
 * checkpoints between observers can then tell two histories apart.
 */
import type { SignedCheckpoint } from '../wire';
import { fromBase64, utf8 } from './bytes';
import { canonicalJson } from './canonical';
import { checkIdentity } from './msp';
import { parseCertificate } from './x509';
import type { LedgerWalk } from './walk';

export async function checkCheckpoint(checkpoint: SignedCheckpoint, walk: LedgerWalk): Promise<void> {
  const { statement, signer } = checkpoint;
  const where = { blockNumber: statement.blockNumber };
  const ours = walk.headerHashes[statement.blockNumber];
  if (statement.channel !== walk.channel) walk.chain.fail(`the checkpoint is for channel ${statement.channel}`);
  if (ours === undefined) walk.chain.fail(`the checkpoint names block ${statement.blockNumber}, which the bundle does not hold`, where);
  else if (ours !== statement.blockHash) walk.chain.fail(`the checkpoint says block ${statement.blockNumber} hashes to ${statement.blockHash}, the bundle's hashes to ${ours}`, where);
  const mspInfo = walk.currentConfig?.msps.get(signer.mspId);
  const certificate = parseCertificate(utf8(signer.certificate));
  const identity = mspInfo === undefined ? undefined : await checkIdentity(mspInfo, utf8(signer.certificate), walk.crypto);
  const verified = identity?.valid === true && certificate !== undefined && (await walk.crypto.verifyP256(certificate.spki, utf8(canonicalJson(statement)), fromBase64(signer.signature)));
  if (!verified) {
    walk.chain.fail(`the checkpoint's signature by ${signer.mspId} does not verify against ${signer.mspId}'s MSP in the channel config (${identity?.problem ?? 'bad signature'})`);
  } else {
    walk.chain.notes.push(`checkpoint: ${signer.mspId} (${certificate.commonName}) signed block ${statement.blockNumber} = ${statement.blockHash} at height ${statement.height}; compare it with other observers'`);
  }
}
