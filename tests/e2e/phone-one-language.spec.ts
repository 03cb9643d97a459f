import type { Page } from '@playwright/test';
import { CHAPTERS } from '../../src/lib/chapters.ts';
import { ZH_PAGE_LATIN_ALLOWED } from '../helpers/one-language.ts';
import { test, expect } from './fixtures.ts';

// Every page of each locale at phone width (390 × 844): the page never pans sideways, the header's
// controls stay on screen, diagram text is at least 12 px, and what a reader sees or hears (text, accessible names) is in the page's
// language only. One browser context per locale walks all its pages.

const PAGES = ['', ...CHAPTERS];

/** Text a reader meets, outside code; with the accessible names (aria-label, title, alt). */
async function readerText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const skip =
      // Code, the language picker (each language's own name) and cited works' titles (external
      // links: proper names) may be in either script; so may text tagged with its own lang.
      'pre, code, kbd, samp, script, style, template, starlight-lang-select, .expressive-code, a[href^="http"]';
    const out: string[] = [];
    const htmlLang = document.documentElement.lang;
    const otherLang = (el: Element | null) => {
      const tagged = el?.closest('[lang]');
      return tagged ? tagged.getAttribute('lang') !== htmlLang : false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!text || !el || el.closest(skip) || otherLang(el)) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      out.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], img[alt]')) {
      if (el.closest(skip) || otherLang(el)) continue;
      for (const attr of ['aria-label', 'title', 'alt']) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
}

const HAN = /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]/;

/**
 * Words in the other locale's script. English pages: any Han character. zh-CN pages: English
 * prose, that is a lower-case Latin word outside the allow-list (names, acronyms and protocol terms
 * are capitalised or listed; code-like runs with `/ . _ $ = :` and quoted or glossed terms are
 * skipped), and ASCII punctuation right after Chinese text.
 */
function foreign(lang: 'en' | 'zh-CN', texts: string[]): string[] {
  const found = new Set<string>();
  for (const t of texts) {
    if (lang === 'en') {
      if (HAN.test(t)) found.add(t.slice(0, 60));
      continue;
    }
    if (/[\u4e00-\u9fff][:;,?!]/.test(t)) found.add(`ASCII punctuation in “${t.slice(0, 30)}”`);
    // Quoted titles, quoted error messages and glossed English terms (“…”, 《…》, （…）) are citations.
    const prose = t.replace(/“[^”]*”|《[^》]*》|（[^）]*）/g, ' ');
    for (const [run] of prose.matchAll(/[\x21-\x7e]+/g)) {
      // Topics, paths, JSON, opcodes: code shown in a diagram or a table cell.
      if (/[/_$={}"#+<>]|[A-Za-z0-9][.:][A-Za-z0-9]|^0x/.test(run)) continue;
      for (const [word] of run.matchAll(/[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*/g)) {
        if (word.length < 2 || !/^[a-z]/.test(word)) continue;
        if (!ZH_PAGE_LATIN_ALLOWED.has(word)) found.add(word);
      }
    }
  }
  return [...found].sort();
}

/** Rendered size (px) of every diagram text smaller than 12 px: font size × the SVG's scale. */
async function smallDiagramText(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGTextElement>('figure svg text')].flatMap((t) => {
      const scale = t.getScreenCTM()?.a ?? 1;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      return px < 12 ? [`“${t.textContent?.trim().slice(0, 20)}” ${px.toFixed(1)} px`] : [];
    }),
  );
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

for (const { prefix, lang } of [
  { prefix: '', lang: 'zh-CN' as const },
  { prefix: '/en', lang: 'en' as const },
]) {
  test.describe(`${lang} at 390 px`, () => {
    test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

    test(`every page fits the phone, keeps its header controls and speaks ${lang} only`, async ({
      page,
    }) => {
      test.setTimeout(PAGES.length * 15_000);
      const failures: string[] = [];
      for (const slug of PAGES) {
        const path = `${prefix}/${slug ? `${slug}/` : ''}`;
        await page.goto(path);
        const over = await horizontalOverflow(page);
        if (over > 0) failures.push(`${path}: page is ${over} px wider than the screen`);
        // Search, and either the menu (chapters) or the language and theme pickers (home).
        const controls = ['site-search button[data-open-modal]'];
        controls.push(slug ? 'button.sl-menu-button' : 'header starlight-lang-select select');
        if (!slug) controls.push('header starlight-theme-select select');
        for (const sel of controls) {
          const control = page.locator(sel).locator('visible=true').first();
          const visible = (await control.count()) > 0 && (await control.isVisible());
          const box = visible ? await control.boundingBox() : null;
          if (!visible || !box || box.x < 0 || box.x + box.width > 390)
            failures.push(`${path}: header control ${sel} is not on screen`);
        }
        const small = await smallDiagramText(page);
        if (small.length) failures.push(`${path}: diagram text under 12 px: ${small.join(', ')}`);
        const bad = foreign(lang, await readerText(page));
        if (bad.length) failures.push(`${path}: other-language text: ${bad.join(' | ')}`);
      }
      expect(failures).toEqual([]);
    });
  });
}
