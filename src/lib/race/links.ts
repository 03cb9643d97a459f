// Links into the protocol race from the pages that make claims it can show: the comparison table's
// rows, the comparison chapter and the selection quiz's result. Each link carries a scenario chosen
// to show that claim, in the race page's own query format (scenarioToQuery), plus the lanes to
// watch (`focus`).

import type { Locale } from '../i18n/index.ts';
import type { Transport } from '../compare/table.ts';
import type { Answers } from '../quiz/questions.ts';
import {
  BROWSER_LANES,
  PRESETS,
  scenarioToQuery,
  type LaneId,
  type PresetId,
  type Scenario,
} from '../wire/race.ts';

/** What a link into the race is meant to show. */
export type RaceTopic = 'latency' | 'overhead' | 'requests';

/** The scenario that shows each topic. */
export const TOPIC_SCENARIOS: Readonly<Record<RaceTopic, Scenario>> = {
  // The stock ticker polls every second: short polling's p50 lands near I/2 = 500 ms while the
  // push lanes stay at a few ms.
  latency: PRESETS.ticker,
  // 64-byte payloads 200 times a second: framing is a large share of each message, and long
  // polling pays a response head for (nearly) every one.
  overhead: PRESETS.burst,
  // One message every 2 s polled every 250 ms: eight short polls per message, most answered
  // "nothing new", against one connection per push lane.
  requests: { rate: 0.5, size: 60, durationS: 20, pollIntervalS: 0.25 },
};

/**
 * Comparison table rows that make a claim the race measures: `direction` says a poll's delay is up
 * to its interval (latency), `overhead` gives bytes per message, and `scalability` says polling's
 * request rate grows with clients × frequency.
 */
export const ROW_TOPICS: Readonly<Record<string, RaceTopic>> = {
  direction: 'latency',
  overhead: 'overhead',
  scalability: 'requests',
};

/** The race lanes a browser can watch for each column of the table (the page has no MQTT/TCP lane). */
export const TRANSPORT_LANES: Readonly<Record<Transport, readonly LaneId[]>> = {
  'short-polling': ['shortPoll'],
  'long-polling': ['longPoll'],
  sse: ['sse'],
  websocket: ['ws'],
  // MQTT over TCP carries the same packets without the WebSocket frame around them.
  mqtt: ['mqttWs0', 'mqttWs1'],
  'mqtt-ws': ['mqttWs0', 'mqttWs1'],
};

/** The race page's path in a locale. */
export function racePath(locale: Locale): string {
  return locale === 'en' ? '/en/race/' : '/race/';
}

/** A link to the race with a scenario and, optionally, lanes to watch. */
export function raceHref(
  locale: Locale,
  scenario: Scenario,
  focus: readonly LaneId[] = [],
): string {
  const lanes = BROWSER_LANES.filter((l) => focus.includes(l));
  const q = scenarioToQuery(scenario) + (lanes.length > 0 ? `&focus=${lanes.join(',')}` : '');
  return `${racePath(locale)}?${q}`;
}

/** The race link of a comparison table row, or null for rows the race does not measure. */
export function rowRaceHref(rowId: string, locale: Locale): string | null {
  const topic = ROW_TOPICS[rowId];
  return topic ? raceHref(locale, TOPIC_SCENARIOS[topic]) : null;
}

// Where each quiz answer sits on the rate and size axes: "less than once a minute", "about once a
// second", "many times a second"; "under a kilobyte", "images, files".
const ANSWER_RATE = { rare: 1 / 60, steady: 1, high: 10 } as const;
const ANSWER_SIZE = { small: 200, large: 32 * 1024 } as const;

/**
 * The preset nearest to the quiz's rate and size answers, by distance on log scales (a question not
 * answered does not count); ties go to the earlier preset, so no answers give the ticker.
 */
export function quizPreset(answers: Pick<Answers, 'rate' | 'size'>): PresetId {
  const rate = answers.rate ? ANSWER_RATE[answers.rate] : null;
  const size = answers.size ? ANSWER_SIZE[answers.size] : null;
  let best: PresetId = 'ticker';
  let bestD = Infinity;
  for (const [id, p] of Object.entries(PRESETS) as [PresetId, Scenario][]) {
    const dr = rate === null ? 0 : Math.log10(p.rate / rate);
    const ds = size === null ? 0 : Math.log10(p.size / size);
    const d = dr * dr + ds * ds;
    if (d < bestD - 1e-12) {
      best = id;
      bestD = d;
    }
  }
  return best;
}

/** The race link of a quiz result: the nearest preset, watching the result's transports. */
export function quizRaceHref(
  answers: Pick<Answers, 'rate' | 'size'>,
  transports: readonly Transport[],
  locale: Locale,
): string {
  const lanes = transports.flatMap((t) => TRANSPORT_LANES[t]);
  return raceHref(locale, PRESETS[quizPreset(answers)], lanes);
}

/** The lanes to watch from a race URL's `focus` (unknown names are ignored), in lane order. */
export function focusFromQuery(search: string): LaneId[] {
  const wanted = (new URLSearchParams(search).get('focus') ?? '').split(',');
  return BROWSER_LANES.filter((l) => wanted.includes(l));
}
