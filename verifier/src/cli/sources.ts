/** Where the CLI gets a bundle: a file, the verification service, or an export directory of `<n>.block` files. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBundle } from '../core/verify';
import { BUNDLE_FORMAT, type Bundle } from '../wire';

export class InputError extends Error {
  override readonly name = 'InputError';
}

export async function bundleFromFile(file: string): Promise<Bundle> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseJson(text, file);
}

function parseJson(text: string, from: string): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${from} is not JSON`);
  }
  try {
    return parseBundle(json);
  } catch (err) {
    throw new InputError(`${from}: ${(err as Error).message}`);
  }
}

/** GET {url}/v1/polls/{id}/bundle, or {url}/v1/bundle for the whole chain (the service's contract). */
export async function bundleFromService(url: string, pollId: string | undefined): Promise<Bundle> {
  const base = url.replace(/\/+$/, '');
  const target = pollId === undefined ? `${base}/v1/bundle` : `${base}/v1/polls/${encodeURIComponent(pollId)}/bundle`;
  let response: Response;
  try {
    response = await fetch(target, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new InputError(`cannot reach ${target}: ${(err as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new InputError(`${target} answered ${response.status}: ${text.slice(0, 300)}`);
  return parseJson(text, target);
}

/** An export directory as the auditor writes it (audit/src/block-source.ts): 0.block, 1.block, … with no gap. */
export async function bundleFromBlocks(dir: string, channel: string, chaincode: string): Promise<Bundle> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new InputError(`cannot read ${dir}: ${(err as Error).message}`);
  }
  const numbers = names.map((n) => /^(\d+)\.block$/.exec(n)?.[1]).filter((n) => n !== undefined).map(Number).sort((a, b) => a - b);
  if (numbers.length === 0) throw new InputError(`${dir} holds no <n>.block files`);
  const blocks: string[] = [];
  for (let n = 0; n < numbers.length; n += 1) {
    if (numbers[n] !== n) throw new InputError(`${dir} has no ${n}.block`);
    blocks.push((await fs.readFile(path.join(dir, `${n}.block`))).toString('base64'));
  }
  return { format: BUNDLE_FORMAT, channel, chaincode, height: blocks.length, blocks };
}
