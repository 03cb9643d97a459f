import type { Heading, SnapshotVehicle, VehicleState } from '../wire/fleet.ts';

/** What the map knows about one vehicle. */
export interface MapVehicle {
  id: number;
  x: number;
  y: number;
  heading: Heading;
  state: VehicleState;
  /** From the retained `vehicle/<id>/online`; null until known. */
  online: boolean | null;
  /** Whether a position has arrived (a vehicle known only from its online flag has none). */
  placed: boolean;
}

/**
 * Positions of every vehicle, kept outside Svelte's reactivity on purpose: thousands of
 * updates a second feed a canvas, which redraws when `version` changes.
 */
export class FleetStore {
  readonly vehicles = new Map<number, MapVehicle>();
  /** Bumped on every change; the map redraws when it differs from the last frame's. */
  version = 0;

  #get(id: number): MapVehicle {
    let v = this.vehicles.get(id);
    if (!v) {
      v = { id, x: 0, y: 0, heading: 0, state: 'idle', online: null, placed: false };
      this.vehicles.set(id, v);
    }
    return v;
  }

  /** Applies one vehicle's position (from a snapshot or a status message). */
  place(p: SnapshotVehicle): void {
    const v = this.#get(p.id);
    v.x = p.x;
    v.y = p.y;
    v.heading = p.heading;
    v.state = p.state;
    v.placed = true;
    this.version++;
  }

  /** Applies a whole snapshot: every vehicle in it is online by construction. */
  applySnapshot(vehicles: readonly SnapshotVehicle[]): void {
    for (const p of vehicles) this.place(p);
  }

  /** Applies a retained online flag; `null` (a cleared flag) removes the vehicle. */
  setOnline(id: number, online: boolean | null): void {
    if (online === null) this.vehicles.delete(id);
    else this.#get(id).online = online;
    this.version++;
  }

  /** Forgets every vehicle (a new connection brings everything back, retained). */
  clear(): void {
    this.vehicles.clear();
    this.version++;
  }

  /** Counts for the list and the map's text alternative. */
  counts(): { total: number; online: number; offline: number } {
    let online = 0;
    let offline = 0;
    for (const v of this.vehicles.values()) {
      if (v.online === true) online++;
      else if (v.online === false) offline++;
    }
    return { total: this.vehicles.size, online, offline };
  }
}
