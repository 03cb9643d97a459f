import { describe, expect, it } from 'vitest';
import { LIST_MAX, listView } from '../../../src/lib/fleet/vehicle-list.ts';
import type { ListedVehicle } from '../../../src/lib/fleet/fleet-dashboard.svelte.ts';

const fleet = (n: number): ListedVehicle[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, state: 'idle', online: true }));

describe('the vehicle list', () => {
  it('finds vehicles by a part of their number', () => {
    const v = listView(fleet(30), ' 2 ');
    expect(v.shown.map((x) => x.id)).toEqual([2, 12, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(v.note).toBeNull();
  });

  it('says that a search found nothing, also while the fleet is empty', () => {
    expect(listView(fleet(30), '99').note).toBe('noMatch');
    expect(listView([], '5').note).toBe('noMatch');
    expect(listView([], '').note).toBe('empty');
  });

  it('shows at most LIST_MAX rows and says how many there are', () => {
    const v = listView(fleet(250), '');
    expect(v.shown).toHaveLength(LIST_MAX);
    expect(v).toMatchObject({ total: 250, note: 'more' });
  });
});
