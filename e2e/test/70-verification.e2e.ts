/**
 * Public verification on the real network: the observer and the watchdog each run the verification service from
 * their own peer, as real processes. During an `after-close` poll a citizen gets no ballot content (the poll's
 * bundle and its ballots' blocks are EMBARGOED) but an observer-signed inclusion statement and the public header;
 * after close and tally, `poll-ledger-verify`, run from a directory with no Fabric identity and only the pinned
 * genesis hash, verifies a real receipt and the poll's result, and refuses a forged receipt. The two observers'
 * signed checkpoints agree at the same height.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import {
  BundleSchema,
  type InclusionStatement,
  PollDetailSchema,
  ReceiptStatusSchema,
  ServiceErrorSchema,
  type SignedCheckpoint,
  SignedCheckpointSchema,
  type VerificationReport,
} from '@poll-ledger/verifier';
import { pinnedGenesisHash } from './support/audit';
import { submit, tallyAll, usePollActors } from './support/fabric';
import { readBlocks } from './support/ledger';
import { readNetwork } from './support/network';
import { colourPoll, expectedCounts, type Receipt, uniquePollId } from './support/polls';
import { headerDer } from './support/resign';
import { ballotRequest, castUntilSettled } from './support/retrying-cast';
import { sleepUntil } from './support/clock';
import {
  type VerificationServiceProcess,
  checkObserverSignature,
  ensureVerifierBuilt,
  eventually,
  getBytes,
  getJson,
  runVerifyCli,
  servicePort,
  sha256Hex,
  startVerificationService,
} from './support/verification';

const BALLOTS = 3;
/** How far ahead closesAt is set: time to create, open, cast and check the embargo first. */
const CLOSES_IN_MS = 45_000;

describe('verification: observers publish, anyone verifies without a Fabric identity', function () {
  const actors = usePollActors();
  const services: VerificationServiceProcess[] = [];
  let work: string;
  let genesisHash: string;
  let pollId: string;
  let closesAt: number;
  const receipts: Receipt[] = [];

  const observerService = (): VerificationServiceProcess => {
    const service = services[0];
    if (!service) throw new Error('the services are started in before()');
    return service;
  };

  before(async function () {
    ensureVerifierBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'poll-ledger-verification-'));
    genesisHash = await pinnedGenesisHash(work);
    for (const [index, org] of ['observer', 'watchdog'].entries()) services.push(await startVerificationService(org, servicePort(index)));
  });

  after(async function () {
    await Promise.all(services.map((service) => service.stop()));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('when an after-close poll is open, then its bundle and its ballots\' blocks are EMBARGOED, the header is public, and the receipt lookup answers a signed inclusion statement without proof', async function () {
    pollId = uniquePollId('verify');
    closesAt = Date.now() + CLOSES_IN_MS;
    const poll = colourPoll(pollId, { resultsVisibility: 'after-close', opensAt: new Date(Date.now() - 3_600_000).toISOString(), closesAt: new Date(closesAt).toISOString() });
    await submit(actors.cityAdmin, 'CreatePoll', JSON.stringify(poll));
    await submit(actors.cityAdmin, 'OpenPoll', pollId);
    for (let i = 0; i < BALLOTS; i += 1) {
      const request = ballotRequest(pollId, i, 'verify');
      const settled = await castUntilSettled(actors.relay, request, { giveUpAfterMs: 20_000 });
      const { receipt } = settled;
      if (receipt?.blockNumber === undefined) throw new Error(`ballot ${String(i)} did not commit: ${JSON.stringify(settled)}`);
      receipts.push({ pollId, ballotId: request.token, txId: receipt.txId, blockNumber: receipt.blockNumber, ballotHash: receipt.ballotHash });
    }
    const url = observerService().url;
    const [first] = receipts;
    if (!first) throw new Error('no receipt');

    const lookup = `${url}/v1/receipts/${pollId}/${first.ballotId}?txId=${first.txId}`;
    const found = await eventually('the observer service to index the ballot', async () => {
      const answer = await getJson(lookup, ReceiptStatusSchema);
      return answer.body.found ? answer.body : undefined;
    });
    expect(Date.now(), 'the poll must still be open for these checks').to.be.below(closesAt - 1_000);
    expect(found.proofAvailable).to.equal(false);
    const statement: InclusionStatement = found.attestation.statement;
    expect(statement).to.include({ kind: 'inclusion', pollId, ballotId: first.ballotId, txId: first.txId, blockNumber: first.blockNumber, validationCode: 'VALID' });
    const signature = checkObserverSignature(statement, found.attestation.signer);
    expect(found.attestation.signer.mspId).to.equal('ObserverMSP');
    expect(signature, 'the inclusion statement is signed by an ObserverMSP identity').to.include({ verifies: true, issuedByOrgCa: true });

    const bundle = await getJson(`${url}/v1/polls/${pollId}/bundle`, ServiceErrorSchema);
    expect(bundle.status).to.equal(403);
    expect(bundle.body.error.code).to.equal('EMBARGOED');

    const block = await getJson(`${url}/v1/blocks/${String(first.blockNumber)}`, ServiceErrorSchema);
    expect(block.status).to.equal(403);
    expect(block.body.error.code).to.equal('EMBARGOED');

    // The public header: it hashes to the statement's block hash, carries the orderer signatures, and no data.
    const header = await getBytes(`${url}/v1/blocks/${String(first.blockNumber)}/header-only`);
    expect(header.status).to.equal(200);
    const decoded = common.Block.deserializeBinary(header.body);
    const blockHeader = decoded.getHeader();
    if (!blockHeader) throw new Error('the header-only block has no header');
    expect(sha256Hex(headerDer(blockHeader))).to.equal(statement.blockHash);
    expect(decoded.getData()?.getDataList() ?? []).to.have.length(0);
    expect(decoded.getMetadata()?.getMetadataList().length ?? 0).to.be.above(0);
    // And it is the block the city's own peer has.
    const [fromPeer] = await readBlocks(actors.relay, first.blockNumber, first.blockNumber + 1);
    const peerHeader = fromPeer?.getHeader();
    if (!peerHeader) throw new Error(`the peer did not return block ${String(first.blockNumber)}`);
    expect(sha256Hex(headerDer(peerHeader))).to.equal(statement.blockHash);

    const detail = await getJson(`${url}/v1/polls/${pollId}`, PollDetailSchema);
    expect(detail.body).to.include({ resultsPublic: false });
    expect(detail.body.results).to.equal(undefined);
  });

  it('when the observer closed the poll and it is tallied, then the bundle is served and poll-ledger-verify, with no Fabric identity, verifies a real receipt and the result, and refuses a forged one', async function () {
    const [receipt] = receipts;
    if (!receipt) this.skip();
    await sleepUntil(closesAt + 1_000);
    expect(await submit(actors.observer, 'ClosePoll', pollId)).to.include({ status: 'closed' });
    await tallyAll(actors.cityAdmin, pollId, 50, 10);
    const url = observerService().url;

    const bundle = await eventually('the poll bundle to be served', async () => {
      const res = await fetch(`${url}/v1/polls/${pollId}/bundle`);
      const text = await res.text();
      return res.status === 200 ? { bundle: BundleSchema.parse(JSON.parse(text)), bytes: Buffer.byteLength(text) } : undefined;
    });
    expect(bundle.bundle).to.include({ pollId });
    const block = await getBytes(`${url}/v1/blocks/${String(receipt.blockNumber)}`);
    expect(block.status, 'the ballot block is public after close').to.equal(200);
    const status = await getJson(`${url}/v1/receipts/${pollId}/${receipt.ballotId}?txId=${receipt.txId}`, ReceiptStatusSchema);
    expect(status.body).to.include({ found: true, proofAvailable: true });
    const detail = await getJson(`${url}/v1/polls/${pollId}`, PollDetailSchema);
    expect(detail.body.results).to.deep.include({ final: true, ballotCount: BALLOTS, counts: expectedCounts(receipts.map((_, i) => ballotRequest(pollId, i, 'verify').answers)) });

    // The citizen: a fresh directory, no network.json, no identity, only the pinned genesis hash and the receipt.
    const citizen = fs.mkdtempSync(path.join(os.tmpdir(), 'poll-ledger-citizen-'));
    try {
      const base = ['--genesis-hash', genesisHash, '--service', url, '--poll', pollId];
      const genuine = await runVerifyCli(citizen, [...base, '--receipt', [pollId, receipt.ballotId, receipt.txId, receipt.ballotHash].join(','), '--json']);
      expect(genuine.code, genuine.stdout.slice(-3000) + genuine.stderr).to.equal(0);
      const report = JSON.parse(genuine.stdout) as VerificationReport;
      expect(report.ok).to.equal(true);
      expect(report.genesisHash).to.equal(genesisHash);
      expect(report.receipt).to.include({ pollId, ballotId: receipt.ballotId, txId: receipt.txId, blockNumber: receipt.blockNumber, valid: true, asCast: true, counted: true });
      // The endorsement policy in force: an observer's peer (either observer) and the city's or a department's.
      const endorsedBy = report.receipt?.endorsedBy ?? [];
      expect(endorsedBy.some((m) => m === 'ObserverMSP' || m === 'WatchdogMSP'), endorsedBy.join(', ')).to.equal(true);
      expect(endorsedBy.some((m) => m === 'CityMSP' || m === 'DeptMSP'), endorsedBy.join(', ')).to.equal(true);
      expect(report.poll).to.include({ pollId, ballotCount: BALLOTS, matches: true });
      expect(report.flagMismatches).to.deep.equal([]);

      const forgedHash = (receipt.ballotHash[0] === '0' ? '1' : '0') + receipt.ballotHash.slice(1);
      const forged = await runVerifyCli(citizen, [...base, '--receipt', [pollId, receipt.ballotId, receipt.txId, forgedHash].join(',')]);
      expect(forged.code, forged.stdout + forged.stderr).to.equal(1);
      expect(forged.stdout).to.match(/✘ Receipt/).and.match(/NOT VERIFIED\n$/);
      expect(fs.readdirSync(citizen), 'the CLI writes nothing where it runs').to.deep.equal([]);

      const { blocks, transactions, signaturesChecked } = report.stats;
      console.log(`      poll bundle: ${bundle.bytes.toLocaleString('en-US')} bytes, ${String(bundle.bundle.blocks.length)} blocks`);
      console.log(`      poll-ledger-verify (genuine receipt): ${String(genuine.millis)} ms wall clock, verifier ${String(report.stats.millis)} ms for ${String(blocks)} blocks, ${String(transactions)} transactions, ${String(signaturesChecked)} signatures`);
      console.log(`      poll-ledger-verify (forged receipt): exit ${String(forged.code)} in ${String(forged.millis)} ms`);
    } finally {
      fs.rmSync(citizen, { recursive: true, force: true });
    }
  });

  it("when the observer and the watchdog each sign a checkpoint from their own peer, then at the same height they name the same block hash", async function () {
    const [observer, watchdog] = services;
    if (!observer || !watchdog) throw new Error('the services are started in before()');
    const network = readNetwork();
    const pair = await eventually('both observers to reach the same height', async () => {
      const [a, b] = await Promise.all([observer, watchdog].map(async (s) => (await getJson(`${s.url}/v1/checkpoint`, SignedCheckpointSchema)).body));
      return a && b && a.statement.height === b.statement.height ? { a, b } : undefined;
    });
    const check = (checkpoint: SignedCheckpoint, mspId: string): void => {
      expect(checkpoint.signer.mspId).to.equal(mspId);
      expect(checkObserverSignature(checkpoint.statement, checkpoint.signer), `${mspId}'s checkpoint signature`).to.include({ verifies: true, issuedByOrgCa: true });
    };
    check(pair.a, network.orgs.observer?.mspId ?? 'ObserverMSP');
    check(pair.b, network.orgs.watchdog?.mspId ?? 'WatchdogMSP');
    expect([pair.a.signer.mspId, pair.b.signer.mspId]).to.deep.equal(['ObserverMSP', 'WatchdogMSP']);
    expect(pair.a.statement).to.include({ channel: network.channel, blockNumber: pair.a.statement.height - 1 });
    expect(pair.b.statement.blockHash, 'the same block at the same height').to.equal(pair.a.statement.blockHash);
    console.log(`      checkpoints agree: height ${String(pair.a.statement.height)}, block ${String(pair.a.statement.blockNumber)} = ${pair.a.statement.blockHash}`);
  });
});
