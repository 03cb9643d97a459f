// What the keyboard-reachable vehicle list shows for a search.
import type { ListedVehicle } from './fleet-dashboard.svelte.ts';

/** The most rows the list renders; a search narrows it. */
export const LIST_MAX = 100;

/** The rows to show, and the one line said about them (null: nothing to say). */
export interface ListView {
  shown: ListedVehicle[];
  total: number;
  note: 'noMatch' | 'empty' | 'more' | null;
}

/** Filters by vehicle number (a substring of it) and says why the list is short or empty. */
export function listView(list: readonly ListedVehicle[], query: string): ListView {
  const q = query.trim();
  const matching = q ? list.filter((v) => String(v.id).includes(q)) : list;
  const note =
    matching.length > LIST_MAX
      ? 'more'
      : matching.length > 0
        ? null
        : // A search that finds nothing says so, also while the fleet itself is empty.
          q
          ? 'noMatch'
          : 'empty';
  return { shown: matching.slice(0, LIST_MAX), total: matching.length, note };
}
