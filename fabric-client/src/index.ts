export * from './connection';
export * from './signer';
export * from './refusal';
