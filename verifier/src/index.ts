/** @poll-ledger/verifier: the wire contract of the verification service, and the verifier's report. */
export * from './wire';
export * from './core/report';
export { BundleError, type VerifyOptions, parseBundle, verifyBundle } from './core/verify';
export type { CryptoProvider } from './core/crypto';
