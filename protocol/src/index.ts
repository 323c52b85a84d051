/**
 * @poll-ledger/protocol: the one wire contract between the `polls` chaincode, the gateway, the auditor and any
 * verifier. It holds definitions (schemas, codes, limits, patterns, key layouts, hash definitions) and no
 * implementation of the rules: each package implements those on its own and proves it on `vectors/`.
 */
export * from './errors';
export * from './events';
export * from './hashing';
export * from './ids';
export * from './keys';
export * from './limits';
export * from './network';
export * from './records';
export * from './roles';
export * from './transactions';
export * from './vectors';
