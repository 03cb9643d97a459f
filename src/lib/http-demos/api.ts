import type {
  ClientStats,
  DemoError,
  EventsResponse,
  TickerEvent,
  TickerInfo,
  TimeResponse,
} from '../wire/http-demos.ts';
import { HEADER_BYTES_IN } from '../wire/http-demos.ts';
import type { FetchLike } from '../platform.ts';
import type { ApiErrorCode } from '../wire/health.ts';

/** A non-2xx answer, with the server's message, the parameter it blamed and its code. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly field: string | undefined;
  readonly code: ApiErrorCode | undefined;
  constructor(status: number, message: string, field?: string, code?: ApiErrorCode) {
    super(message);
    this.status = status;
    this.field = field;
    this.code = code;
  }
}

/** Throws an HttpError built from the JSON error body when `res` is not 2xx. */
export async function ensureOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  let body: Partial<DemoError> = {};
  try {
    body = (await res.json()) as Partial<DemoError>;
  } catch {
    // not JSON: keep the status alone
  }
  throw new HttpError(res.status, body.error ?? `HTTP ${res.status}`, body.field, body.code);
}

/** One poll or long-poll answer as the clients report it. */
export interface EventsResult {
  /** 200 with a body, or 204 when a long-poll timed out. */
  status: number;
  events: TickerEvent[];
  gone: number;
  rewound: boolean;
  latest: number | null;
  /** Exact request bytes the server read, from its response header. */
  requestBytes: number | null;
}

/** Reads a poll/long-poll response. */
export async function readEvents(res: Response): Promise<EventsResult> {
  await ensureOk(res);
  const header = res.headers.get(HEADER_BYTES_IN);
  const requestBytes = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  if (res.status === 204) {
    return { status: 204, events: [], gone: 0, rewound: false, latest: null, requestBytes };
  }
  const body = (await res.json()) as EventsResponse;
  return {
    status: res.status,
    events: body.events,
    gone: body.gone,
    rewound: body.rewound,
    latest: body.latest,
    requestBytes,
  };
}

/** The shared endpoints of the HTTP demos: ticker control, clock, byte counts, drop. */
export class DemoApi {
  readonly #fetch: FetchLike;
  readonly #base: string;

  constructor(fetchFn: FetchLike, base = '') {
    this.#fetch = fetchFn;
    this.#base = base;
  }

  /** `GET /api/time`. */
  async time(): Promise<TimeResponse> {
    const res = await ensureOk(await this.#fetch(`${this.#base}/api/time`));
    return (await res.json()) as TimeResponse;
  }

  /** `GET /api/ticker`. */
  async ticker(): Promise<TickerInfo> {
    const res = await ensureOk(await this.#fetch(`${this.#base}/api/ticker`));
    return (await res.json()) as TickerInfo;
  }

  /** `POST /api/ticker`: changes the rate for every visitor. */
  async setRate(rate: number): Promise<TickerInfo> {
    const res = await ensureOk(
      await this.#fetch(`${this.#base}/api/ticker`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ rate }),
      }),
    );
    return (await res.json()) as TickerInfo;
  }

  /** `POST /api/ticker/emit`: one event now. */
  async emitNow(clientId: string): Promise<TickerEvent> {
    const res = await ensureOk(
      await this.#fetch(`${this.#base}/api/ticker/emit?clientId=${encodeURIComponent(clientId)}`, {
        method: 'POST',
      }),
    );
    return ((await res.json()) as { event: TickerEvent }).event;
  }

  /** `GET /api/http-stats`: this visitor's exact bytes per transport. */
  async stats(clientId: string): Promise<ClientStats> {
    const res = await ensureOk(
      await this.#fetch(`${this.#base}/api/http-stats?clientId=${encodeURIComponent(clientId)}`),
    );
    return (await res.json()) as ClientStats;
  }

  /** `POST /api/drop`: the server destroys this visitor's held sockets. */
  async drop(clientId: string): Promise<number> {
    const res = await ensureOk(
      await this.#fetch(`${this.#base}/api/drop?clientId=${encodeURIComponent(clientId)}`, {
        method: 'POST',
      }),
    );
    return ((await res.json()) as { dropped: number }).dropped;
  }
}

/** A random client id (for caps, byte counts and "drop connection"). */
export function newClientId(random: () => number = Math.random): string {
  let id = 'c';
  for (let i = 0; i < 12; i++) id += Math.floor(random() * 36).toString(36);
  return id;
}
