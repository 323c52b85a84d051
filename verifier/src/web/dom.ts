/** The few DOM helpers the pages share. */
import type { SafeHtml } from './html';

/** The page's element with this id; `kind` checks it is the element the code expects (input, button, …). */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T;
export function byId(id: string, kind: new () => HTMLElement = HTMLElement): HTMLElement {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) {
    throw new Error(`The page has no #${id} of the expected kind`);
  }
  return element;
}

export function show(element: HTMLElement, markup: SafeHtml): void {
  element.innerHTML = markup.toString();
}

export function setText(element: HTMLElement, text: string): void {
  element.textContent = text;
}

/** Lets the browser paint (progress) before the next stretch of work. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      resolve();
    });
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
