import { expect } from 'chai';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import '../../src';
import { gateShimLogging } from '../../src/contract/shim-logging';

interface Logger {
  debug(message: string): void;
  info(message: string): void;
}
interface Winston {
  createLogger(options: unknown): Logger;
  format: (transform: (info: Record<string, unknown>) => Record<string, unknown>) => () => unknown;
  transports: { Stream: new (options: unknown) => unknown };
}

// The winston that fabric-shim loads, as the gate patches it.
const winston = createRequire(require.resolve('fabric-shim'))('winston') as Winston;

/** A logger at `level` that counts the entries its format sees and the lines its transports print. */
function countingLogger(level: string, transportLevels: readonly (string | undefined)[]): { logger: Logger; formatted: string[]; printed: string[] } {
  const formatted: string[] = [];
  const printed: string[] = [];
  const format = winston.format((info) => {
    formatted.push(String(info.message));
    return info;
  });
  const transports = transportLevels.map(
    (transportLevel) =>
      new winston.transports.Stream({
        ...(transportLevel === undefined ? {} : { level: transportLevel }),
        stream: new Writable({
          objectMode: true,
          write(chunk: { message?: unknown }, _encoding, done) {
            printed.push(String(chunk.message));
            done();
          },
        }),
      }),
  );
  return { logger: winston.createLogger({ level, format: format(), transports }), formatted, printed };
}

describe('the shim logging gate', () => {
  it('when the chaincode package is loaded, then the gate is in place (and installing it again changes nothing)', () => {
    expect(gateShimLogging()).to.equal(true);
    expect(gateShimLogging()).to.equal(true);
  });

  it('when a shim logger at info gets a debug call, then it is dropped before its format runs; info lines are formatted and printed', async () => {
    gateShimLogging();
    const { logger, formatted, printed } = countingLogger('info', [undefined]);
    logger.debug('below the level');
    logger.info('at the level');
    await new Promise((resolve) => setImmediate(resolve));
    expect(formatted).to.deep.equal(['at the level']);
    expect(printed).to.deep.equal(['at the level']);
  });

  it('when a transport of an info logger prints debug lines, then its debug calls still reach it', async () => {
    gateShimLogging();
    const { logger, printed } = countingLogger('info', [undefined, 'debug']);
    logger.debug('wanted by one transport');
    await new Promise((resolve) => setImmediate(resolve));
    expect(printed).to.deep.equal(['wanted by one transport']);
  });
});
