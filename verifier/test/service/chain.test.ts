import { expect } from 'chai';
import pino from 'pino';
import sinon from 'sinon';
import { ChainIndex, followChain } from '../../src/service/chain';
import { PollDirectory } from '../../src/service/disclosure';
import type { BlockStream, ObserverLedger } from '../../src/service/ledger';
import { BLOCKS, poll } from './support/app';

function stream(blocks: readonly Uint8Array[], fail?: Error): BlockStream {
  return {
    close: sinon.stub(),
    async *[Symbol.asyncIterator]() {
      for (const block of blocks) {
        await Promise.resolve();
        yield block;
      }
      if (fail) throw fail;
    },
  };
}

const stubLedger = (): sinon.SinonStubbedInstance<ObserverLedger> => ({ blocks: sinon.stub(), listPolls: sinon.stub(), getPoll: sinon.stub(), getResults: sinon.stub(), close: sinon.stub() });

describe('service/chain', () => {
  describe('ChainIndex.append', () => {
    it('refuses a block out of order, so the copy has no holes', () => {
      const chain = new ChainIndex('polls');
      chain.append(BLOCKS[0]!);
      expect(() => chain.append(BLOCKS[2]!)).to.throw('expected block 1');
      expect(() => chain.append(BLOCKS[0]!)).to.throw('expected block 1');
    });
  });

  describe('followChain', () => {
    it('when the stream fails, then it reconnects from the next height and goes on', async () => {
      const ledger = stubLedger();
      const chain = new ChainIndex('polls');
      const stop = new AbortController();
      ledger.blocks.onFirstCall().resolves(stream(BLOCKS.slice(0, 2), new Error('peer went away')));
      ledger.blocks.onSecondCall().callsFake(() => Promise.resolve(stream(BLOCKS.slice(2))));
      ledger.blocks.onThirdCall().callsFake(() => {
        stop.abort();
        return Promise.resolve(stream([]));
      });
      await followChain(chain, ledger, { logger: pino({ level: 'silent' }), retryMs: 1, signal: stop.signal });
      expect(ledger.blocks.args.map(([from]) => from)).to.deep.equal([0, 2, 6]);
      expect(chain.height).to.equal(6);
    });
  });
});

describe('service/disclosure', () => {
  describe('PollDirectory.refresh', () => {
    it('when asked again during a refresh, then it reads the polls once more afterwards', async () => {
      const ledger = stubLedger();
      let release: () => void = () => undefined;
      ledger.listPolls.onFirstCall().returns(new Promise((resolve) => { release = () => { resolve([poll('p', 'open', 'after-close')]); }; }));
      ledger.listPolls.onSecondCall().resolves([poll('p', 'closed', 'after-close')]);
      const directory = new PollDirectory(ledger);
      const first = directory.refresh();
      const second = directory.refresh();
      release();
      await Promise.all([first, second]);
      expect(ledger.listPolls.callCount).to.equal(2);
      expect(directory.hidden('p')).to.equal(undefined);
    });
  });
});
