// Keeps the fleet map's canvas drawn: sizes it to its box (sharp on high-density screens),
// follows the light/dark theme, and redraws on an animation frame only when something changed.
// The page's window is passed in, so tests drive frames, resizes and theme switches by hand.
import { drawFleet, type Ctx2D, type MapColours } from './map-draw.ts';
import type { FleetStore } from './fleet-store.ts';

/** The map's canvas (an HTMLCanvasElement in the page). */
export interface MapCanvas {
  width: number;
  height: number;
  style: { height: string };
  dataset: Record<string, string | undefined>;
  getContext(id: '2d'): Ctx2D | null;
}

/** The element the canvas fills; its width sets the map's size. */
export interface MapBox {
  clientWidth: number;
}

/** What the loop needs from the page's window. */
export interface MapWindow {
  requestAnimationFrame(cb: () => void): number;
  cancelAnimationFrame(id: number): void;
  devicePixelRatio: number;
  getComputedStyle(el: never): { getPropertyValue(name: string): string };
  ResizeObserver: new (cb: () => void) => { observe(el: never): void; disconnect(): void };
  MutationObserver: new (cb: () => void) => {
    observe(el: never, options: { attributes: boolean; attributeFilter: string[] }): void;
    disconnect(): void;
  };
  document: { documentElement: unknown };
}

/** What is drawn: the positions and the selected vehicle. */
export interface MapSource {
  readonly store: FleetStore;
  readonly selected: number | null;
}

/** The tallest the map gets, in CSS pixels; it is square up to this. */
export const MAP_MAX_HEIGHT = 520;

/** The map's colours from the CSS custom properties in scope at the canvas. */
export function mapColours(cssVar: (name: string) => string): MapColours {
  const v = (name: string) => cssVar(name).trim() || '#888';
  return {
    background: v('--fleet-bg'),
    street: v('--fleet-street'),
    geofence: v('--fleet-fence'),
    offline: v('--fleet-offline'),
    selected: v('--fleet-selected'),
    states: {
      driving: v('--fleet-driving'),
      idle: v('--fleet-idle'),
      charging: v('--fleet-charging'),
      returning: v('--fleet-returning'),
    },
  };
}

/** Starts drawing `source` on `canvas` inside `box`; returns the function that stops it. */
export function runFleetMap(
  canvas: MapCanvas,
  box: MapBox,
  source: MapSource,
  win: MapWindow,
  draw: typeof drawFleet = drawFleet,
): () => void {
  let size = { width: 0, height: 0, dpr: 1 };
  let palette: MapColours | null = null;
  let dirty = true;
  let drawnVersion = -1;
  let drawnSel: number | null = null;
  const readPalette = () => {
    const css = win.getComputedStyle(canvas as never);
    palette = mapColours((name) => css.getPropertyValue(name));
  };

  const ro = new win.ResizeObserver(() => {
    const width = box.clientWidth;
    const height = Math.min(width, MAP_MAX_HEIGHT);
    const dpr = win.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = `${height}px`;
    size = { width, height, dpr };
    readPalette();
    dirty = true;
  });
  ro.observe(box as never);
  // Follow the light/dark theme switch (Starlight sets data-theme on <html>).
  const mo = new win.MutationObserver(() => {
    readPalette();
    dirty = true;
  });
  mo.observe(win.document.documentElement as never, {
    attributes: true,
    attributeFilter: ['data-theme'],
  });

  let raf = 0;
  const frame = () => {
    raf = win.requestAnimationFrame(frame);
    const ctx = canvas.getContext('2d');
    if (!ctx || !palette || size.width === 0) return;
    // Redraw only when something changed: positions, selection, size or theme.
    const version = source.store.version;
    const sel = source.selected;
    if (!dirty && drawnVersion === version && drawnSel === sel) return;
    dirty = false;
    drawnVersion = version;
    drawnSel = sel;
    canvas.dataset['drawn'] = String(draw(ctx, source.store, size, palette, sel));
  };
  raf = win.requestAnimationFrame(frame);
  return () => {
    win.cancelAnimationFrame(raf);
    ro.disconnect();
    mo.disconnect();
  };
}
