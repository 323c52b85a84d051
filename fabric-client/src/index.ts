export * from './connection';
export * from './signer';
