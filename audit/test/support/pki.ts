/**
 * A test PKI made in memory at load time: EC P-256 keys from node:crypto and X.509 v3 certificates DER-encoded here
 * (node:crypto parses certificates but cannot issue them). It mirrors test-network-scripts/lib/ca.sh: one CA per
 * organisation issues the orderer's enrollment certificate (OU=orderer, CN=orderer0-<org>) and its TLS certificate
 * (identity <name>-tls, SAN localhost), the peer (OU=peer), the admin (OU=admin) and the clients (OU=client).
 */
import { type KeyObject, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

// --- DER -------------------------------------------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
const octets = (content: Buffer): Buffer => tlv(0x04, content);
const bits = (content: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), content]));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const TRUE = tlv(0x01, Buffer.from([0xff]));

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ATTRIBUTE = { O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface Name {
  readonly O: string;
  readonly OU?: readonly string[];
  readonly CN: string;
}

function name(n: Name): Buffer {
  const rdn = (type: keyof typeof ATTRIBUTE, value: string): Buffer => set(seq(oid(ATTRIBUTE[type]), utf8(value)));
  return seq(rdn('O', n.O), ...(n.OU ?? []).map((ou) => rdn('OU', ou)), rdn('CN', n.CN));
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return seq(oid(id), ...(critical ? [TRUE] : []), octets(value));
}

// --- certificates ----------------------------------------------------------------------------------------------

export interface KeyPair {
  readonly certificate: Buffer;
  readonly key: KeyObject;
}

interface CertSpec {
  readonly subject: Name;
  readonly issuer: Name;
  readonly issuerKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly ca: boolean;
  readonly hosts?: readonly string[];
}

/** A positive serial in minimal DER (a leading zero byte would make OpenSSL refuse the certificate). */
function serial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes;
}

function certificate(spec: CertSpec): Buffer {
  const now = Date.now();
  const extensions = [
    extension('2.5.29.19', spec.ca ? seq(TRUE) : seq(), true),
    extension('2.5.29.15', spec.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7), true),
    ...(spec.hosts === undefined ? [] : [extension('2.5.29.17', seq(...spec.hosts.map((h) => tlv(0x82, Buffer.from(h)))))]),
  ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial()),
    ECDSA_SHA256,
    name(spec.issuer),
    seq(time(new Date(now - 3_600_000)), time(new Date(now + 100 * 365 * 86_400_000))),
    name(spec.subject),
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, ECDSA_SHA256, bits(sign('sha256', tbs, spec.issuerKey)));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`);
}

const newKey = (): { privateKey: KeyObject; publicKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** A CA as Fabric CA makes one: a self-signed root that issues every identity of one organisation. */
export class TestCa {
  readonly name: Name;
  readonly certificate: Buffer;
  readonly #key: KeyObject;

  constructor(org: string, mspId: string) {
    const { privateKey, publicKey } = newKey();
    this.name = { O: mspId, CN: `ca.${org}.poll-ledger` };
    this.#key = privateKey;
    this.certificate = certificate({ subject: this.name, issuer: this.name, issuerKey: privateKey, publicKey, ca: true });
  }

  issue(subject: Omit<Name, 'O'>, options: { hosts?: readonly string[] } = {}): KeyPair {
    const { privateKey, publicKey } = newKey();
    const cert = certificate({
      subject: { O: this.name.O, ...subject },
      issuer: this.name,
      issuerKey: this.#key,
      publicKey,
      ca: false,
      ...(options.hosts === undefined ? {} : { hosts: options.hosts }),
    });
    return { certificate: cert, key: privateKey };
  }
}

/** Who signs: an MSP id (claimed, as in a SerializedIdentity), a certificate and its private key. */
export interface Signer {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly key: KeyObject;
}

export interface TestOrg {
  readonly key: string;
  readonly mspId: string;
  readonly ca: TestCa;
  readonly orderer: Signer;
  /** The orderer's TLS certificate, what an etcdraft consenter entry holds. */
  readonly ordererTls: Signer;
  readonly peer: Signer;
  readonly admin: Signer;
  /** The ballot-relay client (OU=client), issued by the same CA as the orderer. */
  readonly client: Signer;
}

export function testOrg(key: string, mspId: string): TestOrg {
  const ca = new TestCa(key, mspId);
  const as = (pair: KeyPair): Signer => ({ mspId, ...pair });
  return {
    key,
    mspId,
    ca,
    orderer: as(ca.issue({ OU: ['orderer'], CN: `orderer0-${key}` })),
    ordererTls: as(ca.issue({ OU: ['orderer'], CN: `orderer0-${key}-tls` }, { hosts: ['localhost', '127.0.0.1'] })),
    peer: as(ca.issue({ OU: ['peer'], CN: `peer0-${key}` })),
    admin: as(ca.issue({ OU: ['admin'], CN: `admin-${key}` })),
    client: as(ca.issue({ OU: ['client'], CN: `ballot-relay-${key}` })),
  };
}

/** The test network's organisations, made once per test run. */
export const orgs = {
  city: testOrg('city', 'CityMSP'),
  dept: testOrg('dept', 'DeptMSP'),
  observer: testOrg('observer', 'ObserverMSP'),
};

/** The second observer, which runs the fourth BFT consenter (Fabric 3 full mode); on the channel only in BFT tests. */
export const watchdog = testOrg('watchdog', 'WatchdogMSP');

/** An organisation that is not on the channel: the rogue of the forged-config tests. */
export const rogue = testOrg('rogue', 'RogueMSP');

/** Claims to be the city's orderer, with a certificate from another CA. */
export const impostor: Signer = { ...rogue.orderer, mspId: orgs.city.mspId };
