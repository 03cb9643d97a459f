// The demos' side of the store notices (StoreNotice.astro): a demo that starts running asks for
// the page's watch, which loads once the page is idle (store-notices.ts); a demo whose request
// the lab refused for want of its shared store (Redis) reports it, so the watch looks at once.
// A page whose demos never run never loads the watch, nor asks `/api/health` anything.

/** What the loaded watch offers the demos. */
interface Watch {
  report(): void;
}

/** The selector of the notices StoreNotice.astro renders. */
export const NOTICE_SELECTOR = '[data-testid="store-notice"]';

let started = false;
let watch: Watch | null = null;

/** For demos, when they start running: the page's store notices begin watching (once a page). */
export function watchStore(): void {
  // Only in a page with a notice to keep: not in vitest, which runs the demos' state classes
  // without a page or in an empty happy-dom one, where `/api/health` is nobody's.
  if (started || typeof document === 'undefined') return;
  if (!document.querySelector(NOTICE_SELECTOR)) return;
  started = true;
  const load = (): void =>
    void import('./store-notices.ts').then((m) => {
      watch = m.mountStoreNotices(document);
    });
  if (typeof requestIdleCallback === 'function') requestIdleCallback(load);
  else setTimeout(load, 1);
}

/** For demos: the lab refused a request because its shared store is away. */
export function reportStoreDown(): void {
  watchStore();
  watch?.report();
}
