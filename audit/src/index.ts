/**
 * @poll-ledger/audit: re-derive every poll's result from the raw blocks of one's own peer, and check the ledger's
 * hash chain and orderer signatures. The CLI is `poll-ledger-audit` (./cli); these are its building blocks.
 */
export { type AuditOptions, type AuditOutcome, runAudit } from './audit';
export { type DecodedBlock, type DecodedTransaction, BlockDecodeError, decodeBlock } from './block-decoder';
export { type SignatureCheck, checkBlockSignatures } from './block-signatures';
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
export { type AuditReport, buildReport, renderReport, reportFindings } from './report';
export { main } from './cli';
