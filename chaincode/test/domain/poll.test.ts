import { type Poll, type PollStatus, PollStatuses } from '@poll-ledger/protocol';
import { expect } from 'chai';
import {
  type PollAction,
  assertAcceptingBallots,
  createPoll,
  generatedPollId,
  transitionPoll,
  updatePoll,
} from '../../src/domain/poll';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { pollJson } from '../support/polls';
import { thrownBy } from '../support/refusals';

const definition = parsePollDefinition(pollJson());
const draft = createPoll(definition, 'p1', 'DeptMSP', 'tx-create');
const inStatus = (status: PollStatus): Poll => ({ ...draft, status });

describe('poll lifecycle', () => {
  describe('createPoll', () => {
    it('when a poll is created, then it is a draft owned by the creator, created and updated by the tx', () => {
      expect(draft).to.include({ id: 'p1', ownerMsp: 'DeptMSP', status: 'draft' });
      expect(draft).to.include({ createdTxId: 'tx-create', updatedTxId: 'tx-create' });
    });
  });

  describe('generatedPollId', () => {
    it('when no id is given, then the id is p- and the first 20 characters of the tx id', () => {
      expect(generatedPollId('0123456789abcdef0123456789abcdef')).to.equal('p-0123456789abcdef0123');
    });
  });

  describe('transitionPoll', () => {
    const allowed: Record<PollAction, PollStatus[]> = {
      open: ['draft'],
      close: ['open'],
      cancel: ['draft', 'open'],
      tally: ['closed'],
    };
    const to: Record<PollAction, PollStatus> = { open: 'open', close: 'closed', cancel: 'cancelled', tally: 'tallied' };
    for (const action of Object.keys(allowed) as PollAction[]) {
      for (const status of PollStatuses) {
        if (allowed[action].includes(status)) {
          it(`when a poll that is ${status} is asked to ${action}, then it becomes ${to[action]}`, () => {
            const next = transitionPoll(inStatus(status), action, 'tx-2');
            expect(next).to.include({ status: to[action], updatedTxId: 'tx-2' });
          });
        } else {
          it(`when a poll that is ${status} is asked to ${action}, then it is refused as INVALID_STATE`, () => {
            expect(thrownBy(() => transitionPoll(inStatus(status), action, 'tx-2'))).to.deep.equal(
              { code: 'INVALID_STATE', message: `cannot ${action} poll p1: it is ${status}` },
            );
          });
        }
      }
    }
  });

  describe('updatePoll', () => {
    const changed = parsePollDefinition(pollJson({ title: 'New title', id: 'ignored' }));

    it('when the poll is a draft, then the definition is replaced and id, owner, status and creation stay', () => {
      expect(updatePoll(draft, changed, 'tx-3')).to.deep.equal({
        ...changed,
        id: 'p1',
        ownerMsp: 'DeptMSP',
        status: 'draft',
        createdTxId: 'tx-create',
        updatedTxId: 'tx-3',
      });
    });

    for (const status of PollStatuses.filter((s) => s !== 'draft')) {
      it(`when the poll is ${status}, then it is refused as INVALID_STATE`, () => {
        expect(thrownBy(() => updatePoll(inStatus(status), changed, 'tx-3'))).to.deep.equal(
          { code: 'INVALID_STATE', message: `poll p1 is ${status}; only a draft poll can be updated` },
        );
      });
    }
  });

  describe('assertAcceptingBallots', () => {
    const open = inStatus('open');
    const accepting = (poll: Poll, at: string) => () => {
      assertAcceptingBallots(poll, at);
    };

    it('when the tx time is exactly opensAt or closesAt, then ballots are accepted', () => {
      expect(accepting(open, '2026-01-01T00:00:00.000Z')).not.to.throw();
      expect(accepting(open, '2026-12-31T00:00:00.000Z')).not.to.throw();
    });

    it('when the tx time is a millisecond outside the window, then it is refused as POLL_NOT_OPEN', () => {
      expect(thrownBy(accepting(open, '2025-12-31T23:59:59.999Z'))).to.deep.equal({
        code: 'POLL_NOT_OPEN',
        message: 'poll p1 accepts ballots from 2026-01-01T00:00:00.000Z to 2026-12-31T00:00:00.000Z, ' +
          'not at 2025-12-31T23:59:59.999Z',
      });
      expect(thrownBy(accepting(open, '2026-12-31T00:00:00.001Z'))).to.include({ code: 'POLL_NOT_OPEN' });
    });

    for (const status of PollStatuses.filter((s) => s !== 'open')) {
      it(`when the poll is ${status}, then it is refused as POLL_NOT_OPEN even inside the window`, () => {
        expect(thrownBy(accepting(inStatus(status), '2026-06-01T00:00:00.000Z'))).to.deep.equal(
          { code: 'POLL_NOT_OPEN', message: `poll p1 is ${status}` },
        );
      });
    }
  });
});
