/**
 * A config block → what the verifier judges with: every organisation's MSP (roots, intermediates, TLS roots, admins,
 * NodeOUs), the application organisations by group name, the ordering organisations, the consensus type and its
 * consenters (etcdraft: TLS certificates; BFT: ConsenterMapping with id, MSP and identity certificate), and every
 * policy by path (/Channel/Application/LifecycleEndorsement, /Channel/Application/<Org>/Endorsement, …).
 */
import { common, msp, orderer } from './protos';

export interface OuIdentifier {
  readonly ou: string;
  /** When set, the identity's certificate chain must contain this certificate. */
  readonly certificate?: Uint8Array;
}

export type NodeRole = 'client' | 'peer' | 'admin' | 'orderer';

export interface MspInfo {
  readonly mspId: string;
  readonly rootCerts: readonly Uint8Array[];
  readonly intermediateCerts: readonly Uint8Array[];
  readonly tlsRootCerts: readonly Uint8Array[];
  readonly tlsIntermediateCerts: readonly Uint8Array[];
  readonly admins: readonly Uint8Array[];
  readonly nodeOUs?: Partial<Record<NodeRole, OuIdentifier>>;
}

export type Consenter =
  | { readonly kind: 'tls'; readonly endpoint: string; readonly tlsCerts: readonly Uint8Array[] }
  | { readonly kind: 'identity'; readonly endpoint: string; readonly id: number; readonly mspId: string; readonly identity: Uint8Array };

export type ConfigPolicy =
  | { readonly kind: 'signature'; readonly envelope: common.SignaturePolicyEnvelope }
  | { readonly kind: 'meta'; readonly rule: 'ANY' | 'ALL' | 'MAJORITY'; readonly subPolicy: string }
  | { readonly kind: 'unknown'; readonly type: number };

export interface ChannelConfig {
  readonly msps: ReadonlyMap<string, MspInfo>;
  /** Application group: organisation (group) name → MSP id. */
  readonly applicationOrgs: ReadonlyMap<string, string>;
  readonly ordererOrgs: readonly string[];
  readonly consensusType: string;
  readonly consenters: readonly Consenter[];
  /** Every policy by its full path, e.g. /Channel/Application/Endorsement. */
  readonly policies: ReadonlyMap<string, ConfigPolicy>;
  /** Every group's path → its child group names (what an implicit meta policy ranges over). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** The channel config a CONFIG envelope sets; throws when it is not one. */
export function decodeConfigEnvelope(entry: Uint8Array): ChannelConfig {
  const envelope = common.Envelope.deserializeBinary(entry);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = payload.getHeader();
  const type = header === undefined ? -1 : common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getType();
  if (type !== common.HeaderType.CONFIG) throw new Error(`the envelope is of type ${type}, not CONFIG`);
  const channelGroup = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()?.getChannelGroup();
  if (channelGroup === undefined) throw new Error('the config envelope holds no channel group');
  return channelConfig(channelGroup);
}

function channelConfig(channel: common.ConfigGroup): ChannelConfig {
  const msps = new Map<string, MspInfo>();
  const applicationOrgs = new Map<string, string>();
  const ordererOrgs: string[] = [];
  const sections = groupsOf(channel);
  for (const section of ['Application', 'Orderer']) {
    const group = sections.get(section);
    if (group === undefined) continue;
    groupsOf(group).forEach((org, name) => {
      const info = mspOf(org);
      if (info === undefined) return;
      msps.set(info.mspId, info);
      if (section === 'Application') applicationOrgs.set(name, info.mspId);
      else ordererOrgs.push(info.mspId);
    });
  }
  const ordererGroup = sections.get('Orderer');
  const consensus = ordererGroup === undefined ? { type: '', consenters: [] } : consensusOf(ordererGroup);
  const policies = new Map<string, ConfigPolicy>();
  const groups = new Map<string, string[]>();
  walk(channel, '/Channel', policies, groups);
  return { msps, applicationOrgs, ordererOrgs, consensusType: consensus.type, consenters: consensus.consenters, policies, groups };
}

function walk(group: common.ConfigGroup, path: string, policies: Map<string, ConfigPolicy>, groups: Map<string, string[]>): void {
  policiesOf(group).forEach((configPolicy, name) => {
    const policy = configPolicy.getPolicy();
    if (policy !== undefined) policies.set(`${path}/${name}`, decodePolicy(policy));
  });
  const children: string[] = [];
  groupsOf(group).forEach((child, name) => {
    children.push(name);
    walk(child, `${path}/${name}`, policies, groups);
  });
  groups.set(path, children);
}

const META_RULES: readonly ('ANY' | 'ALL' | 'MAJORITY' | undefined)[] = ['ANY', 'ALL', 'MAJORITY'];

function decodePolicy(policy: common.Policy): ConfigPolicy {
  const value = policy.getValue_asU8();
  switch (policy.getType()) {
    case common.Policy.PolicyType.SIGNATURE:
      return { kind: 'signature', envelope: common.SignaturePolicyEnvelope.deserializeBinary(value) };
    case common.Policy.PolicyType.IMPLICIT_META: {
      const meta = common.ImplicitMetaPolicy.deserializeBinary(value);
      const rule = META_RULES[meta.getRule()];
      return rule === undefined ? { kind: 'unknown', type: policy.getType() } : { kind: 'meta', rule, subPolicy: meta.getSubPolicy() };
    }
    default:
      return { kind: 'unknown', type: policy.getType() };
  }
}

function mspOf(org: common.ConfigGroup): MspInfo | undefined {
  const value = valuesOf(org).get('MSP');
  if (value === undefined) return undefined;
  const config = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
  if (config.getType() !== 0) return undefined; // idemix: no X.509 identities to check
  const fabric = msp.FabricMSPConfig.deserializeBinary(config.getConfig_asU8());
  const nodeOUs = fabric.getFabricNodeOus();
  const ou = (id: msp.FabricOUIdentifier | undefined): OuIdentifier | undefined => {
    if (id === undefined || id.getOrganizationalUnitIdentifier() === '') return undefined;
    const certificate = id.getCertificate_asU8();
    return { ou: id.getOrganizationalUnitIdentifier(), ...(certificate.length === 0 ? {} : { certificate }) };
  };
  const ous: Partial<Record<NodeRole, OuIdentifier>> = {};
  if (nodeOUs?.getEnable() === true) {
    const entries: [NodeRole, msp.FabricOUIdentifier | undefined][] = [
      ['client', nodeOUs.getClientOuIdentifier()],
      ['peer', nodeOUs.getPeerOuIdentifier()],
      ['admin', nodeOUs.getAdminOuIdentifier()],
      ['orderer', nodeOUs.getOrdererOuIdentifier()],
    ];
    for (const [role, id] of entries) {
      const decoded = ou(id);
      if (decoded !== undefined) ous[role] = decoded;
    }
  }
  return {
    mspId: fabric.getName(),
    rootCerts: fabric.getRootCertsList_asU8(),
    intermediateCerts: fabric.getIntermediateCertsList_asU8(),
    tlsRootCerts: fabric.getTlsRootCertsList_asU8(),
    tlsIntermediateCerts: fabric.getTlsIntermediateCertsList_asU8(),
    admins: fabric.getAdminsList_asU8(),
    ...(nodeOUs?.getEnable() === true ? { nodeOUs: ous } : {}),
  };
}

function consensusOf(ordererGroup: common.ConfigGroup): { type: string; consenters: Consenter[] } {
  const values = valuesOf(ordererGroup);
  const typeValue = values.get('ConsensusType');
  if (typeValue === undefined) return { type: '', consenters: [] };
  const consensus = orderer.ConsensusType.deserializeBinary(typeValue.getValue_asU8());
  const type = consensus.getType();
  if (type === 'etcdraft') {
    const metadata = orderer.etcdraft.ConfigMetadata.deserializeBinary(consensus.getMetadata_asU8());
    return {
      type,
      consenters: metadata.getConsentersList().map((c): Consenter => ({
        kind: 'tls',
        endpoint: `${c.getHost()}:${c.getPort()}`,
        tlsCerts: [c.getServerTlsCert_asU8(), c.getClientTlsCert_asU8()].filter((b) => b.length > 0),
      })),
    };
  }
  const orderers = values.get('Orderers');
  if (type === 'BFT' && orderers !== undefined) {
    const mapping = common.Orderers.deserializeBinary(orderers.getValue_asU8()).getConsenterMappingList();
    return {
      type,
      consenters: mapping.map((c): Consenter => ({
        kind: 'identity',
        endpoint: `${c.getHost()}:${c.getPort()}`,
        id: c.getId(),
        mspId: c.getMspId(),
        identity: c.getIdentity_asU8(),
      })),
    };
  }
  return { type, consenters: [] };
}

/** google-protobuf ships no typings for its maps here; only these members are used. */
interface ProtoMap<V> {
  get(key: string): V | undefined;
  forEach(callback: (value: V, key: string) => void): void;
}
function protoMap<V>(map: unknown): ProtoMap<V> {
  return map as ProtoMap<V>;
}
const groupsOf = (g: common.ConfigGroup): ProtoMap<common.ConfigGroup> => protoMap(g.getGroupsMap());
const valuesOf = (g: common.ConfigGroup): ProtoMap<common.ConfigValue> => protoMap(g.getValuesMap());
const policiesOf = (g: common.ConfigGroup): ProtoMap<common.ConfigPolicy> => protoMap(g.getPoliciesMap());
