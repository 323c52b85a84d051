/**
 * The two load shapes. Closed loop: a fixed number in flight, the next sent when one
 * returns, so it finds the maximum throughput. Open loop: sends on a clock, whatever
 * comes back, so queueing shows up as latency and backlog instead of a slower sender.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PhaseRun, Sample } from './stats';

/** What one transaction ended as; the loop adds the times. Must not throw. */
export type Outcome = Pick<Sample, 'ok' | 'committed' | 'code'>;
export type Operation = (index: number) => Promise<Outcome>;

class Recorder {
  readonly samples: Sample[] = [];
  readonly pending = new Set<Promise<void>>();
  maxInFlight = 0;
  #closed = false;

  /** Starts transaction INDEX now and records it when it ends, unless the phase already closed. */
  launch(op: Operation, index: number): Promise<void> {
    const start = performance.now();
    const done = op(index)
      .catch((err: unknown): Outcome => ({ ok: false, committed: false, code: `CLIENT_ERROR ${String(err)}`.slice(0, 60) }))
      .then((outcome) => {
        if (!this.#closed) this.samples.push({ ...outcome, start, end: performance.now() });
        this.pending.delete(done);
      });
    this.pending.add(done);
    this.maxInFlight = Math.max(this.maxInFlight, this.pending.size);
    return done;
  }

  /** Waits for what is in flight, at most DRAIN_MS, then stops recording. */
  async close(drainMs: number): Promise<number> {
    const timeout = new AbortController();
    await Promise.race([Promise.all([...this.pending]), sleep(drainMs, undefined, { signal: timeout.signal }).catch(() => undefined)]);
    timeout.abort();
    this.#closed = true;
    return this.pending.size;
  }
}

export async function closedLoop(op: Operation, count: number, concurrency: number, drainMs: number): Promise<PhaseRun> {
  const recorder = new Recorder();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await recorder.launch(op, next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const unfinished = await recorder.close(drainMs);
  return { samples: recorder.samples, maxInFlight: recorder.maxInFlight, backlog: 0, unfinished };
}

/**
 * Sends RATE transactions per second for SECONDS. Each tick sends every transaction
 * that is due by the clock, so a late tick (a busy event loop) catches up rather than
 * lowering the rate silently; the achieved send rate is reported anyway.
 */
export async function openLoop(op: Operation, rate: number, seconds: number, drainMs: number): Promise<PhaseRun> {
  const recorder = new Recorder();
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (sent < due) void recorder.launch(op, sent++);
    const nextAt = t0 + (sent / rate) * 1000;
    await sleep(Math.max(1, nextAt - performance.now()));
  }
  const backlog = recorder.pending.size;
  const unfinished = await recorder.close(drainMs);
  return { samples: recorder.samples, maxInFlight: recorder.maxInFlight, backlog, unfinished };
}
