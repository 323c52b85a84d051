/**
 * Real-shaped Fabric blocks for the verifier's unit tests, built with @hyperledger/fabric-protos and the test PKI:
 * channel configs (etcdraft or BFT), endorser transactions with read sets, range queries and write sets (txId and
 * proposal hash computed as Fabric does), and blocks signed by orderers as etcdraft or SmartBFT sign them.
 */
import { common, ledger, msp, orderer, peer } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import { type Signer, type TestOrg, orgs, sha256, signLowS } from './pki';

export const CHANNEL = 'polls';
type Role = 'member' | 'admin' | 'client' | 'peer' | 'orderer';
const ROLES: Readonly<Record<Role, 0 | 1 | 2 | 3 | 4>> = { member: 0, admin: 1, client: 2, peer: 3, orderer: 4 };

export type Rule = { readonly msp: string; readonly role: Role } | { readonly identity: Signer } | { readonly n: number; readonly rules: readonly Rule[] };
export const who = (mspId: string, role: Role): Rule => ({ msp: mspId, role });
export const and = (...rules: Rule[]): Rule => ({ n: rules.length, rules });
export const or = (...rules: Rule[]): Rule => ({ n: 1, rules });

export const serializedIdentity = (s: Pick<Signer, 'mspId' | 'certificate'>): Uint8Array => {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(s.mspId);
  identity.setIdBytes(s.certificate);
  return identity.serializeBinary();
};

export function signaturePolicy(rule: Rule): common.SignaturePolicyEnvelope {
  const principals: msp.MSPPrincipal[] = [];
  const build = (r: Rule): common.SignaturePolicy => {
    const policy = new common.SignaturePolicy();
    if ('n' in r) {
      const outOf = new common.SignaturePolicy.NOutOf();
      outOf.setN(r.n);
      outOf.setRulesList(r.rules.map(build));
      policy.setNOutOf(outOf);
      return policy;
    }
    const principal = new msp.MSPPrincipal();
    if ('msp' in r) {
      const role = new msp.MSPRole();
      role.setMspIdentifier(r.msp);
      role.setRole(ROLES[r.role]);
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      principal.setPrincipal(role.serializeBinary());
    } else {
      principal.setPrincipalClassification(msp.MSPPrincipal.Classification.IDENTITY);
      principal.setPrincipal(serializedIdentity(r.identity));
    }
    principals.push(principal);
    policy.setSignedBy(principals.length - 1);
    return policy;
  };
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setRule(build(rule));
  envelope.setIdentitiesList(principals);
  return envelope;
}

const policy = (type: number, value: Uint8Array): common.ConfigPolicy => {
  const p = new common.Policy();
  p.setType(type);
  p.setValue(value);
  const c = new common.ConfigPolicy();
  c.setPolicy(p);
  c.setModPolicy('Admins');
  return c;
};
const sig = (rule: Rule): common.ConfigPolicy => policy(common.Policy.PolicyType.SIGNATURE, signaturePolicy(rule).serializeBinary());
const meta = (rule: 0 | 1 | 2, sub: string): common.ConfigPolicy => {
  const m = new common.ImplicitMetaPolicy();
  m.setRule(rule);
  m.setSubPolicy(sub);
  return policy(common.Policy.PolicyType.IMPLICIT_META, m.serializeBinary());
};
const value = (bytes: Uint8Array): common.ConfigValue => {
  const v = new common.ConfigValue();
  v.setValue(bytes);
  return v;
};

interface ProtoMap<V> {
  set(key: string, value: V): void;
}
const map = <V>(m: unknown): ProtoMap<V> => m as ProtoMap<V>;

export interface ConfigSpec {
  readonly application: readonly TestOrg[];
  readonly ordering: readonly TestOrg[];
  readonly consensus: 'etcdraft' | 'BFT';
  readonly consenters: readonly TestOrg[];
}

export const raftConfig: ConfigSpec = { application: [orgs.city, orgs.dept, orgs.observer], ordering: [orgs.city], consensus: 'etcdraft', consenters: [orgs.city] };
const bftOrgs = [orgs.city, orgs.dept, orgs.observer, orgs.watchdog];
export const bftConfig: ConfigSpec = { application: bftOrgs, ordering: bftOrgs, consensus: 'BFT', consenters: bftOrgs };

function orgGroup(org: TestOrg, withEndorsement: boolean): common.ConfigGroup {
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
  nodeOUs.setOrdererOuIdentifier(ou('orderer'));
  const fabric = new msp.FabricMSPConfig();
  fabric.setName(org.mspId);
  fabric.setRootCertsList([org.ca.certificate]);
  fabric.setTlsRootCertsList([org.ca.certificate]);
  fabric.setFabricNodeOus(nodeOUs);
  const config = new msp.MSPConfig();
  config.setConfig(fabric.serializeBinary());
  const g = new common.ConfigGroup();
  map<common.ConfigValue>(g.getValuesMap()).set('MSP', value(config.serializeBinary()));
  map<common.ConfigPolicy>(g.getPoliciesMap()).set('Admins', sig(who(org.mspId, 'admin')));
  if (withEndorsement) map<common.ConfigPolicy>(g.getPoliciesMap()).set('Endorsement', sig(who(org.mspId, 'peer')));
  return g;
}

export function configEnvelopeBytes(spec: ConfigSpec, creator?: Signer): Uint8Array {
  const channel = new common.ConfigGroup();
  const application = new common.ConfigGroup();
  const appPolicies = map<common.ConfigPolicy>(application.getPoliciesMap());
  appPolicies.set('LifecycleEndorsement', sig(and(or(who('ObserverMSP', 'member'), who('WatchdogMSP', 'member')), or(who('CityMSP', 'member'), who('DeptMSP', 'member')))));
  appPolicies.set('Endorsement', meta(2, 'Endorsement'));
  for (const org of spec.application) map<common.ConfigGroup>(application.getGroupsMap()).set(org.key, orgGroup(org, true));
  const ordererGroup = new common.ConfigGroup();
  for (const org of spec.ordering) map<common.ConfigGroup>(ordererGroup.getGroupsMap()).set(`${org.key}-orderer`, orgGroup(org, false));
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
  } else {
    const orderers = new common.Orderers();
    orderers.setConsenterMappingList(spec.consenters.map((org, i) => {
      const c = new common.Consenter();
      c.setId(i + 1);
      c.setMspId(org.mspId);
      c.setIdentity(org.orderer.certificate);
      return c;
    }));
    map<common.ConfigValue>(ordererGroup.getValuesMap()).set('Orderers', value(orderers.serializeBinary()));
  }
  map<common.ConfigValue>(ordererGroup.getValuesMap()).set('ConsensusType', value(type.serializeBinary()));
  map<common.ConfigGroup>(channel.getGroupsMap()).set('Application', application);
  map<common.ConfigGroup>(channel.getGroupsMap()).set('Orderer', ordererGroup);
  const config = new common.Config();
  config.setChannelGroup(channel);
  const envelope = new common.ConfigEnvelope();
  envelope.setConfig(config);
  return envelopeBytes(common.HeaderType.CONFIG, envelope.serializeBinary(), creator, { nonce: randomBytes(24) });
}

/** Appends ChannelHeader.timestamp (field 3) as raw protobuf: google-protobuf's Timestamp has no typings here. */
function withTimestamp(header: Uint8Array, iso: string): Uint8Array {
  const millis = Date.parse(iso);
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1_000_000 + 654_321;
  const ts = Buffer.concat([Buffer.from([0x08]), varint(seconds), Buffer.from([0x10]), varint(nanos)]);
  return Buffer.concat([header, Buffer.from([0x1a]), varint(ts.length), ts]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}

interface HeaderOptions {
  readonly nonce: Uint8Array;
  readonly txId?: string;
  readonly timestamp?: string;
  readonly chaincode?: string;
}

export function headers(type: number, creator: Signer | undefined, o: HeaderOptions): { channelHeader: Uint8Array; signatureHeader: Uint8Array } {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setChannelId(CHANNEL);
  channelHeader.setTxId(o.txId ?? '');
  if (o.chaincode !== undefined) {
    const id = new peer.ChaincodeID();
    id.setName(o.chaincode);
    const extension = new peer.ChaincodeHeaderExtension();
    extension.setChaincodeId(id);
    channelHeader.setExtension$(extension.serializeBinary());
  }
  const signatureHeader = new common.SignatureHeader();
  if (creator !== undefined) signatureHeader.setCreator(serializedIdentity(creator));
  signatureHeader.setNonce(o.nonce);
  return { channelHeader: withTimestamp(channelHeader.serializeBinary(), o.timestamp ?? '2026-01-01T00:00:00.000Z'), signatureHeader: signatureHeader.serializeBinary() };
}

function envelopeBytes(type: number, data: Uint8Array, creator: Signer | undefined, o: HeaderOptions): Uint8Array {
  const h = headers(type, creator, o);
  return signedEnvelope(h.channelHeader, h.signatureHeader, data, creator);
}

export function signedEnvelope(channelHeader: Uint8Array, signatureHeader: Uint8Array, data: Uint8Array, creator: Signer | undefined): Uint8Array {
  const header = new common.Header();
  header.setChannelHeader(channelHeader);
  header.setSignatureHeader(signatureHeader);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const bytes = payload.serializeBinary();
  const env = new common.Envelope();
  env.setPayload(bytes);
  if (creator !== undefined) env.setSignature(signLowS(bytes, creator.key));
  return env.serializeBinary();
}

export const txIdOf = (nonce: Uint8Array, creator: Signer): string => sha256(Buffer.concat([nonce, serializedIdentity(creator)])).toString('hex');

export { ledger };
