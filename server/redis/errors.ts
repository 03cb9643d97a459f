// Kept apart from ./index.ts so that the CLI can recognise the error without loading ioredis.

/** Redis named by `--redis-url` could not be reached at start-up; the CLI exits 1 with it. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}
