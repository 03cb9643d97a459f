import { describe, expect, it } from 'vitest';
import { format, toLocale, translator, type Vars } from '../../../src/lib/i18n/index.ts';
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
