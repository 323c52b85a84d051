import { Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { Limits } from '../config';
import { assertMayCastBallot, assertMayManagePoll, assertPollAdmin } from '../domain/access';
import {
  assertMayCastAgain,
  createBallot,
  parseRequestId,
  parseVoterToken,
  receiptOf,
  retriedReceipt,
  validateAnswers,
} from '../domain/ballot';
import { canonicalJson } from '../domain/canonical';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../domain/errors';
import { ballotCastEvent, PollEvents, pollEvent } from '../domain/events';
import { parseDecimal, parseJsonArgument, requireId, requireOneOf } from '../domain/input';
import {
  type Poll,
  type PollAction,
  PollStatuses,
  assertAcceptingBallots,
  assertTransitionAllowed,
  createPoll,
  generatedPollId,
  transitionPoll,
  updatePoll,
} from '../domain/poll';
import { parsePollDefinition } from '../domain/poll-definition';
import { type LiveResultsPage, assertRunningResultsVisible, finalResults, runningResults } from '../domain/results';
import {
  type Tally,
  type TallyProgress,
  addBallots,
  advanceTallyState,
  emptyTally,
  startTallyState,
} from '../domain/tally';
import { PollContext } from './context';
import type { HistoryEntry } from './world-state';

/** Every answer is canonical JSON text, like everything the chaincode writes. */
const reply = (value: unknown): string => canonicalJson(value);

/**
 * The `polls` chaincode's one (default) contract. Each transaction checks the caller and its arguments, applies the
 * domain rules and writes canonical JSON; the rules themselves live in `../domain`.
 */
@Info({ title: 'PollContract', description: 'Citizen polls: definitions, conflict-free ballots, a recomputable tally' })
export class PollContract extends Contract {
  constructor() {
    super('PollContract');
  }

  override createContext(): PollContext {
    return new PollContext();
  }

  override unknownTransaction(ctx: PollContext): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    return Promise.reject(new InvalidArgumentError(`no transaction named ${fcn}`));
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
    ctx.emit(pollEvent(PollEvents.create, poll, ctx.txId));
    return reply(poll);
  }

  @Transaction()
  @Returns('string')
  async UpdatePoll(ctx: PollContext, pollJson: string): Promise<string> {
    assertPollAdmin(ctx.caller);
    const definition = parsePollDefinition(pollJson);
    if (definition.id === undefined) {
      throw new InvalidArgumentError('id is required to update a poll');
    }
    const current = await this.#loadPollToManage(ctx, definition.id);
    const poll = updatePoll(current, definition, ctx.txId);
    await ctx.store.replacePoll(current, poll);
    ctx.emit(pollEvent(PollEvents.update, poll, ctx.txId));
    return reply(poll);
  }

  @Transaction()
  @Returns('string')
  OpenPoll(ctx: PollContext, pollId: string): Promise<string> {
    return this.#transition(ctx, pollId, 'open');
  }

  @Transaction()
  @Returns('string')
  ClosePoll(ctx: PollContext, pollId: string): Promise<string> {
    return this.#transition(ctx, pollId, 'close');
  }

  @Transaction()
  @Returns('string')
  CancelPoll(ctx: PollContext, pollId: string): Promise<string> {
    return this.#transition(ctx, pollId, 'cancel');
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
  ): Promise<string> {
    assertMayCastBallot(ctx.caller);
    requireId(pollId, 'pollId');
    const ballotId = parseVoterToken(voterToken);
    const request = parseRequestId(requestId);
    const rawAnswers = parseJsonArgument(answersJson, 'answersJson');
    const poll = await ctx.store.loadPoll(pollId);
    const existing = await ctx.store.findBallot(pollId, ballotId);
    const retried = retriedReceipt(existing, request);
    if (retried !== undefined) {
      // Recognised before the open check, so a retry that arrives after closing still gets its receipt.
      return reply(retried);
    }
    const castAt = ctx.txTime;
    assertAcceptingBallots(poll, castAt);
    const answers = validateAnswers(poll, rawAnswers);
    assertMayCastAgain(poll, existing);
    const ballot = createBallot({ pollId, ballotId, answers, castAt, txId: ctx.txId }, request, existing);
    await ctx.store.putBallot(ballot);
    ctx.emit(ballotCastEvent(ballot));
    return reply(receiptOf(ballot, { replaced: existing !== undefined, duplicate: false }));
  }

  /** One bounded step of the tally walk; the step that reaches the last ballot marks the poll tallied. */
  @Transaction()
  @Returns('string')
  async TallyPoll(ctx: PollContext, pollId: string, maxBallots: string): Promise<string> {
    assertPollAdmin(ctx.caller);
    const limit = parseDecimal(maxBallots, 'maxBallots', Limits.tallyBatch);
    const poll = await this.#loadPollToManage(ctx, pollId);
    assertTransitionAllowed(poll, 'tally');
    const before = (await ctx.store.findTally(poll.id)) ?? startTallyState(poll);
    const batch = await ctx.store.readBallotBatch(poll.id, before.cursor, limit);
    const after = advanceTallyState(before, batch);
    await ctx.store.putTally(after);
    const status = after.done ? (await this.#applyTransition(ctx, poll, 'tally')).status : poll.status;
    const { ballotCount, done } = after;
    const progress: TallyProgress = { pollId: poll.id, processed: batch.entries.length, ballotCount, done, status };
    return reply(progress);
  }

  @Transaction(false)
  @Returns('string')
  async GetPoll(ctx: PollContext, pollId: string): Promise<string> {
    return reply(await ctx.store.loadPoll(requireId(pollId, 'pollId')));
  }

  @Transaction(false)
  @Returns('string')
  async ListPolls(ctx: PollContext, status: string, pageSize: string, bookmark: string): Promise<string> {
    const filter = status === '' ? undefined : requireOneOf(status, 'status', PollStatuses);
    const size = parseDecimal(pageSize, 'pageSize', Limits.listPageSize);
    return reply(await ctx.store.listPolls(filter, size, bookmark));
  }

  @Transaction(false)
  @Returns('string')
  async GetBallot(ctx: PollContext, pollId: string, ballotId: string): Promise<string> {
    return reply(await ctx.store.loadBallot(requireId(pollId, 'pollId'), parseVoterToken(ballotId)));
  }

  @Transaction(false)
  @Returns('string')
  async GetBallotHistory(ctx: PollContext, pollId: string, ballotId: string): Promise<string> {
    const history = await ctx.store.ballotHistory(requireId(pollId, 'pollId'), parseVoterToken(ballotId));
    return reply(nonEmpty(history, `no ballot ${ballotId} in poll ${pollId}`));
  }

  @Transaction(false)
  @Returns('string')
  async GetPollHistory(ctx: PollContext, pollId: string): Promise<string> {
    const history = await ctx.store.pollHistory(requireId(pollId, 'pollId'));
    return reply(nonEmpty(history, `no poll ${pollId}`));
  }

  /** Final results of a tallied poll; a running count (final: false) of a live one. */
  @Transaction(false)
  @Returns('string')
  async GetResults(ctx: PollContext, pollId: string): Promise<string> {
    const poll = await ctx.store.loadPoll(requireId(pollId, 'pollId'));
    if (poll.status === 'tallied') {
      const state = await ctx.store.findTally(poll.id);
      if (state === undefined) {
        throw new Error(`poll ${poll.id} is tallied but has no tally state`);
      }
      return reply(finalResults(poll, state));
    }
    assertRunningResultsVisible(poll);
    return reply(runningResults(poll, await this.#countAllBallots(ctx, poll)));
  }

  /** One page of a running count, for polls too large for one GetResults evaluation. */
  @Transaction(false)
  @Returns('string')
  async GetLiveResultsPage(ctx: PollContext, pollId: string, pageSize: string, bookmark: string): Promise<string> {
    const poll = await ctx.store.loadPoll(requireId(pollId, 'pollId'));
    assertRunningResultsVisible(poll);
    const size = parseDecimal(pageSize, 'pageSize', Limits.livePageSize);
    const page = await ctx.store.readBallotPage(poll.id, size, bookmark);
    const { ballotCount, counts } = addBallots(emptyTally(poll), page.ballots);
    const { bookmark: next } = page;
    const result: LiveResultsPage = { pollId: poll.id, ballotCount, counts, bookmark: next, done: next === '' };
    return reply(result);
  }

  async #loadPollToManage(ctx: PollContext, pollId: string): Promise<Poll> {
    const poll = await ctx.store.loadPoll(requireId(pollId, 'pollId'));
    assertMayManagePoll(ctx.caller, poll);
    return poll;
  }

  async #transition(ctx: PollContext, pollId: string, action: Exclude<PollAction, 'tally'>): Promise<string> {
    assertPollAdmin(ctx.caller);
    const poll = await this.#loadPollToManage(ctx, pollId);
    return reply(await this.#applyTransition(ctx, poll, action));
  }

  async #applyTransition(ctx: PollContext, poll: Poll, action: PollAction): Promise<Poll> {
    const next = transitionPoll(poll, action, ctx.txId);
    await ctx.store.replacePoll(poll, next);
    ctx.emit(pollEvent(PollEvents[action], next, ctx.txId));
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

function nonEmpty(history: HistoryEntry[], text: string): HistoryEntry[] {
  if (history.length === 0) {
    throw new NotFoundError(text);
  }
  return history;
}
