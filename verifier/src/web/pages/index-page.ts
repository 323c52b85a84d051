/** index.html: the polls the observer publishes, each linking to its results page, and the observer's checkpoint. */
import { ServiceClient } from '../api';
import { byId, errorMessage, show } from '../dom';
import { formatNumber, html } from '../html';

const api = new ServiceClient();

export async function indexPage(): Promise<void> {
  const list = byId('polls');
  try {
    const polls = await api.polls();
    show(
      list,
      polls.length === 0
        ? html`<p>No polls yet.</p>`
        : html`<ul class="poll-list">${polls.map(
            (p) => html`<li><a href="results.html?poll=${encodeURIComponent(p.id)}">${p.title}</a> <span class="badge ${p.status}">${p.status}</span></li>`,
          )}</ul>`,
    );
  } catch (error) {
    show(list, html`<p role="alert">The list of polls could not be loaded: ${errorMessage(error)}</p>`);
  }
  // The checkpoint is a signed statement to compare between observers; the page does not take it as a proof.
  api.checkpoint().then(
    ({ statement, signer }) => {
      show(
        byId('checkpoint'),
        html`<p>${signer.mspId} states that block ${formatNumber(statement.blockNumber)} of channel ${statement.channel} has header hash
<code>${statement.blockHash}</code> (height ${formatNumber(statement.height)}). Compare it with other observers’ checkpoints.</p>`,
      );
    },
    () => {
      show(byId('checkpoint'), html`<p class="hint">No checkpoint available.</p>`);
    },
  );
}
