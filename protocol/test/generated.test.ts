import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOC_FILE, renderProtocolDoc } from '../scripts/protocol-doc';
import { vectorFiles } from '../scripts/make-vectors';
import { VECTORS_DIR, VectorFiles, loadVectors, type VectorFile } from '../src';

describe('generated files', function () {
  it('docs/protocol.md is what the package generates (run `npm run docs -w @poll-ledger/protocol`)', function () {
    expect(fs.readFileSync(DOC_FILE, 'utf8')).to.equal(renderProtocolDoc());
  });

  it('vectors/ is what scripts/make-vectors.ts writes, and every file matches its schema', function () {
    const files = Object.keys(VectorFiles) as VectorFile[];
    expect(fs.readdirSync(VECTORS_DIR).sort()).to.deep.equal(files.map((f) => `${f}.json`).sort());
    for (const file of files) {
      const text = fs.readFileSync(path.join(VECTORS_DIR, `${file}.json`), 'utf8');
      expect(text, file).to.equal(`${JSON.stringify(vectorFiles[file], null, 2)}\n`);
      expect(loadVectors(file).length, file).to.be.greaterThan(0);
    }
  });
});
