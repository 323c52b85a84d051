import { testDir } from './env';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { failedSetupLogs, type NetworkRunner, setUpNetwork, type SignalHost } from '../../e2e/test/support/fixtures';
import { runDir, runScriptFile, type ScriptOptions, trackedPids } from '../../e2e/test/support/network';

chai.use(chaiAsPromised);
const { expect } = chai;

type Listener = (signal: NodeJS.Signals) => void;

class FakeSignals implements SignalHost {
  readonly #listeners = new Map<NodeJS.Signals, Set<Listener>>();
  readonly raised: NodeJS.Signals[] = [];

  on(signal: NodeJS.Signals, listener: Listener): void {
    const set = this.#listeners.get(signal) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(signal, set);
  }

  removeListener(signal: NodeJS.Signals, listener: Listener): void {
    this.#listeners.get(signal)?.delete(listener);
  }

  raise(signal: NodeJS.Signals): void {
    this.raised.push(signal);
  }

  emit(signal: NodeJS.Signals): void {
    for (const listener of [...(this.#listeners.get(signal) ?? [])]) listener(signal);
  }

  get listenerCount(): number {
    return [...this.#listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}

interface Call {
  readonly args: readonly string[];
  readonly options: ScriptOptions | undefined;
}

/** A network.sh stand-in: records each call; `all` does what ALL says. */
function fakeRunner(all: (options: ScriptOptions | undefined) => Promise<string>, down: () => Promise<string> = () => Promise.resolve('')): {
  run: NetworkRunner;
  calls: Call[];
  events: string[];
} {
  const calls: Call[] = [];
  const events: string[] = [];
  const run: NetworkRunner = async (args, options) => {
    calls.push({ args, options });
    events.push(`start ${args.join(' ')}`);
    try {
      return await (args[0] === 'all' ? all(options) : down());
    } finally {
      events.push(`end ${args[0] ?? ''}`);
    }
  };
  return { run, calls, events };
}

/** Until `all` is aborted through its signal; then, 50 ms later (a script exiting), rejects. */
function allUntilAborted(options: ScriptOptions | undefined): Promise<string> {
  return new Promise((_resolve, reject) => {
    options?.signal?.addEventListener('abort', () => {
      setTimeout(() => { reject(new Error('network.sh all was stopped')); }, 50);
    });
  });
}

const silent = (): void => undefined;

describe('e2e global setup (setUpNetwork)', function () {
  afterEach(function () {
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.rmSync(failedSetupLogs, { recursive: true, force: true });
  });

  it('when the network comes up, then nothing is stopped and no signal listener is left', async function () {
    const signals = new FakeSignals();
    const { run, calls } = fakeRunner(() => Promise.resolve('up'));

    await setUpNetwork({ run, signals, mode: ['--full'], log: silent });

    expect(calls.map((c) => c.args)).to.deep.equal([['all', '--full']]);
    expect(signals.listenerCount).to.equal(0);
    expect(signals.raised).to.deep.equal([]);
  });

  it('when `all` fails, then it runs `down` (detached) and rethrows the error of `all`', async function () {
    const signals = new FakeSignals();
    const { run, calls } = fakeRunner(() => Promise.reject(new Error('the city CA did not start')));

    await expect(setUpNetwork({ run, signals, mode: [], log: silent })).to.be.rejectedWith('the city CA did not start');

    expect(calls.map((c) => c.args)).to.deep.equal([['all'], ['down']]);
    expect(calls[1]?.options?.detached).to.equal(true);
    expect(signals.listenerCount).to.equal(0);
    expect(signals.raised).to.deep.equal([]);
  });

  it('when a run directory was left behind, then it goes down first, and a failed setup keeps the nodes\' logs', async function () {
    fs.mkdirSync(path.join(runDir, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(runDir, 'logs', 'ca.city.log'), 'bind: address already in use\n');
    const { run, calls } = fakeRunner(() => Promise.reject(new Error('failed')));

    await expect(setUpNetwork({ run, signals: new FakeSignals(), mode: [], log: silent })).to.be.rejectedWith('failed');

    expect(calls.map((c) => c.args)).to.deep.equal([['down'], ['all'], ['down']]);
    expect(fs.readFileSync(path.join(failedSetupLogs, 'ca.city.log'), 'utf8')).to.equal('bind: address already in use\n');
  });

  it('when `down` fails too, then the error of `all` is the one rethrown, and the failure of `down` is logged', async function () {
    const logged: string[] = [];
    const { run } = fakeRunner(() => Promise.reject(new Error('all failed')), () => Promise.reject(new Error('down failed')));

    await expect(setUpNetwork({ run, signals: new FakeSignals(), mode: [], log: (m) => logged.push(m) })).to.be.rejectedWith('all failed');

    expect(logged.join('\n')).to.include('network.sh down failed too: down failed');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`when ${signal} arrives during \`all\`, then \`all\` is stopped, \`down\` runs once it has exited, and the process dies of ${signal}`, async function () {
      const signals = new FakeSignals();
      const { run, calls, events } = fakeRunner(allUntilAborted);

      const setup = setUpNetwork({ run, signals, mode: [], log: silent });
      while (!events.includes('start all')) await sleep(5);
      signals.emit(signal);

      await expect(setup).to.be.rejectedWith('network.sh all was stopped');
      expect(events).to.deep.equal(['start all', 'end all', 'start down', 'end down']);
      expect(calls[0]?.options?.signal?.aborted).to.equal(true);
      expect(calls[1]?.options?.detached).to.equal(true);
      expect(signals.raised).to.deep.equal([signal]);
      expect(signals.listenerCount).to.equal(0);
    });
  }

  it('when a signal arrives as `all` succeeds, then the network is still stopped and the process dies of it', async function () {
    const signals = new FakeSignals();
    const { run, calls } = fakeRunner(() => {
      signals.emit('SIGINT');
      return Promise.resolve('up');
    });

    await expect(setUpNetwork({ run, signals, mode: [], log: silent })).to.be.rejectedWith('SIGINT during the e2e network setup');

    expect(calls.map((c) => c.args)).to.deep.equal([['all'], ['down']]);
    expect(signals.raised).to.deep.equal(['SIGINT']);
  });

  it('when a second signal arrives during `down`, then `down` goes on', async function () {
    const signals = new FakeSignals();
    let downFinished = false;
    const { run } = fakeRunner(allUntilAborted, async () => {
      signals.emit('SIGINT');
      await sleep(30);
      downFinished = true;
      return '';
    });

    const setup = setUpNetwork({ run, signals, mode: [], log: silent });
    await sleep(5);
    signals.emit('SIGINT');

    await expect(setup).to.be.rejected;
    expect(downFinished).to.equal(true);
    expect(signals.raised).to.deep.equal(['SIGINT']);
  });
});

describe('runScriptFile', function () {
  /** A running process; a zombie (exited, not yet reaped) counts as gone. */
  function running(pid: number): boolean {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }

  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < 40 && running(pid); i++) await sleep(50);
    return !running(pid);
  }

  it('when its signal is aborted, then the script and what it runs in the foreground stop, and it rejects once they have', async function () {
    const script = path.join(testDir, 'slow.sh');
    const pids = path.join(testDir, 'slow.pids');
    fs.writeFileSync(script, 'sleep 30 &\necho "$$ $!" >"$1"\nwait\n');
    const abort = new AbortController();

    const result = runScriptFile(script, [pids], { signal: abort.signal, echo: false });
    while (!fs.existsSync(pids) || fs.readFileSync(pids, 'utf8') === '') await sleep(20);
    const [bash = 0, child = 0] = fs.readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    abort.abort(new Error('SIGINT during the test'));

    await expect(result).to.be.rejectedWith(/was stopped \(SIGINT during the test\)/);
    expect(await gone(bash)).to.equal(true, 'the script is still running');
    expect(await gone(child)).to.equal(true, 'the script\'s child is still running');
  });

  it('when its signal is aborted already, then the script is not started', async function () {
    const script = path.join(testDir, 'marker.sh');
    const marker = path.join(testDir, 'marker');
    fs.writeFileSync(script, 'touch "$1"\n');
    const abort = new AbortController();
    abort.abort(new Error('too late'));

    await expect(runScriptFile(script, [marker], { signal: abort.signal, echo: false })).to.be.rejectedWith('was not started: too late');
    expect(fs.existsSync(marker)).to.equal(false);
  });
});

describe('trackedPids', function () {
  it('reads the pid of every <name>.pid file and skips the scripts\' <name>.proc records', function () {
    const dir = path.join(testDir, 'pids');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ca.city.pid'), '1234\n');
    fs.writeFileSync(path.join(dir, 'ca.city.proc'), 'pid=1234\nstart=99\nboot=x\nexe=fabric-ca-server\n');
    fs.writeFileSync(path.join(dir, 'peer0.city.pid'), '5678');
    fs.writeFileSync(path.join(dir, 'broken.pid'), 'not a pid\n');

    expect([...trackedPids(dir)]).to.deep.equal([['ca.city', 1234], ['peer0.city', 5678]]);
  });
});
