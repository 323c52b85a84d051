'use strict';
/**
 * Caliper round: CastBallot, one ballot a transaction, as the CityMSP ballot-relay, every ballot from a new voter of
 * the round's colour poll. Arguments: pollPrefix (default 'caliper-one'), abortAfterFailures (default 20: the
 * round stops when a worker's first 20 transactions all failed).
 */
const { BallotWorkload, ballotRequest } = require('./poll');

class CastBallotWorkload extends BallotWorkload {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await this.openRoundPoll('caliper-one', workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
  }

  async submitTransaction() {
    const { voterToken, answers, requestId, requestedAt } = ballotRequest(this.pollId, this.workerIndex, this.sent);
    this.sent += 1;
    await this.submit('CastBallot', [this.pollId, voterToken, JSON.stringify(answers), requestId, requestedAt]);
  }
}

module.exports.createWorkloadModule = () => new CastBallotWorkload();
