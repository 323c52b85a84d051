/**
 * The pinned genesis hash, the one thing the citizen's check rests on. The operator publishes it next to the page
 * (`genesis-hash.txt`) and the page pre-fills it; the citizen should compare it with the hash published out of band
 * (by other observers, in the official gazette) and may paste that one instead. A receipt link never carries it:
 * whoever sends a link must not choose what it is checked against.
 */
import { type SafeHtml, html } from './html';

export const GENESIS_FILE = 'genesis-hash.txt';

const HEX64 = /\b[0-9a-fA-F]{64}\b/;

/** The hash in a published file: the first 64-hex-digit word (the file may carry comments around it). */
export function genesisFromText(text: string): string | undefined {
  return HEX64.exec(text)?.[0].toLowerCase();
}

/** A hash typed or pasted by a person: lowercase hex, spaces and a `0x` tolerated. */
export function normalizeGenesis(input: string): string | undefined {
  const compact = input.trim().replace(/^0x/i, '').replace(/\s+/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(compact) ? compact : undefined;
}

/** The field every verifying page shows before anything is checked. */
export function genesisSectionView(level: 2 | 3): SafeHtml {
  const heading = 'The pinned genesis hash';
  return html`${level === 2 ? html`<h2 id="pin-h">${heading}</h2>` : html`<h3 id="pin-h">${heading}</h3>`}
<p>Everything below is checked from this hash of the ledger's first block. <strong>The check is only as good as this
hash</strong>: compare it with the one published out of band (by the other observers and in the city's official
gazette). If they differ, paste the published one here.</p>
<label for="genesis">Genesis block hash (64 hex digits)</label>
<input id="genesis" name="genesis" type="text" inputmode="latin" autocomplete="off" autocapitalize="off" spellcheck="false" class="mono" aria-describedby="genesis-source">
<p id="genesis-source" class="hint"></p>`;
}

/** Where the pre-filled hash came from, for the line under the field. */
export function genesisSourceText(published: string | undefined): string {
  return published === undefined
    ? `This observer publishes no ${GENESIS_FILE}: paste the genesis hash published out of band.`
    : `Pre-filled from ${GENESIS_FILE} published by this observer.`;
}
