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

describe('nodeCryptoProvider', () => {
  const keys = [0, 1, 2].map(() => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const spkiOf = (i: number): Buffer => keys[i]!.publicKey.export({ format: 'der', type: 'spki' });

  for (const threads of [0, 1, 2]) {
    it(`with ${threads} worker thread(s), answers each of many concurrent verifications for its own message and key`, async () => {
      const node = nodeCryptoProvider({ threads });
      try {
        const cases = Array.from({ length: 300 }, (_, i) => {
          const message = Buffer.from(`message ${i}`);
          const signer = i % 3;
          const signature = sign('sha256', message, keys[signer]!.privateKey);
          // Every fifth is checked against another key, every seventh against another message.
          const key = i % 5 === 0 ? (signer + 1) % 3 : signer;
          const checked = i % 7 === 0 ? Buffer.from(`other ${i}`) : message;
          return { expected: key === signer && checked === message, run: () => node.verifyP256(spkiOf(key), checked, signature) };
        });
        const results = await Promise.all(cases.map(async (c) => c.run()));
        expect(results).to.deep.equal(cases.map((c) => c.expected));
      } finally {
        await node.close();
      }
    });
  }

  it('after close, refuses to verify rather than wait forever', async () => {
    const node = nodeCryptoProvider({ threads: 1 });
    await node.close();
    const message = Buffer.from('m');
    const outcome = await Promise.resolve(node.verifyP256(spkiOf(0), message, sign('sha256', message, keys[0]!.privateKey))).then(String, (e: unknown) => (e as Error).message);
    expect(outcome).to.equal('the signature workers were closed');
  });

  it('refuses a key that does not parse, without a worker', async () => {
    const node = nodeCryptoProvider({ threads: 1 });
    expect(await node.verifyP256(Buffer.from('not a key'), Buffer.from('m'), Buffer.alloc(70))).to.be.false;
    await node.close();
  });

  it('hashes as SHA-256', () => {
    expect(Buffer.from(nodeCryptoProvider({ threads: 0 }).sha256(Buffer.from('abc'))).toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
