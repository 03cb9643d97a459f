/** A live count read on demand, such as the number of open MQTT/TCP sockets. */
export type Gauge = () => number;

/** Named live connection counts that protocol modules register and `/api/health` reports. */
export class Gauges {
  readonly #gauges = new Map<string, Gauge>();

  /** Adds a gauge; the name is the key that appears under `connections` in `/api/health`. */
  register(name: string, gauge: Gauge): void {
    this.#gauges.set(name, gauge);
  }

  /** Reads every gauge now. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#gauges].map(([name, read]) => [name, read()]));
  }
}
