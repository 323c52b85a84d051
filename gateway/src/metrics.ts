import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchInstruments } from './domain/ballot-batches';

export type FabricStage = 'evaluate' | 'endorse' | 'submit' | 'commit_status';
export type RetryKind = 'mvcc' | 'resubmit';

/** The Fabric-side instruments, narrow so the ledger adapter does not depend on prom-client. */
export interface FabricInstruments {
  stage<T>(stage: FabricStage, work: () => Promise<T>): Promise<T>;
  retry(kind: RetryKind): void;
}

export interface Metrics extends FabricInstruments {
  readonly registry: Registry;
  /** The coalescer's instruments: how ballots are gathered into CastBallots transactions. */
  readonly batches: BatchInstruments;
  observeHttp(route: string, method: string, status: number, seconds: number): void;
}

/** What a person tuning GATEWAY_BALLOT_BATCH_* needs: sizes, why batches went when they did, waits and queues. */
function batchInstruments(registry: Registry): BatchInstruments {
  const registers = [registry];
  const ballots = new Histogram({
    name: 'ballot_batch_size',
    help: 'Ballots per CastBallots transaction sent (GATEWAY_BALLOT_BATCH_MAX bounds it)',
    buckets: [1, 2, 5, 10, 20, 35, 50, 75, 100],
    registers,
  });
  const bytes = new Histogram({
    name: 'ballot_batch_bytes',
    help: 'Bytes of the ballots of one CastBallots transaction (GATEWAY_BALLOT_BATCH_MAX_BYTES bounds it)',
    buckets: [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576],
    registers,
  });
  const batches = new Counter({
    name: 'ballot_batches_total',
    help: 'CastBallots transactions sent, by why then: idle (a slot of the poll was free), full (a size bound was reached), settled (a batch of the poll settled while ballots waited), paced (the next interval slot of the poll)',
    labelNames: ['reason'],
    registers,
  });
  const wait = new Histogram({
    name: 'ballot_batch_wait_seconds',
    help: 'Time a ballot waited in the gateway before its CastBallots transaction was sent',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const held = new Counter({
    name: 'ballot_batch_held_total',
    help: 'Ballots that arrived while a ballot of the same voter was in an open transaction, and waited for it to settle',
    registers,
  });
  const queued = new Gauge({ name: 'ballot_batch_queued', help: 'Ballots waiting to be sent in a CastBallots transaction', registers });
  const inFlight = new Gauge({ name: 'ballot_batches_in_flight', help: 'CastBallots transactions in flight (GATEWAY_BALLOT_BATCH_IN_FLIGHT bounds them per poll)', registers });
  const reproposed = new Counter({
    name: 'ballot_batch_reproposed_total',
    help: 'Ballots sent again in a new CastBallots transaction after a read conflict invalidated theirs',
    registers,
  });
  return {
    sent(count, size, reason) {
      ballots.observe(count);
      bytes.observe(size);
      batches.inc({ reason });
    },
    waited: (seconds) => { wait.observe(seconds); },
    heldBack: () => { held.inc(); },
    depth(waiting, sending) {
      queued.set(waiting);
      inFlight.set(sending);
    },
    reproposed: (ballots) => { reproposed.inc(ballots); },
  };
}

/** One registry per app instance, so tests never share counters. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const stages = new Histogram({
    name: 'fabric_stage_duration_seconds',
    help: 'Latency of Fabric gateway calls by stage and outcome',
    labelNames: ['stage', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'fabric_retries_total',
    help: 'Fabric retries: mvcc = new proposal after a read conflict, resubmit = same signed envelope again',
    labelNames: ['kind'],
    registers: [registry],
  });

  return {
    registry,
    batches: batchInstruments(registry),
    observeHttp(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    async stage(stage, work) {
      const end = stages.startTimer({ stage });
      try {
        const result = await work();
        end({ outcome: 'ok' });
        return result;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    },
    retry(kind) {
      retries.inc({ kind });
    },
  };
}
