import { describe, expect, it } from 'vitest';
import {
  makeTablesFocusable,
  type HastNode,
} from '../../../src/lib/markdown/rehype-focusable-tables.ts';

describe('makeTablesFocusable', () => {
  it('makes nested tables keyboard-focusable and leaves other elements alone', () => {
    const table: HastNode = { type: 'element', tagName: 'table', properties: { className: ['x'] } };
    const p: HastNode = { type: 'element', tagName: 'p', properties: {} };
    makeTablesFocusable({
      type: 'root',
      children: [p, { type: 'element', tagName: 'div', children: [table] }],
    });
    expect(table.properties).toEqual({ className: ['x'], tabIndex: 0 });
    expect(p.properties).toEqual({});
  });
});
