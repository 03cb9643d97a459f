// A small port between state classes and the page address, so that state classes stay testable
// without a browser: tests pass a fake, islands pass `historyPort(window)`.

/** Reads and writes the query string of the page address. */
export interface UrlPort {
  /** The current query string, with or without the leading `?`. */
  read(): string;
  /** Replaces the query string; `push` adds a history entry (Back undoes it), `replace` does not. */
  write(search: string, mode: 'push' | 'replace'): void;
}

/** A port onto a window's location and history; the hash (section anchor) is kept. */
export function historyPort(win: Pick<Window, 'location' | 'history'>): UrlPort {
  return {
    read: () => win.location.search,
    write(search, mode) {
      const url = `${win.location.pathname}${search ? `?${search}` : ''}${win.location.hash}`;
      if (`?${search}` === win.location.search || (!search && !win.location.search)) return;
      if (mode === 'push') win.history.pushState(null, '', url);
      else win.history.replaceState(null, '', url);
    },
  };
}
