import { describe, expect, it } from 'vitest';
import {
  closeCodeRange,
  closeCodeSender,
  namedCloseCode,
  reasonFits,
  scriptMayClose,
} from '../../../src/lib/ws-inspect/close-codes.ts';

describe('close codes', () => {
  it('lets script use exactly 1000 and 3000-4999, over every 16-bit value', () => {
    const allowed: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (scriptMayClose(code)) allowed.push(code);
    expect(allowed.length).toBe(1 + 2000);
    expect(allowed[0]).toBe(1000);
    expect(allowed[1]).toBe(3000);
    expect(allowed.at(-1)).toBe(4999);
    for (const bad of [1000.5, NaN, -1000, 1001, 2999, 5000])
      expect(scriptMayClose(bad)).toBe(false);
  });

  it('says who may send each code, consistently with the ranges', () => {
    const counts = { script: 0, endpoint: 0, never: 0, invalid: 0 };
    const inconsistent: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const who = closeCodeSender(code);
      counts[who]++;
      // A script's code is one anyone may send; 'invalid' is exactly outside 1000-4999.
      if ((who === 'script') !== scriptMayClose(code)) inconsistent.push(code);
      if ((who === 'invalid') !== (closeCodeRange(code) === 'invalid')) inconsistent.push(code);
    }
    expect(inconsistent).toEqual([]);
    // 1000-4999 holds 4,000 codes: 2,001 for script, 3 reported only, 1,996 for endpoints.
    expect(counts).toEqual({ script: 2001, endpoint: 1996, never: 3, invalid: 0x10000 - 4000 });
    expect([1005, 1006, 1015].map(closeCodeSender)).toEqual(['never', 'never', 'never']);
    expect([1001, 1009, 1011, 1012].map(closeCodeSender)).toEqual(Array(4).fill('endpoint'));
  });

  it('names the ranges of RFC 6455 §7.4.2', () => {
    expect([999, 1000, 2999, 3000, 3999, 4000, 4999, 5000].map(closeCodeRange)).toEqual([
      'invalid',
      'protocol',
      'protocol',
      'registered',
      'registered',
      'private',
      'private',
      'invalid',
    ]);
    expect(namedCloseCode(1009)).toBe(1009);
    expect(namedCloseCode(4001)).toBeNull();
  });

  it('allows a reason of 123 UTF-8 bytes, not 124', () => {
    expect(reasonFits('x'.repeat(123))).toBe(true);
    expect(reasonFits('x'.repeat(124))).toBe(false);
    expect(reasonFits('令'.repeat(41))).toBe(true); // 123 bytes
    expect(reasonFits('令'.repeat(42))).toBe(false); // 126 bytes
  });
});
