/**
 * poll-ledger-verify: the offline verifier on the command line. It needs no Fabric identity: a pinned genesis hash
 * and a bundle (a file, an observer's verification service, or an export directory of blocks).
 * Exit status: 0 every check passed, 1 a check failed, 2 a usage or input error.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type Bundle, ReceiptSchema, type Receipt } from '../wire';

/** A receipt with the gateway's other fields (blockNumber, …) dropped, not refused. */
const ReceiptFieldsSchema = z.object(ReceiptSchema.shape);
import { verifyBundle } from '../core/verify';
import { nodeCryptoProvider } from './node-crypto';
import { InputError, bundleFromBlocks, bundleFromFile, bundleFromService } from './sources';
import { renderReport } from './table';

export const USAGE = `usage: poll-ledger-verify --genesis-hash <hex> (--bundle <file.json> | --service <url> [--poll <id>] | --blocks <export-dir>)
                         [--receipt <json or pollId,ballotId,txId[,ballotHash[,position]]>] [--poll <id>] [--channel polls] [--chaincode polls] [--json]`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`poll-ledger-verify: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help === true) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  // Started first: the worker threads boot while the bundle is read and parsed.
  const crypto = nodeCryptoProvider();
  try {
    const receipt = args.receipt === undefined ? undefined : parseReceipt(args.receipt);
    const bundle = await load(args);
    const interactive = args.json !== true;
    let lastShown = 0;
    const report = await verifyBundle(bundle, {
      genesisHash: args['genesis-hash'] ?? '',
      ...(args.poll === undefined ? {} : { pollId: args.poll }),
      ...(receipt === undefined ? {} : { receipt }),
      crypto,
      decodeBase64: (text) => Buffer.from(text, 'base64'),
      onProgress: (p) => {
        if (!interactive || Date.now() - lastShown < 1000) return;
        lastShown = Date.now();
        io.err(`… ${p.step} ${p.done}/${p.total}\n`);
      },
    });
    io.out(args.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof InputError) {
      io.err(`poll-ledger-verify: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await crypto.close();
  }
}

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'genesis-hash': { type: 'string' },
      bundle: { type: 'string' },
      service: { type: 'string' },
      blocks: { type: 'string' },
      poll: { type: 'string' },
      receipt: { type: 'string' },
      channel: { type: 'string', default: 'polls' },
      chaincode: { type: 'string', default: 'polls' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return values;
  if (values['genesis-hash'] === undefined || !/^[0-9a-fA-F]{64}$/.test(values['genesis-hash'])) throw new Error('--genesis-hash <64 hex digits> is required');
  const sources = [values.bundle, values.service, values.blocks].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new Error('give exactly one of --bundle, --service, --blocks');
  return values;
}

function load(args: ReturnType<typeof parse>): Promise<Bundle> {
  if (args.bundle !== undefined) return bundleFromFile(args.bundle);
  if (args.service !== undefined) return bundleFromService(args.service, args.poll);
  return bundleFromBlocks(args.blocks ?? '', args.channel, args.chaincode);
}

/**
 * A receipt as JSON (the gateway's receipt, extra fields ignored) or as pollId,ballotId,txId[,ballotHash[,position]]
 * (an empty ballotHash gives a position without one).
 */
export function parseReceipt(text: string): Receipt {
  let candidate: unknown;
  if (text.trim().startsWith('{')) {
    try {
      candidate = JSON.parse(text);
    } catch {
      throw new InputError('--receipt is not valid JSON');
    }
  } else {
    const [pollId, ballotId, txId, ballotHash, position] = text.split(',').map((s) => s.trim());
    candidate = {
      pollId, ballotId, txId,
      ...(ballotHash === undefined || ballotHash === '' ? {} : { ballotHash }),
      ...(position === undefined ? {} : { position: /^\d+$/.test(position) ? Number(position) : position }),
    };
  }
  const parsed = ReceiptFieldsSchema.safeParse(candidate);
  if (!parsed.success) throw new InputError(`--receipt: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
