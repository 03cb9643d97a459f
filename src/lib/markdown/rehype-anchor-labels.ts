import { anchorLabel, contentLocale } from './content-locale.ts';
import type { HastNode } from './rehype-focusable-tables.ts';

function textOf(node: HastNode & { value?: string }): string {
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map((c) => textOf(c)).join('');
}

function hasClass(node: HastNode, name: string): boolean {
  const cls = node.properties?.['className'] ?? node.properties?.['class'];
  const list = Array.isArray(cls)
    ? cls.map(String)
    : typeof cls === 'string'
      ? cls.split(/\s+/)
      : [];
  return list.includes(name);
}

/** Rewrites the hidden label of each heading anchor link in the chapter's locale. */
export function relabelAnchors(tree: HastNode, path: string | undefined): void {
  const locale = contentLocale(path);
  const visit = (node: HastNode): void => {
    if (node.type === 'element' && hasClass(node, 'sl-heading-wrapper')) {
      const [heading, link] = node.children ?? [];
      const label = link?.children?.find((c) => c.type === 'element' && hasClass(c, 'sr-only'));
      if (heading && label) {
        label.children = [
          { type: 'text', value: anchorLabel(locale, textOf(heading)) } as HastNode,
        ];
      }
      return;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
}

/** Rehype plugin wrapping `relabelAnchors`; it must run after Starlight's heading links. */
export function rehypeAnchorLabels() {
  return (tree: unknown, file: { path?: string }): void =>
    relabelAnchors(tree as HastNode, file.path);
}
