import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { i18nLoader } from '@astrojs/starlight/loaders';
import { rowSchema } from './lib/compare/row-schema.ts';

export const collections = {
  // Chapters live in the top-level content/docs/ folder (see DEVELOPERS.md: the rooms).
  docs: defineCollection({
    loader: glob({ base: './content/docs', pattern: '**/[^_]*.{md,mdx}' }),
    schema: docsSchema(),
  }),
  // Starlight UI strings its own sets lack: zh-CN has no Pagefind strings, and en has no code-block
  // strings, so they would fall back to the default locale (src/content/i18n/*.json).
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
  // The comparison table's rows, one YAML file per row next to the chapters; the id is the file name.
  compare: defineCollection({
    loader: glob({ base: './content/compare', pattern: '*.yaml' }),
    schema: rowSchema,
  }),
};
