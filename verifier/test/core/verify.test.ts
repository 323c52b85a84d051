import { expect } from 'chai';
import type { VerificationReport } from '../../src/core/report';
import { verifyBundle } from '../../src/core/verify';
import { defaultProvider } from '../../src/core/crypto';
import { SignatureVerifier } from '../../src/core/msp';
import { LedgerWalk } from '../../src/core/walk';
import { bundleOf } from '../support/bundle';
import { bftConfig, raftConfig } from '../support/fabric';
import { type BlockSigner, LedgerBuilder, bftQuorum, bftSigner, replaceTx, reseal, setFlag, withhold } from '../support/ledger';
import { orgs, rogue } from '../support/pki';
import { castBallot, pollLedger } from '../support/polls';
import type { TxSpec } from '../support/tx';

const step = (r: VerificationReport, name: string) => r.steps.find((s) => s.name === name)!;
const failed = (r: VerificationReport): string[] => r.steps.filter((s) => !s.ok).map((s) => s.name);
const messages = (r: VerificationReport, name: string): string => step(r, name).failures.map((f) => f.message).join('\n');

/** Replaces `from` with `to` (same length) inside the block's bytes: an edit of a ballot's answer. */
function editBytes(block: Uint8Array, from: string, to: string): Uint8Array {
  const bytes = Buffer.from(block);
  const at = bytes.indexOf(from);
  if (at < 0) throw new Error(`${from} not found`);
  bytes.write(to, at);
  return bytes;
}

describe('verifyBundle', () => {
  const ledger = pollLedger();
  const verify = (blocks: readonly Uint8Array[], extra: Partial<Parameters<typeof verifyBundle>[1]> = {}) =>
    verifyBundle(bundleOf(blocks, 'p1'), { genesisHash: ledger.genesisHash, ...extra });

  describe('on an honest etcdraft ledger', () => {
    it('verifies every step, the recount and a receipt', async () => {
      const report = await verify(ledger.blocks, { receipt: ledger.receipts.alice! });
      expect(failed(report)).to.deep.equal([]);
      expect(report.ok).to.be.true;
      expect(report.poll).to.include({ ballotCount: 3, matches: true });
      expect(report.poll?.counts).to.deep.equal({ q1: { red: 1, blue: 2 } });
      expect(report.receipt).to.deep.include({ blockNumber: ledger.receipts.alice!.block, txIndex: 0, valid: true, asCast: true, counted: true });
      expect(report.receipt?.endorsedBy).to.have.members(['ObserverMSP', 'CityMSP']);
      expect(report.flagMismatches).to.deep.equal([]);
      expect(report.stats.signaturesChecked).to.be.greaterThan(20);
    });

    it("when the receipt is of a ballot a re-vote replaced, then it is valid and as cast but not counted", async () => {
      const report = await verify(ledger.blocks, { receipt: ledger.aliceFirst });
      expect(report.receipt).to.include({ valid: true, asCast: true, counted: false });
      expect(messages(report, 'receipt')).to.match(/a later ballot of this voter/);
    });

    it('reports progress and yields', async () => {
      const seen: string[] = [];
      await verify(ledger.blocks, { onProgress: (p) => seen.push(p.step) });
      expect(seen).to.include('chain').and.to.include('poll');
    });
  });

  it('when a config block after genesis changes the consenters, then later blocks are checked against the new ones', async () => {
    // Found on the real network: config updates (a new org, a batch timeout) were never adopted.
    const chain = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    const moved = chain.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] });
    chain.addBlock([], [orgs.dept.orderer]);
    const report = await verifyBundle(bundleOf(chain.blocks), { genesisHash: chain.genesisHash });
    expect(failed(report)).to.deep.equal([]);
    expect(step(report, 'config').checked).to.equal(2);

    const stale = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    stale.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] });
    stale.addBlock([], [orgs.city.orderer]);
    const refused = await verifyBundle(bundleOf(stale.blocks), { genesisHash: stale.genesisHash });
    expect(failed(refused)).to.include('orderer-signatures');
    expect(messages(refused, 'orderer-signatures')).to.match(new RegExp(`block ${String(moved + 1)}`));
  });

  it('when a block was prepared under the config a later-committed config block replaced, then its checks are run again', async () => {
    const chain = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    chain.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] });
    chain.addBlock([], [orgs.dept.orderer]);
    const walk = new LedgerWalk('polls', chain.genesisHash, new SignatureVerifier(defaultProvider()));
    await walk.add(0, chain.blocks[0]!);
    const prepared = chain.blocks.map((b, n) => walk.prepare(n, b)).slice(1);
    expect(prepared[0]?.barrier).to.equal(true);
    for (const p of prepared) await walk.commit(p);
    expect([walk.chain, walk.config, walk.signatures].flatMap((s) => s.failures)).to.deep.equal([]);
    expect(walk.configBlocks).to.deep.equal([0, 1]);
  });

  it('when the pinned genesis hash is another, then the chain fails', async () => {
    const report = await verify(ledger.blocks, { genesisHash: '00'.repeat(32) });
    expect(failed(report)).to.include('chain');
    expect(messages(report, 'chain')).to.match(/not the pinned genesis hash/);
  });

  describe('an altered ballot', () => {
    const altered = [...ledger.blocks];
    altered[ledger.ballotBlock] = editBytes(altered[ledger.ballotBlock]!, '["red"]', '["rex"]');

    it('breaks the data hash, and the signatures over it no longer verify', async () => {
      const report = await verify(altered, { receipt: ledger.aliceFirst });
      expect(messages(report, 'chain')).to.match(/does not hash to its header's data_hash/);
      expect(report.flagMismatches[0]).to.include({ blockNumber: ledger.ballotBlock, txIndex: 0, onLedger: 'VALID', derived: 'BAD_CREATOR_SIGNATURE' });
      expect(report.receipt?.valid).to.be.false;
    });

    it("when re-sealed with the orderer's key, the chain holds but the transaction is invalid and no result stands", async () => {
      const resealed = reseal(altered, ledger.ballotBlock, [orgs.city.orderer]);
      const report = await verify(resealed);
      expect(failed(report)).to.deep.equal(['transactions']);
      // Derived validity cascades: the re-vote and the tally now conflict, so no final result stands.
      expect(report.flagMismatches.map((m) => m.derived)).to.include('PHANTOM_READ_CONFLICT');
      expect(report.poll?.matches).to.be.false;
    });
  });

  it('a dropped transaction: its receipt is not found; re-sealed, the tally range read no longer holds (phantom)', async () => {
    const dropped = [...ledger.blocks];
    dropped[ledger.ballotBlock] = replaceTx(dropped[ledger.ballotBlock]!, 1, undefined);
    const plain = await verify(dropped, { receipt: ledger.receipts.bob! });
    expect(failed(plain)).to.include.members(['chain', 'receipt']);
    expect(messages(plain, 'receipt')).to.match(/not in the bundle/);
    const resealed = await verify(reseal(dropped, ledger.ballotBlock, [orgs.city.orderer]));
    expect(resealed.flagMismatches.map((m) => m.derived)).to.include('PHANTOM_READ_CONFLICT');
    expect(resealed.poll?.matches).to.be.false;
    expect(resealed.ok).to.be.false;
  });

  describe('endorsements', () => {
    const extend = (tx: Partial<TxSpec>, code = 0) => {
      const l = pollLedger();
      const built = castBallot(l.builder, 'p2', 'erin', 'red', 30, { ...tx, code });
      const block = l.builder.addBlock([built]);
      return { l, block };
    };

    it('a forged endorsement (signed by a key not matching the certificate) does not count: policy failure, flag mismatch', async () => {
      const { l, block } = extend({ forgeEndorsement: { index: 0, key: rogue.peer.key } });
      const report = await verifyBundle(bundleOf(l.blocks, 'p1'), { genesisHash: l.genesisHash });
      expect(report.flagMismatches).to.deep.equal([{ blockNumber: block, txIndex: 0, txId: report.flagMismatches[0]?.txId, onLedger: 'VALID', derived: 'ENDORSEMENT_POLICY_FAILURE' }]);
      expect(messages(report, 'transactions')).to.match(/valid endorsements by CityMSP\)/);
    });

    it('endorsed by City and Dept only: the policy is not satisfied, whatever the flag says', async () => {
      const flaggedValid = extend({ endorsers: [orgs.city.peer, orgs.dept.peer] });
      const r1 = await verifyBundle(bundleOf(flaggedValid.l.blocks), { genesisHash: flaggedValid.l.genesisHash });
      expect(r1.flagMismatches.map((m) => m.derived)).to.deep.equal(['ENDORSEMENT_POLICY_FAILURE']);
      const flaggedInvalid = extend({ endorsers: [orgs.city.peer, orgs.dept.peer] }, 10);
      const r2 = await verifyBundle(bundleOf(flaggedInvalid.l.blocks), { genesisHash: flaggedInvalid.l.genesisHash });
      expect(r2.flagMismatches).to.deep.equal([]);
      expect(step(r2, 'transactions').ok).to.be.true;
    });

    it('a client certificate of the observer cannot stand in for its peer', async () => {
      const { l } = extend({ endorsers: [orgs.observer.client, orgs.city.peer] });
      const report = await verifyBundle(bundleOf(l.blocks), { genesisHash: l.genesisHash });
      expect(report.flagMismatches.map((m) => m.derived)).to.deep.equal(['ENDORSEMENT_POLICY_FAILURE']);
    });
  });

  it('a flipped validation flag is reported as a mismatch and a failure', async () => {
    const flipped = [...ledger.blocks];
    flipped[ledger.ballotBlock] = setFlag(flipped[ledger.ballotBlock]!, 1, 11);
    const report = await verify(flipped);
    expect(report.flagMismatches).to.have.length(1);
    expect(report.flagMismatches[0]).to.include({ txIndex: 1, onLedger: 'MVCC_READ_CONFLICT', derived: 'VALID' });
    expect(failed(report)).to.deep.equal(['transactions']);
  });

  it('a stale read flagged VALID is re-derived as an MVCC conflict, and a replayed txId as a duplicate', async () => {
    const l = pollLedger();
    const stale = castBallot(l.builder, 'p1', 'alice', 'red', 40, { reads: [{ key: 'poll~p1', version: [1, 0] }] });
    const first = castBallot(l.builder, 'p2', 'zed', 'red', 41);
    l.builder.addBlock([stale, first]);
    l.builder.addBlock([first]);
    const report = await verifyBundle(bundleOf(l.blocks), { genesisHash: l.genesisHash });
    expect(report.flagMismatches.map((m) => m.derived)).to.deep.equal(['MVCC_READ_CONFLICT', 'DUPLICATE_TXID']);
  });

  describe('orderer signatures', () => {
    const resignedBy = (signers: readonly BlockSigner[]) => reseal(ledger.blocks, ledger.blocks.length - 1, signers);

    it("a block signed by the city's ballot-relay (same CA, not an orderer) fails", async () => {
      const report = await verify(resignedBy([orgs.city.client]));
      expect(failed(report)).to.deep.equal(['orderer-signatures']);
      expect(messages(report, 'orderer-signatures')).to.match(/not an orderer node/);
    });

    it("a block signed by an orderer of an organisation that does not order fails", async () => {
      const report = await verify(resignedBy([orgs.observer.orderer]));
      expect(messages(report, 'orderer-signatures')).to.match(/not an ordering organisation/);
    });

    it('a forged orderer certificate from another CA fails', async () => {
      const report = await verify(resignedBy([{ ...rogue.orderer, mspId: 'CityMSP' }]));
      expect(messages(report, 'orderer-signatures')).to.match(/not issued by CityMSP's CA/);
    });
  });

  describe('BFT', () => {
    const bft = pollLedger({ config: bftConfig, signers: bftQuorum });
    const last = bft.blocks.length - 1;
    const run = (blocks: readonly Uint8Array[]) => verifyBundle(bundleOf(blocks, 'p1'), { genesisHash: bft.genesisHash, receipt: bft.receipts.bob! });

    it('a quorum of 3 of 4 consenters passes', async () => {
      const report = await run(bft.blocks);
      expect(failed(report)).to.deep.equal([]);
      expect(step(report, 'config').summary).to.match(/BFT with 4 consenters/);
    });

    it('too few signatures (City and Dept alone) fail', async () => {
      const report = await run(reseal(bft.blocks, last, [bftSigner(orgs.city, 1), bftSigner(orgs.dept, 2)]));
      expect(messages(report, 'orderer-signatures')).to.match(/2 valid consenter signature\(s\), BFT with 4 consenters needs 3/);
    });

    it('a duplicate signature, or one naming an unknown consenter or another consenter, does not count', async () => {
      const dup = await run(reseal(bft.blocks, last, [bftSigner(orgs.city, 1), bftSigner(orgs.city, 1), bftSigner(orgs.dept, 2)]));
      expect(messages(dup, 'orderer-signatures')).to.match(/a second signature/);
      const unknown = await run(reseal(bft.blocks, last, [bftSigner(orgs.city, 1), bftSigner(orgs.dept, 2), bftSigner(orgs.observer, 9)]));
      expect(messages(unknown, 'orderer-signatures')).to.match(/consenter 9, which the config in force does not name/);
      const relabelled = await run(reseal(bft.blocks, last, [bftSigner(orgs.city, 1), bftSigner(orgs.dept, 2), bftSigner(orgs.city, 3)]));
      expect(step(relabelled, 'orderer-signatures').ok).to.be.false;
    });
  });

  it('a withheld block (data emptied) is noted; the chain, its signatures and the poll still verify', async () => {
    const l = pollLedger();
    const hidden = l.builder.addBlock([castBallot(l.builder, 'p2', 'dave', 'red', 50)]);
    l.builder.addBlock([castBallot(l.builder, 'p2', 'erin', 'blue', 51)]);
    const blocks = [...l.blocks];
    blocks[hidden] = withhold(blocks[hidden]!);
    const report = await verifyBundle(bundleOf(blocks, 'p1'), { genesisHash: l.genesisHash, receipt: l.receipts.carol! });
    expect(failed(report)).to.deep.equal([]);
    expect(step(report, 'chain').summary).to.match(/1 withheld/);
    expect(step(report, 'chain').notes.join()).to.match(new RegExp(`blocks ${hidden}`));
    expect(step(report, 'transactions').notes.join()).to.match(/in withheld blocks were not checked/);
  });
});
