import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { hash } from '@hyperledger/fabric-gateway';
import { P256_N, createSigning, derSignature, newNodeCryptoSigner } from '../src/signer';
import { expect } from 'chai';

/** Reads r and s back out of a DER ECDSA signature. */
function parseDer(signature: Uint8Array): { r: bigint; s: bigint } {
  const der = Buffer.from(signature);
  expect(der[0]).to.equal(0x30);
  const readInt = (offset: number) => {
    expect(der[offset]).to.equal(0x02);
    const length = der[offset + 1]!;
    return { value: BigInt(`0x${der.subarray(offset + 2, offset + 2 + length).toString('hex')}`), next: offset + 2 + length };
  };
  const r = readInt(2);
  const s = readInt(r.next);
  expect(s.next).to.equal(der.length);
  return { r: r.value, s: s.value };
}

describe('signer', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  describe('newNodeCryptoSigner', () => {
    it('when signing many messages, then every signature verifies with node:crypto and has S <= n/2', async () => {
      const sign = newNodeCryptoSigner(privateKey);
      for (let i = 0; i < 200; i++) {
        const message = randomBytes(64 + i);
        const signature = await sign(message);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature), `signature ${i}`).to.equal(true);
        expect(parseDer(signature).s <= P256_N / 2n, `low-S ${i}`).to.equal(true);
      }
    });

    it('when the key is not EC P-256, then it is refused', () => {
      const { privateKey: p384 } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const { privateKey: ed } = generateKeyPairSync('ed25519');
      expect(() => newNodeCryptoSigner(p384)).to.throw(/P-256/);
      expect(() => newNodeCryptoSigner(ed)).to.throw(/P-256/);
    });
  });

  describe('derSignature', () => {
    it('when a value has its high bit set, then a zero byte keeps the DER integer positive', () => {
      const der = derSignature(0x80n, 0x7fn);
      expect(der.toString('hex')).to.equal('3007020200800201' + '7f');
      expect(parseDer(der)).to.deep.equal({ r: 0x80n, s: 0x7fn });
    });

    it('when a high S is normalised to n - S, then the signature still verifies', async () => {
      const message = randomBytes(32);
      const { r, s } = parseDer(await newNodeCryptoSigner(privateKey)(message));
      const highS = derSignature(r, P256_N - s);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, highS)).to.equal(true);
    });
  });

  describe('createSigning', () => {
    it('when node-crypto is chosen, then fabric-gateway must not pre-hash (hash.none)', () => {
      expect(createSigning('node-crypto', privateKey).hash).to.equal(hash.none);
    });

    it('when fabric-default is chosen, then the pure-JS signer signs a SHA-256 digest', async () => {
      const signing = createSigning('fabric-default', privateKey);
      expect(signing.hash).to.equal(hash.sha256);
      const message = randomBytes(40);
      const signature = await signing.signer(signing.hash(message));
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)).to.equal(true);
    });
  });
});
