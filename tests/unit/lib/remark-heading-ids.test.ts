import { describe, expect, it } from 'vitest';
import { takeHeadingId, type MdNode } from '../../../src/lib/markdown/remark-heading-ids.ts';

const heading = (children: MdNode[]): MdNode => ({ type: 'heading', children });

describe('takeHeadingId', () => {
  it('reads the id from a trailing MDX comment and removes the marker', () => {
    const h = heading([
      { type: 'text', value: '它是怎么工作的 ' },
      { type: 'mdxTextExpression', value: '/* #how-it-works */' },
    ]);
    expect(takeHeadingId(h)).toBe('how-it-works');
    expect(h.children).toEqual([{ type: 'text', value: '它是怎么工作的' }]);
  });

  it('leaves headings without a marker alone', () => {
    const h = heading([{ type: 'text', value: 'Plain' }]);
    expect(takeHeadingId(h)).toBeNull();
    expect(h.children).toHaveLength(1);
  });

  it('ignores other comments and ids that are not slugs', () => {
    expect(
      takeHeadingId(heading([{ type: 'mdxTextExpression', value: '/* a note */' }])),
    ).toBeNull();
    expect(
      takeHeadingId(heading([{ type: 'mdxTextExpression', value: '/* #Bad Id */' }])),
    ).toBeNull();
  });
});
