import { TRANSACTION_NAMES } from '@poll-ledger/protocol';
import { Chaincode, decodeResult } from '../../src/domain/chaincode';
import { LedgerBadResponseError } from '../../src/errors';
import { expect } from '../chai';
import { bytes, fakeLedger } from '../fakes';
import { BALLOT, BALLOT_ID, POLL, TX_ID, castResult, results } from '../fixtures';

function badResponse(run: () => unknown): LedgerBadResponseError {
  try {
    run();
  } catch (err) {
    if (err instanceof LedgerBadResponseError) return err;
    throw err;
  }
  throw new Error('expected a LedgerBadResponseError');
}

describe('chaincode calls', () => {
  describe('decodeResult', () => {
    it('when answers follow the protocol, then they are returned as parsed', () => {
      expect(decodeResult('GetPoll', bytes(POLL))).to.deep.equal(POLL);
      expect(decodeResult('GetBallot', bytes(BALLOT))).to.deep.equal(BALLOT);
      expect(decodeResult('GetResults', bytes(results('open')))).to.deep.equal(results('open'));
      expect(decodeResult('CastBallot', bytes(castResult(BALLOT_ID)))).to.deep.equal(castResult(BALLOT_ID));
    });

    it('when every transaction of the protocol is checked, then each has a result schema to check against', () => {
      for (const name of TRANSACTION_NAMES) expect(badResponse(() => decodeResult(name, bytes(null))).transaction).to.equal(name);
    });

    it('when the bytes are not UTF-8 JSON, then it is LEDGER_BAD_RESPONSE with the cause kept', () => {
      for (const raw of [Buffer.from('{"id":'), Buffer.from([0xc3, 0x28]), new Uint8Array()]) {
        const error = badResponse(() => decodeResult('GetPoll', raw));
        expect(error.details).to.deep.equal({ transaction: 'GetPoll', issues: [{ path: '', message: 'is not UTF-8 JSON' }] });
        expect(error.cause).to.be.instanceOf(Error);
      }
    });

    it('when a field is missing, extra or of the wrong type, then the issues name the paths', () => {
      const error = badResponse(() => decodeResult('GetPoll', bytes({ ...POLL, status: 'archived', ownerMsp: undefined, extra: 1 })));
      const paths = (error.details?.issues as { path: string }[]).map((issue) => issue.path).sort();
      expect(paths).to.deep.equal(['', 'ownerMsp', 'status']);
    });

    it('when an answer breaks many rules, then at most ten issues are reported', () => {
      const polls = Array.from({ length: 20 }, () => ({}));
      const error = badResponse(() => decodeResult('ListPolls', bytes({ polls, bookmark: '', fetched: 20 })));
      expect(error.details?.issues).to.have.length(10);
    });
  });

  describe('Chaincode', () => {
    it('when a query is made, then the ledger is evaluated with the role, name and args, and the answer checked', async () => {
      const ledger = fakeLedger();
      ledger.evaluate.resolves(bytes(BALLOT));
      expect(await new Chaincode(ledger).query('auditor', 'GetBallot', ['p1', BALLOT_ID])).to.deep.equal(BALLOT);
      expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'auditor', name: 'GetBallot', args: ['p1', BALLOT_ID] });
    });

    it('when a submit is made, then the result is checked and txId and block are kept', async () => {
      const ledger = fakeLedger();
      ledger.submit.resolves({ result: bytes(POLL), txId: TX_ID, blockNumber: 9 });
      expect(await new Chaincode(ledger).submit('poll-admin', 'OpenPoll', ['p1'])).to.deep.equal({ result: POLL, txId: TX_ID, blockNumber: 9 });
      expect(ledger.submit.firstCall.args[1]).to.equal(undefined);
    });

    it('when skipCommitIf is given, then it sees the checked result, and a malformed one never reaches it', async () => {
      const ledger = fakeLedger();
      const seen: unknown[] = [];
      ledger.submit.callsFake((_request, options) => {
        const skip = options?.skipCommitIf;
        expect(skip?.(bytes(castResult(BALLOT_ID, { duplicate: true })))).to.equal(true);
        expect(() => skip?.(bytes({ duplicate: true }))).to.throw(LedgerBadResponseError);
        return Promise.resolve({ result: bytes(castResult(BALLOT_ID)), txId: TX_ID });
      });
      const skipCommitIf = (result: { duplicate: boolean }) => {
        seen.push(result);
        return result.duplicate;
      };
      await new Chaincode(ledger).submit('ballot-relay', 'CastBallot', ['p1', BALLOT_ID, '{}', '', ''], { skipCommitIf });
      expect(seen).to.deep.equal([castResult(BALLOT_ID, { duplicate: true })]);
    });
  });
});
