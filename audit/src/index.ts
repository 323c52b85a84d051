/**
 * @poll-ledger/audit: re-derive every poll's result from the raw blocks of one's own peer, and check the ledger's
 * hash chain, its orderer signatures against the config chain, and every change of the rules. The CLI is `poll-ledger-audit` (./cli); these are its building blocks.
 */
export { type AuditOptions, type AuditOutcome, runAudit } from './audit';
export { type DecodedBlock, type DecodedTransaction, BlockDecodeError, decodeBlock } from './block-decoder';
export { type ConsenterRule, type SignatureCheck, CONSENTER_RULES, checkBlockSignatures } from './block-signatures';
export { type ChannelConfigInfo, type Consenter, type MspInfo, configDiff, decodeConfigEnvelope } from './channel-config';
export { type SignerInfo, checkSigner } from './identities';
export { type RuleChange, RuleChangeTracker } from './rule-changes';
export { type TrustAnchors, anchorsFromCheckpoint, anchorsFromGenesis, anchorsFromSource } from './trust-anchors';
export { type BlockSource, type RawBlock, DirectoryBlockSource, writeBlockFile } from './block-source';
export { readCheckpoint, writeCheckpoint } from './checkpoint';
export { type CheckRow, type PollReport, comparePoll } from './compare';
export { type Command, parseCommand } from './config';
export * from './errors';
export { blockDataHash, blockHeaderDer, blockHeaderHash, checkLink } from './hash-chain';
export { LedgerReplay } from './ledger-replay';
export type { ReplayStateJson } from './replay-state';
export { type AnswerFinding, answerFindings, canonicalAnswers } from './answers';
export { type Recomputed, ballotHashOf, recomputePoll } from './recompute';
export { type Receipt, type ReceiptMatch, type ReceiptReport, checkReceipt, matchReceipt, parseReceipt } from './receipt';
export { type AuditReport, buildReport, reportFindings } from './report';
export { renderReport } from './report-text';
export { main } from './cli';
