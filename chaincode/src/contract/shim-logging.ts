import { createRequire } from 'node:module';

/**
 * fabric-shim and fabric-contract-api log through winston, which formats every call (timestamp, metadata, colours,
 * printf) and only then lets the console transport drop what is below its level. The shim makes several debug calls
 * per message it exchanges with the peer, so at the default `info` level a chaincode server spent about a fifth of
 * its CPU formatting lines nobody sees (CPU profile under 250 ballots/s, docs/performance.md). This gate drops a call
 * before it is formatted when no transport of its logger would print it: what is printed does not change.
 */
interface WinstonLoggerPrototype {
  write(this: WinstonLogger, info: unknown, ...rest: unknown[]): boolean;
  isLevelEnabled(this: WinstonLogger, level: string): boolean;
}
type WinstonLogger = WinstonLoggerPrototype;

const GATED = Symbol.for('poll-ledger.levelGate');
/** winston's level key on a log entry (triple-beam's LEVEL). */
const LEVEL = Symbol.for('level');

function loggerPrototype(): (WinstonLoggerPrototype & { [GATED]?: true }) | undefined {
  // The winston the shim itself loads (its own dependency), not one of ours.
  const winston: unknown = createRequire(require.resolve('fabric-shim'))('winston');
  const proto: unknown = (winston as { Logger?: { prototype?: unknown } } | undefined)?.Logger?.prototype;
  if (typeof proto !== 'object' || proto === null) return undefined;
  const candidate = proto as Partial<WinstonLoggerPrototype>;
  return typeof candidate.write === 'function' && typeof candidate.isLevelEnabled === 'function'
    ? (proto as WinstonLoggerPrototype)
    : undefined;
}

function levelOf(info: unknown): unknown {
  if (typeof info !== 'object' || info === null) return undefined;
  return (info as Record<string | symbol, unknown>)[LEVEL] ?? (info as { level?: unknown }).level;
}

/**
 * Installs the gate once per process; true when it is in place. A winston whose Logger lacks `write` or
 * `isLevelEnabled` is left alone (it then logs as before, only slower).
 */
export function gateShimLogging(): boolean {
  const proto = loggerPrototype();
  if (proto === undefined) return false;
  if (proto[GATED] === true) return true;
  // Taken off the prototype to be called with each logger as `this`.
  const write: WinstonLoggerPrototype['write'] = Reflect.get(proto, 'write');
  proto.write = function gatedWrite(this: WinstonLogger, info: unknown, ...rest: unknown[]): boolean {
    const level = levelOf(info);
    if (typeof level === 'string' && !this.isLevelEnabled(level)) return true;
    return write.call(this, info, ...rest);
  };
  proto[GATED] = true;
  return true;
}
