// The attendee side of a workshop, loaded on demand by attendee-boot.ts.
import { mount } from 'svelte';
import AttendeeBar from './AttendeeBar.svelte';
import { AttendeeRoom } from '~/lib/workshop/attendee.svelte.ts';
import { ROOM_WS_PATH } from '~/lib/wire/workshop.ts';

/** Opens the room socket and mounts the banners into `host`. */
export function mountAttendee(host: HTMLElement): void {
  const lang = host.dataset['lang'] ?? 'zh-CN';
  const chapter = host.dataset['chapter'] ?? '';
  let chapters: Record<string, string> = {};
  try {
    chapters = JSON.parse(host.dataset['chapters'] ?? '{}') as Record<string, string>;
  } catch {
    // keep slugs as titles
  }
  const room = new AttendeeRoom({
    url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ROOM_WS_PATH}`,
    open: (url) => new WebSocket(url),
    chapter,
  });
  const prefix = lang.startsWith('en') ? '/en' : '';
  mount(AttendeeBar, {
    target: host,
    props: {
      room,
      lang,
      chapters,
      hrefOf: (slug: string) => `${prefix}/${slug ? `${slug}/` : ''}`,
    },
  });
  room.start();
  watchDemos(room);
}

// Presence "per demo": the demo island that fills most of the viewport (demos mark their root
// with data-testid="<name>-demo").
function watchDemos(room: AttendeeRoom): void {
  const ratios = new Map<Element, number>();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) ratios.set(e.target, e.isIntersecting ? e.intersectionRatio : 0);
      let best: Element | null = null;
      let bestRatio = 0;
      for (const [el, r] of ratios) {
        if (r > bestRatio) {
          best = el;
          bestRatio = r;
        }
      }
      const id = best?.getAttribute('data-testid')?.replace(/-demo$/, '') ?? '';
      room.setDemo(/^[a-z0-9-]{1,40}$/.test(id) ? id : '');
    },
    { threshold: [0, 0.25, 0.5, 0.75, 1] },
  );
  const scan = (): void => {
    for (const el of document.querySelectorAll('[data-testid$="-demo"]')) {
      if (!ratios.has(el)) {
        ratios.set(el, 0);
        observer.observe(el);
      }
    }
  };
  scan();
  // Islands hydrate late and may render their root then.
  setTimeout(scan, 3000);
}
