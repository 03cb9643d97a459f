// Starlight lets a wide Markdown table scroll sideways inside the text column. A keyboard user can
// only scroll a region that can take focus (WCAG 2.1.1; axe: scrollable-region-focusable), so
// every content table gets tabindex="0".

/** The few hast fields this plugin reads. */
export interface HastNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

/** Sets `tabindex="0"` on every `<table>` in the tree. */
export function makeTablesFocusable(node: HastNode): void {
  if (node.type === 'element' && node.tagName === 'table') {
    node.properties = { ...node.properties, tabIndex: 0 };
  }
  for (const child of node.children ?? []) makeTablesFocusable(child);
}

/** Rehype plugin wrapping `makeTablesFocusable`. */
export function rehypeFocusableTables() {
  return (tree: unknown): void => makeTablesFocusable(tree as HastNode);
}
