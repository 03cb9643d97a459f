import { describe, expect, it } from 'vitest';
import { format, toLocale, translator, type Vars } from '../../../src/lib/i18n/index.ts';
import { formatNumber } from '../../../src/lib/i18n/numbers.ts';
import { statusStrings } from '../../../src/lib/i18n/status.ts';
import { chatStrings } from '../../../src/lib/i18n/chat.ts';
import { compareStrings } from '../../../src/lib/i18n/compare.ts';
import { fleetStrings } from '../../../src/lib/i18n/fleet.ts';
import { httpDemoStrings } from '../../../src/lib/i18n/http-demos.ts';
import { mqttStrings } from '../../../src/lib/i18n/mqtt.ts';

describe('i18n', () => {
  it('maps HTML lang values to the two locales, zh-CN by default', () => {
    expect(toLocale('en')).toBe('en');
    expect(toLocale('en-GB')).toBe('en');
    expect(toLocale('zh-CN')).toBe('zh-CN');
    expect(toLocale(undefined)).toBe('zh-CN');
  });

  it('fills placeholders and keeps unknown ones visible', () => {
    const t = translator(statusStrings, 'en');
    expect(t('version', { version: '1.2.3' })).toBe('version 1.2.3');
    expect(t('version')).toBe('version {version}');
    expect(translator(statusStrings, 'zh-CN')('connected')).toBe('已连接');
  });

  it('has the same keys, all non-empty, in both locales', () => {
    const zh = Object.keys(statusStrings['zh-CN']).sort();
    expect(Object.keys(statusStrings.en).sort()).toEqual(zh);
    for (const table of Object.values(statusStrings)) {
      for (const value of Object.values(table)) expect(value.trim()).not.toBe('');
    }
  });
});

describe('plurals', () => {
  it('chooses the English form by Intl.PluralRules and leaves Chinese text alone', () => {
    const text = '{n, plural, one {# alert} other {# alerts}} so far';
    expect(format(text, 'en', { n: 1 })).toBe('1 alert so far');
    expect(format(text, 'en', { n: 0 })).toBe('0 alerts so far');
    expect(format(text, 'en', { n: 2 })).toBe('2 alerts so far');
    expect(format('{rate, plural, one {# event/s} other {# events/s}}', 'en', { rate: 0.2 })).toBe(
      '0.2 events/s',
    );
    expect(format('累计告警 {n}', 'zh-CN', { n: 1 })).toBe('累计告警 1');
  });

  it('fills plain placeholders next to a plural and keeps a missing count visible', () => {
    const text = 'reset: {n, plural, one {# event} other {# events}} after seq {id}';
    expect(format(text, 'en', { n: 1, id: 7 })).toBe('reset: 1 event after seq 7');
    expect(format(text, 'en', { id: 7 })).toContain('{n, plural,');
  });

  it('says "1 alert", "1 missed message", "1 event/s" in the shipped English strings', () => {
    const t = (d: Record<'en', Record<string, string>>, key: string, vars: Vars) =>
      format(d.en[key] ?? '', 'en', vars);
    expect(t(fleetStrings, 'stats.alerts', { n: 1 })).toBe('1 alert so far');
    expect(t(chatStrings, 'resumedNote', { n: 1 })).toBe('Reconnected: 1 missed message replayed');
    expect(t(httpDemoStrings, 'rateValue', { rate: 1 })).toBe('1 event/s');
    expect(t(httpDemoStrings, 'rateValue', { rate: 5 })).toBe('5 events/s');
  });

  it('leaves no plural syntax unfilled and no bare "(s)" in any English string', () => {
    for (const dict of [chatStrings, fleetStrings, httpDemoStrings, mqttStrings, compareStrings]) {
      for (const value of Object.values<string>(dict.en)) {
        expect(value).not.toMatch(/\w\(s\)/);
        const filled = format(value, 'en', new Proxy({}, { get: () => 3, has: () => true }));
        expect(filled).not.toMatch(/plural,/);
      }
    }
  });
});

describe('numbers', () => {
  it('writes numbers exactly as toLocaleString does in both locales', () => {
    // Magnitudes around every grouping boundary, halves that round either way, and signs.
    const values = [0, -0, 0.5, 1.5, 2.5, -2.5, 0.05, 0.15, 1.005, 999.95, -0.04, 123456789.987];
    for (let e = 0; e <= 12; e++) values.push(10 ** e - 1, 10 ** e, -(10 ** e) + 0.55);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647; // a fixed pseudo-random walk, same on every run
      values.push((seed / 2147483647 - 0.5) * 10 ** (i % 13));
    }
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const digits of [0, 1, 2]) {
        for (const n of values) {
          expect(formatNumber(n, locale, digits), `${n} ${digits}`).toBe(
            n.toLocaleString(locale, { maximumFractionDigits: digits }),
          );
        }
      }
    }
    expect(formatNumber(1234.56, 'en', 1)).toBe('1,234.6');
    expect(formatNumber(Infinity, 'zh-CN')).toBe('∞');
  });
});
