// Draws the fleet on a canvas in a handful of batched paths (one per state), never one DOM node
// or one fill call per vehicle: 1,000 vehicles cost a few path commands each.
import { BLOCK_M, GEOFENCE, GRID_BLOCKS, GRID_SIZE_M, VEHICLE_STATES } from '../wire/fleet.ts';
import type { VehicleState } from '../wire/fleet.ts';
import type { FleetStore, MapVehicle } from './fleet-store.ts';
import { STATE_SHAPES } from './state-shapes.ts';

/** The part of CanvasRenderingContext2D the map uses (tests pass a recorder). */
export interface Ctx2D {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  setLineDash(segments: number[]): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  fill(): void;
  stroke(): void;
}

/** Colours of the map; the island reads them from the page's theme. */
export interface MapColours {
  background: string;
  street: string;
  geofence: string;
  offline: string;
  selected: string;
  states: Record<VehicleState, string>;
}

/** Map metres to canvas pixels: the square map fits the canvas with a small margin. */
export function viewFor(cssWidth: number, cssHeight: number) {
  const margin = 8;
  const scale = (Math.min(cssWidth, cssHeight) - 2 * margin) / GRID_SIZE_M;
  const ox = (cssWidth - GRID_SIZE_M * scale) / 2;
  const oy = (cssHeight - GRID_SIZE_M * scale) / 2;
  return {
    scale,
    toPx: (m: number, axis: 'x' | 'y') => (axis === 'x' ? ox : oy) + m * scale,
    toM: (px: number, axis: 'x' | 'y') => (px - (axis === 'x' ? ox : oy)) / scale,
  };
}

/** Draws the grid, then every vehicle, one path per state. Returns the number drawn. */
export function drawFleet(
  ctx: Ctx2D,
  store: FleetStore,
  size: { width: number; height: number; dpr: number },
  colours: MapColours,
  selected: number | null,
): number {
  const { width, height, dpr } = size;
  const view = viewFor(width, height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = colours.background;
  ctx.fillRect(0, 0, width, height);

  // Streets: one path for all of them.
  ctx.strokeStyle = colours.street;
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  ctx.beginPath();
  for (let k = 0; k <= GRID_BLOCKS; k++) {
    const p = k * BLOCK_M;
    ctx.moveTo(view.toPx(p, 'x'), view.toPx(0, 'y'));
    ctx.lineTo(view.toPx(p, 'x'), view.toPx(GRID_SIZE_M, 'y'));
    ctx.moveTo(view.toPx(0, 'x'), view.toPx(p, 'y'));
    ctx.lineTo(view.toPx(GRID_SIZE_M, 'x'), view.toPx(p, 'y'));
  }
  ctx.stroke();
  // The service area (geofence), dashed.
  ctx.strokeStyle = colours.geofence;
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  const g0 = view.toPx(GEOFENCE.min, 'x');
  const g1 = view.toPx(GEOFENCE.max, 'x');
  ctx.rect(g0, view.toPx(GEOFENCE.min, 'y'), g1 - g0, g1 - g0);
  ctx.stroke();
  ctx.setLineDash([]);

  const r = Math.max(2.5, Math.min(5, view.scale * 40));
  let drawn = 0;
  for (const state of VEHICLE_STATES) {
    ctx.fillStyle = colours.states[state];
    ctx.beginPath();
    for (const v of store.vehicles.values()) {
      if (!v.placed || v.online === false || v.state !== state) continue;
      addShape(ctx, STATE_SHAPES[state], view.toPx(v.x, 'x'), view.toPx(v.y, 'y'), r);
      drawn++;
    }
    ctx.fill();
  }
  // Offline vehicles: a cross at the last known position, in one stroke.
  ctx.strokeStyle = colours.offline;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const v of store.vehicles.values()) {
    if (!v.placed || v.online !== false) continue;
    const x = view.toPx(v.x, 'x');
    const y = view.toPx(v.y, 'y');
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    drawn++;
  }
  ctx.stroke();

  const sel = selected === null ? undefined : store.vehicles.get(selected);
  if (sel?.placed) {
    ctx.strokeStyle = colours.selected;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(view.toPx(sel.x, 'x'), view.toPx(sel.y, 'y'), r * 2.6, 0, Math.PI * 2);
    ctx.stroke();
  }
  return drawn;
}

function addShape(ctx: Ctx2D, shape: string, x: number, y: number, r: number): void {
  switch (shape) {
    case 'circle':
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case 'diamond':
      ctx.moveTo(x, y - r * 1.25);
      ctx.lineTo(x + r * 1.25, y);
      ctx.lineTo(x, y + r * 1.25);
      ctx.lineTo(x - r * 1.25, y);
      ctx.closePath();
      break;
    default:
      ctx.moveTo(x, y - r * 1.3);
      ctx.lineTo(x + r * 1.2, y + r);
      ctx.lineTo(x - r * 1.2, y + r);
      ctx.closePath();
  }
}

/** The vehicle nearest to a click, within `maxPx` pixels; null if none. */
export function pickVehicle(
  store: FleetStore,
  px: number,
  py: number,
  size: { width: number; height: number },
  maxPx = 14,
): MapVehicle | null {
  const view = viewFor(size.width, size.height);
  let best: MapVehicle | null = null;
  let bestD = maxPx * maxPx;
  for (const v of store.vehicles.values()) {
    if (!v.placed) continue;
    const dx = view.toPx(v.x, 'x') - px;
    const dy = view.toPx(v.y, 'y') - py;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = v;
    }
  }
  return best;
}
