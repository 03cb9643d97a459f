// Measurement shared by every demo (HTTP, WebSocket, MQTT): clock offset, delivery delay, lost
// events and bytes. DOM-free; callers pass their own clock and transport.
export * from './clock.ts';
export * from './delay.ts';
export * from './sequence.ts';
export * from './bytes.ts';
