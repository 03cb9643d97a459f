// Numbers in the page's locale, apart from index.ts so that only the islands that write numbers
// load it (every island loads index.ts).
import type { Locale } from './index.ts';

/**
 * `n` with at most `digits` decimals, as `n.toLocaleString(locale, { maximumFractionDigits })`
 * writes it. Both locales write Latin digits, a comma between groups of three and a dot before
 * the decimals, so no Intl.NumberFormat is needed: the first one a page builds costs a phone's CPU
 * about 100 ms (ICU sets up number formatting), in the middle of hydrating an island.
 */
export function formatNumber(n: number, locale: Locale, digits = 0): string {
  // The shortest decimal that reads back as n ("0.15", not 0.1499…), which is what Intl rounds.
  const shortest = String(Math.abs(n));
  if (!Number.isFinite(n) || shortest.includes('e')) {
    return n.toLocaleString(locale, { maximumFractionDigits: digits });
  }
  let [whole = '', fraction = ''] = shortest.split('.');
  if (fraction.length > digits) {
    // Half away from zero on the decimal digits, as Intl's default "halfExpand".
    let units = BigInt(whole + fraction.slice(0, digits));
    if ((fraction[digits] ?? '0') >= '5') units += BigInt(1);
    const all = units.toString().padStart(digits + 1, '0');
    whole = all.slice(0, all.length - digits);
    fraction = all.slice(all.length - digits);
  }
  const decimals = fraction.replace(/0+$/, '');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = decimals ? `${grouped}.${decimals}` : grouped;
  return n < 0 || Object.is(n, -0) ? `-${text}` : text;
}
