/**
 * When a page's live connections should rest, decided from the page's lifecycle events and nothing
 * else: hidden for a while (HTML §6.2 Page visibility), offline (HTML §8.9.1.3 `navigator.onLine`),
 * or on its way into the back/forward cache (HTML §7.2.7.6 `pagehide`/`pageshow` with `persisted`).
 * DOM-free: the events come from a `LifecycleSource`, the timers are injected.
 */

/** Why a demo's connection is paused; `frozen` is a page leaving for the back/forward cache. */
export type PauseReason = 'hidden' | 'offline' | 'frozen';

/** One lifecycle event as the page fired it; `persisted` only on `pagehide`/`pageshow`. */
export interface LifecycleEvent {
  type: 'visibilitychange' | 'online' | 'offline' | 'pagehide' | 'pageshow';
  persisted?: boolean;
}

/** Where the lifecycle comes from: the page's current state and its events. */
export interface LifecycleSource {
  /** `document.visibilityState === 'visible'`. */
  isVisible(): boolean;
  /** `navigator.onLine`: false means certainly offline, true only "maybe online". */
  isOnline(): boolean;
  /** Calls `handler` for each event; returns a function that stops listening. */
  listen(handler: (ev: LifecycleEvent) => void): () => void;
}

/** What a demo's state class offers so the lifecycle can rest and wake it. */
export interface Pausable {
  /** Close connections and stop timers; may be called again with a new reason. */
  pause(reason: PauseReason): void;
  /** Open again; `restored` when the page came back from the back/forward cache. */
  resume(restored: boolean): void;
}

/** Timer functions (the page's own, or fakes in tests). */
export interface LifecycleTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options: how long a page may stay hidden before its connections rest. */
export interface LifecycleOptions {
  /** A quick look at another tab should not cost a reconnect: wait this long first (ms). */
  hiddenGraceMs?: number;
  timers?: LifecycleTimers;
}

/** The grace the lab's demos give a hidden page before they pause (ms). */
export const HIDDEN_GRACE_MS = 2000;

const defaultTimers: LifecycleTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Turns lifecycle events into pause and resume calls on the attached demos. The reason with the
 * most weight wins (frozen, then offline, then hidden); a demo is resumed only once none is left,
 * so an offline page that becomes visible stays paused until the network is back.
 */
export class PageLifecycle {
  readonly #source: LifecycleSource;
  readonly #timers: LifecycleTimers;
  readonly #grace: number;
  readonly #targets = new Set<Pausable>();
  readonly #unlisten: () => void;
  #hidden = false;
  #offline = false;
  #frozen = false;
  #graceTimer: unknown = null;
  #reason: PauseReason | null = null;

  constructor(source: LifecycleSource, options: LifecycleOptions = {}) {
    this.#source = source;
    this.#timers = options.timers ?? defaultTimers;
    this.#grace = options.hiddenGraceMs ?? HIDDEN_GRACE_MS;
    // A page that loads hidden (opened in a background tab) or offline starts paused at once.
    this.#hidden = !source.isVisible();
    this.#offline = !source.isOnline();
    this.#reason = this.#compute();
    this.#unlisten = source.listen((ev) => this.#on(ev));
  }

  /** Why connections rest now, or null when they may run. */
  get reason(): PauseReason | null {
    return this.#reason;
  }

  /** Starts driving `target`: paused at once if the page already is. Returns a detach function. */
  attach(target: Pausable): () => void {
    this.#targets.add(target);
    if (this.#reason) target.pause(this.#reason);
    return () => this.#targets.delete(target);
  }

  /** Stops listening and forgets every target. */
  dispose(): void {
    this.#unlisten();
    this.#clearGrace();
    this.#targets.clear();
  }

  #on(ev: LifecycleEvent): void {
    let restored = false;
    switch (ev.type) {
      case 'visibilitychange':
        if (this.#source.isVisible()) {
          this.#clearGrace();
          this.#hidden = false;
        } else this.#armGrace(); // hidden for a while before we pause: a quick look elsewhere is free
        break;
      case 'online':
      case 'offline':
        this.#offline = !this.#source.isOnline();
        break;
      case 'pagehide':
        // Persisted or not, close cleanly now: the server learns at once, and a page that goes
        // into the cache holds no socket there (HTML §7.5.9: an open WebSocket makes it
        // unsalvageable).
        this.#clearGrace();
        this.#frozen = true;
        break;
      case 'pageshow':
        if (!ev.persisted) return; // the first load: nothing was paused by pagehide
        this.#frozen = false;
        restored = true;
        // Time passed in the cache: read the page's state again instead of trusting the old one.
        this.#hidden = !this.#source.isVisible();
        this.#offline = !this.#source.isOnline();
        break;
    }
    this.#update(restored);
  }

  #compute(): PauseReason | null {
    if (this.#frozen) return 'frozen';
    if (this.#offline) return 'offline';
    if (this.#hidden) return 'hidden';
    return null;
  }

  #update(restored: boolean): void {
    const next = this.#compute();
    if (next === this.#reason) return;
    this.#reason = next;
    for (const t of [...this.#targets]) {
      if (next) t.pause(next);
      else t.resume(restored);
    }
  }

  #armGrace(): void {
    if (this.#graceTimer !== null || this.#hidden) return;
    this.#graceTimer = this.#timers.setTimeout(() => {
      this.#graceTimer = null;
      if (this.#source.isVisible()) return;
      this.#hidden = true;
      this.#update(false);
    }, this.#grace);
  }

  #clearGrace(): void {
    if (this.#graceTimer !== null) this.#timers.clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
  }
}

/** The parts of `document` the lifecycle reads. */
export interface DocumentLike {
  readonly visibilityState: string;
  addEventListener(type: string, fn: () => void): void;
  removeEventListener(type: string, fn: () => void): void;
}

/** The parts of `window` the lifecycle reads. */
export interface WindowLike {
  readonly navigator: { readonly onLine: boolean };
  addEventListener(type: string, fn: (ev: { type: string; persisted?: boolean }) => void): void;
  removeEventListener(type: string, fn: (ev: { type: string; persisted?: boolean }) => void): void;
}

/** A `LifecycleSource` over a real page: `visibilitychange` on the document, the rest on window. */
export function pageLifecycleSource(doc: DocumentLike, win: WindowLike): LifecycleSource {
  return {
    isVisible: () => doc.visibilityState === 'visible',
    isOnline: () => win.navigator.onLine,
    listen(handler) {
      const onVisibility = (): void => handler({ type: 'visibilitychange' });
      const onWindow = (ev: { type: string; persisted?: boolean }): void => {
        const type = ev.type as LifecycleEvent['type'];
        handler(ev.persisted === undefined ? { type } : { type, persisted: ev.persisted });
      };
      const types = ['online', 'offline', 'pagehide', 'pageshow'] as const;
      doc.addEventListener('visibilitychange', onVisibility);
      for (const t of types) win.addEventListener(t, onWindow);
      return () => {
        doc.removeEventListener('visibilitychange', onVisibility);
        for (const t of types) win.removeEventListener(t, onWindow);
      };
    },
  };
}
