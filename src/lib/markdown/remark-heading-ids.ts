// Gives a heading a fixed anchor written as an MDX comment at its end:
//   ## 它是怎么工作的 {/* #how-it-works */}
// so that the zh-CN and English pages of a chapter share the same anchors and links
// between them (and between chapters) do not depend on how each language slugifies.

import type { Root } from 'mdast';

/** The few mdast fields this plugin reads. */
export interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
  data?: { hProperties?: Record<string, unknown> };
}

const MARKER = /^\s*\/\*\s*#([a-z0-9][a-z0-9-]*)\s*\*\/\s*$/;

function visitHeadings(node: MdNode, fn: (heading: MdNode) => void): void {
  if (node.type === 'heading') fn(node);
  for (const child of node.children ?? []) visitHeadings(child, fn);
}

/** Reads the `#id` marker from a heading's children, removes it, and returns the id. */
export function takeHeadingId(heading: MdNode): string | null {
  const children = heading.children ?? [];
  const last = children.at(-1);
  if (!last || last.type !== 'mdxTextExpression') return null;
  const match = MARKER.exec(last.value ?? '');
  if (!match?.[1]) return null;
  children.pop();
  const prev = children.at(-1);
  if (prev?.type === 'text' && prev.value !== undefined) prev.value = prev.value.trimEnd();
  return match[1];
}

/** Remark plugin: headings ending in `{/* #id *\/}` get that id. */
export function remarkHeadingIds() {
  return (tree: Root): void => {
    visitHeadings(tree as unknown as MdNode, (heading) => {
      const id = takeHeadingId(heading);
      if (!id) return;
      heading.data ??= {};
      heading.data.hProperties = { ...heading.data.hProperties, id };
    });
  };
}
