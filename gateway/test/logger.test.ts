import { Writable } from 'node:stream';
import { createLogger } from '../src/logger';
import { expect } from './chai';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

describe('logger', () => {
  it('when an object carrying a citizenId is logged at any usual depth, then the value is redacted', () => {
    const { lines, logger } = capture();
    logger.info({ citizenId: 'c-1', body: { citizenId: 'c-2' }, req: { body: { citizenId: 'c-3' } }, ballot: { input: { citizenId: 'c-4' } } }, 'x');
    const line = lines.join('');
    for (const secret of ['c-1', 'c-2', 'c-3', 'c-4']) expect(line).to.not.include(`"${secret}"`);
    expect(line).to.include('[redacted]');
  });

  it('when request headers are logged, then X-API-Key and Authorization are redacted', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { 'x-api-key': 'k-secret', authorization: 'Bearer t-secret', accept: 'json' } } }, 'x');
    const record = JSON.parse(lines[0]!) as { req: { headers: Record<string, string> } };
    expect(record.req.headers).to.deep.equal({ 'x-api-key': '[redacted]', authorization: '[redacted]', accept: 'json' });
  });

  it('when request headers carry an Idempotency-Key, then it is redacted too', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { 'idempotency-key': 'alice-p1' } } }, 'x');
    expect(lines[0]).to.not.include('alice-p1');
  });

  it('when a line is written, then it is JSON with the service name', () => {
    const { lines, logger } = capture();
    logger.info('hello');
    expect(JSON.parse(lines[0]!)).to.include({ msg: 'hello', service: 'poll-ledger-gateway' });
  });
});
