// The selection quiz must agree with the chapters for every learner, not only for the profiles in
// quiz-score.test.ts. This test enumerates every complete answer set (the product of the options of
// all twelve questions: 279,936) and checks invariants written from the chapters.
//
// Speed: each answer's contribution (a score per transport, the transports it rules out, the rows it
// cites) is computed once; the enumeration then walks the answer sets depth first, adding one answer's
// contribution per level into preallocated arrays, so a set costs a few additions and no allocation.

import { describe, expect, it } from 'vitest';
import { TRANSPORTS, type Level, type Transport } from '../../../src/lib/compare/table.ts';
import { ROWS, rowById } from '../../helpers/compare-rows.ts';
import { picksOf, rank, type Ranked } from '../../../src/lib/quiz/score.ts';
import {
  OUT,
  QUESTION_IDS,
  QUESTIONS,
  SCORING,
  WEIGHT_RANGE,
  type AnswerKey,
  type QuestionId,
} from '../../../src/lib/quiz/questions.ts';

type Entry = Pick<Ranked, 'transport' | 'score' | 'out'>;

const T = TRANSPORTS.length;
const Q = QUESTION_IDS.length;
const at = (t: Transport) => TRANSPORTS.indexOf(t);
const LP = at('long-polling');
const SSE = at('sse');
const WS = at('websocket');
const MQTT = at('mqtt');
const MW = at('mqtt-ws');
const ROW_INDEX = new Map(ROWS.map((r, i) => [r.id, i]));
const RATING: Record<Level, number> = { poor: 0, partial: 1, good: 2, info: -1 };

/**
 * The rows of the comparison table that bear on each question, as the chapters argue them
 * (choosing.mdx's checklist and its "questions the guide did not ask"). A reason may cite only these.
 */
const ROWS_FOR: Record<QuestionId, readonly string[]> = {
  // "Is the use case people chatting or interacting? WebSocket"; "devices or people?"
  who: ['use-cases', 'direction'],
  // "Must it work with the browser's built-in APIs?"; devices use TCP; one broker serves both.
  clients: ['browser', 'transport', 'model', 'fanout'],
  // "Which way does data flow?"
  dir: ['direction', 'model'],
  // "Does each client need only part of the data?": topics, or a server that filters.
  subset: ['routing', 'fanout'],
  // "Must no message be lost?": on a live connection, across a reconnect, resumed.
  loss: ['reliability', 'delivery', 'resume'],
  // "Will there be very many connections?": decided by the deployment, not the protocol.
  count: ['scalability', 'typical-scale', 'resources'],
  // Per-message cost and what a client holds between messages.
  rate: ['overhead', 'resources'],
  // "How fresh must the data be?": a poll's interval is its delay.
  latency: ['direction', 'model', 'use-cases'],
  // Framing cost, text versus binary.
  size: ['overhead', 'transport'],
  // "Devices on unreliable or metered links": keep-alive, reconnects, bytes.
  net: ['low-bandwidth', 'overhead', 'reconnect', 'transport'],
  // "What is between the client and the server?"
  infra: ['proxies', 'use-cases'],
  // "Is server-side development capacity limited?": what the team must write and run.
  team: ['tooling', 'resources', 'reconnect', 'routing', 'fanout'],
};

/** One answer, prepared once: what it adds to each transport and which rows it cites. */
interface Contribution {
  key: AnswerKey;
  score: Int32Array;
  /** Bit per transport ruled out by this answer. */
  out: number;
  /** Per transport, a bit per cited row. */
  rows: Uint32Array;
  /** Why a reason of this answer does not stand on its row (empty when all do). */
  unsupported: string[];
  duplicateWithin: boolean;
  outOfRange: string[];
}

function contribution(q: QuestionId, option: string): Contribution {
  const key = `${q}.${option}` as AnswerKey;
  const c: Contribution = {
    key,
    score: new Int32Array(T),
    out: 0,
    rows: new Uint32Array(T),
    unsupported: [],
    duplicateWithin: false,
    outOfRange: [],
  };
  const effects = SCORING[key];
  for (const [transport, weight, rowId] of effects) {
    const t = at(transport);
    const r = ROW_INDEX.get(rowId);
    const row = rowById(rowId);
    if (r === undefined || !row) {
      c.unsupported.push(`${key}: ${transport} cites a missing row "${rowId}"`);
      continue;
    }
    const bit = 1 << r;
    if (c.rows[t]! & bit) c.duplicateWithin = true;
    c.rows[t]! |= bit;
    const against = weight === OUT || (typeof weight === 'number' && weight < 0);
    if (weight === OUT) c.out |= 1 << t;
    else if (typeof weight === 'number') {
      c.score[t]! += weight;
      if (
        !Number.isInteger(weight) ||
        weight === 0 ||
        weight < WEIGHT_RANGE[0] ||
        weight > WEIGHT_RANGE[1]
      )
        c.outOfRange.push(`${key}: ${transport} ${weight}`);
    }
    const level = row.cells[transport].level;
    if (!ROWS_FOR[q].includes(rowId))
      c.unsupported.push(
        `${key}: ${transport} ${String(weight)} cites "${rowId}", unrelated to "${q}"`,
      );
    if (against && level === 'good')
      c.unsupported.push(`${key}: ${transport} ${String(weight)} on "${rowId}", rated good there`);
    if (!against && level === 'poor')
      c.unsupported.push(`${key}: ${transport} +${String(weight)} on "${rowId}", rated poor there`);
  }
  // Within one answer, a reward and a penalty drawn from the same graded row must be told apart by
  // that row: the rewarded cell rated strictly better than the penalised one.
  for (const [ta, wa, rowId] of effects) {
    for (const [tb, wb, rowB] of effects) {
      if (rowB !== rowId || typeof wa !== 'number' || wa <= 0) continue;
      if (!(wb === OUT || (typeof wb === 'number' && wb < 0))) continue;
      const row = rowById(rowId);
      if (!row) continue;
      const a = RATING[row.cells[ta].level];
      const b = RATING[row.cells[tb].level];
      if (a >= 0 && b >= 0 && a <= b)
        c.unsupported.push(
          `${key}: "${rowId}" rewards ${ta} (${row.cells[ta].level}) and penalises ${tb} (${row.cells[tb].level})`,
        );
    }
  }
  return c;
}

const CONTRIB: Contribution[][] = QUESTION_IDS.map((q) =>
  (QUESTIONS[q] as readonly string[]).map((o) => contribution(q, o)),
);
const QI = (q: QuestionId) => QUESTION_IDS.indexOf(q);
const OPT = (q: QuestionId, o: string) => (QUESTIONS[q] as readonly string[]).indexOf(o);

/** A violated invariant: how many answer sets break it, and the first one found. */
class Tally {
  count = 0;
  example = '';
  detail = '';
  hit(choice: Int32Array, detail: () => string): void {
    if (this.count++ === 0) {
      this.example = QUESTION_IDS.map(
        (q, d) => `${q}=${(QUESTIONS[q] as readonly string[])[choice[d]!]!}`,
      ).join('&');
      this.detail = detail();
    }
  }
  toString(): string {
    return this.count === 0
      ? 'none'
      : `${this.count} answer sets, e.g. ?${this.example}\n  ${this.detail}`;
  }
}

const TALLY = {
  browserMqtt: new Tally(),
  countMovesMqtt: new Tally(),
  chatWebSocket: new Tally(),
  constrainedMqttWs: new Tally(),
  mobileMqttWs: new Tally(),
  proxySse: new Tally(),
  proxyStreams: new Tally(),
  unsupported: new Tally(),
  duplicate: new Tally(),
  ties: new Tally(),
  range: new Tally(),
  offlineAlike: new Tally(),
  twoLeft: new Tally(),
};

let SETS = 0;
let ELAPSED_MS = 0;

function enumerate(): void {
  const sum = new Int32Array((Q + 1) * T);
  const out = new Int32Array(Q + 1);
  const rows = new Uint32Array((Q + 1) * T);
  const dup = new Uint8Array(Q + 1);
  const choice = new Int32Array(Q);
  const entries: Entry[] = TRANSPORTS.map((t) => ({ transport: t, score: 0, out: false }));
  const s = new Int32Array(T);

  const qClients = QI('clients');
  const qWho = QI('who');
  const qCount = QI('count');
  const qNet = QI('net');
  const qInfra = QI('infra');
  const browser = OPT('clients', 'browser');
  const people = OPT('who', 'people');
  const proxy = OPT('infra', 'proxy');
  const good = OPT('net', 'good');
  const mobile = OPT('net', 'mobile');
  const constrained = OPT('net', 'constrained');
  const countOptions = CONTRIB[qCount]!;
  const netOptions = CONTRIB[qNet]!;

  // Static facts of single answers, looked up per set.
  const anyUnsupported = CONTRIB.map((opts) => opts.map((c) => c.unsupported.length > 0));
  const anyOutOfRange = CONTRIB.map((opts) => opts.map((c) => c.outOfRange.length > 0));
  const offline = CONTRIB[QI('loss')]![OPT('loss', 'offline')]!;
  const delivery = rowById('delivery')!;
  const offlineUnlike: string[] = [];
  for (const a of TRANSPORTS)
    for (const b of TRANSPORTS)
      if (
        a < b &&
        delivery.cells[a].level === delivery.cells[b].level &&
        (offline.score[at(a)] !== offline.score[at(b)] ||
          ((offline.out >> at(a)) & 1) !== ((offline.out >> at(b)) & 1))
      )
        offlineUnlike.push(
          `${a} ${offline.score[at(a)]} vs ${b} ${offline.score[at(b)]} (both ${delivery.cells[a].level} on delivery)`,
        );

  const BIT = new Map(TRANSPORTS.map((t, i) => [t, 1 << i]));
  const mask = (list: readonly Transport[]) => {
    let m = 0;
    for (const t of list) m |= BIT.get(t)!;
    return m;
  };
  const MQTTS = [MQTT, MW];
  const RIVALS = [WS, SSE];
  let o = 0;
  const isOut = (t: number) => (o >> t) & 1;
  // "a ranks above b": not ruled out beats ruled out, then the higher score.
  const above = (a: number, b: number) => (isOut(a) !== isOut(b) ? !isOut(a) : s[a]! > s[b]!);
  const lead = (c: Contribution) => c.score[MW]! - c.score[WS]!;
  const names = (m: number) => TRANSPORTS.filter((_, i) => (m >> i) & 1).join(', ') || '(none)';

  function leaf(): void {
    SETS++;
    const base = Q * T;
    for (let t = 0; t < T; t++) s[t] = sum[base + t]!;
    o = out[Q]!;

    // What the learner is shown, from the quiz's own code.
    for (let t = 0; t < T; t++) {
      entries[t]!.score = s[t]!;
      entries[t]!.out = isOut(t) === 1;
    }
    const shown = picksOf(entries);
    const shownTop = mask(shown.top);
    const shownRunner = mask(shown.runnerUp);

    // The groups the scores call for: everyone sharing the best score, then the next score.
    let best = -Infinity;
    let next = -Infinity;
    let left = 0;
    for (let t = 0; t < T; t++) {
      if (isOut(t)) continue;
      left++;
      if (s[t]! > best) {
        next = best;
        best = s[t]!;
      } else if (s[t]! < best && s[t]! > next) next = s[t]!;
    }
    let wantTop = 0;
    let wantRunner = 0;
    for (let t = 0; t < T; t++) {
      if (isOut(t)) continue;
      if (s[t] === best) wantTop |= 1 << t;
      else if (s[t] === next) wantRunner |= 1 << t;
    }
    if (left < 2) TALLY.twoLeft.hit(choice, () => `only ${names(~o & 63)} left`);
    if (shownTop !== wantTop || shownRunner !== wantRunner)
      TALLY.ties.hit(
        choice,
        () =>
          `shown top ${names(shownTop)}, runner-up ${names(shownRunner)}; scores ${Array.from(s).join(' ')} call for top ${names(wantTop)}, runner-up ${names(wantRunner)}`,
      );

    if (choice[qClients] === browser && (shownTop | shownRunner) & (1 << MQTT))
      TALLY.browserMqtt.hit(choice, () => `scores ${Array.from(s).join(' ')}`);

    // The client count alone: with any other count answer, would MQTT still be ahead?
    const cur = countOptions[choice[qCount]!]!;
    for (const m of MQTTS)
      for (const x of RIVALS) {
        if (isOut(m) !== isOut(x) || s[m]! <= s[x]!) continue;
        for (const alt of countOptions) {
          const d =
            s[m]! - s[x]! - (cur.score[m]! - cur.score[x]!) + (alt.score[m]! - alt.score[x]!);
          if (d <= 0)
            TALLY.countMovesMqtt.hit(
              choice,
              () => `${TRANSPORTS[m]} ${s[m]} > ${TRANSPORTS[x]} ${s[x]}, but not with ${alt.key}`,
            );
        }
      }

    if (choice[qWho] === people && choice[qClients] === browser && !above(WS, MW))
      TALLY.chatWebSocket.hit(choice, () => `websocket ${s[WS]}, mqtt-ws ${s[MW]}`);

    // The network answer against a good network: MQTT over WebSocket's lead over WebSocket.
    const net = choice[qNet]!;
    const favour = lead(netOptions[net]!) - lead(netOptions[good]!);
    if (net === constrained && favour > 0)
      TALLY.constrainedMqttWs.hit(choice, () => `net.constrained favours mqtt-ws by ${favour}`);
    if (net === mobile && favour > 0)
      TALLY.mobileMqttWs.hit(choice, () => `net.mobile favours mqtt-ws by ${favour}`);

    if (choice[qInfra] === proxy) {
      if (shownTop & (1 << SSE) || above(SSE, LP))
        TALLY.proxySse.hit(
          choice,
          () => `shown top ${names(shownTop)}; sse ${s[SSE]}, long-polling ${s[LP]}`,
        );
      const streams = (1 << WS) | (1 << MW) | (1 << MQTT);
      if (shownTop & streams) TALLY.proxyStreams.hit(choice, () => `shown top ${names(shownTop)}`);
    }

    if (dup[Q]) TALLY.duplicate.hit(choice, () => duplicateDetail(choice));

    let unsupported = false;
    let outOfRange = false;
    for (let d = 0; d < Q; d++) {
      unsupported ||= anyUnsupported[d]![choice[d]!]!;
      outOfRange ||= anyOutOfRange[d]![choice[d]!]!;
    }
    if (unsupported)
      TALLY.unsupported.hit(choice, () =>
        CONTRIB.flatMap((opts, d) => opts[choice[d]!]!.unsupported).join('\n  '),
      );
    if (outOfRange)
      TALLY.range.hit(choice, () =>
        CONTRIB.flatMap((opts, d) => opts[choice[d]!]!.outOfRange).join(', '),
      );
    if (offlineUnlike.length > 0 && CONTRIB[QI('loss')]![choice[QI('loss')]!] === offline)
      TALLY.offlineAlike.hit(choice, () => offlineUnlike.join('; '));
  }

  function walk(d: number): void {
    if (d === Q) return leaf();
    const options = CONTRIB[d]!;
    const from = d * T;
    const to = from + T;
    for (let i = 0; i < options.length; i++) {
      const c = options[i]!;
      choice[d] = i;
      let clash = dup[d]! | (c.duplicateWithin ? 1 : 0);
      for (let t = 0; t < T; t++) {
        sum[to + t] = sum[from + t]! + c.score[t]!;
        const r = rows[from + t]!;
        if (r & c.rows[t]!) clash = 1;
        rows[to + t] = r | c.rows[t]!;
      }
      dup[d + 1] = clash;
      out[d + 1] = out[d]! | c.out;
      walk(d + 1);
    }
  }

  const t0 = performance.now();
  walk(0);
  ELAPSED_MS = performance.now() - t0;
}

/** Names the row one transport is given twice in an answer set. */
function duplicateDetail(choice: Int32Array): string {
  const seen = new Map<string, string>();
  for (let d = 0; d < Q; d++) {
    const q = QUESTION_IDS[d]!;
    const key = `${q}.${(QUESTIONS[q] as readonly string[])[choice[d]!]!}` as AnswerKey;
    for (const [transport, weight, row] of SCORING[key]) {
      const id = `${transport} ${row}`;
      const mine = `${key} ${String(weight)}`;
      const earlier = seen.get(id);
      if (earlier) return `${transport}: "${row}" cited by ${earlier} and ${mine}`;
      seen.set(id, mine);
    }
  }
  return '';
}

enumerate();

describe('the selection quiz agrees with the chapters for every complete answer set', () => {
  it('enumerates all 279,936 answer sets, quickly', () => {
    const product = QUESTION_IDS.reduce((n, q) => n * QUESTIONS[q].length, 1);
    expect(product).toBe(279_936);
    expect(SETS).toBe(product);
    console.log(`quiz invariants: ${SETS} answer sets in ${ELAPSED_MS.toFixed(0)} ms`);
  });

  it('scores each answer exactly as the quiz does', () => {
    // The enumeration adds prepared contributions; the quiz's own rank() must give the same sums.
    for (const [d, q] of QUESTION_IDS.entries())
      for (const [i, option] of (QUESTIONS[q] as readonly string[]).entries()) {
        const ranking = rank({ [q]: option });
        for (const r of ranking) {
          const c = CONTRIB[d]![i]!;
          expect(r.score, `${q}.${option}`).toBe(c.score[at(r.transport)]);
          expect(r.out, `${q}.${option}`).toBe(((c.out >> at(r.transport)) & 1) === 1);
        }
      }
  });

  const cases: [string, Tally][] = [
    [
      'browser-only clients never get MQTT over TCP as top pick or runner-up (a page cannot open raw TCP)',
      TALLY.browserMqtt,
    ],
    [
      'the client count alone never moves MQTT ahead of WebSocket or SSE (scale belongs to the deployment)',
      TALLY.countMovesMqtt,
    ],
    [
      'people chatting in a browser with no devices get WebSocket above MQTT over WebSocket',
      TALLY.chatWebSocket,
    ],
    [
      'a constrained network never favours MQTT over WebSocket over plain WebSocket (it carries more bytes)',
      TALLY.constrainedMqttWs,
    ],
    [
      'a mobile network never favours MQTT over WebSocket over plain WebSocket (the same WebSocket underneath)',
      TALLY.mobileMqttWs,
    ],
    [
      'a proxy that buffers long responses never leaves SSE on top, nor above long polling',
      TALLY.proxySse,
    ],
    ['a proxy that blocks upgrades never leaves WebSocket or MQTT on top', TALLY.proxyStreams],
    ['every reason cites a row whose verdict supports it', TALLY.unsupported],
    ['no reason appears twice', TALLY.duplicate],
    ['ties are shown as ties', TALLY.ties],
    ['weights stay within the documented range', TALLY.range],
    [
      'offline delivery scores alike the transports the table rates alike for it',
      TALLY.offlineAlike,
    ],
    ['a top pick and a runner-up always remain', TALLY.twoLeft],
  ];
  it.each(cases)('%s', (_name, tally) => {
    expect(tally.count, tally.toString()).toBe(0);
  });
});
