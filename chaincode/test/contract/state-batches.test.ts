import { peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import type { Context } from 'fabric-contract-api';
import { createRequire } from 'node:module';
import { KEYS_PER_MESSAGE, MessageType, stateBatchesEnabled, stateBatchesOf } from '../../src/contract/state-batches';
import { TestNetwork } from '../support/network';
import { cast, castMany, openPoll, requestId, voter } from '../support/polls';

type ChaincodeStub = Context['stub'];

/**
 * The ChaincodeMessage class of fabric-shim's own fabric-protos, which its gRPC serializer checks with instanceof. The
 * payloads are decoded with the current fabric-protos' generated classes, a check of this module's own encoding.
 */
const ShimChaincodeMessage = (createRequire(require.resolve('fabric-shim'))('@hyperledger/fabric-protos') as { peer: typeof peer }).peer
  .ChaincodeMessage;

interface Sent {
  readonly message: peer.ChaincodeMessage;
  readonly method: string;
}

/** A stub whose shim handler records each message and answers with `answer`. */
function stubWithHandler(answer: (message: peer.ChaincodeMessage) => Uint8Array): { stub: ChaincodeStub; sent: Sent[] } {
  const sent: Sent[] = [];
  const handler = {
    _askPeerAndListen: (message: peer.ChaincodeMessage, method: string) => {
      sent.push({ message, method });
      return Promise.resolve(Buffer.from(answer(message)));
    },
  };
  const stub = { handler, getTxID: () => 'tx1', getChannelID: () => 'polls' } as unknown as ChaincodeStub;
  return { stub, sent };
}

/** As the peer answers GET_STATE_MULTIPLE: a value per key (empty for a key without one). */
const valuesFor = (message: peer.ChaincodeMessage): Uint8Array => {
  const keys = peer.GetStateMultiple.deserializeBinary(message.getPayload_asU8()).getKeysList();
  const result = new peer.GetStateMultipleResult();
  result.setValuesList(keys.map((key) => (key.endsWith('0') ? new Uint8Array() : Buffer.from(`v:${key}`))));
  return result.serializeBinary();
};

describe('batched state reads and writes (Fabric 3.1 peers)', () => {
  it('when POLL_LEDGER_CC_STATE_BATCHES is 1 they are on; 0 or unset, off; anything else stops the chaincode server', () => {
    expect(stateBatchesEnabled({ POLL_LEDGER_CC_STATE_BATCHES: '1' })).to.equal(true);
    expect(stateBatchesEnabled({ POLL_LEDGER_CC_STATE_BATCHES: '0' })).to.equal(false);
    expect(stateBatchesEnabled({})).to.equal(false);
    expect(() => stateBatchesEnabled({ POLL_LEDGER_CC_STATE_BATCHES: 'yes' })).to.throw('must be 0 or 1, not "yes"');
  });

  it('when the stub has no fabric-shim handler, then there are no batches (one message a key)', () => {
    expect(stateBatchesOf({ getTxID: () => 'tx1' } as unknown as ChaincodeStub)).to.equal(undefined);
  });

  it('when many keys are read, then they go in shim envelopes of this transaction, at most 1,000 keys each, and the values come back in order', async () => {
    const { stub, sent } = stubWithHandler(valuesFor);
    const keys = Array.from({ length: 2 * KEYS_PER_MESSAGE + 500 }, (_, i) => `k${i}`);
    const values = (await stateBatchesOf(stub)?.getMany(keys)) ?? [];
    expect(sent.map((s) => [s.method, peer.GetStateMultiple.deserializeBinary(s.message.getPayload_asU8()).getKeysList().length])).to.deep.equal([
      ['GetStateMultiple', 1000],
      ['GetStateMultiple', 1000],
      ['GetStateMultiple', 500],
    ]);
    for (const { message } of sent) {
      expect(message).to.be.instanceOf(ShimChaincodeMessage);
      expect([message.getType(), message.getTxid(), message.getChannelId()]).to.deep.equal([MessageType.GET_STATE_MULTIPLE, 'tx1', 'polls']);
    }
    expect(values.map((v) => Buffer.from(v).toString())).to.deep.equal(keys.map((k) => (k.endsWith('0') ? '' : `v:${k}`)));
  });

  it('when the peer answers a different number of values than keys, then the read fails (and with it the transaction)', async () => {
    const { stub } = stubWithHandler(() => new peer.GetStateMultipleResult().serializeBinary());
    await expect(stateBatchesOf(stub)?.getMany(['a', 'b'])).to.be.rejectedWith('answered 0 values for 2 keys');
  });

  it('when entries are written, then they go as public PUT_STATE records of one WRITE_BATCH_STATE message', async () => {
    const { stub, sent } = stubWithHandler(() => new Uint8Array());
    await stateBatchesOf(stub)?.putMany([
      { key: 'a', value: Buffer.from('1') },
      { key: 'b', value: Buffer.from('2') },
    ]);
    expect(sent).to.have.length(1);
    const [{ message, method }] = sent as [Sent];
    expect([method, message.getType()]).to.deep.equal(['WriteBatchState', MessageType.WRITE_BATCH_STATE]);
    const records = peer.WriteBatchState.deserializeBinary(message.getPayload_asU8()).getRecList();
    expect(records.map((r) => [r.getKey(), Buffer.from(r.getValue_asU8()).toString(), r.getType(), r.getCollection()])).to.deep.equal([
      ['a', '1', peer.WriteRecord.Type.PUT_STATE, ''],
      ['b', '2', peer.WriteRecord.Type.PUT_STATE, ''],
    ]);
  });

  describe('when CastBallots runs against a peer that takes batches', () => {
    /** New voters, a voter who already voted, an invalid answer and a repeated voter, in one call. */
    async function castMixed(net: TestNetwork) {
      await openPoll(net);
      await cast(net, 3, { q1: ['red'], q2: ['usb'] }, requestId(3));
      const items = [
        ...[1, 2, 3, 4].map((n) => ({ voterToken: voter(n), answers: { q1: ['green'], q2: ['wifi'] } })),
        { voterToken: voter(5), answers: { q1: ['purple'], q2: ['usb'] } },
        { voterToken: voter(1), answers: { q1: ['red'], q2: ['usb'] } },
      ];
      const result = await castMany(net, items);
      return { text: net.lastReply, writes: net.lastTx?.writes, event: net.lastTx?.event, exchanges: net.lastTx?.exchanges ?? [], result };
    }

    it('then the result, the writes and the event are those of one message a key, with two exchanges for all the ballots', async () => {
      const batched = await castMixed(new TestNetwork({ stateBatches: true }));
      const single = await castMixed(new TestNetwork());
      expect(batched.result.outcomes.map((o) => ('error' in o ? o.error.code : o.receipt.replaced))).to.deep.equal([false, false, 'ALREADY_VOTED', false, 'INVALID_ANSWER', 'INVALID_ARGUMENT']);
      expect(batched.text).to.equal(single.text.split(single.result.txId).join(batched.result.txId));
      expect(batched.writes?.map((w) => w.key)).to.deep.equal(single.writes?.map((w) => w.key));
      expect(batched.event?.name).to.equal('BallotsCast');
      // One message a key: the poll, then the five voters whose items parsed, then the three ballots written.
      expect(single.exchanges.filter((e) => e === 'GetState')).to.have.length(1 + 5);
      expect(single.exchanges.filter((e) => e === 'PutState')).to.have.length(3);
      expect(batched.exchanges).to.deep.equal(['GetState', 'GetStateMultiple', 'WriteBatchState']);
    });

    it('then a call whose every ballot is refused reads its voter and sends no write batch', async () => {
      const net = new TestNetwork({ stateBatches: true });
      await openPoll(net);
      const result = await castMany(net, [{ voterToken: voter(1), answers: { q1: ['purple'], q2: ['usb'] } }]);
      expect(result.outcomes).to.have.length(1);
      expect(net.lastTx?.exchanges).to.deep.equal(['GetState', 'GetStateMultiple']);
      expect(net.lastTx?.writes).to.deep.equal([]);
    });
  });
});
