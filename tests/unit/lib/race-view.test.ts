import { describe, expect, it } from 'vitest';
import { raceChartSeries, requestsPerS, SCENARIO_FIELDS } from '../../../src/lib/race/view.ts';
import { laneTheory } from '../../../src/lib/race/theory.ts';
import type { LaneResult } from '../../../src/lib/race/runner.ts';
import { DEFAULT_SCENARIO, SCENARIO_BOUNDS } from '../../../src/lib/wire/race.ts';

const lane = (id: LaneResult['lane'], p50: number, up: number, down: number): LaneResult =>
  ({
    lane: id,
    figures: { p50, p95: p50 * 2, p99: p50 * 3, countUp: up, countDown: down },
    bytes: null,
    payloadBytes: 0,
    overheadDownPerMsg: 10,
    overheadUpPerMsg: 0,
  }) as unknown as LaneResult;

describe('the race page layout', () => {
  it('offers a field for every bounded scenario value', () => {
    expect(SCENARIO_FIELDS.map((f) => f.key).sort()).toEqual(Object.keys(SCENARIO_BOUNDS).sort());
  });

  it('charts each lane in the table order, the spec where it has a figure', () => {
    const lanes = [lane('shortPoll', 500, 10, 10), lane('sse', 5, 1, 0)];
    const theory = laneTheory(DEFAULT_SCENARIO, ['sse']);
    const s = raceChartSeries(lanes, theory, 5, { measured: 'm', theory: 't', reqPerS: 'r' });
    expect(s.latency.map((x) => x.data)).toEqual([
      [500, 5],
      [1000, 10],
      [1500, 15],
    ]);
    expect(s.overhead[1]?.data[0]).toBeNaN();
    expect(s.overhead[1]?.data[1]).toBe(theory[0]?.downPerMsg);
    expect(s.requests[0]?.data).toEqual([4, 0.2]);
    expect(requestsPerS(lanes[0]!, 2)).toBe(10);
  });
});
