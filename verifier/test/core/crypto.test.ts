import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import { bytesKey } from '../../src/core/bytes';
import { defaultProvider, isLowS, nobleProvider, parseDerSignature } from '../../src/core/crypto';
import { nodeCryptoProvider } from '../../src/cli/node-crypto';

const HALF_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n >> 1n;

/** DER SEQUENCE { INTEGER r, INTEGER s } from the given integer contents. */
const der = (r: readonly number[], s: readonly number[]): Uint8Array => Uint8Array.from([0x30, r.length + s.length + 4, 0x02, r.length, ...r, 0x02, s.length, ...s]);
const bigEndian = (n: bigint): number[] => [...Buffer.from(n.toString(16).padStart(64, '0'), 'hex')];

describe('bytesKey', () => {
  it('gives every byte its own character, so distinct arrays give distinct keys', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(new Set(bytesKey(all)).size).to.equal(256);
    expect(bytesKey(Uint8Array.from([0x81, 0x8d]))).to.not.equal(bytesKey(Uint8Array.from([0x8d, 0x81])));
  });
});

describe('isLowS', () => {
  it('accepts S up to half the order and refuses S above it', () => {
    expect(isLowS(der([1], bigEndian(HALF_ORDER)))).to.be.true;
    expect(isLowS(der([1], [0, ...bigEndian(HALF_ORDER + 1n)]))).to.be.false;
    expect(isLowS(der([1], [0, 0, 5]))).to.be.true;
  });

  it('refuses zero and malformed DER, as parseDerSignature does', () => {
    for (const bad of [der([1], [0]), der([0], [1]), Uint8Array.from([0x30, 3, 2, 1, 1]), der([1], [1]).subarray(1)]) {
      expect(isLowS(bad)).to.be.false;
      expect(parseDerSignature(bad)).to.be.undefined;
    }
  });

  it('agrees with the bigint reading on real signatures', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 50; i += 1) {
      const signature = sign('sha256', Buffer.from(`m${i}`), privateKey);
      expect(isLowS(signature)).to.equal((parseDerSignature(signature)?.s ?? 0n) <= HALF_ORDER);
    }
  });
});

describe('the CryptoProviders', () => {
  it('node:crypto, WebCrypto and @noble verify the same signature, and refuse an altered one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const message = Buffer.from('ballot');
    const signature = sign('sha256', message, privateKey);
    const node = nodeCryptoProvider();
    expect(await node.verifyP256(spki, message, signature)).to.be.true;
    expect(nobleProvider.verifyP256(spki, message, signature)).to.be.true;
    expect(await defaultProvider().verifyP256(spki, message, signature)).to.be.true;
    expect(await defaultProvider().verifyP256(spki, Buffer.from('ballox'), signature)).to.be.false;
    expect(await node.verifyP256(spki, Buffer.from('ballox'), signature)).to.be.false;
    expect(await node.verifyP256(spki, message, signature.subarray(1))).to.be.false;
  });
});
