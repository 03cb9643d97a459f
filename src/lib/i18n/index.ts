/** The site's two locales: zh-CN at the root, English under /en/. */
export type Locale = 'zh-CN' | 'en';

/** A dictionary of UI strings for one island set, with the same keys in every locale. */
export type Dictionary<K extends string> = Record<Locale, Record<K, string>>;

/** Maps an HTML `lang` (or a route prefix) to one of the site's locales; zh-CN is the default. */
export function toLocale(lang: string | null | undefined): Locale {
  return lang?.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** Returns a lookup for one locale that fills `{name}` placeholders from `vars`. */
export function translator<K extends string>(dict: Dictionary<K>, locale: Locale) {
  const table = dict[locale];
  return (key: K, vars?: Record<string, string | number>): string =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      vars && name in vars ? String(vars[name]) : whole,
    );
}
