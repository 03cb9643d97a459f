/**
 * The tests of Aedes' own suite (node_modules/aedes/test, Aedes 1.2.0) that do not pass
 * against the broker as the lab builds it, each with the reason. Everything else must pass.
 */

/** One upstream test, by file and name. */
export interface Exception {
  file: string;
  name: string;
  why: string;
  /** Fails or passes depending on timing: either outcome is accepted. */
  timing?: boolean;
}

/** Files not run at all. */
export const SKIPPED_FILES: readonly { file: string; why: string }[] = [
  {
    file: 'drain-toxiproxy.js',
    why: 'needs a Toxiproxy server in Docker and the toxiproxy-node-client package; the lab has neither',
  },
];

/** Tests not run, because they would only wait for their time-out. */
export const SKIPPED: readonly Exception[] = [
  {
    file: 'drain-timeout.js',
    name: 'E2E: readStop() triggers real TCP backpressure',
    why:
      'publishes 256 KiB payloads, over the lab cap of 256 KiB per packet (header included): the ' +
      'broker closes the publisher as it should, and the test waits for acknowledgements forever',
  },
  {
    file: 'not-blocking.js',
    name: 'do not block with overlapping subscription',
    why:
      'one publisher sends 10,000 QoS 0 messages as fast as TCP takes them to a broker with ' +
      'a dispatch concurrency of 15; whenever delivery falls 2,000 messages behind, the lab ' +
      'sheds QoS 0 (maxDeliveryQueue, counted in $SYS/lab/stats: 2,260 in one failed run) ' +
      'and the test waits for all 10,000 until its time-out. It failed in 3 of 4 runs on an ' +
      'idle machine, 1 of 8 on a busy one. limits.test.ts "bounds the delivery queue" proves that ' +
      'every QoS 0 message is either delivered in order or counted as shed',
  },
];

/** Tests that run and must fail, for a deliberate difference of the lab's broker. */
export const EXPECTED_FAILURES: readonly Exception[] = [
  {
    file: 'meta.js',
    name: 'connect and connackSent event',
    why:
      'not a difference: upstream gives this test a 50 ms time-out, which a loaded machine ' +
      'can miss; it passes on an idle one',
    timing: true,
  },
  {
    file: 'drain-timeout.js',
    name: 'UNIT: write.js blocks indefinitely when stream.write returns false',
    why:
      'capOutgoing: a write reports "keep going" until the client has 1 MiB queued, then the ' +
      'client is cut off; Aedes never waits for drain, which is what this test expects it to do',
  },
  {
    file: 'drain-timeout.js',
    name: 'UNIT: drainTimeout disconnects slow client instead of blocking',
    why: 'capOutgoing: a slow client is cut off at 1 MiB queued, not after drainTimeout',
  },
  {
    file: 'drain-timeout.js',
    name: 'UNIT: single slow client with concurrency 1 causes deadlock',
    why: 'capOutgoing: the deadlock this test demonstrates cannot happen, Aedes never waits for drain',
  },
  {
    file: 'drain-timeout.js',
    name: 'UNIT: drainTimeout allows system to recover from deadlock',
    why: 'capOutgoing: no deadlock to recover from, and the slow client is cut off at the byte cap',
  },
  {
    file: 'drain-timeout.js',
    name: 'E2E: drainTimeout disconnects slow client after TCP backpressure',
    why: 'publishes 256 KiB payloads, over the lab cap per packet; the publisher is closed',
  },
  {
    file: 'drain-timeout.js',
    name: 'E2E: without drainTimeout, slow client impairs system throughput',
    why: 'publishes 256 KiB payloads, over the lab cap per packet; the publisher is closed',
  },
  {
    file: 'topics.js',
    name: 'deliver overlapped topics respecting the maximum QoS of all the matching subscriptions - QoS 2 publish',
    why:
      '[MQTT-3.3.5-1]: overlapping subscriptions at QoS 0 and 2 must deliver at QoS 2; the test ' +
      "asserts Aedes' QoS 0 (its comment: 'currently delivers at first subscription's QoS'), " +
      'which deliverAtHighestQos corrects',
  },
  {
    file: 'topics.js',
    name: 'topic at the level limit is accepted, one above is rejected',
    why: "the lab allows 32 topic levels (limits.ts), not Aedes' 100; the test subscribes with 100",
  },
  {
    file: 'connect.js',
    name: 'reject client requested for unsupported protocol version',
    why:
      '[MQTT-3.1.2-2]: a CONNECT named "MQTT" with protocol level 2 gets CONNACK 0x01 before the ' +
      'lab closes the connection (Mosquitto answers the same); the test expects no packet at all',
  },
  {
    file: 'client-pub-sub.js',
    name: 'emit a `ack` event on PUBACK for QoS 1 [clean=false]',
    why:
      'a race in Aedes made visible by one turn of write batching: the test publishes to the ' +
      'session right as its CONNACK arrives, before Aedes replays the session queue, so the ' +
      'message is sent twice (stock Aedes does the same when a message arrives at that moment)',
    timing: true,
  },
  {
    file: 'client-pub-sub.js',
    name: 'emit a `ack` event on PUBCOMP for QoS 2 [clean=false]',
    why: 'the same race as the QoS 1 test above: the replay sends the message a second time',
    timing: true,
  },
];
