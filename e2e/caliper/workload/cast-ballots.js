'use strict';
/**
 * Caliper round: CastBallots, `batchSize` ballots (1..100) of new voters in one transaction, as the CityMSP
 * ballot-relay. Caliper's figures count transactions; ballots/s is TPS × batchSize.
 *
 * CastBallots commits even when it refuses some of its ballots (each refusal is an outcome of the result), so
 * Caliper counts such a transaction as a success. The workload reads every result and, at the end of the round,
 * prints how many ballots were written and how many refused, by error code. Arguments: batchSize (default 100),
 * pollPrefix (default 'caliper-batch'), abortAfterFailures (default 20; see cast-ballot.js).
 */
const { BallotWorkload, ballotRequest, text } = require('./poll');

const MAX_BATCH = 100; // Limits.castBatch.max (protocol/src/limits.ts)

class CastBallotsWorkload extends BallotWorkload {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    const batchSize = Number(roundArguments.batchSize ?? MAX_BATCH);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new Error(`batchSize must be an integer from 1 to ${MAX_BATCH}, not ${String(roundArguments.batchSize)}`);
    }
    this.batchSize = batchSize;
    this.written = 0;
    this.refused = new Map();
    this.unreadable = 0;
    await this.openRoundPoll('caliper-batch', workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
  }

  async submitTransaction() {
    const ballots = [];
    for (let k = 0; k < this.batchSize; k += 1) ballots.push(ballotRequest(this.pollId, this.workerIndex, this.sent + k));
    this.sent += this.batchSize;
    const status = await this.submit('CastBallots', [this.pollId, JSON.stringify(ballots)]);
    if (status.GetStatus() === 'success') this.#count(text(status.GetResult()));
  }

  #count(resultText) {
    try {
      for (const outcome of JSON.parse(resultText).outcomes) {
        if (outcome.receipt !== undefined) {
          this.written += 1;
        } else {
          const code = outcome.error?.code ?? 'UNKNOWN';
          this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
        }
      }
    } catch {
      this.unreadable += 1;
    }
  }

  async cleanupWorkloadModule() {
    const refused = [...this.refused].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
    this.report(`${this.written} ballots written by committed CastBallots transactions of ${this.batchSize}; refused: ${refused}` +
      (this.unreadable > 0 ? `; ${this.unreadable} results not readable` : ''));
  }
}

module.exports.createWorkloadModule = () => new CastBallotsWorkload();
