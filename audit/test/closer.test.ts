import { expect } from 'chai';
import { loadVectors, type Poll } from '@poll-ledger/protocol';
import { type PollCloserPort, closeDuePolls, duePolls, renderCloseOutcomes } from '../src/closer';
import { parseCommand } from '../src/config';

const base = loadVectors('answers')[0]!.poll;
const poll = (id: string, closesAt: string, status: Poll['status'] = 'open'): Poll => ({ ...base, id, closesAt, status });
const now = new Date('2026-03-31T12:00:00.000Z');

function fakePort(polls: Poll[], refuse: ReadonlySet<string> = new Set()): PollCloserPort & { closed: string[] } {
  const closed: string[] = [];
  return {
    closed,
    openPolls: () => Promise.resolve(polls),
    closePoll: (pollId) => {
      if (refuse.has(pollId)) return Promise.resolve({ closed: false, reason: 'FORBIDDEN' });
      closed.push(pollId);
      return Promise.resolve({ closed: true });
    },
  };
}

describe("the observer's closer", function () {
  it('when polls are open, then only those whose closesAt has passed are due, earliest first', function () {
    const polls = [poll('later', '2026-03-31T12:00:01.000Z'), poll('b', '2026-03-31T11:00:00.000Z'), poll('a', '2026-03-30T00:00:00.000Z'), poll('edge', now.toISOString())];
    expect(duePolls(polls, now).map((p) => p.id)).to.deep.equal(['a', 'b', 'edge']);
    expect(duePolls([poll('drafted', '2026-03-01T00:00:00.000Z', 'draft')], now)).to.deep.equal([]);
  });

  it('when it runs, then it closes every due poll, leaves the others, and reports a refusal', async function () {
    const port = fakePort([poll('due', '2026-03-31T11:59:59.000Z'), poll('not-yet', '2026-04-01T00:00:00.000Z'), poll('stuck', '2026-03-31T10:00:00.000Z')], new Set(['stuck']));
    const outcomes = await closeDuePolls(port, () => now);
    expect(port.closed).to.deep.equal(['due']);
    expect(outcomes.map((o) => [o.pollId, o.outcome, o.reason])).to.deep.equal([
      ['due', 'closed', undefined],
      ['not-yet', 'not due', undefined],
      ['stuck', 'refused', 'FORBIDDEN'],
    ]);
    expect(renderCloseOutcomes(outcomes)).to.match(/^close-due: 1 closed of 3 open\n/);
    expect(renderCloseOutcomes([])).to.equal('close-due: no open poll\n');
  });

  it('when close-due is given options of another command, then it is a usage error', function () {
    expect(() => parseCommand(['close-due', '--from-dir', '.'])).to.throw(/--from-dir cannot be used with 'close-due'/);
  });
});
