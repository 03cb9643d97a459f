// The legend needs the states' shapes before the map's drawing code (map-draw.ts) loads, so they
// live apart from it.
import type { VehicleState } from '../wire/fleet.ts';

/** The shape that, with the colour, tells states apart (colour is never the only cue). */
export const STATE_SHAPES: Record<VehicleState, 'circle' | 'square' | 'diamond' | 'triangle'> = {
  driving: 'circle',
  idle: 'square',
  charging: 'diamond',
  returning: 'triangle',
};
