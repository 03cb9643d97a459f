// The chapters quote captured bytes and streams. These tests check that what they quote could have
// come off a real wire, so that a hand-edited excerpt cannot contradict the rule it illustrates.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../../../src/lib/chapters.ts';

const root = new URL('../../../content/docs/', import.meta.url);
const FILES = CHAPTERS.flatMap((slug) =>
  ['', 'en/'].map((dir) => `${dir}${slug}.mdx`).filter((path) => existsSync(new URL(path, root))),
);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** Fenced code blocks of a page, with their info string. */
function codeBlocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({
    lang: m[1] ?? '',
    body: m[2] ?? '',
  }));
}

interface MaskedFrame {
  bytes: number[];
  key: string;
}

/**
 * Masked WebSocket frames quoted as hex (`81 bd 78 9a e8 21 …`): a first byte with FIN and a
 * data or control opcode, a second with the MASK bit and a 7-bit length (RFC 6455 §5.2).
 */
function maskedFrames(text: string): MaskedFrame[] {
  const frames: MaskedFrame[] = [];
  for (const m of text.matchAll(/\b[0-9a-fA-F]{2}(?: {1,2}[0-9a-fA-F]{2}){5,}\b/g)) {
    const bytes = m[0].split(/ +/).map((h) => parseInt(h, 16));
    const [b0 = 0, b1 = 0] = bytes;
    const opcode = b0 & 0x0f;
    const isFrameStart = (b0 & 0xf0) === 0x80 && [0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode);
    if (!isFrameStart || (b1 & 0x80) === 0 || (b1 & 0x7f) > 125) continue;
    const key = bytes.slice(2, 6).map((b) => b.toString(16).padStart(2, '0'));
    frames.push({ bytes, key: key.join(' ') });
  }
  return frames;
}

/** The payload bytes a frame quotes, unmasked with its key (RFC 6455 §5.3). */
function unmask({ bytes }: MaskedFrame): number[] {
  const key = bytes.slice(2, 6);
  return bytes.slice(6).map((b, i) => b ^ (key[i % 4] ?? 0));
}

describe('captured WebSocket frames', () => {
  it('finds the browser frames the WebSocket chapter quotes (the check is not vacuous)', () => {
    expect(maskedFrames(read('websocket.mdx')).length).toBeGreaterThanOrEqual(3);
    expect(maskedFrames(read('en/websocket.mdx')).length).toBeGreaterThanOrEqual(3);
  });

  for (const path of FILES) {
    const frames = maskedFrames(read(path));
    if (frames.length === 0) continue;
    it(`${path}: every masked frame has its own masking key (RFC 6455 §5.3)`, () => {
      const keys = frames.map((f) => f.key);
      expect(new Set(keys).size, keys.join(' | ')).toBe(keys.length);
    });

    it(`${path}: every masked frame unmasks to what its opcode allows`, () => {
      for (const frame of frames) {
        const payload = unmask(frame);
        const opcode = (frame.bytes[0] ?? 0) & 0x0f;
        const where = frame.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
        if (opcode === 0x1) {
          // A text frame carries UTF-8; a quoted prefix may end inside a character, so allow that.
          const text = Buffer.from(payload)
            .toString('utf8')
            .replace(/\uFFFD$/, '');
          expect(text.includes('\uFFFD'), `${where} is not UTF-8 text`).toBe(false);
          expect(/^[\x20-\x7e\u00a0-\uffff]*$/.test(text), `${where} → ${text}`).toBe(true);
        } else if (opcode === 0x8 && payload.length >= 2) {
          const code = ((payload[0] ?? 0) << 8) | (payload[1] ?? 0);
          expect(code >= 1000 && code <= 4999, `${where} → close code ${code}`).toBe(true);
        }
      }
    });
  }
});

describe('quoted event streams', () => {
  // Each quoted stretch of a stream is one code block; blocks may quote different streams.
  const streams = FILES.flatMap((path) =>
    codeBlocks(read(path))
      .filter((b) => b.lang === 'text' && b.body.includes('↵') && /^data: /m.test(b.body))
      .map((b, i) => ({ path, i, text: b.body })),
  );

  it('finds the SSE chapter’s stream excerpt (the check is not vacuous)', () => {
    expect(streams.map((s) => s.path)).toEqual(expect.arrayContaining(['sse.mdx', 'en/sse.mdx']));
  });

  for (const { path, i, text } of streams) {
    it(`${path}, stream excerpt ${i + 1}: events and heartbeats in the order of their stamps and ids`, () => {
      const stamps: number[] = [];
      const ids: number[] = [];
      for (const line of text.split('\n')) {
        const beat = /^: heartbeat (\d+)/.exec(line);
        if (beat) stamps.push(Number(beat[1]));
        const ts = /^data: \{.*"ts":(\d+)/.exec(line);
        if (ts) stamps.push(Number(ts[1]));
        const id = /^id: (\d+)/.exec(line);
        if (id) ids.push(Number(id[1]));
      }
      if (stamps.length < 2) return;
      expect(stamps, 'timestamps in stream order').toEqual([...stamps].sort((a, b) => a - b));
      expect(ids, 'ids in stream order').toEqual([...ids].sort((a, b) => a - b));
    });
  }
});

describe('code samples run on the workshop LAN', () => {
  // A workshop serves the site over plain http on a LAN address: not a secure context, where
  // crypto.randomUUID() is undefined (WebCrypto: [SecureContext]). crypto.getRandomValues() is fine.
  for (const path of FILES) {
    it(`${path}: no code sample calls crypto.randomUUID()`, () => {
      for (const { lang, body } of codeBlocks(read(path))) {
        if (!['ts', 'js', 'typescript', 'javascript'].includes(lang)) continue;
        for (const line of body.split('\n')) {
          const code = line.split('//')[0] ?? '';
          expect(code.includes('randomUUID('), `${path}: ${line.trim()}`).toBe(false);
        }
      }
    });
  }
});
