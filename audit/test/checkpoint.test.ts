import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCheckpoint, writeCheckpoint } from '../src/checkpoint';
import { decodeBlock } from '../src/block-decoder';
import { CheckpointError } from '../src/errors';
import { LedgerReplay } from '../src/ledger-replay';
import { CHANNEL, NAMESPACE } from './support/ledger-builder';
import { scenario } from './support/scenario';
import { tempDir } from './support/tmp';

describe('checkpoint', function () {
  let dir: string;
  let cleanup: () => void;
  beforeEach(function () {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(function () {
    cleanup();
  });
  const expected = { channel: CHANNEL, namespace: NAMESPACE };

  function state(): ReturnType<LedgerReplay['toJSON']> {
    const replay = new LedgerReplay(expected);
    scenario().blocks.slice(0, 4).forEach((b) => replay.apply(decodeBlock(b)));
    return replay.toJSON();
  }

  it('when written and read back, then the state is identical and no temporary file is left', async function () {
    const file = path.join(dir, 'cp.json');
    const saved = state();
    await writeCheckpoint(file, saved);
    expect(await readCheckpoint(file, expected)).to.deep.equal(JSON.parse(JSON.stringify(saved)));
    expect(fs.readdirSync(dir)).to.deep.equal(['cp.json']);
  });

  it('when overwritten, then the file is replaced whole (rename), never appended', async function () {
    const file = path.join(dir, 'cp.json');
    await writeCheckpoint(file, state());
    const inode = fs.statSync(file).ino;
    await writeCheckpoint(file, { ...state(), nextBlock: 9 });
    expect(fs.statSync(file).ino).to.not.equal(inode);
    expect((await readCheckpoint(file, expected))?.nextBlock).to.equal(9);
  });

  it('when the file does not exist, then there is no checkpoint (start from genesis)', async function () {
    expect(await readCheckpoint(path.join(dir, 'none.json'), expected)).to.equal(undefined);
  });

  it('when the file is not a checkpoint, then CheckpointError', async function () {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"format":2}');
    await expect(readCheckpoint(file, expected)).to.be.rejectedWith(CheckpointError, /not a poll-ledger-audit checkpoint/);
    fs.writeFileSync(file, JSON.stringify({ ...state(), format: 1 }));
    await expect(readCheckpoint(file, expected)).to.be.rejectedWith(CheckpointError, /earlier auditor \(format 1, without the config chain.*audit from genesis/);
    fs.writeFileSync(file, 'not json');
    await expect(readCheckpoint(file, expected)).to.be.rejectedWith(CheckpointError, /not JSON/);
  });

  it('when the checkpoint is for another channel, then CheckpointError', async function () {
    const file = path.join(dir, 'cp.json');
    await writeCheckpoint(file, state());
    await expect(readCheckpoint(file, { channel: 'other', namespace: NAMESPACE })).to.be.rejectedWith(CheckpointError, /channel polls/);
  });

  it('when the directory does not exist, then writing fails with CheckpointError', async function () {
    await expect(writeCheckpoint(path.join(dir, 'missing', 'cp.json'), state())).to.be.rejectedWith(CheckpointError);
  });
});
