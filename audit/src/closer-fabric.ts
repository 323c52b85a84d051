import { CommitError, type Gateway, GatewayError } from '@hyperledger/fabric-gateway';
import { chaincodeErrorOf } from '@poll-ledger/fabric-client';
import { type Poll, Limits, parseResult } from '@poll-ledger/protocol';
import type { PollCloserPort } from './closer';
import type { PeerTarget } from './config';
import { connectToPeer } from './fabric';

/** The closer's Fabric side: ListPolls and ClosePoll through the organisation's own peer, results checked. */
export async function openPollCloser(
  target: PeerTarget,
  options: { readonly channel: string; readonly chaincode: string; readonly timeoutMs: number },
): Promise<PollCloserPort & { close(): void }> {
  const deadlines = { evaluateMs: options.timeoutMs, endorseMs: options.timeoutMs, submitMs: options.timeoutMs, commitStatusMs: options.timeoutMs * 2 };
  const { client, gateway } = await connectToPeer(target, deadlines);
  const contract = (g: Gateway) => g.getNetwork(options.channel).getContract(options.chaincode);
  return {
    async openPolls(): Promise<Poll[]> {
      const polls: Poll[] = [];
      let bookmark = '';
      do {
        const page = parseResult('ListPolls', await contract(gateway).evaluateTransaction('ListPolls', 'open', String(Limits.listPageSize.max), bookmark));
        polls.push(...page.polls);
        bookmark = page.bookmark;
      } while (bookmark !== '');
      return polls;
    },
    async closePoll(pollId: string) {
      try {
        const result = parseResult('ClosePoll', await contract(gateway).submitTransaction('ClosePoll', pollId));
        return result.status === 'closed' ? { closed: true as const } : { closed: false as const, reason: `status ${result.status}` };
      } catch (err) {
        const refusal = chaincodeErrorOf(err);
        if (refusal !== undefined) return { closed: false as const, reason: refusal.code };
        if (err instanceof CommitError) return { closed: false as const, reason: `committed with validation code ${String(err.code)}` };
        if (err instanceof GatewayError) return { closed: false as const, reason: `gRPC status ${String(err.code)}` };
        throw err;
      }
    },
    close(): void {
      gateway.close();
      client.close();
    },
  };
}
