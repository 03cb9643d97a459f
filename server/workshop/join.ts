// The "join" panel of the trainer page: every LAN URL the banner prints, each with its QR code.
import QRCode from 'qrcode';
import type { JoinUrl } from '../../src/lib/wire/workshop.ts';

/** Builds (and remembers) the QR code of each URL; the set of URLs hardly ever changes. */
export class JoinCodes {
  readonly #cache = new Map<string, Promise<string>>();

  /** The URLs with their QR codes as SVG documents. */
  async codes(urls: readonly string[]): Promise<JoinUrl[]> {
    return Promise.all(urls.map(async (url) => ({ url, svg: await this.#svg(url) })));
  }

  #svg(url: string): Promise<string> {
    let svg = this.#cache.get(url);
    if (!svg) {
      // Level M survives a smudged or glare-washed projector image (15 % of the code) while the
      // modules stay large enough to scan from the back of a room.
      svg = QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      if (this.#cache.size > 32) this.#cache.clear();
      this.#cache.set(url, svg);
    }
    return svg;
  }
}

/** Adds the page path (`/` or `/en/`) to each of the lab's base URLs. */
export function withPath(bases: readonly string[], path: string): string[] {
  return bases.map((base) => new URL(path, base).toString());
}
