// Starlight's virtual modules that our component overrides read; Starlight declares them only
// for its own files.
declare module 'virtual:starlight/pagefind-config' {
  /** The `pagefind` options given to starlight() in astro.config.mjs (an empty object if none). */
  export const pagefindUserConfig: Record<string, unknown>;
}
