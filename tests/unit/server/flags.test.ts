import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../server/config.ts';
import { OptionError, wholeNumber } from '../../../server/flags.ts';
import { RaceCliError, parseRaceArgs } from '../../../scripts/race/options.ts';

describe('one flag parser for the lab and the race', () => {
  it('refuses what is not a whole number in digits, and out-of-range ones, in the same words', () => {
    for (const raw of ['12abc', '1e3', '0x10', '-1', '1.5', ' ', '']) {
      expect(() => wholeNumber(raw, '--n', 0, 9999), raw).toThrow(
        `--n must be a whole number from 0 to 9999, got "${raw}"`,
      );
    }
    expect(() => wholeNumber('10000', '--n', 0, 9999)).toThrow(OptionError);
    expect(wholeNumber(' 0042 ', '--n', 0, 9999)).toBe(42);
  });

  it('the lab and the race throw the same error, worded the same', () => {
    expect(ConfigError).toBe(RaceCliError);
    const lab = (): unknown => parseConfig(['--bogus'], {});
    const race = (): unknown => parseRaceArgs(['--bogus']);
    expect(lab).toThrow(/^Unknown option '--bogus'\. Run "npm start -- --help"/);
    expect(race).toThrow(/^Unknown option '--bogus'\. Run "npm run race -- --help"/);
    expect(() => parseConfig(['--allow-origin', 'ftp://x'], {})).toThrow(
      '--allow-origin must be an http:// or https:// URL, got "ftp://x"',
    );
    expect(() => parseRaceArgs(['--url', 'ftp://x'])).toThrow(
      '--url must be an http:// or https:// URL, got "ftp://x"',
    );
    expect(() => parseRaceArgs(['--clients', '2x'])).toThrow(
      '--clients must be a whole number from 1 to 200, got "2x"',
    );
  });
});
