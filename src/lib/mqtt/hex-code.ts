// How the lab writes MQTT return and reason codes, in a module of its own: the lab's panels,
// diagram and experiments show codes before the SUBACK reading in suback.ts is loaded.

/** A return code as the specs write it: `0x80`. */
export function hexCode(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}
