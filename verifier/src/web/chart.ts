/**
 * A bar chart per question, drawn as inline SVG: option text and numbers are real text (in the SVG and in a
 * table), and the SVG has role="img" with a label that says every number, so the chart needs no sight to read.
 * Percentages are of the ballots cast; on a multiple-choice question they add up to more than 100.
 */
import type { Counts, Question } from '@poll-ledger/protocol';
import { type SafeHtml, formatNumber, html } from './html';

export interface Bar {
  readonly optionId: string;
  readonly label: string;
  readonly count: number;
  /** Share of the ballots cast, 0–100, rounded to one decimal. */
  readonly percent: number;
  /** Bar length relative to the longest bar of the question, 0–100. */
  readonly length: number;
}

export interface QuestionChart {
  readonly questionId: string;
  readonly text: string;
  readonly type: 'single' | 'multi';
  readonly bars: readonly Bar[];
}

/** The parts of a poll a chart needs (the service's poll view or the protocol's Poll). */
export interface ChartPoll {
  readonly questions: readonly Pick<Question, 'id' | 'text' | 'type' | 'options'>[];
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * The bars of every question, in the poll's order. An option the counts name but the poll does not (which a
 * correct chaincode never writes) is kept, labelled by its id, so a discrepancy shows instead of vanishing.
 */
export function chartData(poll: ChartPoll, counts: Counts, ballotCount: number): QuestionChart[] {
  return poll.questions.map((q) => {
    const questionCounts = counts[q.id] ?? {};
    const known = new Set(q.options.map((o) => o.id));
    const options = [
      ...q.options.map((o) => ({ id: o.id, label: o.text })),
      ...Object.keys(questionCounts)
        .filter((id) => !known.has(id))
        .sort()
        .map((id) => ({ id, label: `unknown option ${id}` })),
    ];
    const max = Math.max(0, ...options.map((o) => questionCounts[o.id] ?? 0));
    return {
      questionId: q.id,
      text: q.text,
      type: q.type,
      bars: options.map((o) => {
        const count = questionCounts[o.id] ?? 0;
        return {
          optionId: o.id,
          label: o.label,
          count,
          percent: ballotCount > 0 ? round1((100 * count) / ballotCount) : 0,
          length: max > 0 ? round1((100 * count) / max) : 0,
        };
      }),
    };
  });
}

const ROW = 46;
const BAR_HEIGHT = 18;

function barLine(bar: Bar): string {
  return `${bar.label}: ${formatNumber(bar.count)} (${bar.percent}%)`;
}

export function chartView(chart: QuestionChart, index: number): SafeHtml {
  const id = `q-${index}`;
  const label = `${chart.text}. ${chart.bars.map(barLine).join('; ')}.`;
  const height = chart.bars.length * ROW;
  return html`<figure class="chart" data-question="${chart.questionId}">
<figcaption id="${id}-caption"><strong>${chart.text}</strong>${chart.type === 'multi' ? html` <span class="hint">(several answers allowed)</span>` : ''}</figcaption>
<svg class="bars" width="100%" height="${height}" role="img" aria-label="${label}" focusable="false">
${chart.bars.map(
    (bar, i) => html`<g class="bar" aria-hidden="true">
<text x="0" y="${i * ROW + 14}" class="bar-label">${barLine(bar)}</text>
<rect x="0" y="${i * ROW + 20}" width="100%" height="${BAR_HEIGHT}" class="bar-track" rx="3"></rect>
<rect x="0" y="${i * ROW + 20}" width="${bar.length}%" height="${BAR_HEIGHT}" class="bar-fill" rx="3"></rect>
</g>`,
  )}
</svg>
<details><summary>The numbers as a table</summary>
<table><thead><tr><th scope="col">Option</th><th scope="col">Votes</th><th scope="col">Share of ballots</th></tr></thead>
<tbody>${chart.bars.map((b) => html`<tr><th scope="row">${b.label}</th><td>${formatNumber(b.count)}</td><td>${b.percent}%</td></tr>`)}</tbody></table>
</details>
</figure>`;
}

export function chartsView(charts: readonly QuestionChart[]): SafeHtml {
  return html`${charts.map(chartView)}`;
}
