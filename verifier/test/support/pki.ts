/**
 * A test PKI made in memory: P-256 keys from node:crypto and X.509 v3 certificates DER-encoded here, shaped as this
 * network's Fabric CAs issue them (test-network-scripts/lib/ca.sh): per organisation one CA, an orderer
 * (OU=orderer, CN=orderer0-<org>) with its TLS certificate (CN=…-tls), a peer, an admin and a client. Signatures are
 * normalised to low S, as Fabric's BCCSP makes them.
 */
import { type KeyObject, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const TRUE = tlv(0x01, Buffer.from([0xff]));

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] ?? 0) & 0x80) === 0) b = b.subarray(1);
  return tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
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

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex') || '0'}`);
const fromBig = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');

/** ECDSA P-256/SHA-256, DER, with S folded into the lower half (Fabric refuses high S). */
export function signLowS(data: Uint8Array, key: KeyObject): Buffer {
  const raw = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  const r = toBig(raw.subarray(0, 32));
  let s = toBig(raw.subarray(32));
  if (s > N / 2n) s = N - s;
  return seq(integer(fromBig(r)), integer(fromBig(s)));
}

/** The same signature with S = n − S: valid for ECDSA, refused by Fabric. */
export function highS(der: Uint8Array): Buffer {
  const body = Buffer.from(der).subarray(2);
  const rLen = body[1] ?? 0;
  const r = body.subarray(2, 2 + rLen);
  const s = toBig(body.subarray(4 + rLen));
  return seq(integer(Buffer.from(r)), integer(fromBig(N - s)));
}

export interface Name {
  readonly O: string;
  readonly OU?: readonly string[];
  readonly CN: string;
}

function name(n: Name): Buffer {
  const rdn = (type: string, value: string): Buffer => set(seq(oid(type), utf8(value)));
  return seq(rdn('2.5.4.10', n.O), ...(n.OU ?? []).map((ou) => rdn('2.5.4.11', ou)), rdn('2.5.4.3', n.CN));
}

const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function certificate(subject: Name, issuer: Name, issuerKey: KeyObject, publicKey: KeyObject, ca: boolean): Buffer {
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const basic = seq(oid('2.5.29.19'), TRUE, tlv(0x04, ca ? seq(TRUE) : seq()));
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(issuer),
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 20 * 365 * 86_400_000))),
    name(subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(basic)),
  );
  // Certificate signatures may be high-S (Go's x509 accepts them): plain node:crypto here, on purpose.
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, issuerKey)])));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`);
}

const newKey = (): { privateKey: KeyObject; publicKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });

export interface Signer {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly key: KeyObject;
}

export class TestCa {
  readonly name: Name;
  readonly certificate: Buffer;
  readonly #key: KeyObject;

  constructor(org: string, mspId: string) {
    const { privateKey, publicKey } = newKey();
    this.name = { O: mspId, CN: `ca.${org}.poll-ledger` };
    this.#key = privateKey;
    this.certificate = certificate(this.name, this.name, privateKey, publicKey, true);
  }

  issue(mspId: string, subject: Omit<Name, 'O'>): Signer {
    const { privateKey, publicKey } = newKey();
    return { mspId, certificate: certificate({ O: this.name.O, ...subject }, this.name, this.#key, publicKey, false), key: privateKey };
  }
}

export interface TestOrg {
  readonly key: string;
  readonly mspId: string;
  readonly ca: TestCa;
  readonly orderer: Signer;
  readonly ordererTls: Signer;
  readonly peer: Signer;
  readonly admin: Signer;
  readonly client: Signer;
}

export function testOrg(key: string, mspId: string): TestOrg {
  const ca = new TestCa(key, mspId);
  const issue = (ou: string, cn: string): Signer => ca.issue(mspId, { OU: [ou], CN: cn });
  return {
    key,
    mspId,
    ca,
    orderer: issue('orderer', `orderer0-${key}`),
    ordererTls: issue('orderer', `orderer0-${key}-tls`),
    peer: issue('peer', `peer0-${key}`),
    admin: issue('admin', `admin-${key}`),
    client: issue('client', `ballot-relay-${key}`),
  };
}

export const orgs = {
  city: testOrg('city', 'CityMSP'),
  dept: testOrg('dept', 'DeptMSP'),
  observer: testOrg('observer', 'ObserverMSP'),
  watchdog: testOrg('watchdog', 'WatchdogMSP'),
};

/** Not on the channel. */
export const rogue = testOrg('rogue', 'RogueMSP');

export const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
