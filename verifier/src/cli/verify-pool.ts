/**
 * ECDSA P-256 verifications on worker threads, in batches. The verifier asks for one signature at a time but many at
 * once (a block's, and the next blocks' while it commits one); calls made in the same turn of the event loop go to a
 * worker as one message: the messages packed into one transferred buffer, keys sent once per worker. Per signature
 * this costs the main thread a copy of the message, against a promise, a libuv job and a callback before.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Plain JavaScript run by each worker (an eval worker, so the same code serves dist/ and ts-node's tests). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ id, newKeys, index, data }) => {
  for (const [keyId, key] of newKeys) keys.set(keyId, key);
  const bytes = new Uint8Array(data);
  const count = index.length / 5;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    const at = 5 * i;
    try {
      const message = bytes.subarray(index[at + 1], index[at + 1] + index[at + 2]);
      const signature = bytes.subarray(index[at + 3], index[at + 3] + index[at + 4]);
      out[i] = verify('sha256', message, keys.get(index[at]), signature) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

interface Job {
  readonly keyId: number;
  readonly key: KeyObject;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly resolve: (valid: boolean) => void;
  readonly reject: (error: Error) => void;
}

class PoolWorker {
  readonly #worker: Worker;
  readonly #sentKeys = new Set<number>();
  readonly #batches = new Map<number, readonly Job[]>();
  #nextId = 0;
  #closing = false;
  pending = 0;

  constructor(onFailure: (error: Error) => void) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
      const jobs = this.#batches.get(id);
      if (jobs === undefined) return;
      this.#batches.delete(id);
      this.pending -= jobs.length;
      // Unreferenced while idle, so a CLI that is done exits without closing the pool.
      if (this.pending === 0) this.#worker.unref();
      jobs.forEach((job, i) => { job.resolve(out[i] === 1); });
    });
    this.#worker.on('error', (error) => {
      this.#failAll(error);
      onFailure(error);
    });
    this.#worker.on('exit', (code) => {
      if (this.#closing) return;
      const error = new Error(`a signature worker stopped (exit code ${code})`);
      this.#failAll(error);
      onFailure(error);
    });
    // After the listeners: adding a 'message' listener references the worker's port again.
    this.#worker.unref();
  }

  send(jobs: readonly Job[]): void {
    let size = 0;
    for (const job of jobs) size += job.message.length + job.signature.length;
    const data = new Uint8Array(size);
    const index = new Uint32Array(5 * jobs.length);
    const newKeys: [number, KeyObject][] = [];
    let offset = 0;
    jobs.forEach((job, i) => {
      if (!this.#sentKeys.has(job.keyId)) {
        this.#sentKeys.add(job.keyId);
        newKeys.push([job.keyId, job.key]);
      }
      index.set([job.keyId, offset, job.message.length, offset + job.message.length, job.signature.length], 5 * i);
      data.set(job.message, offset);
      data.set(job.signature, offset + job.message.length);
      offset += job.message.length + job.signature.length;
    });
    const id = this.#nextId++;
    this.#batches.set(id, jobs);
    if (this.pending === 0) this.#worker.ref();
    this.pending += jobs.length;
    this.#worker.postMessage({ id, newKeys, index, data: data.buffer }, [data.buffer, index.buffer]);
  }

  #failAll(error: Error): void {
    for (const jobs of this.#batches.values()) jobs.forEach((job) => { job.reject(error); });
    this.#batches.clear();
    this.pending = 0;
  }

  terminate(): Promise<number> {
    this.#closing = true;
    return this.#worker.terminate();
  }
}

/** Worker threads that verify signatures; a batch goes to the least busy one. */
export class VerifyPool {
  readonly #workers: PoolWorker[] = [];
  #queue: Job[] = [];
  #failure: Error | undefined;

  constructor(threads: number) {
    for (let i = 0; i < threads; i += 1) this.#workers.push(new PoolWorker((error) => { this.#failure = error; }));
  }

  verify(keyId: number, key: KeyObject, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<boolean>((resolve, reject) => {
      if (this.#queue.length === 0) queueMicrotask(() => { this.#flush(); });
      this.#queue.push({ keyId, key, message, signature, resolve, reject });
    });
  }

  #flush(): void {
    const jobs = this.#queue;
    this.#queue = [];
    // A big batch is shared out, so every worker has some of it.
    const share = Math.ceil(jobs.length / this.#workers.length);
    for (let start = 0; start < jobs.length; start += share) {
      const idlest = this.#workers.reduce((a, b) => (b.pending < a.pending ? b : a));
      idlest.send(jobs.slice(start, start + share));
    }
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the signature workers were closed');
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
