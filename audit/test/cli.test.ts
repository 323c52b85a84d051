import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sinon from 'sinon';
import { decodeBlock } from '../src/block-decoder';
import { type CliIo, main } from '../src/cli';
import { ConnectionError } from '../src/errors';
import type { PeerLedger } from '../src/fabric';
import { flipByteInData, reseal, writeBlocks } from './support/ledger-builder';
import { orgs } from './support/pki';
import { scenario } from './support/scenario';
import { networkDescription, writeNetworkJson } from './support/network';
import { tempDir } from './support/tmp';

function fakePeer(blocks: readonly Uint8Array[], onBlock?: (n: number) => void): PeerLedger & { close: sinon.SinonSpy } {
  return {
    description: 'fake peer',
    lastBlockNumber: () => Promise.resolve(blocks.length - 1),
    blocks: async function* (from: number, to: number) {
      for (let n = from; n <= to; n += 1) {
        await Promise.resolve();
        onBlock?.(n);
        yield { number: n, bytes: blocks[n] };
      }
    },
    blockByNumber: (n: number) => (blocks[n] ? Promise.resolve(blocks[n]) : Promise.reject(new Error('no such block'))),
    blockByTxId: (txId: string) => Promise.resolve(blocks.find((b) => decodeBlock(b).transactions.some((t) => t.txId === txId))),
    currentBallot: () => Promise.resolve(undefined),
    close: sinon.spy(),
  };
}

describe('cli', function () {
  let dir: string;
  let cleanup: () => void;
  let out: string;
  let err: string;
  let io: Partial<CliIo>;
  const s = scenario();
  const genesisHash = decodeBlock(s.blocks[0]!).headerHash.toString('hex');

  beforeEach(function () {
    ({ dir, cleanup } = tempDir());
    out = '';
    err = '';
    const files = { tlsCaCert: 'x', certPath: 'x', keyPath: 'x' };
    writeNetworkJson(path.join(dir, '.run', 'network.json'), networkDescription({ observer: { mspId: 'ObserverMSP', port: 1 } }, files));
    fs.writeFileSync(path.join(dir, '.run', 'x'), 'x');
    io = {
      cwd: dir,
      stdout: (t) => { out += t; },
      stderr: (t) => { err += t; },
      openPeer: () => Promise.resolve(fakePeer(s.blocks)),
      onStopSignal: () => () => undefined,
    };
  });
  afterEach(function () {
    cleanup();
    sinon.restore();
  });

  describe('main', function () {
    it('when verifying an intact export, then it prints the report, writes the JSON report and exits 0', async function () {
      writeBlocks(path.join(dir, 'blocks'), s.blocks);
      const code = await main(['verify', '--from-dir', 'blocks', '--json', 'report.json'], io);
      expect(code).to.equal(0);
      expect(out).to.include('verdict: PASS');
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { verdict: string; polls: unknown[] };
      expect(report.verdict).to.equal('PASS');
      expect(report.polls).to.have.length(3);
    });

    it('when verifying a tampered export, then it exits 1', async function () {
      const blocks = [...s.blocks];
      blocks[2] = flipByteInData(blocks[2]!);
      writeBlocks(path.join(dir, 'blocks'), blocks);
      expect(await main(['verify', '--from-dir', 'blocks'], io)).to.equal(1);
      expect(out).to.include('BROKEN at block 2');
    });

    it('when the command line is wrong, then it explains on stderr and exits 2', async function () {
      expect(await main(['verify'], io)).to.equal(2);
      expect(err).to.match(/--from-dir <dir> is required/);
    });

    it('when asked for help, then it prints the usage and exits 0', async function () {
      expect(await main(['--help'], io)).to.equal(0);
      expect(out).to.include('poll-ledger-audit receipt <receipt.json>');
    });

    it('when auditing through the peer, then it replays the peer blocks, closes the connection and exits 0', async function () {
      const peer = fakePeer(s.blocks);
      const code = await main(['--quiet'], { ...io, openPeer: () => Promise.resolve(peer) });
      expect(code).to.equal(0);
      expect(out).to.include('source             fake peer');
      expect(peer.close.calledOnce).to.be.true;
    });

    it('when the peer cannot be reached, then it exits 2 with the reason', async function () {
      const code = await main([], { ...io, openPeer: () => Promise.reject(new ConnectionError('cannot reach peer 127.0.0.1:1')) });
      expect(code).to.equal(2);
      expect(err).to.include('cannot reach peer 127.0.0.1:1');
    });

    it('when interrupted by SIGTERM, then it saves the checkpoint, exits 143, and a rerun resumes and passes', async function () {
      let stop: ((signal: NodeJS.Signals) => void) | undefined;
      const interrupting: Partial<CliIo> = {
        ...io,
        openPeer: () => Promise.resolve(fakePeer(s.blocks, (n) => { if (n === 3) stop?.('SIGTERM'); })),
        onStopSignal: (handler) => { stop = handler; return () => { stop = undefined; }; },
      };
      expect(await main(['--checkpoint', 'cp.json', '--checkpoint-every', '100'], interrupting)).to.equal(143);
      expect(err).to.include('SIGTERM');
      const saved = JSON.parse(fs.readFileSync(path.join(dir, 'cp.json'), 'utf8')) as { nextBlock: number };
      expect(saved.nextBlock).to.equal(4);
      out = '';
      expect(await main(['--checkpoint', 'cp.json'], io)).to.equal(0);
      expect(out).to.include('3 this run');
    });

    it('when exporting, then each block is written as <n>.block and the export verifies', async function () {
      expect(await main(['export', '--out', 'exported'], io)).to.equal(0);
      expect(fs.readdirSync(path.join(dir, 'exported')).sort()).to.deep.equal(s.blocks.map((_, n) => `${n}.block`).sort());
      expect(Buffer.compare(fs.readFileSync(path.join(dir, 'exported', '4.block')), Buffer.from(s.blocks[4]!))).to.equal(0);
      expect(await main(['verify', '--from-dir', 'exported'], io)).to.equal(0);
    });

    it('when checking a receipt through the peer or an export against the pinned genesis, then exit 0 when it matches and 1 when it does not', async function () {
      const b = s.revote.ballot;
      const receipt = { pollId: b.pollId, ballotId: b.ballotId, txId: b.txId, blockNumber: s.revote.block, ballotHash: b.ballotHash };
      fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify(receipt));
      fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...receipt, ballotHash: 'f'.repeat(64) }));
      fs.writeFileSync(path.join(dir, 'moved.json'), JSON.stringify({ ...receipt, blockNumber: 1 }));
      writeBlocks(path.join(dir, 'blocks'), s.blocks);
      const pin = ['--genesis-hash', genesisHash];
      expect(await main(['receipt', 'good.json', ...pin], io)).to.equal(0);
      expect(out).to.include('receipt check: OK');
      expect(out).to.match(/trust anchors +config chain replayed from the pinned genesis \(config blocks 0\)/);
      expect(await main(['receipt', 'bad.json', ...pin], io)).to.equal(1);
      expect(await main(['receipt', 'good.json', '--from-dir', 'blocks', '--json', 'r.json', ...pin], io)).to.equal(0);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8'))).to.include({ verdict: 'OK', foundInBlock: s.revote.block });
      out = '';
      expect(await main(['receipt', 'moved.json', '--from-dir', 'blocks', ...pin], io)).to.equal(1);
      expect(out).to.match(/block number +4 \(expected 1\) +MISMATCH/);
      expect(await main(['receipt', 'missing.json', ...pin], io)).to.equal(2);
    });

    it('when the genesis differs from --genesis-hash, or the block was re-sealed with the ballot-relay key, then the receipt fails', async function () {
      const b = s.revote.ballot;
      fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify({ pollId: b.pollId, ballotId: b.ballotId, txId: b.txId, blockNumber: s.revote.block, ballotHash: b.ballotHash }));
      expect(await main(['receipt', 'good.json', '--genesis-hash', 'ab'.repeat(32)], io)).to.equal(1);
      expect(out).to.match(/trust anchors .*block 0's header hash differs from --genesis-hash +\(expected a verified config\) +MISMATCH/);
      out = '';
      const forged = reseal(s.blocks, s.revote.block, orgs.city.client);
      expect(await main(['receipt', 'good.json', '--genesis-hash', genesisHash], { ...io, openPeer: () => Promise.resolve(fakePeer(forged)) })).to.equal(1);
      expect(out).to.match(/orderer signature +FAILED: the signer ballot-relay-city \(CityMSP\) is a client, not an orderer node/);
    });

    it("when a receipt is checked against a full audit's checkpoint, then its config chain is the trust anchor; without one it is refused", async function () {
      const b = s.revote.ballot;
      fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify({ pollId: b.pollId, ballotId: b.ballotId, txId: b.txId, blockNumber: s.revote.block, ballotHash: b.ballotHash }));
      expect(await main(['receipt', 'good.json', '--checkpoint', 'cp.json'], io)).to.equal(2);
      expect(err).to.include('no checkpoint at');
      expect(await main(['--checkpoint', 'cp.json', '--genesis-hash', genesisHash], io)).to.equal(0);
      out = '';
      expect(await main(['receipt', 'good.json', '--checkpoint', 'cp.json'], io)).to.equal(0);
      expect(out).to.match(/trust anchors +checkpoint .*cp\.json \(audited to block 6\), config of block 0/);
      err = '';
      expect(await main(['receipt', 'good.json'], io)).to.equal(2);
      expect(err).to.include("'receipt' needs verified trust anchors");
    });

    it('when a receipt is checked with --trust-peer, then it passes but the report names the weaker check', async function () {
      const b = s.revote.ballot;
      fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify({ pollId: b.pollId, ballotId: b.ballotId, txId: b.txId, blockNumber: s.revote.block, ballotHash: b.ballotHash }));
      expect(await main(['receipt', 'good.json', '--trust-peer'], io)).to.equal(0);
      expect(out).to.match(/receipt check: OK \(WEAKER CHECK: the signature was judged by the source's own config, --trust-peer\)/);
    });
  });
});
