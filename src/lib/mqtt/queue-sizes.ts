// The queue-limit experiment's default sizes, apart from the experiment itself so that the demo
// can show them before it loads the experiment (on the first run only).

/** Messages the experiment publishes by default. */
export const QUEUE_DEMO_COUNT = 48;
/** Payload of each message by default: 200 KiB, so 40 of them fill the lab's 8 MiB cap. */
export const QUEUE_DEMO_PAYLOAD = 200 * 1024;
