import { describe, expect, it } from 'vitest';
import { citedRows, columnNames } from '../../../src/lib/compare/view.ts';
import { translator, type Locale } from '../../../src/lib/i18n/index.ts';
import { quizStrings } from '../../../src/lib/i18n/quiz.ts';
import { OUT } from '../../../src/lib/quiz/questions.ts';
import { parseAnswers, recommend, type Reason } from '../../../src/lib/quiz/score.ts';
import {
  answerText,
  becauseText,
  changeText,
  chapterOf,
  citedCell,
  comboText,
  groupText,
  summaryText,
  tableHref,
  weightText,
  type QuizWords,
} from '../../../src/lib/quiz/view.ts';
import { ROWS } from '../../helpers/compare-rows.ts';

function words(locale: Locale): QuizWords {
  return {
    locale,
    t: translator(quizStrings, locale),
    names: columnNames(locale),
    rows: citedRows(ROWS, locale),
  };
}
const en = words('en');
const zh = words('zh-CN');

// Complete answer sets with a known shape (tests/e2e/compare-quiz.spec.ts uses the first two).
const FLEET =
  'who=machines&clients=both&dir=both&subset=subset&loss=offline&count=huge&rate=steady&latency=instant&size=small&net=mobile&infra=open&team=broker';
const MQTT_TIE = FLEET.replace('who=machines', 'who=viewers');
// Behind the proxy only the two polling transports are left, and they tie: no runner-up.
const ALONE =
  'who=people&clients=browser&dir=down&subset=all&loss=latest&count=many&rate=steady&latency=relaxed&size=small&net=constrained&infra=proxy&team=service';
// No single answer moves this pick: the changes come in pairs.
const PAIRS =
  'who=people&clients=browser&dir=down&subset=all&loss=latest&count=few&rate=rare&latency=relaxed&size=small&net=mobile&infra=serverless&team=minimal';

const reason = (over: Partial<Reason>): Reason => ({
  question: 'who',
  answer: 'people',
  transport: 'websocket',
  weight: 3,
  row: 'use-cases',
  ...over,
});

describe('the quiz result in words', () => {
  it('names one pick plainly and a tie as a tie, joined the locale’s way', () => {
    expect(groupText(en, ['websocket'])).toBe('WebSocket');
    expect(groupText(en, ['mqtt', 'mqtt-ws'])).toBe('MQTT over TCP and MQTT over WebSocket, tied');
    expect(groupText(en, ['sse', 'websocket', 'mqtt'])).toBe(
      'SSE, WebSocket, and MQTT over TCP, tied',
    );
    expect(groupText(zh, ['mqtt', 'mqtt-ws'])).toBe('MQTT over TCP和MQTT over WebSocket（并列）');
  });

  it('summarises what is left, the pick and runner-up, or a pick standing alone', () => {
    expect(summaryText(en, recommend({}))).toBe(
      'Answer all 12 questions for a recommendation; 12 to go.',
    );
    expect(summaryText(en, recommend(parseAnswers('who=people&dir=both')))).toMatch(
      /; 10 to go\.$/,
    );
    expect(summaryText(zh, recommend(parseAnswers(MQTT_TIE)))).toBe(
      '首选：MQTT over TCP和MQTT over WebSocket（并列）；次选：WebSocket。',
    );
    const alone = recommend(parseAnswers(ALONE));
    expect(alone.runnerUp).toEqual([]);
    expect(summaryText(en, alone)).toBe(
      'Top pick: Short polling and Long polling, tied; every other option is ruled out.',
    );
  });

  it('shows weights with a sign (a true minus), and a ruled-out reason as such', () => {
    expect(weightText(en, reason({ weight: 3 }))).toBe('+3');
    expect(weightText(en, reason({ weight: -2 }))).toBe('\u22122');
    expect(weightText(en, reason({ weight: OUT }))).toBe('out');
    expect(weightText(zh, reason({ weight: OUT }))).toBe('排除');
  });

  it('cites the table cell behind a reason, links it and the chapters in the page’s locale', () => {
    expect(citedCell(en, reason({ transport: 'mqtt-ws', row: 'browser' }))).toEqual({
      label: en.rows['browser']!.label,
      verdict: en.rows['browser']!.cells['mqtt-ws'].verdict,
      demoHref: `/en/${en.rows['browser']!.cells['mqtt-ws'].link.chapter}/#${en.rows['browser']!.cells['mqtt-ws'].link.anchor}`,
    });
    expect(citedCell(zh, reason({ row: 'browser' }))?.demoHref).toMatch(/^\/websocket\//);
    // A row the page was not given is left out rather than shown empty.
    expect(citedCell(en, reason({ row: 'no-such-row' }))).toBeNull();
    expect(becauseText(en, reason({}))).toBe(
      'you answered “People interacting with each other (chat, games, co-editing)”',
    );
    expect(chapterOf(en, 'mqtt-ws')).toBe('/en/mqtt-over-websocket/');
    expect(chapterOf(zh, 'short-polling')).toBe('/short-polling/');
    expect(tableHref(en)).toBe('/en/comparison/#table');
    expect(tableHref(zh)).toBe('/comparison/#table');
  });

  it('words a combination and the answers that would change the pick, one or two at a time', () => {
    const fleet = recommend(parseAnswers(FLEET));
    expect(comboText(en, fleet.combination!)).toContain('MQTT over WebSocket');
    expect(answerText(en, 'infra', 'proxy')).toMatch(/^A proxy or firewall/);

    const single = fleet.changes.find((c) => c.swaps.length === 1)!;
    expect(changeText(en, single)).toMatch(
      /^If you answered “.+” to “.+\?”, the top pick would be .+\.$/,
    );

    const pairs = recommend(parseAnswers(PAIRS)).changes;
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((c) => c.swaps.length === 2)).toBe(true);
    const [a, b] = pairs[0]!.swaps;
    expect(changeText(en, pairs[0]!)).toBe(
      `If you answered “${answerText(en, a!.question, a!.to)}” to “${en.t(`q.${a!.question}`)}” and you answered “${answerText(en, b!.question, b!.to)}” to “${en.t(`q.${b!.question}`)}”, the top pick would be ${groupText(en, pairs[0]!.top)}.`,
    );
    expect(changeText(zh, pairs[0]!)).toContain('，并且');
  });
});
