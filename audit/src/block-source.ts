import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BlockSourceError } from './errors';

/** Where raw block bytes come from: the auditor's own peer, or a directory of exported `<n>.block` files. */

export interface RawBlock {
  readonly number: number;
  /** undefined when the source does not have this block. */
  readonly bytes: Uint8Array | undefined;
}

export interface BlockSource {
  /** For the report: which peer or directory was read. */
  readonly description: string;
  /** The highest block number the source holds; undefined when it holds none. */
  lastBlockNumber(): Promise<number | undefined>;
  /** Blocks `from`..`to` inclusive, in order, one RawBlock per number. */
  blocks(from: number, to: number): AsyncIterable<RawBlock>;
}

const BLOCK_FILE = /^(\d+)\.block$/;

export const blockFileName = (n: number): string => `${n}.block`;

/** An export directory: the same audit over bytes that have left the peer (and may have been altered). */
export class DirectoryBlockSource implements BlockSource {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get description(): string {
    return `directory ${this.#dir}`;
  }

  async lastBlockNumber(): Promise<number | undefined> {
    let names: string[];
    try {
      names = await fs.readdir(this.#dir);
    } catch (err) {
      throw new BlockSourceError(`cannot read block directory ${this.#dir}`, { dir: this.#dir }, { cause: err });
    }
    const numbers = names.map((n) => BLOCK_FILE.exec(n)?.[1]).filter((n) => n !== undefined).map(Number);
    return numbers.length === 0 ? undefined : Math.max(...numbers);
  }

  async *blocks(from: number, to: number): AsyncIterable<RawBlock> {
    for (let n = from; n <= to; n += 1) {
      yield { number: n, bytes: await this.#read(n) };
    }
  }

  async #read(n: number): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(path.join(this.#dir, blockFileName(n)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw new BlockSourceError(`cannot read block ${n} in ${this.#dir}`, { dir: this.#dir, block: n }, { cause: err });
    }
  }
}

/** Writes `<n>.block` atomically, so an interrupted export never leaves a truncated block behind. */
export async function writeBlockFile(dir: string, n: number, bytes: Uint8Array): Promise<void> {
  const file = path.join(dir, blockFileName(n));
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, bytes);
  await fs.rename(temp, file);
}
