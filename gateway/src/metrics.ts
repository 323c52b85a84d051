import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type FabricStage = 'evaluate' | 'endorse' | 'submit' | 'commit_status';
export type RetryKind = 'mvcc' | 'resubmit';

/** The Fabric-side instruments, narrow so the ledger adapter does not depend on prom-client. */
export interface FabricInstruments {
  stage<T>(stage: FabricStage, work: () => Promise<T>): Promise<T>;
  retry(kind: RetryKind): void;
}

export interface Metrics extends FabricInstruments {
  readonly registry: Registry;
  observeHttp(route: string, method: string, status: number, seconds: number): void;
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
