/** The site's two locales: zh-CN at the root, English under /en/. */
export type Locale = 'zh-CN' | 'en';

/** One locale's UI strings for one island set. */
export type Strings<K extends string> = Record<K, string>;

/** A dictionary of UI strings for one island set, with the same keys in every locale. */
export type Dictionary<K extends string> = Record<Locale, Strings<K>>;

/** The keys of a dictionary, for typing an island's `strings` prop. */
export type KeyOf<D> = D extends Dictionary<infer K> ? K : never;

/** The value passed for `{name}` placeholders. */
export type Vars = Record<string, string | number>;

/** A lookup of one locale's strings that fills placeholders. */
export type Translate<K extends string> = (key: K, vars?: Vars) => string;

/** Maps an HTML `lang` (or a route prefix) to one of the site's locales; zh-CN is the default. */
export function toLocale(lang: string | null | undefined): Locale {
  return lang?.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/**
 * The locale of the page an island sits on, from `Astro.currentLocale` (Starlight's locales set
 * Astro's i18n routing: `en` under /en/, the root locale otherwise).
 */
export function pageLocale(currentLocale: string | undefined): Locale {
  return toLocale(currentLocale);
}

// `{count, plural, one {# alert} other {# alerts}}`: the subset of ICU MessageFormat the site needs.
// The branch is chosen by Intl.PluralRules for the locale; `#` becomes the number.
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other) \{[^{}]*\})+)\s*\}/g;
const BRANCH = /(=\d+|zero|one|two|few|many|other) \{([^{}]*)\}/g;
const PLACEHOLDER = /\{(\w+)\}/g;

// Islands format many strings while they hydrate: one PluralRules per locale, built on first use.
const pluralRules = new Map<Locale, Intl.PluralRules>();

/** Fills `{name}` placeholders and `{name, plural, …}` choices in one string. */
export function format(text: string, locale: Locale, vars?: Vars): string {
  const rules = (): Intl.PluralRules => {
    let r = pluralRules.get(locale);
    if (!r) pluralRules.set(locale, (r = new Intl.PluralRules(locale)));
    return r;
  };
  const chosen = text.replace(PLURAL, (whole, name: string, body: string) => {
    const value = vars?.[name];
    if (value === undefined) return whole;
    const n = Number(value);
    const branches = new Map<string, string>();
    for (const m of body.matchAll(BRANCH)) branches.set(m[1] ?? '', m[2] ?? '');
    const branch =
      branches.get(`=${n}`) ?? branches.get(rules().select(n)) ?? branches.get('other');
    return branch === undefined ? whole : branch.replaceAll('#', String(value));
  });
  return chosen.replace(PLACEHOLDER, (whole, name: string) =>
    vars && name in vars ? String(vars[name]) : whole,
  );
}

/** Returns a lookup over one locale's strings (what an island receives from its page). */
export function translate<K extends string>(table: Strings<K>, locale: Locale): Translate<K> {
  return (key, vars) => format(table[key], locale, vars);
}

/** Returns a lookup for one locale of a whole dictionary (server-side and tests). */
export function translator<K extends string>(dict: Dictionary<K>, locale: Locale): Translate<K> {
  return translate(dict[locale], locale);
}

/** The colon between a label and its value: full-width in Chinese, `: ` in English. */
export function colon(locale: Locale): string {
  return locale === 'en' ? ': ' : '：';
}
