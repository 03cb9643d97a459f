// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';
import { unified } from '@astrojs/markdown-remark';
import { remarkHeadingIds } from './src/lib/markdown/remark-heading-ids.ts';
import { rehypeFocusableTables } from './src/lib/markdown/rehype-focusable-tables.ts';
import { remarkAsideTitles } from './src/lib/markdown/remark-aside-titles.ts';
import { rehypeAnchorLabels } from './src/lib/markdown/rehype-anchor-labels.ts';
import { contentLocale } from './src/lib/markdown/content-locale.ts';
import { CHAPTERS } from './src/lib/chapters.ts';
import { precompress } from './scripts/precompress.ts';

// `npm run dev` runs the companion server on this port and Astro proxies to it.
const apiPort = Number(process.env.LAB_API_PORT ?? 4322);
const api = `http://127.0.0.1:${apiPort}`;

/**
 * Starlight appends its heading-link plugin to the Markdown pipeline in its own setup hook; an
 * integration listed after it appends ours behind it, to relabel the links in the page's language.
 * @returns {import('astro').AstroIntegration}
 */
function anchorLabelsAfterStarlight() {
  return {
    name: 'realtime-lab:anchor-labels',
    hooks: {
      'astro:config:setup': ({ config }) => {
        const processor = /** @type {{ options?: { rehypePlugins?: unknown[] } }} */ (
          config.markdown.processor
        );
        processor.options?.rehypePlugins?.push(rehypeAnchorLabels);
      },
    },
  };
}

export default defineConfig({
  site: 'http://localhost:4321',
  trailingSlash: 'ignore',
  // Starlight turns on prefetching of every link (about 1.1 KiB of script on every page, plus
  // listeners on each link at load); the pages are small and served from the trainer's laptop or
  // loopback, so a click loads fast enough without it, and demo pages keep within their budget.
  prefetch: false,
  // Headings may carry a fixed anchor shared by both locales (see remark-heading-ids.ts).
  markdown: {
    processor: unified({
      // remarkAsideTitles runs before Starlight's asides (it fills in the title they use).
      remarkPlugins: [remarkHeadingIds, remarkAsideTitles],
      rehypePlugins: [rehypeFocusableTables],
    }),
  },
  integrations: [
    starlight({
      title: { 'zh-CN': '实时通信实验室', en: 'Realtime Lab' },
      description: 'Short polling, long polling, SSE, WebSocket and MQTT, shown by live demos.',
      defaultLocale: 'root',
      locales: {
        root: { label: '简体中文', lang: 'zh-CN' },
        en: { label: 'English', lang: 'en' },
      },
      // Chapters live in the top-level content/ folder, not src/content/.
      markdown: { processedDirs: ['./content/docs/'] },
      // Starlight reads a chapter's language from a src/content/docs/ path, which ours lack.
      expressiveCode: {
        getBlockLocale: ({ file }) => contentLocale(file.path),
        // Long lines wrap (keeping their indent) instead of scrolling sideways: easier to read on a
        // phone, and the block needs no focusable scroll region. That matters because off-screen
        // blocks skip layout (content-visibility in lab.css) and Expressive Code's script, which
        // makes an overflowing block focusable, only measures a block once it has been laid out.
        // Plain-text blocks are packet dumps in aligned columns: they keep scrolling, and lab.css
        // leaves them out of the skipping.
        defaultProps: { wrap: true, overridesByLang: { text: { wrap: false } } },
      },
      sidebar: [
        {
          label: 'Course',
          translations: { 'zh-CN': '课程' },
          items: CHAPTERS.map((slug) => slug),
        },
      ],
      customCss: ['./src/styles/lab.css'],
      // Header: the theme and language pickers on a phone's home page. Footer: the hook that loads
      // workshop mode's banners while a trainer is active. TableOfContents, MobileTableOfContents:
      // mark the section being read by watching the headings only. Search: builds the Pagefind UI when the
      // reader first opens search, not at idle on every page load.
      components: {
        Header: './src/components/overrides/Header.astro',
        Footer: './src/components/overrides/Footer.astro',
        Search: './src/components/overrides/Search.astro',
        TableOfContents: './src/components/overrides/TableOfContents.astro',
        MobileTableOfContents: './src/components/overrides/MobileTableOfContents.astro',
      },
      lastUpdated: false,
      pagination: true,
    }),
    svelte(),
    anchorLabelsAfterStarlight(),
    precompress(),
  ],
  vite: {
    server: {
      proxy: {
        '/api': { target: api, changeOrigin: false },
        '/mqtt': { target: api, ws: true },
        '/ws/': { target: api, ws: true },
      },
    },
  },
});
