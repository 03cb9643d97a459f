import type { LaneResult, RaceResult } from './runner.ts';

const round = (n: number, d = 2): number | '' =>
  Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : '';

/** Column names of the measurements CSV. */
export const RESULT_COLUMNS = [
  'lane',
  'received',
  'lost',
  'duplicates',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'max_ms',
  'requests_or_frames_up',
  'requests_or_frames_down',
  'bytes_up',
  'bytes_down',
  'setup_bytes_up',
  'setup_bytes_down',
  'payload_bytes',
  'overhead_down_per_msg',
  'overhead_up_per_msg',
  'connections_opened',
] as const;

function row(l: LaneResult): (string | number)[] {
  const f = l.figures;
  return [
    l.lane,
    f.received,
    f.lost,
    f.duplicates,
    round(f.p50),
    round(f.p95),
    round(f.p99),
    round(f.max),
    f.countUp,
    f.countDown,
    l.bytes?.up ?? '',
    l.bytes?.down ?? '',
    l.bytes?.setupUp ?? '',
    l.bytes?.setupDown ?? '',
    l.payloadBytes,
    round(l.overheadDownPerMsg),
    round(l.overheadUpPerMsg),
    l.bytes?.requests ?? '',
  ];
}

/** A race's measurements as CSV: one row per lane (RFC 4180; no field needs quoting). */
export function resultCsv(r: Pick<RaceResult, 'lanes'>): string {
  return [RESULT_COLUMNS.join(','), ...r.lanes.map((l) => row(l).join(','))].join('\n') + '\n';
}

/** A race's measurements as pretty JSON. */
export function resultJson(r: RaceResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
