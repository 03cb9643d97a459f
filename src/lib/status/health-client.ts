import type { HealthResponse } from '../wire/health.ts';
import type { FetchLike } from '../platform.ts';

/** Fetches and checks `/api/health`; rejects on a network error, a non-2xx status or a bad body. */
export async function fetchHealth(
  fetchFn: FetchLike,
  url = '/api/health',
  timeoutMs = 4000,
): Promise<HealthResponse> {
  const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`health check answered ${res.status}`);
  const body = (await res.json()) as Partial<HealthResponse>;
  if (body.status !== 'ok' || typeof body.version !== 'string' || !body.connections) {
    throw new Error('health check answered with an unexpected body');
  }
  return body as HealthResponse;
}

/** Formats seconds of uptime compactly: 42s, 5m 3s, 2h 7m, 3d 4h. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
