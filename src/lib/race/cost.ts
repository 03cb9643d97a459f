// The cost calculator: what N clients cost per day on each transport, from per-message
// overheads (measured in the last race, or the spec model before any race).
import type { LaneId } from '../wire/race.ts';
import { RACE_LONG_POLL_HOLD_S } from '../wire/race.ts';

/** What one transport costs per message and per request, measured or from the spec. */
export interface CostInputs {
  lane: LaneId;
  /** Bytes down per message beyond the payload. */
  downPerMsg: number;
  /** Bytes up per message (acknowledgements). */
  upPerMsg: number;
  /** Bytes of one request (HTTP lanes; their request headers). */
  requestBytes: number;
  /** Bytes of an empty answer (short polling's "nothing new", long polling's 204). */
  emptyAnswerBytes: number;
}

/** The load for the calculator. */
export interface Load {
  clients: number;
  /** Messages per second per client. */
  rate: number;
  size: number;
  /** Short polling's interval (s). */
  pollIntervalS: number;
}

/** One transport's daily cost. */
export interface DailyCost {
  lane: LaneId;
  bytesDown: number;
  bytesUp: number;
  requests: number;
  connections: number;
}

const DAY_S = 86_400;

/**
 * The formulas (per client, per second; × clients × 86,400 for a day):
 * - push lanes: down = rate × (size + overhead), up = rate × ack; one connection, one request.
 * - long polling: one request and answer per message, or one 204 per hold time when idle.
 * - short polling: one request and answer per interval; messages ride in those answers.
 */
export function dailyCost(c: CostInputs, load: Load): DailyCost {
  const perS = load.rate * (load.size + c.downPerMsg);
  const k = load.clients * DAY_S;
  switch (c.lane) {
    case 'shortPoll': {
      const polls = 1 / load.pollIntervalS;
      // Answers without news cost an empty answer; those with news are in downPerMsg.
      const empty = Math.max(0, polls - load.rate) * c.emptyAnswerBytes;
      return {
        lane: c.lane,
        bytesDown: k * (load.rate * (load.size + c.downPerMsg) + empty),
        bytesUp: k * polls * c.requestBytes,
        requests: k * polls,
        connections: 0,
      };
    }
    case 'longPoll': {
      const answers = Math.max(load.rate, 1 / RACE_LONG_POLL_HOLD_S);
      const idle = Math.max(0, answers - load.rate) * c.emptyAnswerBytes;
      return {
        lane: c.lane,
        bytesDown: k * (perS + idle),
        bytesUp: k * answers * c.requestBytes,
        requests: k * answers,
        connections: load.clients,
      };
    }
    default:
      return {
        lane: c.lane,
        bytesDown: k * perS,
        bytesUp: k * load.rate * c.upPerMsg,
        requests: load.clients,
        connections: load.clients,
      };
  }
}

/** The calculator's table as CSV (one row per transport). */
export function costCsv(rows: readonly DailyCost[], load: Load): string {
  const head =
    'transport,clients,rate_per_s,payload_bytes,bytes_down_per_day,bytes_up_per_day,requests_per_day,connections_held';
  const lines = rows.map((r) =>
    [
      r.lane,
      load.clients,
      load.rate,
      load.size,
      Math.round(r.bytesDown),
      Math.round(r.bytesUp),
      Math.round(r.requests),
      r.connections,
    ].join(','),
  );
  return [head, ...lines].join('\n') + '\n';
}
