// The fleet module of the companion server: the simulator, the aggregator and the control API
// under /api/fleet. Both start lazily, on the first request to /api/fleet (the case-study page
// makes it), so a server nobody watches does not carry hundreds of vehicle connections.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LabContext, LabModule } from '../app.ts';
import { fleetCredentials } from '../broker/users.ts';
import { FleetAggregator } from './aggregator.ts';
import { FleetSimulator } from './simulator.ts';
import { FleetOptionError, checkRate, checkVehicles, shown } from './options.ts';
import {
  FLEET_CAPACITY_DEFAULT,
  FLEET_LIMITS,
  SNAPSHOT_HZ,
  type FleetInfo,
  type FleetPatch,
} from '../../src/lib/wire/fleet.ts';
import { Backoff, watchLag } from './backoff.ts';
import { sendError } from '../http-error.ts';
import type { FleetCommand, FleetShare } from '../redis/fleet.ts';

/** Size and rate of the simulated fleet; `vehicles: 0` runs none (the aggregator still runs). */
export interface FleetConfig {
  vehicles: number;
  rateHz: number;
}

/** The running fleet module, with handles for tests. */
export interface FleetModule extends LabModule {
  /** Starts the simulator and the aggregator now, if they are not running yet. */
  ensureStarted(): Promise<void>;
  simulator(): FleetSimulator | null;
  aggregator(): FleetAggregator | null;
  /** The URL the vehicles and the aggregator connect to. */
  brokerUrl: string;
}

/** The MQTT URL server-side clients use to reach the configured broker. */
export function serverBrokerUrl(ctx: Pick<LabContext, 'config' | 'broker' | 'mosquitto'>): string {
  const b = ctx.config.broker;
  if (b.mode === 'external') {
    const url = b.tcpUrl ?? b.browserUrl;
    if (!url) throw new Error('external broker without a URL');
    return url;
  }
  const host = ctx.config.host;
  const loopback = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const hostPart = loopback.includes(':') ? `[${loopback}]` : loopback;
  return `mqtt://${hostPart}:${ctx.broker?.tcpPort ?? ctx.mosquitto?.tcpPort ?? 1883}`;
}

/**
 * Registers the fleet's routes; nothing connects until the first request. With `share` (one of
 * several instances on Redis) only the holder of the fleet lock runs it; the others pass the
 * trainer's settings and commands on through Redis and report what the holder publishes.
 */
export async function registerFleet(
  ctx: LabContext,
  share: FleetShare | null = null,
): Promise<FleetModule> {
  const config: FleetConfig = ctx.config.fleet ?? { vehicles: 0, rateHz: 1 };
  const brokerUrl = serverBrokerUrl(ctx);
  const credentials = fleetCredentials();
  let simulator: FleetSimulator | null = null;
  let aggregator: FleetAggregator | null = null;
  let starting: Promise<void> | null = null;
  let closed = false;
  // LAB_SNAPSHOT_HZ (2-4) lets the benchmark try the top of the range.
  const envHz = Number(process.env['LAB_SNAPSHOT_HZ']);
  const snapshotHz = envHz >= 2 && envHz <= 4 ? envHz : SNAPSHOT_HZ;
  // Trainer choices made before the simulator exists (e.g. a size with `--no-fleet`).
  let rateHz = config.rateHz;
  // What this machine carries: vehicles × rate, and vehicles, at most this (--fleet-capacity).
  const capacity = ctx.config.fleetCapacity ?? FLEET_CAPACITY_DEFAULT;
  const backoff = new Backoff();
  // Off (`fleetBackoff: false`, LAB_FLEET_BACKOFF=off), the fleet keeps its set rate however
  // late the event loop runs: tests count what arrives at 1 Hz per vehicle on a busy CI machine.
  const backoffOn = ctx.config.fleetBackoff ?? true;
  let stopWatching: (() => void) | null = null;
  const watch = (sim: FleetSimulator): void => {
    if (backoffOn) stopWatching ??= watchLag((lag) => sim.setSlowdown(backoff.sample(lag)));
  };

  const startSimulator = (vehicles: number): FleetSimulator => {
    simulator ??= new FleetSimulator({ brokerUrl, vehicles, rateHz, credentials });
    simulator.start();
    watch(simulator);
    return simulator;
  };

  const ensureStarted = (): Promise<void> => {
    starting ??= (async () => {
      if (closed) return;
      const agg = new FleetAggregator({ brokerUrl, credentials, snapshotHz });
      // Subscribe before the vehicles connect, so the aggregator misses none of them.
      await agg.start();
      if (closed) {
        await agg.close();
        return;
      }
      aggregator = agg;
      if (config.vehicles > 0) startSimulator(config.vehicles);
    })().catch((err: unknown) => {
      starting = null; // try again on the next request
      throw err;
    });
    return starting;
  };

  const info = (): FleetInfo & { lastError: string | null } =>
    simulator
      ? { ...simulator.info(), snapshotHz, capacity }
      : {
          capacity,
          slowdown: 1,
          vehicles: 0,
          connected: 0,
          rateHz,
          paused: false,
          snapshotHz,
          limits: FLEET_LIMITS,
          lastError: null,
        };

  // Shared: the holder applies what any instance stored, and tells the others how it runs.
  const applySettings = (s: FleetPatch): void => {
    if (s.rateHz !== undefined && s.rateHz !== rateHz) {
      rateHz = s.rateHz;
      simulator?.setRate(rateHz);
    }
    if (s.vehicles !== undefined && s.vehicles !== (simulator?.info().vehicles ?? 0)) {
      if (simulator) simulator.resize(s.vehicles);
      else if (s.vehicles > 0) startSimulator(s.vehicles);
    }
    if (s.paused !== undefined && simulator && simulator.info().paused !== s.paused) {
      simulator.setPaused(s.paused);
    }
  };
  const runCommand = (cmd: FleetCommand): void => {
    if (cmd.kind === 'disconnect') simulator?.cut(cmd.id, cmd.reconnectAfterS);
    else simulator?.brake(cmd.id);
  };
  let syncing = false;
  const sync = async (): Promise<void> => {
    if (!share || syncing || closed || !share.holder) return;
    syncing = true;
    try {
      if (!aggregator && (await share.wanted())) await ensureStarted();
      if (aggregator) {
        applySettings(await share.settings());
        for (const cmd of await share.takeCommands()) runCommand(cmd);
      }
      await share.publishInfo(info());
    } catch {
      // Redis or the broker away: the next round tries again.
    } finally {
      syncing = false;
    }
  };
  const stopLocal = async (): Promise<void> => {
    stopWatching?.();
    stopWatching = null;
    await starting?.catch(() => {});
    const [sim, agg] = [simulator, aggregator];
    simulator = null;
    aggregator = null;
    starting = null;
    await sim?.close();
    await agg?.close();
  };
  let syncTimer: ReturnType<typeof setInterval> | null = null;
  if (share) {
    share.onHolder = (held) => {
      if (held) void sync();
      else void stopLocal();
    };
    syncTimer = setInterval(() => void sync(), 500);
    await share.start();
  }
  // Whoever does not run the fleet answers with what its holder last published.
  const elsewhere = (): boolean => share !== null && !share.holder;
  const sharedInfo = async (): Promise<FleetInfo & { lastError: string | null }> => {
    const held = await share?.info().catch(() => null);
    return held ? { ...held, lastError: null } : info();
  };

  const started = async (reply: FastifyReply): Promise<boolean> => {
    try {
      if (share) await share.want();
      if (elsewhere()) return true;
      await ensureStarted();
      return true;
    } catch (err) {
      await reply.code(503).send({
        error: `cannot reach the broker at ${brokerUrl}: ${(err as Error).message}`,
        statusCode: 503,
      });
      return false;
    }
  };

  const vehicleId = (req: FastifyRequest, reply: FastifyReply): number | null => {
    const raw = (req.params as { id: string }).id;
    if (!/^[1-9]\d{0,4}$/.test(raw)) {
      void sendError(reply, 400, `id must be a vehicle number, got "${raw}"`, 'id');
      return null;
    }
    const id = Number(raw);
    if (!simulator?.has(id)) {
      void reply.code(404).send({ error: `no vehicle ${id} in this fleet`, statusCode: 404 });
      return null;
    }
    return id;
  };

  // A vehicle of the fleet another instance runs: checked against the size it published.
  const sharedVehicleId = async (
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<number | null> => {
    const raw = (req.params as { id: string }).id;
    if (!/^[1-9]\d{0,4}$/.test(raw)) {
      void sendError(reply, 400, `id must be a vehicle number, got "${raw}"`, 'id');
      return null;
    }
    const id = Number(raw);
    if (id > (await sharedInfo()).vehicles) {
      void reply.code(404).send({ error: `no vehicle ${id} in this fleet`, statusCode: 404 });
      return null;
    }
    return id;
  };

  await ctx.app.register((scope: FastifyInstance, _opts, done) => {
    // Malformed JSON and wrong content types: the same JSON error shape as every other route.
    scope.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
      const statusCode = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      return reply.code(statusCode).send({ error: err.message, statusCode, field: 'body' });
    });

    scope.get('/api/fleet', async (_req, reply) => {
      if (!(await started(reply))) return reply;
      return elsewhere() ? sharedInfo() : info();
    });

    // One fleet for the whole room: its size, rate, pause and vehicles are the trainer's.
    const fleetGate = { preHandler: ctx.trainer.requireTrainer('fleet') };
    scope.patch('/api/fleet', fleetGate, async (req, reply) => {
      const body = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return sendError(reply, 400, 'body must be a JSON object', 'body');
      }
      const b = body as Record<string, unknown>;
      const known = ['vehicles', 'rateHz', 'paused'];
      const unknown = Object.keys(b).find((k) => !known.includes(k));
      if (unknown) return sendError(reply, 400, `unknown field "${unknown}"`, unknown);
      let vehicles: number | undefined;
      let rate: number | undefined;
      try {
        if (b['vehicles'] !== undefined) vehicles = checkVehicles(b['vehicles'], 'vehicles', 0);
        if (b['rateHz'] !== undefined) rate = checkRate(b['rateHz'], 'rateHz');
      } catch (err) {
        if (err instanceof FleetOptionError) return sendError(reply, 400, err.message, err.field);
        throw err;
      }
      if (b['paused'] !== undefined && typeof b['paused'] !== 'boolean') {
        return sendError(reply, 400, 'paused must be true or false', 'paused');
      }
      // Refused up front rather than queued: 5,000 vehicles at 10 Hz took a lab down for minutes.
      const current = elsewhere() ? await sharedInfo() : null;
      const nextVehicles = vehicles ?? current?.vehicles ?? simulator?.info().vehicles ?? 0;
      const nextRate = rate ?? current?.rateHz ?? rateHz;
      if (nextVehicles > capacity || nextVehicles * nextRate > capacity) {
        const field = vehicles !== undefined ? 'vehicles' : 'rateHz';
        return reply.code(400).send({
          error:
            `${field}: this lab carries at most ${capacity} vehicles and ${capacity} status ` +
            `messages per second (vehicles × rateHz); ${nextVehicles} × ${nextRate} = ` +
            `${Math.round(nextVehicles * nextRate)}. --fleet-capacity raises the cap.`,
          statusCode: 400,
          field,
          capacity,
        });
      }
      if (!(await started(reply))) return reply;
      const paused = typeof b['paused'] === 'boolean' ? b['paused'] : undefined;
      if (share) {
        await share.saveSettings({
          ...(vehicles !== undefined ? { vehicles } : {}),
          ...(rate !== undefined ? { rateHz: rate } : {}),
          ...(paused !== undefined ? { paused } : {}),
        });
      }
      if (elsewhere()) {
        // The holder applies it within half a second; the answer shows it as chosen.
        return {
          ...(await sharedInfo()),
          ...(vehicles !== undefined ? { vehicles } : {}),
          ...(rate !== undefined ? { rateHz: rate } : {}),
          ...(paused !== undefined ? { paused } : {}),
        };
      }
      if (rate !== undefined) {
        rateHz = rate;
        simulator?.setRate(rate);
      }
      if (vehicles !== undefined) {
        if (simulator) simulator.resize(vehicles);
        else if (vehicles > 0) startSimulator(vehicles);
      }
      if (typeof b['paused'] === 'boolean') simulator?.setPaused(b['paused']);
      return info();
    });

    scope.post('/api/fleet/vehicles/:id/disconnect', fleetGate, async (req, reply) => {
      if (!(await started(reply))) return reply;
      const id = elsewhere() ? await sharedVehicleId(req, reply) : vehicleId(req, reply);
      if (id === null) return reply;
      const raw = (req.body as { reconnectAfterS?: unknown } | undefined)?.reconnectAfterS;
      let after = 10;
      if (raw !== undefined) {
        if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > 600) {
          return sendError(
            reply,
            400,
            `reconnectAfterS must be a number of seconds from 0 to 600, got ${shown(raw)}`,
            'reconnectAfterS',
          );
        }
        after = raw;
      }
      if (elsewhere()) {
        await share!.command({ kind: 'disconnect', id, reconnectAfterS: after });
        return { id, reconnectAfterS: after };
      }
      if (!simulator?.cut(id, after)) {
        return reply
          .code(409)
          .send({ error: `vehicle ${id} is not connected right now`, statusCode: 409 });
      }
      return { id, reconnectAfterS: after };
    });

    scope.post('/api/fleet/vehicles/:id/brake', fleetGate, async (req, reply) => {
      if (!(await started(reply))) return reply;
      const id = elsewhere() ? await sharedVehicleId(req, reply) : vehicleId(req, reply);
      if (id === null) return reply;
      if (elsewhere()) await share!.command({ kind: 'brake', id });
      else simulator?.brake(id);
      return { id };
    });
    done();
  });

  return {
    brokerUrl,
    ensureStarted,
    simulator: () => simulator,
    aggregator: () => aggregator,
    async close() {
      closed = true;
      if (syncTimer) clearInterval(syncTimer);
      await share?.close();
      stopWatching?.();
      await starting?.catch(() => {});
      await simulator?.close();
      await aggregator?.close();
    },
  };
}
