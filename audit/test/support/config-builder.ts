/**
 * Channel configs for the unit tests, shaped like network/configtx.yaml.tmpl: City, Dept and Observer as application
 * organisations with NodeOUs on, the city as the ordering organisation with its orderer as the etcdraft consenter, and
 * the governance policies (an observer admin plus a city or department admin). Config updates carry real signatures.
 */
import { common, msp, orderer } from '@hyperledger/fabric-protos';
import { randomBytes, sign } from 'node:crypto';
import { type Signer, type TestOrg, orgs } from './pki';

export const CHANNEL = 'polls';

type Role = 'member' | 'admin' | 'client' | 'peer' | 'orderer';
const ROLES: Readonly<Record<Role, number>> = { member: 0, admin: 1, client: 2, peer: 3, orderer: 4 };

/** A signature policy tree: who signs (a role of an MSP, or one exact identity), or n of several. */
export type Rule =
  | { readonly msp: string; readonly role: Role }
  | { readonly identity: Pick<Signer, 'mspId' | 'certificate'> }
  | { readonly n: number; readonly rules: readonly Rule[] };
export const who = (mspId: string, role: Role): Rule => ({ msp: mspId, role });
export const and = (...rules: Rule[]): Rule => ({ n: rules.length, rules });
export const or = (...rules: Rule[]): Rule => ({ n: 1, rules });

export function signaturePolicyEnvelope(rule: Rule): common.SignaturePolicyEnvelope {
  const principals: msp.MSPPrincipal[] = [];
  const build = (r: Rule): common.SignaturePolicy => {
    const policy = new common.SignaturePolicy();
    if ('msp' in r || 'identity' in r) {
      const principal = new msp.MSPPrincipal();
      if ('msp' in r) {
        const role = new msp.MSPRole();
        role.setMspIdentifier(r.msp);
        role.setRole(ROLES[r.role] as msp.MSPRole.MSPRoleTypeMap[keyof msp.MSPRole.MSPRoleTypeMap]);
        principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
        principal.setPrincipal(role.serializeBinary());
      } else {
        principal.setPrincipalClassification(msp.MSPPrincipal.Classification.IDENTITY);
        principal.setPrincipal(serializedIdentity(r.identity.mspId, r.identity.certificate));
      }
      principals.push(principal);
      policy.setSignedBy(principals.length - 1);
    } else {
      const outOf = new common.SignaturePolicy.NOutOf();
      outOf.setN(r.n);
      outOf.setRulesList(r.rules.map(build));
      policy.setNOutOf(outOf);
    }
    return policy;
  };
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setRule(build(rule));
  envelope.setIdentitiesList(principals);
  return envelope;
}

const signature = (rule: Rule): common.Policy => policy(common.Policy.PolicyType.SIGNATURE, signaturePolicyEnvelope(rule).serializeBinary());
function meta(rule: 'ANY' | 'MAJORITY', sub: string): common.Policy {
  const m = new common.ImplicitMetaPolicy();
  m.setRule(common.ImplicitMetaPolicy.Rule[rule]);
  m.setSubPolicy(sub);
  return policy(common.Policy.PolicyType.IMPLICIT_META, m.serializeBinary());
}
function policy(type: number, value: Uint8Array): common.Policy {
  const p = new common.Policy();
  p.setType(type);
  p.setValue(value);
  return p;
}

export interface ConfigSpec {
  readonly application: readonly TestOrg[];
  readonly ordering: readonly TestOrg[];
  readonly consensus: 'etcdraft' | 'BFT' | 'solo';
  /** etcdraft: their orderers' TLS certificates; BFT: their orderers' enrollment certificates, ids 1, 2, … */
  readonly consenters: readonly TestOrg[];
  /** BFT: the consenters' ids, when not 1, 2, … (Fabric never reuses the id of a removed consenter). */
  readonly consenterIds?: readonly number[];
  /** Replaces policies, by path below /Channel: 'Admins', 'Application/Admins', … */
  readonly policies?: Readonly<Record<string, Rule>>;
  readonly batchTimeout?: string;
  /** The NodeOUs orderer OU identifier of every MSP (default 'orderer', as ca.sh writes it). */
  readonly ordererOu?: string;
}

export const GOVERNANCE_ADMINS = and(who('ObserverMSP', 'admin'), or(who('CityMSP', 'admin'), who('DeptMSP', 'admin')));

export const defaultConfig: ConfigSpec = {
  application: [orgs.city, orgs.dept, orgs.observer],
  ordering: [orgs.city],
  consensus: 'etcdraft',
  consenters: [orgs.city],
};

export function channelConfig(spec: ConfigSpec = defaultConfig): common.Config {
  const channel = group({ Admins: signature(GOVERNANCE_ADMINS), Readers: meta('ANY', 'Readers'), Writers: meta('ANY', 'Writers') });
  const application = group({
    Admins: signature(GOVERNANCE_ADMINS),
    LifecycleEndorsement: signature(and(who('ObserverMSP', 'member'), or(who('CityMSP', 'member'), who('DeptMSP', 'member')))),
    Endorsement: signature(and(who('ObserverMSP', 'peer'), or(who('CityMSP', 'peer'), who('DeptMSP', 'peer')))),
  });
  for (const org of spec.application) groups(application).set(org.mspId, orgGroup(org, spec.ordererOu));
  const ordererGroup = group({ Admins: signature(GOVERNANCE_ADMINS), BlockValidation: meta('ANY', 'Writers') });
  for (const org of spec.ordering) groups(ordererGroup).set(org.mspId, orgGroup(org, spec.ordererOu));
  const timeout = new orderer.BatchTimeout();
  timeout.setTimeout(spec.batchTimeout ?? '2s');
  values(ordererGroup).set('BatchTimeout', value(timeout.serializeBinary()));
  values(ordererGroup).set('ConsensusType', value(consensusType(spec).serializeBinary()));
  if (spec.consensus === 'BFT') {
    values(ordererGroup).set('Orderers', value(bftOrderers(spec.consenters, spec.consenterIds).serializeBinary()));
    policies(ordererGroup).set('BlockValidation', configPolicy(signature(bftBlockValidation(spec.consenters))));
  }
  groups(channel).set('Application', application);
  groups(channel).set('Orderer', ordererGroup);
  for (const [path, rule] of Object.entries(spec.policies ?? {})) {
    const names = path.split('/');
    const name = names.pop() ?? '';
    const target = names.reduce((g, n) => groups(g).get(n) ?? g, channel);
    policies(target).set(name, configPolicy(signature(rule)));
  }
  const config = new common.Config();
  config.setChannelGroup(channel);
  return config;
}

function consensusType(spec: ConfigSpec): orderer.ConsensusType {
  const type = new orderer.ConsensusType();
  type.setType(spec.consensus);
  if (spec.consensus === 'etcdraft') {
    const metadata = new orderer.etcdraft.ConfigMetadata();
    metadata.setConsentersList(spec.consenters.map((org, i) => {
      const c = new orderer.etcdraft.Consenter();
      c.setHost('127.0.0.1');
      c.setPort(7050 + i);
      c.setClientTlsCert(org.ordererTls.certificate);
      c.setServerTlsCert(org.ordererTls.certificate);
      return c;
    }));
    type.setMetadata(metadata.serializeBinary());
  }
  return type;
}

/**
 * What configtxgen writes for BFT (fabric common/policies/bft.go EncodeBFTBlockVerificationPolicy), and the BFT
 * orderers require of every config update: a quorum ⌈(n+f+1)/2⌉, f = ⌊(n−1)/3⌋, of the consenters' identities.
 */
function bftBlockValidation(consenters: readonly TestOrg[]): Rule {
  const n = consenters.length;
  const quorum = Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2);
  return { n: quorum, rules: consenters.map((org) => ({ identity: org.orderer })) };
}

function bftOrderers(consenters: readonly TestOrg[], ids?: readonly number[]): common.Orderers {
  const orderers = new common.Orderers();
  orderers.setConsenterMappingList(consenters.map((org, i) => {
    const c = new common.Consenter();
    c.setId(ids?.[i] ?? i + 1);
    c.setHost('127.0.0.1');
    c.setPort(7050 + i);
    c.setMspId(org.mspId);
    c.setIdentity(org.orderer.certificate);
    c.setClientTlsCert(org.ordererTls.certificate);
    c.setServerTlsCert(org.ordererTls.certificate);
    return c;
  }));
  return orderers;
}

function orgGroup(org: TestOrg, ordererOu = 'orderer'): common.ConfigGroup {
  const ou = (name: string): msp.FabricOUIdentifier => {
    const id = new msp.FabricOUIdentifier();
    id.setCertificate(org.ca.certificate);
    id.setOrganizationalUnitIdentifier(name);
    return id;
  };
  const nodeOUs = new msp.FabricNodeOUs();
  nodeOUs.setEnable(true);
  nodeOUs.setClientOuIdentifier(ou('client'));
  nodeOUs.setPeerOuIdentifier(ou('peer'));
  nodeOUs.setAdminOuIdentifier(ou('admin'));
  nodeOUs.setOrdererOuIdentifier(ou(ordererOu));
  const fabric = new msp.FabricMSPConfig();
  fabric.setName(org.mspId);
  fabric.setRootCertsList([org.ca.certificate]);
  fabric.setTlsRootCertsList([org.ca.certificate]);
  fabric.setFabricNodeOus(nodeOUs);
  const config = new msp.MSPConfig();
  config.setType(0);
  config.setConfig(fabric.serializeBinary());
  const g = group({
    Admins: signature(who(org.mspId, 'admin')),
    Readers: signature(who(org.mspId, 'member')),
    Writers: signature(who(org.mspId, 'member')),
  });
  values(g).set('MSP', value(config.serializeBinary()));
  return g;
}

function group(policyMap: Readonly<Record<string, common.Policy>>): common.ConfigGroup {
  const g = new common.ConfigGroup();
  g.setModPolicy('Admins');
  for (const [name, p] of Object.entries(policyMap)) policies(g).set(name, configPolicy(p));
  return g;
}

function configPolicy(p: common.Policy): common.ConfigPolicy {
  const c = new common.ConfigPolicy();
  c.setPolicy(p);
  c.setModPolicy('Admins');
  return c;
}

function value(bytes: Uint8Array): common.ConfigValue {
  const v = new common.ConfigValue();
  v.setValue(bytes);
  v.setModPolicy('Admins');
  return v;
}

/** jspb.Map has no typings here (google-protobuf ships none); only get and set are used. */
interface ProtoMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}
function protoMap<V>(map: unknown): ProtoMap<V> {
  return map as ProtoMap<V>;
}
const groups = (g: common.ConfigGroup): ProtoMap<common.ConfigGroup> => protoMap(g.getGroupsMap());
const values = (g: common.ConfigGroup): ProtoMap<common.ConfigValue> => protoMap(g.getValuesMap());
const policies = (g: common.ConfigGroup): ProtoMap<common.ConfigPolicy> => protoMap(g.getPoliciesMap());

// --- envelopes -------------------------------------------------------------------------------------------------

export function serializedIdentity(mspId: string, certificate: Uint8Array): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(certificate);
  return identity.serializeBinary();
}

export function signatureHeader(signer: Signer): Uint8Array {
  const header = new common.SignatureHeader();
  header.setCreator(serializedIdentity(signer.mspId, signer.certificate));
  header.setNonce(randomBytes(24));
  return header.serializeBinary();
}

/** Who asks for a config update: the admins whose signatures it carries, and who submits it. */
export interface UpdateSpec {
  readonly signers: readonly Signer[];
  readonly submitter?: Signer;
}

/** A CONFIG envelope, as the orderer (`creator`) makes it from an update; no update for a genesis block. */
export function configEnvelope(config: common.Config, creator: Signer, update?: UpdateSpec): Uint8Array {
  const envelope = new common.ConfigEnvelope();
  envelope.setConfig(config);
  if (update !== undefined) {
    const configUpdate = new common.ConfigUpdate();
    configUpdate.setChannelId(CHANNEL);
    const updateBytes = configUpdate.serializeBinary();
    const updateEnvelope = new common.ConfigUpdateEnvelope();
    updateEnvelope.setConfigUpdate(updateBytes);
    updateEnvelope.setSignaturesList(update.signers.map((s) => {
      const header = signatureHeader(s);
      const signed = new common.ConfigSignature();
      signed.setSignatureHeader(header);
      signed.setSignature(sign('sha256', Buffer.concat([header, updateBytes]), s.key));
      return signed;
    }));
    const submitter = update.submitter ?? update.signers[0] ?? creator;
    envelope.setLastUpdate(common.Envelope.deserializeBinary(signedEnvelope(common.HeaderType.CONFIG_UPDATE, '', updateEnvelope.serializeBinary(), submitter)));
  }
  return signedEnvelope(common.HeaderType.CONFIG, '', envelope.serializeBinary(), creator);
}

export function signedEnvelope(type: number, txId: string, data: Uint8Array, creator: Signer, timestamp = '2026-01-01T00:00:00.000Z'): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setChannelId(CHANNEL);
  channelHeader.setTxId(txId);
  const header = new common.Header();
  header.setChannelHeader(withTimestamp(channelHeader.serializeBinary(), timestamp));
  header.setSignatureHeader(signatureHeader(creator));
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const payloadBytes = payload.serializeBinary();
  const env = new common.Envelope();
  env.setPayload(payloadBytes);
  env.setSignature(sign('sha256', payloadBytes, creator.key));
  return env.serializeBinary();
}

/**
 * Appends ChannelHeader.timestamp (field 3) as raw protobuf bytes: google-protobuf's Timestamp ships no typings here.
 * The nanoseconds carry sub-millisecond digits on purpose: castAt is the timestamp truncated to milliseconds.
 */
function withTimestamp(channelHeader: Uint8Array, iso: string): Uint8Array {
  const millis = Date.parse(iso);
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1_000_000 + 654_321;
  const timestamp = Buffer.concat([Buffer.from([0x08]), varint(seconds), Buffer.from([0x10]), varint(nanos)]);
  return Buffer.concat([channelHeader, Buffer.from([0x1a]), varint(timestamp.length), timestamp]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
