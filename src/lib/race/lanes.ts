// One client per lane of the race, each delivering the stream its transport's own way. DOM-free:
// the browser passes its fetch, WebSocket, EventSource and mqtt's connect; `npm run race` and
// the tests pass Node's.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { LaneId, RaceMqttAuth, RacePollBody } from '../wire/race.ts';
import {
  RACE_API,
  RACE_RECONNECT_MS,
  RACE_WS_PATH,
  raceMqttClientId,
  raceTopic,
} from '../wire/race.ts';

/** The part of a WebSocket the lane uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

/** The part of an EventSource the lane uses. */
export interface EventSourceLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

/** What the lanes need from their surroundings. */
export interface LaneEnv {
  /** Origin of the lab's HTTP API: `''` in the page, `http://127.0.0.1:4321` elsewhere. */
  httpBase: string;
  /** Origin for WebSockets: `ws://host:port`. */
  wsBase: string;
  /** The broker's MQTT over WebSocket URL. */
  mqttWsUrl: string;
  /** The broker's MQTT/TCP URL (`npm run race` only). */
  mqttTcpUrl?: string;
  fetch: (
    url: string,
    init?: { signal?: AbortSignal; keepalive?: boolean },
  ) => Promise<{
    status: number;
    ok: boolean;
    json(): Promise<unknown>;
  }>;
  webSocket: (url: string) => WebSocketLike;
  eventSource: (url: string) => EventSourceLike;
  mqtt: () => Promise<(url: string, opts: IClientOptions) => MqttClient>;
  /** Local wall clock (ms, sub-ms where possible). */
  clock: () => number;
}

/** What a lane reports. */
export interface LaneSink {
  /** One payload arrived at local time `at`. */
  message(payload: string, at: number): void;
  /** A request, frame or packet went out (`up`) or came in (`down`). */
  count(dir: 'up' | 'down', n?: number): void;
  /** The lane's connection came up or went down. */
  link(up: boolean, at: number): void;
}

/** A running lane. */
export interface Lane {
  /** Resolves once the lane can receive (socket open, subscription granted). */
  readonly ready: Promise<void>;
  /** The race started: polling lanes begin asking. */
  begin(): void;
  /** Stops for good and closes every connection. */
  stop(): void;
}

/** Options for the lanes of one race. */
export interface LaneOptions {
  raceId: string;
  pollIntervalMs: number;
  /** Highest seq; polling lanes stop once they have it. */
  total: number;
  /** Credentials of the MQTT lanes (the race API's `mqtt`). */
  mqttAuth?: RaceMqttAuth | null;
}

const decoder = new TextDecoder();
const textOf = (data: unknown): string =>
  typeof data === 'string'
    ? data
    : data instanceof Uint8Array
      ? decoder.decode(data)
      : data instanceof ArrayBuffer
        ? decoder.decode(new Uint8Array(data))
        : String(data);

function isPollBody(v: unknown): v is RacePollBody {
  const b = v as RacePollBody | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    Array.isArray(b.m) &&
    typeof b.next === 'number' &&
    typeof b.done === 'boolean'
  );
}

/** Opens one lane. */
export function openLane(lane: LaneId, env: LaneEnv, o: LaneOptions, sink: LaneSink): Lane {
  switch (lane) {
    case 'shortPoll':
      return pollLane(false, env, o, sink);
    case 'longPoll':
      return pollLane(true, env, o, sink);
    case 'sse':
      return sseLane(env, o, sink);
    case 'ws':
      return wsLane(env, o, sink);
    case 'mqttWs0':
      return mqttLane(env, o, sink, 0, env.mqttWsUrl, lane);
    case 'mqttWs1':
      return mqttLane(env, o, sink, 1, env.mqttWsUrl, lane);
    case 'mqttTcp':
      return mqttLane(env, o, sink, 0, env.mqttTcpUrl ?? '', lane);
  }
}

/**
 * Short polling asks on a fixed schedule, every interval whatever happened; long polling asks
 * again as soon as an answer (or an error, after a short pause) comes back. Both keep a cursor
 * (the last seq) so a failed request loses nothing.
 */
function pollLane(long: boolean, env: LaneEnv, o: LaneOptions, sink: LaneSink): Lane {
  let stopped = false;
  let cursor = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const abort = new AbortController();
  const path = long ? 'long-poll' : 'poll';
  let linkUp = true;
  const ask = async (): Promise<boolean> => {
    sink.count('up');
    try {
      const res = await env.fetch(
        `${env.httpBase}${RACE_API}/${o.raceId}/${path}?after=${cursor}`,
        { signal: abort.signal },
      );
      if (res.status === 204) {
        sink.count('down');
        return false;
      }
      const body = await res.json();
      const at = env.clock();
      if (!res.ok || !isPollBody(body)) throw new Error(`status ${res.status}`);
      sink.count('down');
      if (!linkUp) sink.link((linkUp = true), at);
      for (const p of body.m) sink.message(p, at);
      cursor = body.next;
      return body.done || cursor >= o.total;
    } catch {
      if (stopped) return true;
      if (linkUp) sink.link((linkUp = false), env.clock());
      return false;
    }
  };
  const started = env.clock();
  let n = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const done = await ask();
      if (done || stopped) return;
      if (long) {
        if (!linkUp) await new Promise((r) => (timer = setTimeout(r, RACE_RECONNECT_MS)));
        continue;
      }
      // The next request is due on the fixed schedule, not an interval after this answer.
      n++;
      const wait = Math.max(0, started + n * o.pollIntervalMs - env.clock());
      await new Promise((r) => (timer = setTimeout(r, wait)));
    }
  };
  return {
    ready: Promise.resolve(),
    begin() {
      void loop();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
    },
  };
}

/** SSE: EventSource reconnects by itself and sends Last-Event-ID; the server replays from it. */
function sseLane(env: LaneEnv, o: LaneOptions, sink: LaneSink): Lane {
  const es = env.eventSource(`${env.httpBase}${RACE_API}/${o.raceId}/sse`);
  let opened = false;
  const ready = new Promise<void>((resolve) => {
    es.onopen = () => {
      sink.count('up');
      if (opened) sink.link(true, env.clock());
      opened = true;
      resolve();
    };
  });
  es.onmessage = (ev) => {
    sink.count('down');
    sink.message(textOf(ev.data), env.clock());
  };
  es.onerror = () => {
    if (opened) sink.link(false, env.clock());
  };
  return {
    ready,
    begin() {},
    stop() {
      es.close();
    },
  };
}

/** A bare WebSocket: no cursor, so after a reconnect it gets only what comes next. */
function wsLane(env: LaneEnv, o: LaneOptions, sink: LaneSink): Lane {
  let stopped = false;
  let ws: WebSocketLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first = true;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => (resolveReady = r));
  const open = (): void => {
    const s = env.webSocket(`${env.wsBase}${RACE_WS_PATH}?race=${o.raceId}`);
    ws = s;
    s.onopen = () => {
      sink.count('up');
      if (!first) sink.link(true, env.clock());
      first = false;
      resolveReady();
    };
    s.onmessage = (ev) => {
      sink.count('down');
      sink.message(textOf(ev.data), env.clock());
    };
    s.onerror = () => {};
    s.onclose = () => {
      if (stopped) return;
      sink.link(false, env.clock());
      timer = setTimeout(open, RACE_RECONNECT_MS);
    };
  };
  open();
  return {
    ready,
    begin() {},
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.close();
    },
  };
}

/**
 * MQTT: QoS 0 with a clean session, or QoS 1 with a persistent one (clean session off, a fixed
 * client id): the broker queues what comes while the lane is away and sends it on reconnect
 * ([MQTT-3.1.2-5]), and resends what was not acknowledged ([MQTT-4.4.0-1]).
 */
function mqttLane(
  env: LaneEnv,
  o: LaneOptions,
  sink: LaneSink,
  qos: 0 | 1,
  url: string,
  lane: 'mqttWs0' | 'mqttWs1' | 'mqttTcp',
): Lane {
  let client: MqttClient | null = null;
  let stopped = false;
  const ready = (async () => {
    const connect = await env.mqtt();
    if (stopped) return;
    const c = connect(url, {
      clientId: raceMqttClientId(o.raceId, lane),
      // Only the race's own credentials may read its topic (server/broker/acl.ts).
      ...(o.mqttAuth ?? {}),
      clean: qos === 0,
      protocolVersion: 4,
      reconnectPeriod: RACE_RECONNECT_MS,
      keepalive: 60,
      // With a session the broker remembers the subscription ([MQTT-3.1.2-4]); asking again
      // would only cost a SUBSCRIBE and SUBACK per reconnect.
      resubscribe: qos === 0,
    });
    client = c;
    c.on('packetsend', () => sink.count('up'));
    c.on('packetreceive', () => sink.count('down'));
    c.on('message', (_t, payload) => sink.message(textOf(payload), env.clock()));
    let connects = 0;
    c.on('connect', () => {
      if (connects++ > 0) sink.link(true, env.clock());
    });
    c.on('close', () => {
      if (!stopped && connects > 0) sink.link(false, env.clock());
    });
    c.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => {
        c.subscribe(raceTopic(o.raceId), { qos }, (err) => (err ? reject(err) : resolve()));
      });
    });
  })();
  return {
    ready,
    begin() {},
    stop() {
      stopped = true;
      client?.end(true);
    },
  };
}
