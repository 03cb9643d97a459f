// The workshop of a deployment of several lab instances: what the trainer does on one instance
// (a fault, an announcement, follow-me) goes to every instance over one Redis pub/sub channel,
// and each acts on its own connections and its own attendees. The last announcement and
// follow-me are kept for an instance that starts later; the ticker's pause is the shared
// ticker's (server/redis/ticker.ts).
import type { Redis } from 'ioredis';
import type { FaultKind } from '../../src/lib/wire/workshop.ts';
import type { SharedRedis } from './index.ts';

const BUS = 'lab:workshop:bus';
const ANNOUNCE = 'lab:workshop:announce';
const FOLLOW = 'lab:workshop:follow';
const TRAINER = 'lab:workshop:trainer';
// Kept announcements and follow-me requests are forgotten after a day of no change.
const KEEP_MS = 24 * 60 * 60 * 1000;

/** One trainer action, as it travels between instances. */
export type WorkshopAction =
  | { op: 'fault'; kind: FaultKind; n: number }
  | { op: 'announce'; text: string }
  | { op: 'follow'; chapter: string };

/** This instance's part of the deployment's workshop. */
export interface WorkshopShare {
  /** Sends an action done here to the other instances (and keeps what a later one needs). */
  publish(action: WorkshopAction): void;
  /** Called with each action done on another instance. */
  onAction: (action: WorkshopAction) => void;
  /** The trainer was active on this instance: tells the others, for `activeForMs`. */
  trainerSeen(activeForMs: number): void;
  /** Whether the trainer was active on any instance within its window (read each second). */
  readonly trainerActive: boolean;
  /** The kept announcement and follow-me, for an instance that starts after they were made. */
  kept(): Promise<{ announce: string | null; follow: string | null }>;
  close(): void;
}

/** Joins the deployment's workshop channel. */
export async function shareWorkshop(redis: SharedRedis): Promise<WorkshopShare> {
  const { client, instanceId } = redis;
  const sub: Redis = await redis.connection();
  let trainerActive = false;
  let lastSeenWrite = 0;
  const share: WorkshopShare = {
    onAction: () => {},
    publish(action) {
      const send = client.publish(BUS, JSON.stringify({ from: instanceId, action }));
      const keep =
        action.op === 'announce'
          ? client.set(ANNOUNCE, action.text, 'PX', KEEP_MS)
          : action.op === 'follow'
            ? client.set(FOLLOW, action.chapter, 'PX', KEEP_MS)
            : null;
      // Redis away: the other instances miss this action; this one has done it already.
      void Promise.all([send, keep]).catch(() => {});
    },
    trainerSeen(activeForMs) {
      trainerActive = true;
      // The trainer page reads every second: one write a second is plenty.
      const now = Date.now();
      if (now - lastSeenWrite < 1000) return;
      lastSeenWrite = now;
      void client.set(TRAINER, '1', 'PX', activeForMs).catch(() => {});
    },
    get trainerActive() {
      return trainerActive;
    },
    async kept() {
      const [announce, follow] = await client.mget(ANNOUNCE, FOLLOW);
      return { announce: announce ?? null, follow: follow ?? null };
    },
    close() {
      clearInterval(timer);
      sub.disconnect();
    },
  };
  sub.on('message', (_channel: string, raw: string) => {
    try {
      const { from, action } = JSON.parse(raw) as { from: string; action: WorkshopAction };
      if (from !== instanceId) share.onAction(action);
    } catch {
      // Not one of ours: ignored.
    }
  });
  await sub.subscribe(BUS);
  const readActive = (): Promise<void> =>
    client.exists(TRAINER).then((n) => {
      trainerActive = n === 1;
    });
  await readActive().catch(() => {});
  const timer = setInterval(() => void readActive().catch(() => {}), 1000);
  timer.unref();
  return share;
}
