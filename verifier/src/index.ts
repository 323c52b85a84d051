/** @poll-ledger/verifier: the wire contract of the verification service, and the verifier's report. */
export * from './wire';
export * from './core/report';
