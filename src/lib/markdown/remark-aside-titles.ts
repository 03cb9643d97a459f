import { ASIDE_TITLES, contentLocale } from './content-locale.ts';

/** The few mdast fields this plugin reads. */
interface MdNode {
  type: string;
  name?: string;
  data?: Record<string, unknown>;
  children?: MdNode[];
  value?: string;
}

function isLabel(node: MdNode | undefined): boolean {
  return node?.type === 'paragraph' && node.data?.['directiveLabel'] === true;
}

/** Gives every `:::note`/`:::tip`/… without a title its title in the chapter's locale. */
export function addAsideTitles(tree: MdNode, path: string | undefined): void {
  const titles = ASIDE_TITLES[contentLocale(path)];
  const visit = (node: MdNode): void => {
    const name = node.name as keyof typeof titles | undefined;
    if (
      node.type === 'containerDirective' &&
      name &&
      name in titles &&
      !isLabel(node.children?.[0])
    ) {
      // Starlight's aside plugin, which runs after this one, takes a label paragraph as the title.
      node.children = [
        {
          type: 'paragraph',
          data: { directiveLabel: true },
          children: [{ type: 'text', value: titles[name] }],
        },
        ...(node.children ?? []),
      ];
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
}

/** Remark plugin wrapping `addAsideTitles`; it must run before Starlight's asides. */
export function remarkAsideTitles() {
  return (tree: unknown, file: { path?: string }): void =>
    addAsideTitles(tree as MdNode, file.path);
}
