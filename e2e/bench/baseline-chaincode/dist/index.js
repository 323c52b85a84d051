'use strict';
// The benchmark's baseline chaincode: the cheapest transaction Fabric can run under the
// polls endorsement policy, one blind write with no reads and no checks. Ballots are
// measured against it to see what the polls contract itself costs.
// Plain JavaScript, committed as is: deployCC packages `dist/index.js`, and
// `require('fabric-contract-api')` resolves from the repo root's node_modules.
const { Contract } = require('fabric-contract-api');

class BaselineContract extends Contract {
  constructor() {
    super('baseline');
  }

  /** Put(key, value): a blind putState. No read set, so it can never conflict. */
  async Put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return '';
  }
}

module.exports.contracts = [BaselineContract];
