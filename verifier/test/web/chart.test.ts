import { expect } from 'chai';
import { chartData, chartView } from '../../src/web/chart';

const poll = {
  questions: [
    { id: 'q1', text: 'Colour?', type: 'single' as const, options: [{ id: 'red', text: 'Red' }, { id: 'blue', text: 'Blue <b>' }] },
    { id: 'q2', text: 'Ports?', type: 'multi' as const, options: [{ id: 'usb', text: 'USB' }, { id: 'wifi', text: 'Wi-Fi' }] },
  ],
};

describe('chart', () => {
  describe('chartData', () => {
    it('gives every option its count, its share of the ballots and its length against the longest bar', () => {
      const [q1, q2] = chartData(poll, { q1: { red: 3, blue: 1 }, q2: { usb: 4, wifi: 2 } }, 4);
      expect(q1?.bars).to.deep.equal([
        { optionId: 'red', label: 'Red', count: 3, percent: 75, length: 100 },
        { optionId: 'blue', label: 'Blue <b>', count: 1, percent: 25, length: 33.3 },
      ]);
      // Several answers per ballot: shares are of ballots and may add up to more than 100.
      expect(q2?.bars.map((b) => b.percent)).to.deep.equal([100, 50]);
    });

    it('shows zero bars when nobody voted, without dividing by zero', () => {
      const [q1] = chartData(poll, {}, 0);
      expect(q1?.bars.map((b) => [b.count, b.percent, b.length])).to.deep.equal([[0, 0, 0], [0, 0, 0]]);
    });

    it('keeps an option the counts name but the poll does not, so the discrepancy shows', () => {
      const [q1] = chartData(poll, { q1: { red: 1, green: 2 } }, 3);
      expect(q1?.bars.map((b) => b.label)).to.deep.equal(['Red', 'Blue <b>', 'unknown option green']);
    });
  });

  describe('chartView', () => {
    it('draws an SVG image whose label says every number, and a table with the numbers as text', () => {
      const [q1] = chartData(poll, { q1: { red: 1234, blue: 0 } }, 1234);
      const markup = chartView(q1!, 0).toString();
      expect(markup).to.contain('role="img"');
      expect(markup).to.contain('aria-label="Colour?. Red: 1,234 (100%); Blue &lt;b&gt;: 0 (0%)."');
      expect(markup).to.contain('<td>1,234</td>');
      expect(markup).to.contain('width="100%"');
      expect(markup).not.to.contain('<b>');
    });
  });
});
