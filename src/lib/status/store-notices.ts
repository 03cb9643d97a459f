// Keeps a page's store notices (StoreNotice.astro) in step with one StoreWatch: each notice shows
// the text its page rendered in `data-down` (the page's language) while the store is down.
import { StoreWatch, type StoreState } from './store-watch.ts';
import type { HealthResponse } from '../wire/health.ts';
import { NOTICE_SELECTOR } from './store-report.ts';

/** One notice element, as much of it as is used here. */
export interface NoticeElement {
  dataset: DOMStringMap;
  textContent: string | null;
}

/** The parts of `document` the notices need. */
export interface NoticeDocument {
  readonly visibilityState: string;
  querySelectorAll(selector: string): Iterable<NoticeElement>;
}

/** Starts the page's watch and shows its state in every notice of `doc`; returns the watch. */
export function mountStoreNotices(doc: NoticeDocument): StoreWatch {
  const show = (state: StoreState): void => {
    for (const el of doc.querySelectorAll(NOTICE_SELECTOR)) {
      el.dataset['state'] = state;
      el.textContent = state === 'down' ? (el.dataset['down'] ?? '') : '';
    }
  };
  // Only the `redis` field is read: a plain fetch, not health-client.ts, keeps this chunk's
  // dependencies (which the demos' bundles must name) to the backoff alone.
  const check = async (): Promise<HealthResponse> => {
    const res = await fetch('/api/health', { signal: AbortSignal.timeout(4000) });
    if (!res.ok) throw new Error(`health check answered ${res.status}`);
    return (await res.json()) as HealthResponse;
  };
  const watch = new StoreWatch(check, {
    onChange: show,
    isVisible: () => doc.visibilityState === 'visible',
    firstDelayMs: 500,
  });
  watch.start();
  return watch;
}
