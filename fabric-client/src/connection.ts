import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { connect, type ConnectOptions, type Gateway, type Identity } from '@hyperledger/fabric-gateway';
import { type IdentityName, type Network, networkOrg } from '@poll-ledger/protocol';
import { createSigning, type Signing, type SignerKind } from './signer';

/** The one way to reach a peer over TLS: every package's gRPC client is built here. */

type ReadFile = (path: string) => Buffer;

export interface PeerTarget {
  /** `host:port` of the peer. */
  readonly endpoint: string;
  /** The TLS server name to expect, when it differs from the host (the peer's certificate SAN). */
  readonly hostAlias?: string | undefined;
  /** PEM of the CA that issued the peer's TLS certificate. */
  readonly tlsCaCert: Uint8Array;
}

export function newPeerClient(target: PeerTarget): grpc.Client {
  const credentials = grpc.credentials.createSsl(Buffer.from(target.tlsCaCert));
  const options: grpc.ClientOptions =
    target.hostAlias === undefined || target.hostAlias === '' ? {} : { 'grpc.ssl_target_name_override': target.hostAlias };
  return new grpc.Client(target.endpoint, credentials, options);
}

/** Resolves once the channel is connected; rejects after the deadline. */
export function waitForReady(client: grpc.Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

export interface SigningIdentity {
  readonly identity: Identity;
  readonly signing: Signing;
}

/** An identity from its certificate and private key files. */
export function loadIdentity(
  files: { readonly certPath: string; readonly keyPath: string },
  mspId: string,
  signer: SignerKind = 'node-crypto',
  readFile: ReadFile = readFileSync,
): SigningIdentity {
  const identity: Identity = { mspId, credentials: readFile(files.certPath) };
  return { identity, signing: createSigning(signer, createPrivateKey(readFile(files.keyPath))) };
}

/** The peer of one org of a network.json. */
export function peerTargetOf(network: Network, orgKey: string, readFile: ReadFile = readFileSync): PeerTarget {
  const org = networkOrg(network, orgKey);
  return { endpoint: org.peerEndpoint, hostAlias: org.peerHostAlias, tlsCaCert: readFile(org.tlsCaCert) };
}

/** One identity (admin or a role) of one org of a network.json. */
export function identityOf(
  network: Network,
  orgKey: string,
  name: IdentityName,
  signer: SignerKind = 'node-crypto',
  readFile: ReadFile = readFileSync,
): SigningIdentity {
  const org = networkOrg(network, orgKey);
  return loadIdentity(org.identities[name], org.mspId, signer, readFile);
}

export interface Deadlines {
  readonly evaluateMs?: number;
  readonly endorseMs?: number;
  readonly submitMs?: number;
  readonly commitStatusMs?: number;
}

/** A fabric-gateway Gateway over `client` as `who`, with a deadline on every stage that has one. */
export function connectGateway(client: grpc.Client, who: SigningIdentity, deadlines: Deadlines = {}): Gateway {
  const after = (ms: number | undefined) => (ms === undefined ? undefined : () => ({ deadline: Date.now() + ms }));
  const options: ConnectOptions = {
    client,
    identity: who.identity,
    signer: who.signing.signer,
    hash: who.signing.hash,
  };
  const evaluateOptions = after(deadlines.evaluateMs);
  const endorseOptions = after(deadlines.endorseMs);
  const submitOptions = after(deadlines.submitMs);
  const commitStatusOptions = after(deadlines.commitStatusMs);
  return connect({
    ...options,
    ...(evaluateOptions && { evaluateOptions }),
    ...(endorseOptions && { endorseOptions }),
    ...(submitOptions && { submitOptions }),
    ...(commitStatusOptions && { commitStatusOptions }),
  });
}

export interface NetworkConnection {
  readonly gateway: Gateway;
  readonly client: grpc.Client;
  readonly mspId: string;
  readonly close: () => void;
}

/** Connects to ORG's own peer as ORG's identity NAME: how tests, benchmarks and scripts reach the network. */
export function connectAs(
  network: Network,
  orgKey: string,
  name: IdentityName,
  options: { readonly signer?: SignerKind; readonly deadlines?: Deadlines } = {},
): NetworkConnection {
  // The identity first: a bad key then leaves no client open.
  const who = identityOf(network, orgKey, name, options.signer);
  const client = newPeerClient(peerTargetOf(network, orgKey));
  const gateway = connectGateway(client, who, options.deadlines);
  return {
    gateway,
    client,
    mspId: who.identity.mspId,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
