// The protocol race: a private stream per visitor, published once at the same instant to every
// lane (short poll, long poll, SSE, WebSocket, MQTT over WebSocket at QoS 0 and 1, MQTT/TCP),
// with each lane's bytes counted exactly on its sockets.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LabContext, LabModule } from '../app.ts';
import type {
  LaneBytes,
  LaneId,
  RaceCreated,
  RaceCut,
  RaceMqttAuth,
  RaceStarted,
  RaceStatus,
} from '../../src/lib/wire/race.ts';
import { RACE_API, isRaceId, scenarioError, scenarioFrom } from '../../src/lib/wire/race.ts';
import { Traffic } from '../http-demos/traffic.ts';
import { Race } from './race.ts';
import { RACE_DEFAULTS, type RaceOptions } from './options.ts';
import { SocketMeter } from './socket-meter.ts';
import { registerHttpLanes } from './http-lanes.ts';
import { registerWsLane } from './ws-lane.ts';
import { registerMqttLanes, type MqttLaneId } from './mqtt-lanes.ts';
import { VisitorLimits } from './limits.ts';
import { sendBody } from '../http-error.ts';
import type { SharedRaceLimits } from '../redis/race.ts';

export { RACE_DEFAULTS, type RaceOptions } from './options.ts';

/** What a race holds besides its stream, freed with it. */
interface Entry {
  race: Race;
  meters: Partial<Record<LaneId, SocketMeter>>;
  detach: (() => void)[];
  lastActivity: number;
  finishedAt: number | null;
  /** Gives the visitor's slot back. */
  release: () => void;
  /** Byte totals of the HTTP lanes when the race started (their set-up). */
  httpAtStart: ReturnType<Traffic['stats']> | null;
  /** The MQTT lanes' credentials (revoked when the race is freed). */
  mqttAuth: RaceMqttAuth | null;
}

/** The running race module; `internals` lets the cleanup tests look inside. */
export interface RaceModule extends LabModule {
  internals(): {
    races: number;
    timers: number;
    connections: number;
    trafficClients: number;
    liveRequests: number;
  };
  /** Messages a race's bare WebSocket lane never got because it had no open socket. */
  wsUnsent(id: string): number;
}

/**
 * Registers the race API, its lanes and its limits on the lab. With `shared` (one of several
 * instances on Redis) the caps count races on every instance.
 */
export function registerRace(
  ctx: LabContext,
  overrides: Partial<RaceOptions> = {},
  shared: SharedRaceLimits | null = null,
): RaceModule {
  const options: RaceOptions = { ...RACE_DEFAULTS, ...ctx.config.race, ...overrides };
  const { app } = ctx;
  const races = new Map<string, Entry>();
  const traffic = new Traffic(app.server);
  const limits = new VisitorLimits(options, ctx.visitors);
  const aedes = ctx.broker?.aedes ?? null;
  const lanes: LaneId[] = ['shortPoll', 'longPoll', 'sse', 'ws'];
  // MQTT lanes need the embedded broker: only there can the server count their bytes.
  if (aedes) lanes.push('mqttWs0', 'mqttWs1', 'mqttTcp');

  const touch = (race: Race): void => {
    const e = races.get(race.id);
    if (e) e.lastActivity = Date.now();
  };
  const lookup = (id: string): Race | null => races.get(id)?.race ?? null;
  const meter = (race: Race, lane: LaneId): SocketMeter => {
    const e = races.get(race.id);
    if (!e) return new SocketMeter();
    return (e.meters[lane] ??= new SocketMeter());
  };
  const find = (req: FastifyRequest, reply: FastifyReply): Race | null => {
    const id = (req.params as { id?: string }).id;
    const race = isRaceId(id) ? lookup(id) : null;
    if (!race) {
      void reply
        .code(404)
        .header('Cache-Control', 'no-store')
        .send({ error: 'no such race (it ended or never existed)', statusCode: 404 });
    }
    return race;
  };

  const http = registerHttpLanes(app, { traffic, options, find, touch });
  const ws = registerWsLane({
    router: ctx.router,
    allowedOrigins: ctx.config.allowedOrigins,
    lookup,
    meter: (race) => meter(race, 'ws'),
    touch,
    maxBacklogBytes: options.maxBacklogBytes,
  });
  const mqtt = aedes
    ? registerMqttLanes({
        aedes,
        lookup,
        meter: (race, lane: MqttLaneId) => meter(race, lane),
        touch,
      })
    : null;

  const free = async (id: string): Promise<void> => {
    const e = races.get(id);
    if (!e) return;
    races.delete(id);
    e.release();
    e.race.stop();
    for (const d of e.detach) d();
    http.free(e.race);
    ws.free(e.race);
    for (const m of Object.values(e.meters)) for (const s of m.sockets) s.destroy();
    await mqtt?.free(e.race, e.mqttAuth);
    ctx.broker?.raceKeys.revoke(id);
    traffic.forget(id);
    if (races.size === 0) stopSweep();
  };

  // One timer for every race, armed only while races exist: frees races whose page is gone.
  let sweep: ReturnType<typeof setInterval> | null = null;
  const stopSweep = (): void => {
    if (sweep) clearInterval(sweep);
    sweep = null;
  };
  const connectionsOf = (e: Entry): number => {
    let n = traffic.liveCount(e.race.id, 'longPoll') + traffic.liveCount(e.race.id, 'sse');
    for (const m of Object.values(e.meters)) n += m.connections;
    return n;
  };
  const check = (): void => {
    const now = Date.now();
    for (const [id, e] of races) {
      const r = e.race;
      const expired =
        (r.state === 'ready' && now - r.createdAt > options.startWithinMs) ||
        (e.finishedAt !== null && now - e.finishedAt > options.lingerMs) ||
        // Before the start, lanes are still connecting (the page may be loading mqtt.js).
        (r.state !== 'ready' && connectionsOf(e) === 0 && now - e.lastActivity > options.idleMs);
      if (expired) void free(id);
    }
  };
  const startSweep = (): void => {
    sweep ??= setInterval(check, Math.min(1000, options.idleMs / 2));
  };

  const bytesOf = (e: Entry): Partial<Record<LaneId, LaneBytes>> => {
    const out: Partial<Record<LaneId, LaneBytes>> = {};
    const now = traffic.stats(e.race.id);
    const at = e.httpAtStart;
    const kinds = [
      ['shortPoll', 'poll'],
      ['longPoll', 'longPoll'],
      ['sse', 'sse'],
    ] as const;
    for (const [lane, kind] of kinds) {
      const t = now[kind];
      out[lane] = {
        up: t.bytesIn,
        down: t.bytesOut,
        setupUp: at ? at[kind].bytesIn : t.bytesIn,
        setupDown: at ? at[kind].bytesOut : t.bytesOut,
        requests: t.requests,
        connections: traffic.liveCount(e.race.id, kind),
      };
    }
    for (const lane of lanes) {
      if (lane === 'shortPoll' || lane === 'longPoll' || lane === 'sse') continue;
      out[lane] = (e.meters[lane] ?? new SocketMeter()).read();
    }
    return out;
  };

  const status = (e: Entry): RaceStatus => ({
    id: e.race.id,
    state: e.race.state,
    scenario: e.race.scenario,
    total: e.race.total,
    published: e.race.published,
    epoch: e.race.epoch,
    cuts: [...e.race.cuts],
    bytes: bytesOf(e),
    wsUnsent: ws.unsent(e.race),
  });

  const entryOr404 = (req: FastifyRequest, reply: FastifyReply): Entry | null => {
    const race = find(req, reply);
    return race ? (races.get(race.id) ?? null) : null;
  };

  app.post(RACE_API, async (req, reply) => {
    const scenario = scenarioFrom(req.body);
    if (!scenario) {
      return reply.code(400).send({
        error: 'body must be {rate, size, durationS, pollIntervalS} (numbers)',
        statusCode: 400,
      });
    }
    const bad = scenarioError(scenario);
    if (bad) return reply.code(400).send({ error: bad.message, statusCode: 400, field: bad.field });
    const visitor = ctx.visitors.of(req.raw);
    const id = randomBytes(16).toString('base64url');
    const admitted = shared
      ? await shared.admit(visitor, id, {
          maxRaces: options.maxRaces,
          maxRacesPerVisitor: options.maxRacesPerVisitor,
          perAddress: ctx.visitors.perAddress(options.maxRacesPerVisitor),
          maxCreatesPerMinute: options.maxCreatesPerMinute,
        })
      : limits.admit(visitor, races.size);
    if ('error' in admitted) return sendBody(reply, admitted);
    const race = new Race(id, visitor.key, scenario);
    const entry: Entry = {
      race,
      meters: {},
      detach: [],
      lastActivity: Date.now(),
      finishedAt: null,
      release: admitted.release,
      httpAtStart: null,
      mqttAuth: ctx.broker?.raceKeys.issue(id) ?? null,
    };
    races.set(id, entry);
    entry.detach.push(http.attach(race), ws.attach(race));
    if (mqtt) entry.detach.push(mqtt.attach(race));
    race.onFinish(() => {
      entry.finishedAt = Date.now();
    });
    startSweep();
    const body: RaceCreated = {
      id,
      scenario,
      total: race.total,
      topic: `race/${id}`,
      lanes,
      startWithinS: options.startWithinMs / 1000,
      mqtt: entry.mqttAuth,
    };
    return reply.code(201).header('Cache-Control', 'no-store').send(body);
  });

  app.get(`${RACE_API}/:id`, (req, reply) => {
    const e = entryOr404(req, reply);
    if (!e) return reply;
    touch(e.race);
    return reply.header('Cache-Control', 'no-store').send(status(e));
  });

  app.post(`${RACE_API}/:id/start`, (req, reply) => {
    const e = entryOr404(req, reply);
    if (!e) return reply;
    if (e.race.state !== 'ready') {
      return reply.code(409).send({ error: 'the race has already started', statusCode: 409 });
    }
    e.httpAtStart = traffic.stats(e.race.id);
    for (const m of Object.values(e.meters)) m.start();
    touch(e.race);
    e.race.start();
    const body: RaceStarted = { epoch: e.race.epoch ?? 0 };
    return reply.header('Cache-Control', 'no-store').send(body);
  });

  // "Cut the network": every lane's connection of this race is destroyed at once, mid-stream.
  app.post(`${RACE_API}/:id/cut`, (req, reply) => {
    const e = entryOr404(req, reply);
    if (!e) return reply;
    if (e.race.state !== 'running') {
      return reply.code(409).send({ error: 'only a running race can be cut', statusCode: 409 });
    }
    const last = e.race.cuts[e.race.cuts.length - 1];
    const at = performance.timeOrigin + performance.now();
    if (last !== undefined && at - last < options.minCutGapMs) {
      return reply
        .code(429)
        .send({ error: `at most one cut per ${options.minCutGapMs} ms`, statusCode: 429 });
    }
    e.race.cuts.push(at);
    const cut: RaceCut['cut'] = {};
    const heldLongPolls = traffic.liveCount(e.race.id, 'longPoll');
    const streams = traffic.liveCount(e.race.id, 'sse');
    traffic.drop(e.race.id);
    cut.longPoll = heldLongPolls;
    cut.sse = streams;
    for (const [lane, m] of Object.entries(e.meters) as [LaneId, SocketMeter][]) {
      const sockets = m.sockets;
      cut[lane] = sockets.length;
      for (const s of sockets) s.destroy();
    }
    touch(e.race);
    const body: RaceCut = { at, cut };
    return reply.header('Cache-Control', 'no-store').send(body);
  });

  // Ending the page ends the race (the page sends this with sendBeacon on pagehide).
  app.post(`${RACE_API}/:id/end`, async (req, reply) => {
    const e = entryOr404(req, reply);
    if (!e) return reply;
    await free(e.race.id);
    return reply.code(204).header('Cache-Control', 'no-store').send();
  });

  ctx.gauges.register('race', () => races.size);

  return {
    internals: () => {
      let timers = sweep ? 1 : 0;
      let connections = 0;
      for (const e of races.values()) {
        timers += e.race.timers;
        connections += connectionsOf(e);
      }
      return {
        races: races.size,
        timers,
        connections,
        trafficClients: traffic.clientCount,
        liveRequests: traffic.liveTotal,
      };
    },
    wsUnsent: (id) => {
      const race = lookup(id);
      return race ? ws.unsent(race) : 0;
    },
    async close() {
      stopSweep();
      await Promise.all([...races.keys()].map((id) => free(id)));
      shared?.close();
      ws.close();
      mqtt?.close();
      traffic.close();
    },
  };
}
