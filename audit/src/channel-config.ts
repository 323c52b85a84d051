import { common, msp, orderer } from '@hyperledger/fabric-protos';
import type { SignedBy } from './identities';
import { policyText, shortHash } from './policy-text';

/**
 * A config block → the parts of the channel config the audit judges with, as plain JSON (it is checkpointed):
 * every organisation's MSP (roots, intermediates, TLS roots, admins, NodeOUs), the ordering organisations, the
 * consenters, and every group, value and policy flattened to a readable line, so two configs can be diffed.
 * Also the config transaction's signatures: the update's signers, its submitter, and the envelope's creator.
 */

export interface OuIdentifier {
  readonly ou: string;
  /** PEM; when set, the certificate must chain through it (Fabric's OrganizationalUnitIdentifier.Certificate). */
  readonly certificate?: string;
}

export interface NodeOUs {
  readonly client?: OuIdentifier;
  readonly peer?: OuIdentifier;
  readonly admin?: OuIdentifier;
  readonly orderer?: OuIdentifier;
}

/** An organisation's MSP as the channel config states it (certificates as PEM). */
export interface MspInfo {
  readonly rootCerts: readonly string[];
  readonly intermediateCerts: readonly string[];
  readonly tlsRootCerts: readonly string[];
  readonly tlsIntermediateCerts: readonly string[];
  /** Explicit admin certificates (Fabric before NodeOUs); usually empty. */
  readonly admins: readonly string[];
  /** Present when the MSP enables NodeOUs. */
  readonly nodeOUs?: NodeOUs;
}

/**
 * An ordering node the config names. etcdraft lists consenters by TLS certificate only; BFT (Fabric 3) names each
 * consenter's id, MSP and enrollment certificate. block-signatures.ts maps a signer to one of these.
 */
export type Consenter =
  | { readonly kind: 'tls'; readonly endpoint: string; readonly tlsCerts: readonly string[] }
  | { readonly kind: 'identity'; readonly endpoint: string; readonly id: number; readonly mspId: string; readonly identity: string };

export interface ChannelConfigInfo {
  /** Every organisation of the Application and Orderer groups, by MSP id. */
  readonly msps: Readonly<Record<string, MspInfo>>;
  /** The MSP ids of the Orderer group's organisations. */
  readonly ordererOrgs: readonly string[];
  /** ConsensusType.type: etcdraft, BFT, … */
  readonly consensusType: string;
  readonly consenters: readonly Consenter[];
  /** `[Group|Value|Policy] /Channel/…` → a readable description with its mod_policy. */
  readonly elements: Readonly<Record<string, string>>;
}

/** The transaction of a config block: who asked for the change and who signed it. */
export interface ConfigTx {
  /** Why the config could not be decoded, if it could not. */
  readonly error?: string;
  /** The CONFIG envelope's creator: the orderer that turned the update into this block. */
  readonly creator?: SignedBy;
  /** The ConfigUpdateEnvelope (absent in a genesis block): its signatures, and the envelope that submitted it. */
  readonly update?: { readonly signatures: readonly SignedBy[]; readonly submitter?: SignedBy };
}

export function decodeConfigEnvelope(entry: Uint8Array): { config?: ChannelConfigInfo; tx: ConfigTx } {
  try {
    const envelope = common.Envelope.deserializeBinary(entry);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const configEnvelope = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
    const creator = envelopeSigner(envelope, payload);
    const lastUpdate = configEnvelope.getLastUpdate();
    const update = lastUpdate === undefined ? undefined : decodeUpdate(lastUpdate);
    const tx = { ...(creator === undefined ? {} : { creator }), ...(update === undefined ? {} : { update }) };
    const channelGroup = configEnvelope.getConfig()?.getChannelGroup();
    if (channelGroup === undefined) {
      return { tx: { ...tx, error: 'the config envelope holds no channel group' } };
    }
    return { config: channelConfig(channelGroup), tx };
  } catch (err) {
    return { tx: { error: err instanceof Error ? err.message : String(err) } };
  }
}

function decodeUpdate(lastUpdate: common.Envelope): ConfigTx['update'] {
  const payload = common.Payload.deserializeBinary(lastUpdate.getPayload_asU8());
  const updateEnvelope = common.ConfigUpdateEnvelope.deserializeBinary(payload.getData_asU8());
  const configUpdate = Buffer.from(updateEnvelope.getConfigUpdate_asU8());
  const signatures = updateEnvelope.getSignaturesList().map((s) => {
    const header = s.getSignatureHeader_asU8();
    return {
      ...creatorOf(common.SignatureHeader.deserializeBinary(header).getCreator_asU8()),
      signedBytes: Buffer.concat([header, configUpdate]),
      signature: Buffer.from(s.getSignature_asU8()),
    };
  });
  const submitter = envelopeSigner(lastUpdate, payload);
  return { signatures, ...(submitter === undefined ? {} : { submitter }) };
}

function envelopeSigner(envelope: common.Envelope, payload: common.Payload): SignedBy | undefined {
  const header = payload.getHeader();
  if (header === undefined) {
    return undefined;
  }
  const creator = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()).getCreator_asU8();
  return {
    ...creatorOf(creator),
    signedBytes: Buffer.from(envelope.getPayload_asU8()),
    signature: Buffer.from(envelope.getSignature_asU8()),
  };
}

function creatorOf(serializedIdentity: Uint8Array): Pick<SignedBy, 'mspId' | 'certificate'> {
  const identity = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
  return { mspId: identity.getMspid(), certificate: Buffer.from(identity.getIdBytes_asU8()) };
}

function channelConfig(channel: common.ConfigGroup): ChannelConfigInfo {
  const msps: Record<string, MspInfo> = {};
  const ordererOrgs: string[] = [];
  const sections = groupsOf(channel);
  for (const section of ['Application', 'Orderer']) {
    const group = sections.get(section);
    if (group === undefined) continue;
    groupsOf(group).forEach((org) => {
      const decoded = mspOf(org);
      if (decoded !== undefined) {
        msps[decoded.mspId] = decoded.info;
        if (section === 'Orderer') {
          ordererOrgs.push(decoded.mspId);
        }
      }
    });
  }
  const ordererGroup = sections.get('Orderer');
  const consensus = ordererGroup === undefined ? { type: '', consenters: [] } : consensusOf(ordererGroup);
  const elements: Record<string, string> = {};
  flatten(channel, '/Channel', elements);
  return { msps, ordererOrgs, consensusType: consensus.type, consenters: consensus.consenters, elements };
}

function mspOf(org: common.ConfigGroup): { mspId: string; info: MspInfo } | undefined {
  const value = valuesOf(org).get('MSP');
  if (value === undefined) {
    return undefined;
  }
  const config = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
  if (config.getType() !== 0) {
    return undefined; // idemix: no certificates to chain
  }
  const fabric = msp.FabricMSPConfig.deserializeBinary(config.getConfig_asU8());
  const nodeOUs = fabric.getFabricNodeOus();
  const ou = (id: msp.FabricOUIdentifier | undefined): OuIdentifier | undefined => {
    if (id === undefined || id.getOrganizationalUnitIdentifier() === '') return undefined;
    const certificate = pem(id.getCertificate_asU8());
    return { ou: id.getOrganizationalUnitIdentifier(), ...(certificate === '' ? {} : { certificate }) };
  };
  const ous = nodeOUs?.getEnable() === true
    ? { client: ou(nodeOUs.getClientOuIdentifier()), peer: ou(nodeOUs.getPeerOuIdentifier()), admin: ou(nodeOUs.getAdminOuIdentifier()), orderer: ou(nodeOUs.getOrdererOuIdentifier()) }
    : undefined;
  const info: MspInfo = {
    rootCerts: fabric.getRootCertsList_asU8().map(pem),
    intermediateCerts: fabric.getIntermediateCertsList_asU8().map(pem),
    tlsRootCerts: fabric.getTlsRootCertsList_asU8().map(pem),
    tlsIntermediateCerts: fabric.getTlsIntermediateCertsList_asU8().map(pem),
    admins: fabric.getAdminsList_asU8().map(pem),
    ...(ous === undefined ? {} : { nodeOUs: JSON.parse(JSON.stringify(ous)) as NodeOUs }),
  };
  return { mspId: fabric.getName(), info };
}

function consensusOf(ordererGroup: common.ConfigGroup): { type: string; consenters: Consenter[] } {
  const values = valuesOf(ordererGroup);
  const typeValue = values.get('ConsensusType');
  if (typeValue === undefined) {
    return { type: '', consenters: [] };
  }
  const consensus = orderer.ConsensusType.deserializeBinary(typeValue.getValue_asU8());
  const type = consensus.getType();
  if (type === 'etcdraft') {
    const metadata = orderer.etcdraft.ConfigMetadata.deserializeBinary(consensus.getMetadata_asU8());
    const consenters = metadata.getConsentersList().map((c): Consenter => ({
      kind: 'tls',
      endpoint: `${c.getHost()}:${c.getPort()}`,
      tlsCerts: [...new Set([pem(c.getServerTlsCert_asU8()), pem(c.getClientTlsCert_asU8())])].filter((p) => p !== ''),
    }));
    return { type, consenters };
  }
  const orderers = values.get('Orderers');
  if (type === 'BFT' && orderers !== undefined) {
    const mapping = common.Orderers.deserializeBinary(orderers.getValue_asU8()).getConsenterMappingList();
    const consenters = mapping.map((c): Consenter => ({
      kind: 'identity',
      endpoint: `${c.getHost()}:${c.getPort()}`,
      id: c.getId(),
      mspId: c.getMspId(),
      identity: pem(c.getIdentity_asU8()),
    }));
    return { type, consenters };
  }
  return { type, consenters: [] };
}

/** Every group, value and policy under `path`, as Fabric names them in its own errors ("[Policy] /Channel/Admins"). */
function flatten(group: common.ConfigGroup, path: string, out: Record<string, string>): void {
  out[`[Group] ${path}`] = `mod_policy ${group.getModPolicy()}`;
  valuesOf(group).forEach((value, name) => {
    out[`[Value] ${path}/${name}`] = `${valueText(name, value.getValue_asU8())} (mod_policy ${value.getModPolicy()})`;
  });
  policiesOf(group).forEach((policy, name) => {
    const inner = policy.getPolicy();
    out[`[Policy] ${path}/${name}`] = `${inner === undefined ? 'no policy' : policyText(inner)} (mod_policy ${policy.getModPolicy()})`;
  });
  groupsOf(group).forEach((child, name) => {
    flatten(child, `${path}/${name}`, out);
  });
}

function valueText(name: string, bytes: Uint8Array): string {
  try {
    if (name === 'Capabilities') {
      const map: unknown = common.Capabilities.deserializeBinary(bytes).getCapabilitiesMap();
      const keys: string[] = [];
      if (isProtoMap(map)) map.forEach((_, key) => keys.push(key));
      return `capabilities ${keys.sort().join(', ')}`;
    }
    if (name === 'BatchTimeout') {
      return `timeout ${orderer.BatchTimeout.deserializeBinary(bytes).getTimeout()}`;
    }
    if (name === 'ConsensusType') {
      const consensus = orderer.ConsensusType.deserializeBinary(bytes);
      return `${consensus.getType()} ${shortHash(bytes)}`;
    }
  } catch {
    // Shown by its hash below.
  }
  return shortHash(bytes);
}

/** The changes from `before` to `after`, one line each; what is inside an added or removed group is not repeated. */
export function configDiff(before: ChannelConfigInfo, after: ChannelConfigInfo): string[] {
  const lines: string[] = [];
  const addedOrRemoved: string[] = [];
  const inside = (key: string): boolean => addedOrRemoved.some((group) => key.slice(key.indexOf(' ') + 1).startsWith(`${group}/`));
  const keys = [...new Set([...Object.keys(before.elements), ...Object.keys(after.elements)])].sort(byPath);
  for (const key of keys) {
    const was = Object.hasOwn(before.elements, key) ? before.elements[key] : undefined;
    const now = Object.hasOwn(after.elements, key) ? after.elements[key] : undefined;
    if (was === now || inside(key)) {
      continue;
    }
    if (key.startsWith('[Group] ') && (was === undefined || now === undefined)) {
      addedOrRemoved.push(key.slice('[Group] '.length));
    }
    lines.push(was === undefined ? `added ${key}: ${now ?? ''}` : now === undefined ? `removed ${key}` : `modified ${key}: ${now} (was ${was})`);
  }
  return lines;
}

/** By path, so a group comes before what is inside it. */
function byPath(a: string, b: string): number {
  const pa = a.slice(a.indexOf(' ') + 1);
  const pb = b.slice(b.indexOf(' ') + 1);
  return pa < pb ? -1 : pa > pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function pem(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

/** google-protobuf ships no typings here, so the few members used are declared. */
interface ProtoMap<V> {
  get(key: string): V | undefined;
  forEach(callback: (value: V, key: string) => void): void;
}

function isProtoMap(value: unknown): value is ProtoMap<unknown> {
  return typeof value === 'object' && value !== null && 'forEach' in value && typeof value.forEach === 'function';
}

function groupsOf(group: common.ConfigGroup): ProtoMap<common.ConfigGroup> {
  const map: unknown = group.getGroupsMap();
  return map as ProtoMap<common.ConfigGroup>;
}

function valuesOf(group: common.ConfigGroup): ProtoMap<common.ConfigValue> {
  const map: unknown = group.getValuesMap();
  return map as ProtoMap<common.ConfigValue>;
}

function policiesOf(group: common.ConfigGroup): ProtoMap<common.ConfigPolicy> {
  const map: unknown = group.getPoliciesMap();
  return map as ProtoMap<common.ConfigPolicy>;
}
