import { CHAPTERS } from '../../src/lib/chapters.ts';
import { test, expect } from './fixtures.ts';

// The unit tests check links against the MDX sources; this checks them in the built site, where
// a heading id only exists if the anchor plugin really applied it.
const locales = [
  { prefix: '', lang: 'zh-CN' },
  { prefix: '/en', lang: 'en' },
];
const pages = new Map<string, Promise<string>>();

for (const { prefix, lang } of locales) {
  test.describe(`links in the built ${lang} chapters`, () => {
    for (const slug of CHAPTERS) {
      const path = `${prefix}/${slug}/`;
      test(`${path}: every internal link reaches a page and, with a #fragment, an element`, async ({
        page,
        request,
      }) => {
        await page.goto(path);
        const hrefs = await page
          .locator('main a[href]')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        const internal = [...new Set(hrefs.filter((h) => h.startsWith('/') || h.startsWith('#')))];
        expect(internal.length).toBeGreaterThan(0);

        const broken: string[] = [];
        for (const href of internal) {
          const [target = '', fragment] = href.split('#');
          const url = target === '' ? path : target;
          let html = pages.get(url);
          if (!html) {
            html = request.get(url).then(async (res) => (res.ok() ? res.text() : ''));
            pages.set(url, html);
          }
          const body = await html;
          if (!body) broken.push(`${href} (page does not load)`);
          else if (fragment && !body.includes(`id="${fragment}"`)) {
            broken.push(`${href} (no element with id "${fragment}")`);
          }
        }
        expect(broken).toEqual([]);
      });
    }
  });
}
