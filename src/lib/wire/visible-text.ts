// Text that people show to each other (nicks, chat lines) must be what it looks like: no invisible
// nicks, no two nicks that look the same, no text that reorders itself on screen. The rules follow
// Unicode UTS #39 (security mechanisms) in a reduced form: a mixed-script check and a skeleton for
// the Latin, Cyrillic and Greek look-alikes, which is where almost all confusable nicks come from.

// Code points that render as nothing (or as blank space) but are letters or symbols, so \p{C}
// does not catch them: Hangul fillers, the blank Braille pattern, and friends.
const BLANK_LETTERS = /\u115F|\u1160|\u3164|\uFFA0|\u2800|\u180E|\u17B4|\u17B5/u;

// UAX #9 explicit directional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI,
// RLI, FSI, PDI): they make text display in another order than it was typed.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;

// A nick: no control, format, private-use or unassigned code points, no separators but the ASCII
// space, no blank letters.
const NICK_FORBIDDEN = /[\p{C}\p{Zl}\p{Zp}]|[\p{Zs}--\x20]/v;

// Something a reader sees: a letter, digit, punctuation or symbol that is not a blank letter.
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Why `nick` (already in NFKC) cannot be a nick, or null when it can. */
export function nickProblem(nick: string): string | null {
  if (NICK_FORBIDDEN.test(nick) || BLANK_LETTERS.test(nick)) {
    return 'nick must be printable characters (no invisible or control characters)';
  }
  if (/^\p{M}/u.test(nick.trimStart()) || !VISIBLE.test(nick)) {
    return 'nick must start with a visible character';
  }
  if (/[\p{sc=Latin}]/u.test(nick) && /[\p{sc=Cyrillic}\p{sc=Greek}]/u.test(nick)) {
    // UTS #39 §5.2: Latin mixed with Cyrillic or Greek is how "аdmin" passes for "admin".
    return 'nick must not mix Latin with Cyrillic or Greek letters';
  }
  return null;
}

/** Why `text` cannot be a chat message, or null when it can. */
export function textProblem(text: string): string | null {
  if (BIDI_CONTROLS.test(text)) return 'text must not contain bidirectional override characters';
  // C0/C1 controls (NUL among them) other than tab and line feed.
  if (/[\p{Cc}--[\t\n]]/v.test(text)) return 'text must not contain control characters';
  const seen = text.replace(/[\p{Cf}\p{M}\s]/gu, '').replace(new RegExp(BLANK_LETTERS, 'gu'), '');
  if (!VISIBLE.test(seen)) return 'text must contain visible characters';
  return null;
}

// Look-alikes of Latin letters in Cyrillic and Greek, after lower-casing (so each entry also
// covers its capital, which is usually the closer look-alike), and the letters and digits that
// pass for each other once case is folded: l, I, i, 1 and 0, o. A reduced UTS #39 confusables.txt:
// add pairs here when a new one turns up.
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  х: 'x',
  у: 'y',
  ү: 'y',
  і: 'l',
  ї: 'l',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  ζ: 'z',
  η: 'h',
  ι: 'l',
  κ: 'k',
  μ: 'm',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'y',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
  // Latin and digits
  i: 'l',
  ı: 'l',
  '1': 'l',
  '|': 'l',
  '0': 'o',
};

/**
 * The form two nicks are compared in: NFKC (full-width and styled letters become plain ones),
 * case folded, look-alikes mapped to one letter, accents and spaces dropped. "Admin", "аdmin"
 * (Cyrillic а), "ＡＤＭＩＮ" and "adm1n" all give "admln".
 */
export function nickSkeleton(nick: string): string {
  const folded = nick.normalize('NFKC').toLowerCase();
  return [...folded]
    .map((c) => LOOK_ALIKES[c] ?? c)
    .join('')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, '')
    .replace(/rn/g, 'm');
}
