import { loadVectors } from '@poll-ledger/protocol';
import { BallotService, CastOutcomeSchema, type CastOutcome } from '../../src/domain/ballots';
import { memoryState } from '../../src/state/memory';
import { decodeResult } from '../../src/domain/chaincode';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { ChaincodeError, ERROR_STATUS } from '../../src/errors';
import { unwrapChaincodeMessage } from '@poll-ledger/fabric-client';
import { fromFabricError } from '../../src/fabric/grpc-errors';
import { expect } from '../chai';
import { fakeLedger } from '../fakes';
import { SECRET } from '../fixtures';
import { endorseError, evaluateError } from './peer-errors';

/** The protocol's error-payload vectors: a chaincode message, and its payload (null: not a payload). */
const ERROR_VECTORS = loadVectors('error-payloads');

/** What the REST details of a payload are: INVALID_ANSWER's subcode is called reason. */
function restDetails(payload: NonNullable<(typeof ERROR_VECTORS)[number]['payload']>): unknown {
  if (payload.code === 'INVALID_ANSWER') {
    const { subcode, ...rest } = payload.details;
    return { reason: subcode, ...rest };
  }
  return 'details' in payload ? payload.details : undefined;
}

describe('chaincode errors (protocol vectors)', () => {
  it('when the vector files are read, then there are payloads and non-payloads to check', () => {
    expect(ERROR_VECTORS.filter((v) => v.payload !== null)).to.not.have.length(0);
    expect(ERROR_VECTORS.filter((v) => v.payload === null)).to.not.have.length(0);
  });

  describe('error-payloads.json', () => {
    for (const [index, vector] of ERROR_VECTORS.entries()) {
      const { payload } = vector;
      const expected = payload === null ? 'LEDGER_ERROR' : payload.code;
      const wrappers = { 'an EndorseError (submit)': endorseError, 'a GatewayError (evaluate)': evaluateError } as const;
      for (const [how, wrap] of Object.entries(wrappers)) {
        it(`when #${index} "${vector.name}" arrives in ${how}, then it is ${expected} (HTTP ${ERROR_STATUS[expected]})`, () => {
          const error = fromFabricError(wrap(vector.message));
          expect(error.code).to.equal(expected);
          expect(error.httpStatus).to.equal(ERROR_STATUS[expected]);
          if (payload === null) {
            expect(error).to.not.be.instanceOf(ChaincodeError);
          } else {
            expect(error).to.be.instanceOf(ChaincodeError).and.include({ message: payload.message });
            expect(error.details).to.deep.equal(restDetails(payload));
          }
        });
      }
    }
  });

  it('when Fabric wraps a message, then only the text after "chaincode response <status>, " is the chaincode’s', () => {
    expect(unwrapChaincodeMessage('x: chaincode response 500, {"a":", b"}')).to.equal('{"a":", b"}');
    expect(unwrapChaincodeMessage('chaincode response 500')).to.equal(undefined);
    expect(unwrapChaincodeMessage('{"code":"NOT_FOUND","message":"x"}')).to.equal(undefined);
  });

  describe('cast-results.json', () => {
    for (const vector of loadVectors('cast-results')) {
      it(`when CastBallot answers "${vector.name}", then the gateway accepts it as is`, () => {
        expect(decodeResult('CastBallot', Buffer.from(vector.canonical))).to.deep.equal(vector.result);
      });

      it(`when CastBallot answers "${vector.name}" to a cast, then the receipt carries its fields`, async () => {
        const ledger = fakeLedger();
        ledger.submit.resolves({ result: Buffer.from(vector.canonical), txId: vector.result.txId, blockNumber: 4 });
        ledger.commitStatus.resolves({ txId: vector.result.txId, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 4 });
        const store = new IdempotencyStore<CastOutcome>(memoryState({ maxEntries: 1 }).idempotency(CastOutcomeSchema), { ttlMs: 1000, leaseMs: 1000 });
        const service = new BallotService(ledger, store, { voterTokenSecret: SECRET, statusWaitMs: 1 });
        const outcome = await service.cast({ keyId: 'k', role: 'ballot-relay' }, 'p1', { citizenId: 'c', answers: {} }, 'key');
        const { pollId, ballotId, txId, ballotHash } = vector.result;
        expect(outcome).to.deep.equal({ receipt: { pollId, ballotId, txId, blockNumber: 4, ballotHash }, replayed: vector.result.duplicate });
      });
    }
  });
});
