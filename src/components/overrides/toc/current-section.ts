// The "on this page" lists mark the section being read. Starlight's own element finds it by
// matching every element of the chapter against `:has()` selectors (twice per page: the phone
// list and the hidden desktop one), a 60-220 ms long task per list right after load on the
// longer chapters (issue 17). Here only the headings the list links to are watched, by an
// IntersectionObserver, which reports their positions without forcing a layout.

/** Runs `work` once the browser is idle (or soon, where there is no requestIdleCallback). */
function whenIdle(work: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 2000 });
  else setTimeout(work, 200);
}

/** A table of contents that marks the link of the section at the top of the viewport. */
export class SectionTracker extends HTMLElement {
  #links: HTMLAnchorElement[] = [];
  #above = new Set<Element>();
  #targets: Element[] = [];
  #observer: IntersectionObserver | undefined;
  #current: HTMLAnchorElement | undefined;
  #resizeTimer: ReturnType<typeof setTimeout> | undefined;

  connectedCallback(): void {
    whenIdle(() => this.#start());
  }

  disconnectedCallback(): void {
    this.#observer?.disconnect();
    window.removeEventListener('resize', this.#onResize);
  }

  /** Called with the newly current link; subclasses show it elsewhere too. */
  protected onCurrent(link: HTMLAnchorElement): void {
    void link;
  }

  #start(): void {
    if (!this.isConnected) return;
    this.#links = [...this.querySelectorAll<HTMLAnchorElement>('a[href^="#"]')];
    this.#targets = [];
    for (const link of this.#links) {
      const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (target) this.#targets.push(target);
    }
    this.#observe();
    window.addEventListener('resize', this.#onResize);
  }

  /** Watches a line just below the sticky header(s): a heading above it has been scrolled past. */
  #observe(): void {
    this.#observer?.disconnect();
    this.#above.clear();
    // Read once the page is idle, when layout is already up to date, so this forces no layout.
    const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
    const summary = document.querySelector('#starlight__mobile-toc summary');
    const line = Math.round(header + (summary?.getBoundingClientRect().height ?? 0) + 32);
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          // A heading straddling the line (where a jump to it lands) counts as passed.
          if (entry.boundingClientRect.top < (entry.rootBounds?.top ?? line))
            this.#above.add(entry.target);
          else this.#above.delete(entry.target);
        }
        this.#mark();
      },
      // Threshold 1 reports a heading's top crossing the line even while its bottom is below it.
      { rootMargin: `-${line}px 0px 0px 0px`, threshold: [0, 1] },
    );
    for (const target of this.#targets) this.#observer.observe(this.#headingOf(target));
  }

  /** Starlight wraps a heading and its anchor link; the wrapper is what moves. */
  #headingOf(target: Element): Element {
    const wrapper = target.parentElement;
    return wrapper?.classList.contains('sl-heading-wrapper') ? wrapper : target;
  }

  /** The last heading (in page order) that is above the line; the first link when none is. */
  #mark(): void {
    let index = 0;
    this.#targets.forEach((target, i) => {
      if (this.#above.has(this.#headingOf(target))) index = i;
    });
    const target = this.#targets[index];
    const link = target && this.#links.find((a) => a.hash === `#${encodeURIComponent(target.id)}`);
    if (!link || link === this.#current) return;
    this.#current?.removeAttribute('aria-current');
    link.setAttribute('aria-current', 'true');
    this.#current = link;
    this.onCurrent(link);
  }

  #onResize = (): void => {
    clearTimeout(this.#resizeTimer);
    this.#resizeTimer = setTimeout(() => whenIdle(() => this.#observe()), 200);
  };
}
