import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BlockSource } from '../../src/core/config-chain';
import { headerOnly } from '../../src/service/blocks';
import { newStatementSigner } from '../../src/service/signer';
import { attestationOutcome, attestationView, verifyObserverSignature } from '../../src/web/attestation';
import type { InclusionStatement, ObserverSignature } from '../../src/wire';
import { raftConfig } from '../support/fabric';
import { LedgerBuilder, headerHash, reseal } from '../support/ledger';
import { type Signer, highS, orgs, rogue, signLowS } from '../support/pki';
import { canonicalJson } from '../../src/core/canonical';
import { castBallot } from '../support/polls';

/** A P-256 key and a self-signed certificate for it (openssl: Node cannot issue certificates). */
function selfMadeIdentity(): { certificate: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-attestation-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  fs.writeFileSync(path.join(dir, 'key.pem'), key);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'key.pem'), '-subj', '/O=ObserverMSP/OU=client/CN=auditor-observer', '-days', '1', '-out', path.join(dir, 'cert.pem')]);
  const certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true });
  return { certificate, key };
}

/**
 * A chain whose genesis has City, Dept and Observer; block 2 (a config block) adds the Watchdog; ballots follow in
 * blocks 1, 3 and 4. Served as the verification service serves it: full blocks, and header-only ones.
 */
function chain(): { builder: LedgerBuilder; source: (blocks?: readonly Uint8Array[]) => BlockSource } {
  const b = new LedgerBuilder();
  b.addBlock([castBallot(b, 'p1', 'ann', 'red', 1)]);
  b.addConfigBlock({ ...raftConfig, application: [...raftConfig.application, orgs.watchdog] });
  b.addBlock([castBallot(b, 'p1', 'bob', 'blue', 2)]);
  b.addBlock([castBallot(b, 'p1', 'cat', 'red', 3)]);
  const source = (blocks: readonly Uint8Array[] = b.blocks): BlockSource => {
    const at = (n: number): Uint8Array => {
      const block = blocks[n];
      if (block === undefined) throw new Error(`no block ${n}`);
      return block;
    };
    return { block: (n) => Promise.resolve(at(n)), headerOnly: (n) => Promise.resolve(headerOnly(at(n))) };
  };
  return { builder: b, source };
}

const receipt = { pollId: 'p1', ballotId: 'a'.repeat(64), txId: 'b'.repeat(64) };

describe('attestation (the observer\'s signed inclusion statement, checked in the browser)', () => {
  const { builder, source } = chain();
  const statementAt = (blockNumber: number): InclusionStatement => ({
    kind: 'inclusion', channel: 'polls', ...receipt, blockNumber, txIndex: 0, blockHash: headerHash(builder.blocks[blockNumber]!).toString('hex'),
    validationCode: 'VALID', observedAt: '2026-05-01T08:00:00.000Z',
  });
  const auditor = (org: typeof orgs.observer): Signer => org.ca.issue(org.mspId, { OU: ['client'], CN: `auditor-${org.key}` });
  const signWith = async (identity: Signer | { mspId: string; certificate: string; key: string }, statement: InclusionStatement) =>
    (await newStatementSigner(identity.mspId, identity.certificate.toString(), identity.key).sign(statement)).signer;
  const check = (statement: InclusionStatement, signer: ObserverSignature, overrides: Partial<{ genesisHash: string; blocks: BlockSource }> = {}) =>
    verifyObserverSignature(statement, signer, { genesisHash: builder.genesisHash, blocks: source(), ...overrides });

  describe('verifyObserverSignature', () => {
    it('verifies a statement signed by an identity of ObserverMSP\'s CA, in the config from the pinned genesis', async () => {
      const statement = statementAt(3);
      const result = await check(statement, await signWith(auditor(orgs.observer), statement));
      expect(result.ok, result.detail).to.equal(true);
      expect(result.detail).to.match(/^auditor-observer \(client of ObserverMSP\) signed it/);
      expect(result.facts.map((f) => f.title)).to.deep.equal(['Signer is an observer', 'Block 3', "Certificate issued by ObserverMSP's CA", 'Signature']);
      expect(result.facts[1]?.text).to.contain('the config of blocks 0, 2');
      expect(attestationOutcome(receipt, statement, result)).to.have.property('ok', true);
      expect(attestationView(statement, (await signWith(auditor(orgs.observer), statement)), result).toString()).to.contain('✔ verifies over this statement');
    });

    it('follows the config blocks: the Watchdog counts from the config block that adds it, not before', async () => {
      const watchdog = auditor(orgs.watchdog);
      const after = statementAt(4);
      expect((await check(after, await signWith(watchdog, after))).ok).to.equal(true);
      const before = statementAt(1);
      const refused = await check(before, await signWith(watchdog, before));
      expect(refused.detail).to.equal('WatchdogMSP is not an organisation of the channel config in force at block 1');
    });

    it('refuses a statement re-signed by a self-made certificate that claims ObserverMSP', async () => {
      const statement = statementAt(3);
      const result = await check(statement, await signWith({ mspId: 'ObserverMSP', ...selfMadeIdentity() }, statement));
      expect(result.ok).to.equal(false);
      expect(result.detail).to.equal("the certificate (auditor-observer) was not issued by ObserverMSP's CA");
    });

    it('refuses a statement signed by a valid identity of an organisation that is not an observer (CityMSP)', async () => {
      const statement = statementAt(3);
      const city = await check(statement, await signWith(orgs.city.client, statement));
      expect(city.detail).to.equal('CityMSP is not an observer organisation (ObserverMSP or WatchdogMSP)');
      // The city's certificate presented as ObserverMSP's: not issued by ObserverMSP's CA.
      const disguised = await check(statement, { ...(await signWith(orgs.city.client, statement)), mspId: 'ObserverMSP' });
      expect(disguised.detail).to.match(/was not issued by ObserverMSP's CA/);
    });

    it('refuses an identity of the observer\'s CA with no NodeOU role', async () => {
      const statement = statementAt(3);
      const roleless = orgs.observer.ca.issue('ObserverMSP', { CN: 'no-role' });
      expect((await check(statement, await signWith(roleless, statement))).detail).to.match(/no-role of ObserverMSP has no NodeOU role/);
    });

    it('refuses a statement altered after signing, a high-S signature, and a signature that is not base64', async () => {
      const statement = statementAt(3);
      const signer = await signWith(auditor(orgs.observer), statement);
      expect((await check({ ...statement, txIndex: 1 }, signer)).detail).to.match(/^the signature by auditor-observer .* does not verify over this statement$/);
      const identity = auditor(orgs.observer);
      const lowS = signLowS(Buffer.from(canonicalJson(statement)), identity.key);
      const signed = { mspId: 'ObserverMSP', certificate: identity.certificate.toString(), signature: lowS.toString('base64') };
      expect((await check(statement, signed)).ok).to.equal(true);
      // The same signature with S = n − S: valid ECDSA, refused as Fabric refuses it.
      expect((await check(statement, { ...signed, signature: highS(lowS).toString('base64') })).detail).to.match(/does not verify over this statement/);
      expect((await check(statement, { ...signer, signature: '!!!' })).detail).to.equal('the signature is not base64');
    });

    it('refuses a block hash other than the header\'s, another genesis, and a block the orderers did not sign', async () => {
      const statement = statementAt(3);
      const signer = await signWith(auditor(orgs.observer), statement);
      const wrongHash = { ...statement, blockHash: 'c'.repeat(64) };
      expect((await check(wrongHash, await signWith(auditor(orgs.observer), wrongHash))).detail).to.match(/^block 3's header hashes to [0-9a-f]{64}, not to the statement's c+$/);
      expect((await check(statement, signer, { genesisHash: '0'.repeat(64) })).detail).to.match(/not the pinned genesis hash/);
      // Blocks from 3 on re-sealed by an orderer of an organisation that is not on the channel.
      const forged = reseal(builder.blocks, 3, [rogue.orderer]);
      const forgedStatement = { ...statement, blockHash: headerHash(forged[3]!).toString('hex') };
      const result = await check(forgedStatement, await signWith(auditor(orgs.observer), forgedStatement), { blocks: source(forged) });
      expect(result.detail).to.match(/^block 3 cannot be checked from the pinned genesis: block 3: /);
    });

    it('refuses a config block whose data was altered, or that the service serves without its data', async () => {
      const statement = statementAt(3);
      const signer = await signWith(auditor(orgs.observer), statement);
      const stripped = [...builder.blocks];
      stripped[2] = headerOnly(stripped[2]!);
      expect((await check(statement, signer, { blocks: source(stripped) })).detail).to.match(/block 2 is not a config block \(it holds 0 envelopes\)/);
      const altered = [...builder.blocks];
      const bytes = Buffer.from(altered[2]!);
      const at = bytes.indexOf('WatchdogMSP');
      bytes.write('WatchdogMSQ', at);
      altered[2] = bytes;
      expect((await check(statement, signer, { blocks: source(altered) })).detail).to.match(/block 2's data does not hash to its header's data_hash/);
    });

    it('says so when the service cannot send a block', async () => {
      const statement = statementAt(3);
      const failing: BlockSource = { block: () => Promise.reject(new Error('503')), headerOnly: () => Promise.reject(new Error('503')) };
      expect((await check(statement, await signWith(auditor(orgs.observer), statement), { blocks: failing })).detail).to.equal('block 3 cannot be checked from the pinned genesis: the service did not send block 0 (503)');
    });
  });

  describe('attestationOutcome', () => {
    it('refuses a valid statement about another receipt, or a transaction that is not VALID', () => {
      const good = { ok: true, detail: 'ok' };
      const statement = statementAt(3);
      expect(attestationOutcome({ ...receipt, txId: 'd'.repeat(64) }, statement, good).sentence).to.contain('not about your receipt');
      expect(attestationOutcome(receipt, { ...statement, validationCode: 'MVCC_READ_CONFLICT' }, good).sentence).to.contain('MVCC_READ_CONFLICT, not VALID');
      expect(attestationOutcome(receipt, statement, { ok: false, detail: 'CityMSP is not an observer organisation' }).sentence).to.equal('NOT verified: CityMSP is not an observer organisation.');
    });

    it('names the ballot position of a batched ballot, and refuses a statement of another position than the receipt names', () => {
      const good = { ok: true, detail: 'ok' };
      const statement = { ...statementAt(3), position: 4 };
      expect(attestationOutcome({ ...receipt, position: 4 }, statement, good).sentence).to.match(/^Partly verified, for now: .* in block 3 \(transaction 0, ballot position 4, block header hash /);
      expect(attestationOutcome(receipt, statement, good).ok).to.equal(true);
      expect(attestationOutcome({ ...receipt, position: 2 }, statement, good).sentence).to.contain('the statement names position 4, your receipt 2');
      expect(attestationOutcome({ ...receipt, position: 2 }, statementAt(3), good).sentence).to.contain('the statement names position none, your receipt 2');
    });
  });
});
