import { describe, expect, it } from 'vitest';
import {
  PageLifecycle,
  pageLifecycleSource,
  type LifecycleEvent,
  type LifecycleSource,
  type PauseReason,
} from '../../../src/lib/lifecycle/page-lifecycle.ts';

/** A page whose visibility and network the test sets, with fake timers run by hand. */
function fakePage(init: { visible?: boolean; online?: boolean } = {}) {
  let visible = init.visible ?? true;
  let online = init.online ?? true;
  let handler: ((ev: LifecycleEvent) => void) | null = null;
  const timers: { fn: () => void; at: number }[] = [];
  let now = 0;
  const source: LifecycleSource = {
    isVisible: () => visible,
    isOnline: () => online,
    listen(h) {
      handler = h;
      return () => (handler = null);
    },
  };
  const fire = (ev: LifecycleEvent) => handler?.(ev);
  return {
    source,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        const t = { fn, at: now + ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (h: unknown) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
    hide() {
      visible = false;
      fire({ type: 'visibilitychange' });
    },
    show() {
      visible = true;
      fire({ type: 'visibilitychange' });
    },
    goOffline() {
      online = false;
      fire({ type: 'offline' });
    },
    goOnline() {
      online = true;
      fire({ type: 'online' });
    },
    fire,
    get listening() {
      return handler !== null;
    },
  };
}

/** A demo that records what it was told. */
function recorder() {
  const calls: string[] = [];
  return {
    calls,
    pause: (r: PauseReason) => calls.push(`pause:${r}`),
    resume: (restored: boolean) => calls.push(restored ? 'resume:restored' : 'resume'),
  };
}

describe('PageLifecycle', () => {
  it('pauses a hidden page only after the grace period, and resumes when it is visible again', () => {
    const page = fakePage();
    const lc = new PageLifecycle(page.source, { hiddenGraceMs: 2000, timers: page.timers });
    const demo = recorder();
    lc.attach(demo);
    page.hide();
    page.advance(1999);
    expect(demo.calls).toEqual([]);
    page.advance(1);
    expect(demo.calls).toEqual(['pause:hidden']);
    expect(lc.reason).toBe('hidden');
    page.show();
    expect(demo.calls).toEqual(['pause:hidden', 'resume']);
    expect(lc.reason).toBeNull();
  });

  it('a quick look at another tab costs nothing: back within the grace period, no pause', () => {
    const page = fakePage();
    const lc = new PageLifecycle(page.source, { hiddenGraceMs: 2000, timers: page.timers });
    const demo = recorder();
    lc.attach(demo);
    page.hide();
    page.advance(1000);
    page.show();
    page.advance(5000);
    expect(demo.calls).toEqual([]);
  });

  it('offline pauses at once; coming back visible while still offline does not resume', () => {
    const page = fakePage();
    const lc = new PageLifecycle(page.source, { hiddenGraceMs: 0, timers: page.timers });
    const demo = recorder();
    lc.attach(demo);
    page.hide();
    page.advance(0);
    page.goOffline();
    page.show();
    expect(demo.calls).toEqual(['pause:hidden', 'pause:offline']);
    page.goOnline();
    expect(demo.calls).toEqual(['pause:hidden', 'pause:offline', 'resume']);
  });

  it('pagehide freezes; pageshow persisted resumes as restored, re-reading the page state', () => {
    const page = fakePage();
    const lc = new PageLifecycle(page.source, { hiddenGraceMs: 2000, timers: page.timers });
    const demo = recorder();
    lc.attach(demo);
    page.fire({ type: 'pagehide', persisted: true });
    expect(demo.calls).toEqual(['pause:frozen']);
    // The first load's pageshow (persisted false) changes nothing.
    page.fire({ type: 'pageshow', persisted: false });
    expect(demo.calls).toEqual(['pause:frozen']);
    page.fire({ type: 'pageshow', persisted: true });
    expect(demo.calls).toEqual(['pause:frozen', 'resume:restored']);
  });

  it('a page restored from the cache while the network is gone stays paused as offline', () => {
    let online = true;
    let handler: ((ev: LifecycleEvent) => void) | null = null;
    const lc = new PageLifecycle(
      {
        isVisible: () => true,
        isOnline: () => online,
        listen: (h) => ((handler = h), () => undefined),
      },
      { hiddenGraceMs: 0 },
    );
    const demo = recorder();
    lc.attach(demo);
    handler!({ type: 'pagehide', persisted: true });
    online = false; // lost while in the cache: no offline event reached the frozen page
    handler!({ type: 'pageshow', persisted: true });
    expect(demo.calls).toEqual(['pause:frozen', 'pause:offline']);
  });

  it('a page that loads hidden or offline starts paused, and a late attach is told at once', () => {
    const page = fakePage({ visible: false });
    const lc = new PageLifecycle(page.source, { timers: page.timers });
    expect(lc.reason).toBe('hidden');
    const demo = recorder();
    lc.attach(demo);
    expect(demo.calls).toEqual(['pause:hidden']);
    expect(new PageLifecycle(fakePage({ online: false }).source).reason).toBe('offline');
  });

  it('detach and dispose stop the calls and the listening', () => {
    const page = fakePage();
    const lc = new PageLifecycle(page.source, { hiddenGraceMs: 0, timers: page.timers });
    const a = recorder();
    const b = recorder();
    const detachA = lc.attach(a);
    lc.attach(b);
    detachA();
    page.goOffline();
    expect(a.calls).toEqual([]);
    expect(b.calls).toEqual(['pause:offline']);
    lc.dispose();
    expect(page.listening).toBe(false);
  });
});

describe('pageLifecycleSource', () => {
  it('reads document.visibilityState and navigator.onLine, and forwards persisted', () => {
    const docL = new Map<string, () => void>();
    const winL = new Map<string, (ev: { type: string; persisted?: boolean }) => void>();
    const doc = {
      visibilityState: 'hidden',
      addEventListener: (t: string, f: () => void) => docL.set(t, f),
      removeEventListener: (t: string) => docL.delete(t),
    };
    const win = {
      navigator: { onLine: false },
      addEventListener: (t: string, f: (ev: { type: string; persisted?: boolean }) => void) =>
        winL.set(t, f),
      removeEventListener: (t: string) => winL.delete(t),
    };
    const src = pageLifecycleSource(doc, win);
    expect(src.isVisible()).toBe(false);
    expect(src.isOnline()).toBe(false);
    const seen: LifecycleEvent[] = [];
    const stop = src.listen((ev) => seen.push(ev));
    docL.get('visibilitychange')?.();
    winL.get('pageshow')?.({ type: 'pageshow', persisted: true });
    winL.get('offline')?.({ type: 'offline' });
    expect(seen).toEqual([
      { type: 'visibilitychange' },
      { type: 'pageshow', persisted: true },
      { type: 'offline' },
    ]);
    stop();
    expect([...docL.keys(), ...winL.keys()]).toEqual([]);
  });
});
