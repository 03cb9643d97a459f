import type { EventEmitter } from 'node:events';
import type { Aedes } from 'aedes';

type Parallel = (that: unknown, toCall: unknown, arg: unknown, done: unknown) => void;

/** How many message dispatches may nest synchronously before the rest wait for the next turn. */
export const MAX_SYNC_DISPATCH = 64;

/**
 * Stops the broker's message queue from recursing itself to death.
 *
 * Aedes hands each publish to mqemitter, which runs at most `concurrency` (100) dispatches at
 * once and queues the rest. When a dispatch finishes, mqemitter starts the next queued one from
 * inside the finishing call. A dispatch with no matching subscriber finishes synchronously, so
 * after a mass disconnect (every subscription gone) a backlog of N queued publishes is drained as
 * one chain N calls deep: with a few thousand queued, `RangeError: Maximum call stack size
 * exceeded` kills the process. Here a dispatch that would nest deeper than MAX_SYNC_DISPATCH is
 * started on the next turn of the event loop instead; its slot is already counted, so publishes
 * arriving meanwhile still queue behind it and the order of delivery is unchanged.
 */
export function guardDispatchRecursion(aedes: Aedes, maxDepth = MAX_SYNC_DISPATCH): void {
  const mq = (aedes as unknown as { mq: { _parallel?: Parallel } }).mq;
  const original = mq._parallel;
  if (typeof original !== 'function') {
    throw new Error('mqemitter has no _parallel: see server/broker/patches/internals.ts');
  }
  let depth = 0;
  const run = (that: unknown, toCall: unknown, arg: unknown, done: unknown): void => {
    depth++;
    try {
      original(that, toCall, arg, done);
    } finally {
      depth--;
    }
  };
  mq._parallel = (that, toCall, arg, done) => {
    if (depth >= maxDepth) setImmediate(run, that, toCall, arg, done);
    else run(that, toCall, arg, done);
  };
}

/** Keeps errors that belong to one client (or one bad packet) from reaching the process. */
export function containBrokerErrors(aedes: Aedes, log: (msg: string) => void): void {
  // A client's socket error or protocol violation ends that client only.
  aedes.on('clientError', () => {});
  aedes.on('connectionError', () => {});
  // The broker itself emits 'error' for persistence failures; without a listener Node would
  // throw it and stop the whole companion server.
  (aedes as EventEmitter).on('error', (err: Error) => log(`broker: ${err.message}`));
}
