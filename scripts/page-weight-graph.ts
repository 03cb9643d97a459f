// The module graph walk behind scripts/page-weight.ts, on file contents given as a function, so a
// unit test can run it on a few strings instead of a build.

/** Reads a built file by its path under dist (`/_astro/x.js`), or undefined when it is absent. */
export type ReadFile = (file: string) => string | undefined;

/** What a page makes the browser run: eager modules, inline scripts, and its lazy chunks. */
export interface PageScripts {
  /** Modules fetched before any lazy import: entry scripts, islands, their static imports. */
  eager: Set<string>;
  /** Inline `<script>` bodies (Astro's island loader among them). */
  inline: string[];
  /** Each lazily imported chunk with the modules it pulls in that the page does not have yet. */
  lazy: Map<string, Set<string>>;
  /** True when the page hydrates at least one island (a demo page). */
  hasIslands: boolean;
}

// Minified static imports: `import"./a.js"`, `import{x}from"./b.js"`, `export*from"./c.js"`.
// A dynamic `import(` has a parenthesis between the keyword and the string, so it never matches.
const STATIC = /(?:\bfrom\s*|\bimport\s*)(["'`])([^"'`\s]+\.js)\1/g;
const DYNAMIC = /\bimport\s*\(\s*(["'`])([^"'`\s]+\.js)\1\s*\)/g;

/** Resolves an import specifier against the importing file (both site paths). */
export function resolveSpecifier(from: string, spec: string): string {
  return new URL(spec, `http://site${from}`).pathname;
}

/** The files a module imports statically. */
export function staticImports(file: string, code: string): string[] {
  return [...code.matchAll(STATIC)].map((m) => resolveSpecifier(file, m[2]!));
}

/** The files a module imports with `import()`. */
export function dynamicImports(file: string, code: string): string[] {
  return [...code.matchAll(DYNAMIC)].map((m) => resolveSpecifier(file, m[2]!));
}

/** Every module reachable from `entries` by static imports, skipping files already in `have`. */
export function staticClosure(
  entries: Iterable<string>,
  read: ReadFile,
  have: ReadonlySet<string> = new Set(),
): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  for (let file = stack.pop(); file !== undefined; file = stack.pop()) {
    if (seen.has(file) || have.has(file)) continue;
    const code = read(file);
    if (code === undefined) continue;
    seen.add(file);
    stack.push(...staticImports(file, code));
  }
  return seen;
}

/** Site paths of the scripts an HTML page loads up front, and its inline scripts. */
export function pageEntries(html: string): {
  entries: string[];
  inline: string[];
  islands: number;
} {
  const attr = (re: RegExp) =>
    [...html.matchAll(re)].map((m) => m[1]!).filter((u) => u.startsWith('/'));
  const entries = [
    ...attr(/<script[^>]*\bsrc="([^"]+)"/g),
    // Astro islands load their component, their framework renderer and any pre-hydration script.
    ...attr(/\b(?:component-url|renderer-url|before-hydration-url)="([^"]+)"/g),
  ];
  // Inline scripts, leaving out data blocks such as `type="application/ld+json"`.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\btype="(?!module"|text\/javascript")/.test(m[1]!))
    .map((m) => m[2]!)
    .filter((s) => s.trim() !== '');
  const islands = [...html.matchAll(/<astro-island\b/g)].length;
  return { entries, inline, islands };
}

/** The scripts of one page: what it loads before any lazy chunk, and what each lazy chunk adds. */
export function pageScripts(html: string, read: ReadFile): PageScripts {
  const { entries, inline, islands } = pageEntries(html);
  const eager = staticClosure(entries, read);
  const lazy = new Map<string, Set<string>>();
  const pending = [...eager];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const chunk of dynamicImports(file, read(file) ?? '')) {
      if (eager.has(chunk) || lazy.has(chunk) || read(chunk) === undefined) continue;
      const added = staticClosure([chunk], read, eager);
      lazy.set(chunk, added);
      // A lazy chunk may itself import lazily (Chart.js parts behind a chart component).
      pending.push(...added);
    }
  }
  return { eager, inline, lazy, hasIslands: islands > 0 };
}
