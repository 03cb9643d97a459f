import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../../src/lib/fleet/fleet-store.ts';
import type { Ctx2D } from '../../../src/lib/fleet/map-draw.ts';
import { runFleetMap, type MapWindow } from '../../../src/lib/fleet/map-loop.ts';

/** A window whose frames, resizes and theme switches the test fires by hand. */
function fakeWindow(dpr = 2) {
  const frames = new Map<number, () => void>();
  let next = 0;
  const observers: { kind: 'resize' | 'theme'; cb: () => void; live: boolean }[] = [];
  let theme = 'light';
  const observer = (kind: 'resize' | 'theme') =>
    class {
      readonly #o: (typeof observers)[number];
      constructor(cb: () => void) {
        this.#o = { kind, cb, live: false };
        observers.push(this.#o);
      }
      observe() {
        this.#o.live = true;
      }
      disconnect() {
        this.#o.live = false;
      }
    };
  const win: MapWindow = {
    requestAnimationFrame: (cb) => (frames.set(++next, cb), next),
    cancelAnimationFrame: (id) => void frames.delete(id),
    devicePixelRatio: dpr,
    getComputedStyle: () => ({
      getPropertyValue: (name: string) => (name === '--fleet-bg' ? `${theme}-bg` : ''),
    }),
    ResizeObserver: observer('resize'),
    MutationObserver: observer('theme'),
    document: { documentElement: {} },
  };
  const fire = (kind: 'resize' | 'theme') =>
    observers.filter((o) => o.kind === kind && o.live).forEach((o) => o.cb());
  return {
    win,
    /** Runs the pending animation frames (each schedules the next). */
    frame: () => {
      const due = [...frames.values()];
      frames.clear();
      due.forEach((cb) => cb());
    },
    resize: () => fire('resize'),
    switchTheme: (to: string) => ((theme = to), fire('theme')),
    pendingFrames: () => frames.size,
    liveObservers: () => observers.filter((o) => o.live).length,
  };
}

function setup() {
  const page = fakeWindow();
  const canvas = {
    width: 300,
    height: 150,
    style: { height: '' },
    dataset: {} as Record<string, string | undefined>,
    getContext: () => ({}) as Ctx2D,
  };
  const box = { clientWidth: 600 };
  const source = { store: new FleetStore(), selected: null as number | null };
  const draws: { width: number; height: number; background: string; selected: number | null }[] =
    [];
  const stop = runFleetMap(canvas, box, source, page.win, (_ctx, _store, size, colours, sel) => {
    draws.push({ ...size, background: colours.background, selected: sel });
    return 42;
  });
  return { page, canvas, box, source, draws, stop };
}

describe('the fleet map loop', () => {
  it('sizes the canvas to its box, sharp at the screen density and at most 520 px tall', () => {
    const { page, canvas, box } = setup();
    page.resize();
    expect(canvas).toMatchObject({ width: 1200, height: 1040, style: { height: '520px' } });
    box.clientWidth = 390;
    page.resize();
    expect(canvas).toMatchObject({ width: 780, height: 780, style: { height: '390px' } });
  });

  it('draws once sized, then only when positions, selection, size or theme change', () => {
    const { page, canvas, source, draws } = setup();
    page.frame();
    expect(draws).toHaveLength(0); // not sized yet
    page.resize();
    page.frame();
    page.frame();
    expect(draws).toHaveLength(1);
    expect(canvas.dataset['drawn']).toBe('42');
    expect(draws[0]).toMatchObject({ width: 600, height: 520, background: 'light-bg' });

    source.store.version++;
    page.frame();
    source.selected = 7;
    page.frame();
    page.frame();
    expect(draws).toHaveLength(3);
    expect(draws[2]?.selected).toBe(7);

    page.switchTheme('dark');
    page.frame();
    expect(draws).toHaveLength(4);
    expect(draws[3]?.background).toBe('dark-bg');
  });

  it('stops drawing and observing when stopped', () => {
    const { page, stop, draws } = setup();
    page.resize();
    stop();
    expect(page.pendingFrames()).toBe(0);
    expect(page.liveObservers()).toBe(0);
    page.frame();
    expect(draws).toHaveLength(0);
  });
});
