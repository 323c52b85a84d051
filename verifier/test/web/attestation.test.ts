import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newStatementSigner } from '../../src/service/signer';
import { attestationOutcome, verifyObserverSignature } from '../../src/web/attestation';
import type { InclusionStatement } from '../../src/wire';

/** A P-256 key and a self-signed certificate for it (openssl: Node cannot issue certificates). */
function observerIdentity(): { certificate: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-attestation-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  fs.writeFileSync(path.join(dir, 'key.pem'), key);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'key.pem'), '-subj', '/CN=observer', '-days', '1', '-out', path.join(dir, 'cert.pem')]);
  const certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true });
  return { certificate, key };
}

const receipt = { pollId: 'p-1', ballotId: 'a'.repeat(64), txId: 'b'.repeat(64) };
const statement: InclusionStatement = {
  kind: 'inclusion', channel: 'polls', ...receipt, blockNumber: 12, txIndex: 1, blockHash: 'c'.repeat(64),
  validationCode: 'VALID', observedAt: '2026-05-01T08:00:00.000Z',
};

describe('attestation (the observer\'s signed inclusion statement, checked in the browser)', () => {
  const identity = observerIdentity();
  const signer = newStatementSigner('ObserverMSP', identity.certificate, identity.key);

  it('verifies a statement signed by the service\'s own signer', async () => {
    const signed = await signer.sign(statement);
    const check = await verifyObserverSignature(signed.statement, signed.signer);
    expect(check.ok, check.detail).to.equal(true);
    expect(attestationOutcome(receipt, signed.statement, check)).to.have.property('ok', true);
  });

  it('refuses a statement altered after signing', async () => {
    const signed = await signer.sign(statement);
    const check = await verifyObserverSignature({ ...signed.statement, blockNumber: 13 }, signed.signer);
    expect(check.ok).to.equal(false);
    expect(attestationOutcome(receipt, signed.statement, check).sentence).to.match(/^NOT verified: the signature does not verify/);
  });

  it('refuses a signature checked against another certificate', async () => {
    const signed = await signer.sign(statement);
    const other = observerIdentity();
    expect((await verifyObserverSignature(signed.statement, { ...signed.signer, certificate: other.certificate })).ok).to.equal(false);
    expect((await verifyObserverSignature(signed.statement, { ...signed.signer, certificate: 'garbage' })).detail).to.contain('cannot be read');
  });

  it('refuses a valid statement about another receipt, or a transaction that is not VALID', () => {
    const good = { ok: true, detail: 'ok' };
    expect(attestationOutcome({ ...receipt, txId: 'd'.repeat(64) }, statement, good).sentence).to.contain('not about your receipt');
    expect(attestationOutcome(receipt, { ...statement, validationCode: 'MVCC_READ_CONFLICT' }, good).sentence).to.contain('MVCC_READ_CONFLICT, not VALID');
  });
});
