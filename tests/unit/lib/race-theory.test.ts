import { describe, expect, it } from 'vitest';
import {
  chunkOverhead,
  laneTheory,
  mqttPublishSize,
  varintLength,
  wsFrameHeader,
} from '../../../src/lib/race/theory.ts';
import { dailyCost } from '../../../src/lib/race/cost.ts';
import { parseRaceArgs, RaceCliError } from '../../../scripts/race/options.ts';
import { LANES } from '../../../src/lib/wire/race.ts';

describe('spec overheads', () => {
  it('sizes WebSocket frame headers at every boundary of RFC 6455 §5.2', () => {
    expect([125, 126, 65_535, 65_536].map((n) => wsFrameHeader(n))).toEqual([2, 4, 4, 10]);
    expect(wsFrameHeader(4, true)).toBe(6);
  });

  it('sizes MQTT PUBLISH packets per MQTT 3.1.1 §2.2.3 and §3.3', () => {
    expect([127, 128, 16_383, 16_384, 2_097_152].map(varintLength)).toEqual([1, 2, 2, 3, 4]);
    // Topic "race/" + 22 characters, 120 B: remaining length 149 needs two varint bytes.
    expect(mqttPublishSize(27, 120, 0)).toBe(1 + 2 + 2 + 27 + 120);
    expect(mqttPublishSize(27, 120, 1)).toBe(1 + 2 + 2 + 27 + 2 + 120);
  });

  it('gives each lane its theory for the stock ticker', () => {
    const th = laneTheory({ rate: 10, size: 120, durationS: 20, pollIntervalS: 1 }, LANES);
    const by = Object.fromEntries(th.map((t) => [t.lane, t]));
    expect(by['ws']).toMatchObject({ downPerMsg: 2, upPerMsg: 0 });
    expect(by['mqttWs0']).toMatchObject({ downPerMsg: 152 - 120 + 4, upPerMsg: 0 });
    expect(by['mqttWs1']).toMatchObject({ downPerMsg: 154 - 120 + 4, upPerMsg: 4 + 6 });
    expect(by['mqttTcp']).toMatchObject({ downPerMsg: 32 });
    expect(by['shortPoll']?.latencyMs).toBe(500);
    expect(by['shortPoll']?.upPerMsg).toBeNull();
    // id: N\n (4 + digits + 1), data: (6) … \n, blank line, plus the chunk's size line.
    const sse = by['sse']?.downPerMsg ?? 0;
    expect(sse).toBeGreaterThan(13 + 1 + chunkOverhead(134));
    expect(sse).toBeLessThan(13 + 3 + chunkOverhead(137) + 0.01);
  });

  it('scales per-message costs to clients per day', () => {
    const load = { clients: 1000, rate: 1, size: 200, pollIntervalS: 2 };
    const ws = dailyCost(
      { lane: 'ws', downPerMsg: 4, upPerMsg: 0, requestBytes: 0, emptyAnswerBytes: 0 },
      load,
    );
    expect(ws).toEqual({
      lane: 'ws',
      bytesDown: 1000 * 86_400 * 204,
      bytesUp: 0,
      requests: 1000,
      connections: 1000,
    });
    const poll = dailyCost(
      { lane: 'shortPoll', downPerMsg: 150, upPerMsg: 0, requestBytes: 400, emptyAnswerBytes: 130 },
      load,
    );
    expect(poll.requests).toBe(1000 * 86_400 * 0.5);
    expect(poll.bytesUp).toBe(1000 * 86_400 * 0.5 * 400);
  });
});

describe('npm run race options', () => {
  it('reads every option and refuses bad ones with a message', () => {
    expect(
      parseRaceArgs(['--rate', '5', '--size', '64', '--duration', '10', '--poll-interval', '2']),
    ).toMatchObject({ scenario: { rate: 5, size: 64, durationS: 10, pollIntervalS: 2 } });
    expect(parseRaceArgs(['--transports', 'sse,ws', '--format', 'csv']).transports).toEqual([
      'sse',
      'ws',
    ]);
    for (const bad of [
      ['--rate', 'fast'],
      ['--rate', '501'],
      ['--size', '8'],
      ['--clients', '0'],
      ['--transports', 'smoke'],
      ['--format', 'xml'],
      ['--cut-every', '0.5'],
      ['--url', 'ftp://x'],
      ['--nope'],
    ]) {
      expect(() => parseRaceArgs(bad), bad.join(' ')).toThrow(RaceCliError);
    }
  });
});
