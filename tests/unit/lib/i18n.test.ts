import { describe, expect, it } from 'vitest';
import { toLocale, translator } from '../../../src/lib/i18n/index.ts';
import { statusStrings } from '../../../src/lib/i18n/status.ts';

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
