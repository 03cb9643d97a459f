// The read governor's scheduling, on an injected clock and event loop: who runs in which turn.
import { describe, expect, it } from 'vitest';
import { ReadGovernor } from '../../../../server/broker/read-governor.ts';

/** A fake event loop: `later` callbacks run when the test calls `turn()`; each resume costs `cost` ms. */
function loop() {
  let clock = 0;
  let pending: (() => void)[] = [];
  return {
    timers: { now: () => clock, later: (fn: () => void) => void pending.push(fn) },
    spend(ms: number) {
      clock += ms;
    },
    turn() {
      const run = pending;
      pending = [];
      for (const fn of run) fn();
      return run.length;
    },
  };
}

describe('ReadGovernor', () => {
  it('resumes held connections oldest first, one turn later, never in the turn that held them', () => {
    const l = loop();
    const g = new ReadGovernor(64, 8, l.timers);
    const ran: string[] = [];
    g.hold(() => ran.push('a'));
    g.hold(() => ran.push('b'));
    expect(ran).toEqual([]);
    expect(g.waiting).toBe(2);
    expect(l.turn()).toBe(1);
    expect(ran).toEqual(['a', 'b']);
    expect(g.waiting).toBe(0);
    expect(g.yields).toBe(2);
  });

  it('stops a turn once its budget is spent; the rest keep their place for the next turn', () => {
    const l = loop();
    const g = new ReadGovernor(64, 8, l.timers);
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) {
      g.hold(() => {
        ran.push(i);
        l.spend(3);
      });
    }
    l.turn();
    // 3 + 3 = 6 ms < 8, the third reaches 9 ms: three ran.
    expect(ran).toEqual([0, 1, 2]);
    expect(g.waiting).toBe(2);
    l.turn();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(l.turn()).toBe(0);
  });

  it('puts a connection that yields again behind everyone already waiting', () => {
    const l = loop();
    const g = new ReadGovernor(64, 100, l.timers);
    const ran: string[] = [];
    let again = 2;
    const greedy = () => {
      ran.push('greedy');
      if (again-- > 0) g.hold(greedy);
    };
    g.hold(greedy);
    g.hold(() => ran.push('light'));
    l.turn();
    // The greedy one was held again while serving: it waits for the next turn.
    expect(ran).toEqual(['greedy', 'light']);
    l.turn();
    l.turn();
    expect(ran).toEqual(['greedy', 'light', 'greedy', 'greedy']);
    expect(g.waiting).toBe(0);
  });

  it('forgets everyone on close', () => {
    const l = loop();
    const g = new ReadGovernor(64, 8, l.timers);
    let ran = false;
    g.hold(() => (ran = true));
    g.close();
    l.turn();
    expect(ran).toBe(false);
    expect(g.waiting).toBe(0);
  });
});
