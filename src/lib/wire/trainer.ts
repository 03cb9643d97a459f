// Who is the trainer: the shapes of /api/trainer and of the 403 a shared control answers without
// the trainer. Shared by the server and the pages (which disable the trainer's controls up front).

/** Path of the trainer's status route (GET) and of its login/logout routes (POST). */
export const TRAINER_API = {
  status: '/api/trainer',
  login: '/api/trainer/login',
  logout: '/api/trainer/logout',
  log: '/api/trainer/log',
} as const;

/** Name of the HttpOnly cookie that holds a trainer session id (never the token itself). */
export const TRAINER_COOKIE = 'lab_trainer';

/** Header a script may send the token in instead of logging in (never a query parameter). */
export const TRAINER_HEADER = 'x-trainer-token';

/** How a request was recognised as the trainer's. */
export type TrainerVia = 'local' | 'session' | 'header';

/** Body of `GET /api/trainer`. */
export interface TrainerStatus {
  /** Whether this browser may use the controls that change what everybody sees. */
  trainer: boolean;
  /** Why it is the trainer, or null. */
  via: TrainerVia | null;
  /** Whether the lab trusts browsers on its own machine (off with --no-local-trainer or a proxy). */
  localTrusted: boolean;
}

/** Body of the 403 a shared control answers to anyone but the trainer. */
export interface NeedsTrainer {
  error: string;
  statusCode: 403;
  needs: 'trainer';
  /** The control that was refused, e.g. `ticker-rate`, `fleet`. */
  control: string;
}

/** Whether an API error body is the "needs the trainer" 403. */
export function isNeedsTrainer(body: unknown): body is NeedsTrainer {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { needs?: unknown }).needs === 'trainer' &&
    (body as { statusCode?: unknown }).statusCode === 403
  );
}

/** One line of the trainer's action log. */
export interface TrainerAction {
  /** Server clock, ms since the epoch. */
  ts: number;
  /** e.g. `fleet`, `ticker-rate`, `login`, `login-failed`. */
  action: string;
  /** What was asked, e.g. `{ "vehicles": 500 }`; never a token. */
  detail: Record<string, unknown>;
  via: TrainerVia | null;
  /** Peer address of the request. */
  from: string;
}
