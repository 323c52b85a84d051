'use strict';
/**
 * What the ballot workloads share: the colour poll of the end-to-end tests (e2e/test/support/polls.ts, colourPoll
 * and answersFor, repeated here in plain JavaScript because Caliper loads CommonJS), distinct voter tokens, and the
 * round's one poll, which worker 0 creates and opens as the CityMSP poll-admin while the other workers wait for it.
 */
const crypto = require('node:crypto');

const CHANNEL = 'polls';
const CONTRACT = 'polls';
const POLL_ADMIN = 'poll-admin';
const BALLOT_RELAY = 'ballot-relay';

/** The colour poll's questions and their option ids, in order (COLOUR_OPTIONS in polls.ts). */
const COLOUR_OPTIONS = { q1: ['red', 'green', 'blue'], q2: ['wifi', 'usb', 'ac'] };
const LABELS = { red: 'Red', green: 'Green', blue: 'Blue', wifi: 'Wi-Fi', usb: 'USB chargers', ac: 'Air conditioning' };
const optionsOf = (question) => COLOUR_OPTIONS[question].map((id) => ({ id, text: LABELS[id] }));

/** An open-ended colour poll: one single-choice question and one multi-choice question (at most 2 extras). */
function colourPoll(id) {
  return {
    id,
    title: `Colour of the new trams (${id})`,
    questions: [
      { id: 'q1', text: 'Which colour?', type: 'single', minChoices: 1, maxChoices: 1, options: optionsOf('q1') },
      { id: 'q2', text: 'Which extras?', type: 'multi', minChoices: 0, maxChoices: 2, options: optionsOf('q2') },
    ],
    opensAt: '2020-01-01T00:00:00.000Z',
    closesAt: '2099-01-01T00:00:00.000Z',
    revotePolicy: 'none',
    resultsVisibility: 'live',
  };
}

/** Ballot i's answers: q1 cycles red, green, blue; q2 takes the extras whose bit is set in i, at most two. */
function answersFor(i) {
  const { q1, q2 } = COLOUR_OPTIONS;
  return { q1: [q1[i % q1.length]], q2: q2.filter((_, k) => ((i >> k) & 1) === 1).slice(0, 2) };
}

const sha256hex = (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Ballot n of worker w in a poll: a voter token of its own (64 lowercase hex, never repeated within the poll) and a
 * fresh requestId, as the bench's direct client sends them.
 */
function ballotRequest(pollId, workerIndex, n) {
  return {
    voterToken: sha256hex(`${pollId}\u0000caliper-w${workerIndex}-${n}`),
    answers: answersFor(workerIndex * 1_000_003 + n),
    requestId: crypto.randomBytes(32).toString('hex'),
    requestedAt: '',
  };
}

/**
 * The round's poll id: the same in every worker of a run (run.sh sets POLL_LEDGER_CALIPER_RUN_ID; without it, the
 * manager's pid, which every local worker has as its parent) and new in every run and round.
 */
function roundPollId(prefix, roundIndex) {
  const run = process.env.POLL_LEDGER_CALIPER_RUN_ID || `m${process.ppid.toString(36)}`;
  // A poll id is [A-Za-z0-9][A-Za-z0-9_-]{0,63} (protocol/src/ids.ts).
  return `${prefix}-${run}-r${roundIndex}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}

const text = (bytes) => Buffer.from(bytes ?? '').toString('utf8');

/** Sends one request and throws, naming the function, unless it succeeded; the result's text. */
async function call(sutAdapter, request) {
  const status = await sutAdapter.sendRequests({ contractId: CONTRACT, channel: CHANNEL, ...request });
  if (status.GetStatus() !== 'success') {
    throw new Error(`${request.contractFunction}(${request.contractArguments.join(', ').slice(0, 120)}) failed as ${request.invokerIdentity}; see the connector's error above`);
  }
  return text(status.GetResult());
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Worker 0 creates and opens the poll as the poll-admin; the others wait (up to waitSeconds) until GetPoll shows it
 * open. This runs in Caliper's prepare phase, before the round's clock starts; Caliper does not count these
 * transactions in the round's figures.
 */
async function ensureOpenPoll(sutAdapter, workerIndex, pollId, waitSeconds = 120) {
  if (workerIndex === 0) {
    await call(sutAdapter, { contractFunction: 'CreatePoll', contractArguments: [JSON.stringify(colourPoll(pollId))], invokerIdentity: POLL_ADMIN });
    await call(sutAdapter, { contractFunction: 'OpenPoll', contractArguments: [pollId], invokerIdentity: POLL_ADMIN });
    return;
  }
  // Two blocks (create, open) take about a second at the orderer's 500 ms batch timeout; each GetPoll before
  // then fails with NOT_FOUND, which the connector logs as an error.
  console.log(`[poll-ledger workload] worker ${workerIndex} waits for worker 0 to create and open poll ${pollId}`);
  await sleep(2500);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const status = await sutAdapter.sendRequests({
      contractId: CONTRACT, channel: CHANNEL, contractFunction: 'GetPoll', contractArguments: [pollId], invokerIdentity: POLL_ADMIN, readOnly: true,
    });
    if (status.GetStatus() === 'success' && JSON.parse(text(status.GetResult())).status === 'open') return;
    if (Date.now() > deadline) throw new Error(`poll ${pollId} was not open after ${waitSeconds} s (worker 0 creates and opens it)`);
    await sleep(1000);
  }
}

/**
 * The part of Caliper's workload module interface (initializeWorkloadModule, submitTransaction,
 * cleanupWorkloadModule) the ballot rounds share. Caliper 0.6 only calls these methods, so the modules need not
 * extend caliper-core's WorkloadModuleBase, and they load without caliper-core on their require path.
 */
class BallotWorkload {
  /** Keeps what Caliper passes in, and opens (or waits for) the round's poll. */
  async openRoundPoll(defaultPrefix, workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    this.workerIndex = workerIndex;
    this.totalWorkers = totalWorkers;
    this.roundIndex = roundIndex;
    this.roundArguments = roundArguments ?? {};
    this.sutAdapter = sutAdapter;
    this.sutContext = sutContext;
    this.pollId = roundPollId(this.roundArguments.pollPrefix || defaultPrefix, roundIndex);
    this.sent = 0;
    this.succeeded = 0;
    this.failed = 0;
    this.abortAfterFailures = Number(this.roundArguments.abortAfterFailures ?? 20);
    await ensureOpenPoll(sutAdapter, workerIndex, this.pollId);
  }

  /**
   * Submits one transaction as the ballot-relay; its TxStatus. When the first abortAfterFailures transactions of this
   * worker all failed (a chaincode without the function, a wrong identity), it ends the round with an error rather
   * than send more of the same: the connector logs every failure with all its arguments.
   */
  async submit(contractFunction, contractArguments) {
    const status = await this.sutAdapter.sendRequests({
      contractId: CONTRACT, channel: CHANNEL, contractFunction, contractArguments, invokerIdentity: BALLOT_RELAY, readOnly: false,
    });
    if (status.GetStatus() === 'success') this.succeeded += 1;
    else this.failed += 1;
    if (this.succeeded === 0 && this.failed >= this.abortAfterFailures) {
      throw new Error(`the first ${this.failed} ${contractFunction} transactions of worker ${this.workerIndex} all failed (the connector logged why); the round stops`);
    }
    return status;
  }

  async submitTransaction() {
    throw new Error('submitTransaction is not implemented');
  }

  async cleanupWorkloadModule() {
    this.report(`${this.sent} ballots sent`);
  }

  report(line) {
    console.log(`[poll-ledger workload] round ${this.roundIndex}, worker ${this.workerIndex}, poll ${this.pollId}: ${line}`);
  }
}

module.exports = { CHANNEL, CONTRACT, POLL_ADMIN, BALLOT_RELAY, BallotWorkload, colourPoll, answersFor, ballotRequest, roundPollId, ensureOpenPoll, text };
