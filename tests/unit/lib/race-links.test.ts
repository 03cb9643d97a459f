import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRANSPORTS, type Transport } from '../../../src/lib/compare/table.ts';
import { rowById } from '../../helpers/compare-rows.ts';
import { QUESTIONS } from '../../../src/lib/quiz/questions.ts';
import {
  focusFromQuery,
  quizPreset,
  quizRaceHref,
  racePath,
  ROW_TOPICS,
  rowRaceHref,
  TOPIC_SCENARIOS,
  TRANSPORT_LANES,
} from '../../../src/lib/race/links.ts';
import { scenarioFromQuery, type Scenario } from '../../../src/lib/wire/race.ts';
import type { Locale } from '../../../src/lib/i18n/index.ts';
import { presetOf } from '../../../src/lib/race/race.svelte.ts';

const LOCALES: Locale[] = ['zh-CN', 'en'];

/** Parses a race link with the race page's own parser; fails unless it is the race page. */
function parse(href: string, locale: Locale): { scenario: Scenario | null; search: string } {
  const url = new URL(href, 'http://lab.test');
  expect(url.pathname).toBe(racePath(locale));
  return { scenario: scenarioFromQuery(url.search), search: url.search };
}

describe('links into the protocol race', () => {
  it('each linked table row exists and restores its topic scenario', () => {
    for (const [rowId, topic] of Object.entries(ROW_TOPICS)) {
      expect(rowById(rowId), rowId).toBeDefined();
      for (const locale of LOCALES) {
        const href = rowRaceHref(rowId, locale);
        expect(href).not.toBeNull();
        expect(parse(href ?? '', locale).scenario).toEqual(TOPIC_SCENARIOS[topic]);
      }
    }
    expect(rowRaceHref('browser', 'en')).toBeNull();
  });

  it("the comparison chapter's race links restore a topic scenario, in both locales", () => {
    const topics = Object.values(TOPIC_SCENARIOS);
    for (const [locale, file] of [
      ['zh-CN', 'content/docs/comparison.mdx'],
      ['en', 'content/docs/en/comparison.mdx'],
    ] as const) {
      const text = readFileSync(file, 'utf8');
      const hrefs = [...text.matchAll(/\]\(((?:\/en)?\/race\/\?[^)\s]+)\)/g)].map((m) => m[1]!);
      // The latency, overhead and scalability (requests) sections each link once.
      expect(hrefs).toHaveLength(3);
      const scenarios = hrefs.map((h) => parse(h, locale).scenario);
      expect(scenarios).toEqual(expect.arrayContaining(topics));
    }
  });

  it('every quiz answer set and result gives a valid link to the nearest preset', () => {
    // The link reads only the rate and size answers (its type says so) and the result's
    // transports, so this walks its whole domain: each answer or none, times every non-empty set
    // of transports a result can name.
    const rates = [undefined, ...QUESTIONS.rate];
    const sizes = [undefined, ...QUESTIONS.size];
    let checked = 0;
    for (const rate of rates) {
      for (const size of sizes) {
        const answers = { ...(rate ? { rate } : {}), ...(size ? { size } : {}) };
        const preset = quizPreset(answers);
        for (let mask = 1; mask < 1 << TRANSPORTS.length; mask++) {
          const picked: Transport[] = TRANSPORTS.filter((_t, i) => mask & (1 << i));
          for (const locale of LOCALES) {
            const { scenario, search } = parse(quizRaceHref(answers, picked, locale), locale);
            // The page shows the preset by name (a URL carries the sensor's 1/30 rounded).
            expect(scenario && presetOf(scenario)).toBe(preset);
            const focus = focusFromQuery(search);
            expect(focus.length).toBeGreaterThan(0);
            expect(new Set(focus)).toEqual(new Set(picked.flatMap((t) => TRANSPORT_LANES[t])));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(rates.length * sizes.length * 63 * 2);
  });

  it('picks the preset nearest to the rate and size answers', () => {
    expect(quizPreset({})).toBe('ticker');
    expect(quizPreset({ rate: 'rare', size: 'small' })).toBe('sensor');
    expect(quizPreset({ rate: 'steady', size: 'small' })).toBe('chat');
    expect(quizPreset({ rate: 'high', size: 'small' })).toBe('ticker');
    for (const rate of QUESTIONS.rate) expect(quizPreset({ rate, size: 'large' })).toBe('large');
  });

  it('ignores unknown lanes in focus', () => {
    expect(focusFromQuery('?focus=sse,nope,shortPoll')).toEqual(['shortPoll', 'sse']);
    expect(focusFromQuery('?rate=1')).toEqual([]);
  });
});
