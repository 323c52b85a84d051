/**
 * results.html?poll=ID: the poll's result as the observer's service states it (charts, ballot count, ballots root),
 * and a button that re-tallies the poll in this browser from the raw ballots and says whether it matches.
 */
import type { PollDetail } from '../../wire';
import { ServiceClient, ServiceRequestError } from '../api';
import { chartData, chartsView } from '../chart';
import { byId, errorMessage, setText, show } from '../dom';
import { formatNumber, html, type SafeHtml } from '../html';
import { verdictView } from '../steps-view';
import { resultVerdict } from '../verdict';
import { mountPinnedGenesis, type PinnedGenesis, runVerification } from './common';

const api = new ServiceClient();

function summaryView(detail: PollDetail, source: string): SafeHtml {
  const r = detail.results;
  if (r === undefined) {
    return html`<p>No results are published yet${detail.poll.resultsVisibility === 'after-close' ? ': this poll shows its results only after it closes' : ''}.</p>`;
  }
  return html`<dl class="facts">
<dt>Ballots counted</dt><dd data-field="ballotCount">${formatNumber(r.ballotCount)}</dd>
<dt>Ballots root</dt><dd><code data-field="ballotsRoot">${r.ballotsRoot}</code></dd>
<dt>Result</dt><dd>${r.final ? 'final' : 'running count (the poll is still open)'}</dd>
<dt>Source</dt><dd>${source}</dd>
</dl>
${chartsView(chartData(detail.poll, r.counts, r.ballotCount))}`;
}

async function verifyResult(detail: PollDetail, genesis: PinnedGenesis): Promise<void> {
  const out = byId('verification');
  await genesis.ready;
  const genesisHash = genesis.current();
  if (genesisHash === undefined) {
    show(out, verdictView({ verified: false, sentence: 'NOT verified: enter the pinned genesis hash (64 hex digits) first.' }));
    return;
  }
  const stepsOut = document.createElement('div');
  const verdictOut = document.createElement('div');
  out.replaceChildren(stepsOut, verdictOut);
  out.dataset.state = 'running';
  const pollId = detail.poll.id;
  try {
    const report = await runVerification(stepsOut, () => api.pollBundle(pollId), { genesisHash, pollId });
    const verdict = resultVerdict(report, detail.results);
    show(verdictOut, verdictView(verdict));
    out.dataset.state = verdict.verified ? 'verified' : 'not-verified';
    const recount = report.poll;
    if (recount !== undefined) {
      // From now on the page shows the browser's own recount, never the service's numbers.
      const recounted = { ...detail.results, pollId, status: detail.poll.status, final: recount.onChain !== undefined, ballotCount: recount.ballotCount, counts: recount.counts, ballotsRoot: recount.ballotsRoot };
      show(byId('summary'), summaryView({ ...detail, results: recounted }, 'recounted in your browser from the ballots on the ledger'));
    }
  } catch (error) {
    const reason =
      error instanceof ServiceRequestError && error.code === 'EMBARGOED'
        ? 'the ballots of this poll are sealed until it closes; the result can be re-tallied after close.'
        : `the ledger data could not be checked (${errorMessage(error)}).`;
    show(verdictOut, verdictView({ verified: false, sentence: `NOT verified: ${reason}` }));
    out.dataset.state = 'not-verified';
  }
}

export async function resultsPage(): Promise<void> {
  const pollId = new URLSearchParams(location.search).get('poll');
  const title = byId('poll-title');
  if (pollId === null) {
    setText(title, 'No poll chosen');
    show(byId('summary'), html`<p><a href="./">Choose a poll from the list.</a></p>`);
    return;
  }
  const genesis = mountPinnedGenesis(3);
  let detail: PollDetail;
  try {
    detail = await api.poll(pollId);
  } catch (error) {
    setText(title, `Poll ${pollId}`);
    show(byId('summary'), html`<p role="alert">The poll could not be loaded: ${errorMessage(error)}</p>`);
    return;
  }
  const poll = detail.poll;
  document.title = `${poll.title} · results`;
  setText(title, poll.title);
  show(
    byId('poll-meta'),
    html`<p>${poll.description}</p><p class="hint">Status: ${poll.status}${` · ${poll.resultsVisibility === 'live' ? 'live results' : 'results after close'} · open ${poll.opensAt} to ${poll.closesAt}`}</p>`,
  );
  show(byId('summary'), summaryView(detail, 'as the observer’s service states it (not yet checked by you)'));
  const button = byId('verify-result', HTMLButtonElement);
  button.hidden = false;
  button.addEventListener('click', () => {
    button.disabled = true;
    void verifyResult(detail, genesis).finally(() => {
      button.disabled = false;
    });
  });
}
