import { expect } from 'chai';
import { escapeHtml, formatNumber, html, raw } from '../../src/web/html';
import { genesisFromText, normalizeGenesis } from '../../src/web/genesis';

describe('html', () => {
  it('escapes every interpolated value, and nests html without escaping it twice', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['a&', 1, null, false, undefined]}</p>`.toString()).to.equal(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>a&amp;1</p>',
    );
    expect(raw('<br>').toString()).to.equal('<br>');
    expect(escapeHtml(`<&>"'`)).to.equal('&lt;&amp;&gt;&quot;&#39;');
  });

  it('formats numbers the same everywhere', () => {
    expect(formatNumber(1204)).to.equal('1,204');
  });
});

describe('genesis', () => {
  const hash = 'ab'.repeat(32);

  it('reads the published hash out of a file with comments', () => {
    expect(genesisFromText(`# genesis of channel polls\n${hash.toUpperCase()}  genesis.block\n`)).to.equal(hash);
    expect(genesisFromText('nothing here')).to.equal(undefined);
  });

  it('accepts a pasted hash with spaces or 0x, and refuses anything else', () => {
    expect(normalizeGenesis(` 0x${hash.slice(0, 10)} ${hash.slice(10)} `)).to.equal(hash);
    expect(normalizeGenesis(hash.slice(1))).to.equal(undefined);
    expect(normalizeGenesis(`${hash.slice(1)}g`)).to.equal(undefined);
  });
});
