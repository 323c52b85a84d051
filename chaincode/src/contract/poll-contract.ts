import {
  type Poll,
  type ResultOf,
  type TransactionName,
  DETAIL_ID_LENGTH,
  Limits,
  PollEventNames,
} from '@poll-ledger/protocol';
import { Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { assertMayCastBallot, assertMayClosePoll, assertMayManagePoll, assertPollAdmin } from '../domain/access';
import { CAST_BALLOT_FIELDS, parseBallotArgs } from '../domain/cast';
import { canonicalJson } from '../domain/canonical';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../domain/errors';
import { ballotCastEvent, ballotsCastEvent, pollEvent } from '../domain/events';
import { parseArg } from '../domain/input';
import {
  type PollAction,
  assertAcceptingBallots,
  assertTransitionAllowed,
  createPoll,
  generatedPollId,
  transitionPoll,
  updatePoll,
} from '../domain/poll';
import { parsePollDefinition } from '../domain/poll-definition';
import { assertRunningResultsVisible, finalResults, runningResults } from '../domain/results';
import { type Tally, addBallots, advanceTallyState, emptyTally, startTallyState } from '../domain/tally';
import { castBatch, castOne } from './ballots';
import { PollContext } from './context';
import { stateBatchesEnabled } from './state-batches';

/**
 * Every answer is canonical JSON text, like everything the chaincode writes; the name ties the value to the
 * transaction's result type in the protocol.
 */
const reply = <N extends TransactionName>(_name: N, value: ResultOf<N>): string => canonicalJson(value);

/**
 * The `polls` chaincode's one (default) contract. Each transaction checks the caller and its arguments, applies the
 * domain rules and writes canonical JSON; the rules themselves live in `../domain`.
 */
@Info({ title: 'PollContract', description: 'Citizen polls: definitions, conflict-free ballots, a recomputable tally' })
export class PollContract extends Contract {
  /** Whether the peer takes batched state reads and writes (state-batches.ts); undefined on the prototype. */
  readonly stateBatches: boolean | undefined;

  /** The chaincode server constructs it without options: batches then follow POLL_LEDGER_CC_STATE_BATCHES. */
  constructor(options: { readonly stateBatches?: boolean } = {}) {
    super('PollContract');
    this.stateBatches = options.stateBatches ?? stateBatchesEnabled();
  }

  // fabric-contract-api's decorators call this on the prototype too (to learn the context class): no own fields then.
  override createContext(): PollContext {
    return new PollContext(this.stateBatches === true);
  }

  override unknownTransaction(ctx: PollContext): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    return Promise.reject(new InvalidArgumentError(`no transaction named ${fcn.slice(0, DETAIL_ID_LENGTH)}`));
  }

  @Transaction()
  @Returns('string')
  async CreatePoll(ctx: PollContext, pollJson: string): Promise<string> {
    assertPollAdmin(ctx.caller);
    const definition = parsePollDefinition(pollJson);
    const poll = createPoll(definition, definition.id ?? generatedPollId(ctx.txId), ctx.caller.mspId, ctx.txId);
    if ((await ctx.store.findPoll(poll.id)) !== undefined) {
      throw new AlreadyExistsError(`poll ${poll.id} already exists`);
    }
    await ctx.store.insertPoll(poll);
    ctx.emit(pollEvent(PollEventNames.create, poll, ctx.txId));
    return reply('CreatePoll', poll);
  }

  @Transaction()
  @Returns('string')
  async UpdatePoll(ctx: PollContext, pollJson: string): Promise<string> {
    assertPollAdmin(ctx.caller);
    const definition = parsePollDefinition(pollJson);
    if (definition.id === undefined) {
      throw new InvalidArgumentError('pollJson.id is required to update a poll', 'pollJson.id');
    }
    const current = await this.#loadPollToManage(ctx, definition.id);
    const poll = updatePoll(current, definition, ctx.txId);
    await ctx.store.replacePoll(current, poll);
    ctx.emit(pollEvent(PollEventNames.update, poll, ctx.txId));
    return reply('UpdatePoll', poll);
  }

  @Transaction()
  @Returns('string')
  OpenPoll(ctx: PollContext, pollId: string): Promise<string> {
    return this.#transition(ctx, 'OpenPoll', pollId, 'open');
  }

  /** Its managers at any time; anyone on the channel from closesAt on, so closing on time needs no one's consent. */
  @Transaction()
  @Returns('string')
  async ClosePoll(ctx: PollContext, pollId: string): Promise<string> {
    const poll = await ctx.store.loadPoll(parseArg('pollId', pollId));
    assertMayClosePoll(ctx.caller, poll, ctx.txTime);
    return reply('ClosePoll', await this.#applyTransition(ctx, poll, 'close'));
  }

  @Transaction()
  @Returns('string')
  CancelPoll(ctx: PollContext, pollId: string): Promise<string> {
    return this.#transition(ctx, 'CancelPoll', pollId, 'cancel');
  }

  /** Reads the poll key and this voter's ballot key, and writes only the ballot key: ballots never conflict. */
  @Transaction()
  @Returns('string')
  async CastBallot(
    ctx: PollContext,
    pollId: string,
    voterToken: string,
    answersJson: string,
    requestId: string,
    requestedAt: string,
  ): Promise<string> {
    assertMayCastBallot(ctx.caller);
    parseArg('pollId', pollId);
    const tx = { txId: ctx.txId, castAt: ctx.txTime };
    const args = parseBallotArgs({ voterToken, requestId, requestedAt }, CAST_BALLOT_FIELDS, tx.castAt);
    // Only "is it JSON" here; whether it fits the poll is checked once the poll is known.
    const request = { ...args, answers: parseArg('answersJson', answersJson) };
    const poll = await ctx.store.loadPoll(pollId);
    const cast = await castOne(ctx.store, poll, request, tx);
    if (!cast.ok) {
      throw cast.refusal;
    }
    const { receipt, ballot, replaced } = cast.value;
    if (ballot !== undefined) {
      ctx.emit(ballotCastEvent(ballot, replaced));
    }
    return reply('CastBallot', receipt);
  }

  /**
   * Many ballots of one poll. The caller, the arguments' shape and the poll's window refuse the whole transaction;
   * then each ballot is cast as CastBallot casts it, and its refusal is its outcome. Reads the poll key and each
   * voter's ballot key, writes only the ballot keys of the ballots it casts, and emits one BallotsCast for them.
   */
  @Transaction()
  @Returns('string')
  async CastBallots(ctx: PollContext, pollId: string, ballotsJson: string): Promise<string> {
    assertMayCastBallot(ctx.caller);
    parseArg('pollId', pollId);
    const items = parseArg('ballotsJson', ballotsJson);
    const poll = await ctx.store.loadPoll(pollId);
    const tx = { txId: ctx.txId, castAt: ctx.txTime };
    assertAcceptingBallots(poll, tx.castAt);
    const { outcomes, written } = await castBatch(ctx.store, poll, items, tx);
    const event = ballotsCastEvent(poll.id, tx.txId, written);
    if (event !== undefined) {
      ctx.emit(event);
    }
    return reply('CastBallots', { pollId: poll.id, txId: tx.txId, outcomes: [...outcomes] });
  }

  /** One bounded step of the tally walk; the step that reaches the last ballot marks the poll tallied. */
  @Transaction()
  @Returns('string')
  async TallyPoll(ctx: PollContext, pollId: string, maxBallots: string): Promise<string> {
    assertPollAdmin(ctx.caller);
    const limit = parseArg('maxBallots', maxBallots);
    const poll = await this.#loadPollToManage(ctx, pollId);
    assertTransitionAllowed(poll, 'tally');
    const before = (await ctx.store.findTally(poll.id)) ?? startTallyState(poll);
    const batch = await ctx.store.readBallotBatch(poll.id, before.cursor, limit);
    const after = advanceTallyState(before, batch);
    await ctx.store.putTally(after);
    const status = after.done ? (await this.#applyTransition(ctx, poll, 'tally')).status : poll.status;
    const { ballotCount, done } = after;
    return reply('TallyPoll', { pollId: poll.id, processed: batch.entries.length, ballotCount, done, status });
  }

  @Transaction(false)
  @Returns('string')
  async GetPoll(ctx: PollContext, pollId: string): Promise<string> {
    return reply('GetPoll', await ctx.store.loadPoll(parseArg('pollId', pollId)));
  }

  @Transaction(false)
  @Returns('string')
  async ListPolls(ctx: PollContext, status: string, listPageSize: string, bookmark: string): Promise<string> {
    const filter = parseArg('status', status);
    const size = parseArg('listPageSize', listPageSize);
    const page = await ctx.store.listPolls(filter === '' ? undefined : filter, size, parseArg('bookmark', bookmark));
    return reply('ListPolls', page);
  }

  @Transaction(false)
  @Returns('string')
  async GetBallot(ctx: PollContext, pollId: string, ballotId: string): Promise<string> {
    const ballot = await ctx.store.loadBallot(parseArg('pollId', pollId), parseArg('ballotId', ballotId));
    return reply('GetBallot', ballot);
  }

  @Transaction(false)
  @Returns('string')
  async GetBallotHistory(ctx: PollContext, pollId: string, ballotId: string): Promise<string> {
    const history = await ctx.store.ballotHistory(parseArg('pollId', pollId), parseArg('ballotId', ballotId));
    return reply('GetBallotHistory', nonEmpty(history, `no ballot ${ballotId} in poll ${pollId}`));
  }

  @Transaction(false)
  @Returns('string')
  async GetPollHistory(ctx: PollContext, pollId: string): Promise<string> {
    const history = await ctx.store.pollHistory(parseArg('pollId', pollId));
    return reply('GetPollHistory', nonEmpty(history, `no poll ${pollId}`));
  }

  /** Final results of a tallied poll; a running count (final: false) of a live one. */
  @Transaction(false)
  @Returns('string')
  async GetResults(ctx: PollContext, pollId: string): Promise<string> {
    const poll = await ctx.store.loadPoll(parseArg('pollId', pollId));
    if (poll.status === 'tallied') {
      const state = await ctx.store.findTally(poll.id);
      if (state === undefined) {
        throw new Error(`poll ${poll.id} is tallied but has no tally state`);
      }
      return reply('GetResults', finalResults(poll, state));
    }
    assertRunningResultsVisible(poll);
    return reply('GetResults', runningResults(poll, await this.#countAllBallots(ctx, poll)));
  }

  /** One page of a running count, for polls too large for one GetResults evaluation. */
  @Transaction(false)
  @Returns('string')
  async GetLiveResultsPage(
    ctx: PollContext,
    pollId: string,
    livePageSize: string,
    bookmark: string,
  ): Promise<string> {
    const poll = await ctx.store.loadPoll(parseArg('pollId', pollId));
    assertRunningResultsVisible(poll);
    const size = parseArg('livePageSize', livePageSize);
    const page = await ctx.store.readBallotPage(poll.id, size, parseArg('bookmark', bookmark));
    const { ballotCount, counts } = addBallots(emptyTally(poll), page.ballots);
    const { bookmark: next } = page;
    return reply('GetLiveResultsPage', { pollId: poll.id, ballotCount, counts, bookmark: next, done: next === '' });
  }

  async #loadPollToManage(ctx: PollContext, pollId: string): Promise<Poll> {
    const poll = await ctx.store.loadPoll(parseArg('pollId', pollId));
    assertMayManagePoll(ctx.caller, poll);
    return poll;
  }

  async #transition(
    ctx: PollContext,
    name: 'OpenPoll' | 'CancelPoll',
    pollId: string,
    action: 'open' | 'cancel',
  ): Promise<string> {
    assertPollAdmin(ctx.caller);
    const poll = await this.#loadPollToManage(ctx, pollId);
    return reply(name, await this.#applyTransition(ctx, poll, action));
  }

  async #applyTransition(ctx: PollContext, poll: Poll, action: PollAction): Promise<Poll> {
    const next = transitionPoll(poll, action, ctx.txId);
    await ctx.store.replacePoll(poll, next);
    ctx.emit(pollEvent(PollEventNames[action], next, ctx.txId));
    return next;
  }

  /** The whole live count, page by page: a query may paginate, and no page meets the peer's query limit. */
  async #countAllBallots(ctx: PollContext, poll: Poll): Promise<Tally> {
    let tally = emptyTally(poll);
    let bookmark = '';
    do {
      const page = await ctx.store.readBallotPage(poll.id, Limits.liveScanPageSize, bookmark);
      tally = addBallots(tally, page.ballots);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    return tally;
  }
}

function nonEmpty<T>(history: T[], text: string): T[] {
  if (history.length === 0) {
    throw new NotFoundError(text);
  }
  return history;
}
