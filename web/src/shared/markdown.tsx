import { Anchor, Box, Code, List, Table, Text, Title } from '@mantine/core';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { Fragment, type ReactNode, useMemo } from 'react';

/**
 * Markdown shown as formatted text (the minutes of a meeting, for one). The text is parsed by markdown-it with
 * raw HTML off and its tokens become React elements, so nothing in the text is ever inserted as HTML; links
 * keep markdown-it's own check (no javascript: or data: URLs) and open outside the app.
 */
const parser = new MarkdownIt({ html: false, linkify: false, typographer: false });

type Node = { token: Token; children: Node[] };

/** Nests a flat token stream (`*_open` … `*_close`) into a tree. */
function treeOf(tokens: Token[]): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const token of tokens) {
    const siblings = stack[stack.length - 1]!;
    if (token.nesting === 1) {
      const node: Node = { token, children: [] };
      siblings.push(node);
      stack.push(node.children);
    } else if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
    } else {
      siblings.push({ token, children: token.children ? treeOf(token.children) : [] });
    }
  }
  return root;
}

const HEADING_ORDER: Record<string, 1 | 2 | 3 | 4 | 5 | 6> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

function render(nodes: Node[], headingOffset: number): ReactNode[] {
  return nodes.map((node, key) => {
    const { token } = node;
    const inner = () => render(node.children, headingOffset);
    switch (token.type) {
      case 'inline':
        return <Fragment key={key}>{inner()}</Fragment>;
      case 'text':
        return token.content;
      case 'softbreak':
        return '\n';
      case 'hardbreak':
        return <br key={key} />;
      case 'code_inline':
        return <Code key={key}>{token.content}</Code>;
      case 'code_block':
      case 'fence':
        return (
          <Code key={key} block>
            {token.content}
          </Code>
        );
      case 'strong_open':
        return <strong key={key}>{inner()}</strong>;
      case 'em_open':
        return <em key={key}>{inner()}</em>;
      case 's_open':
        return <s key={key}>{inner()}</s>;
      case 'link_open':
        return (
          <Anchor key={key} href={token.attrGet('href') ?? undefined} target="_blank" rel="noopener noreferrer">
            {inner()}
          </Anchor>
        );
      case 'image':
        // Images are not fetched: their text stands in for them.
        return token.content;
      case 'heading_open': {
        const order = Math.min(6, (HEADING_ORDER[token.tag] ?? 6) + headingOffset) as 1 | 2 | 3 | 4 | 5 | 6;
        return (
          <Title key={key} order={order} size={`h${Math.min(6, order + 1)}`} mt="sm" mb={4}>
            {inner()}
          </Title>
        );
      }
      case 'paragraph_open':
        // Paragraphs inside tight list items are hidden by markdown-it: their text stands alone.
        return token.hidden ? (
          <Fragment key={key}>{inner()}</Fragment>
        ) : (
          <Text key={key} size="sm" mb="xs" style={{ whiteSpace: 'pre-line' }}>
            {inner()}
          </Text>
        );
      case 'bullet_list_open':
        return (
          <List key={key} size="sm" mb="xs" withPadding>
            {inner()}
          </List>
        );
      case 'ordered_list_open':
        return (
          <List key={key} type="ordered" size="sm" mb="xs" withPadding start={Number(token.attrGet('start') ?? 1)}>
            {inner()}
          </List>
        );
      case 'list_item_open':
        return <List.Item key={key}>{inner()}</List.Item>;
      case 'blockquote_open':
        return (
          <Box key={key} component="blockquote" ms={0} ps="sm" style={{ borderInlineStart: '3px solid var(--mantine-color-gray-4)' }}>
            {inner()}
          </Box>
        );
      case 'hr':
        return <hr key={key} />;
      case 'table_open':
        return (
          <Table key={key} withTableBorder fz="sm" mb="xs">
            {inner()}
          </Table>
        );
      case 'thead_open':
        return <Table.Thead key={key}>{inner()}</Table.Thead>;
      case 'tbody_open':
        return <Table.Tbody key={key}>{inner()}</Table.Tbody>;
      case 'tr_open':
        return <Table.Tr key={key}>{inner()}</Table.Tr>;
      case 'th_open':
        return <Table.Th key={key}>{inner()}</Table.Th>;
      case 'td_open':
        return <Table.Td key={key}>{inner()}</Table.Td>;
      default:
        // Anything else (html is off, so no raw HTML reaches here) shows its children or its text.
        return node.children.length > 0 ? <Fragment key={key}>{inner()}</Fragment> : token.content;
    }
  });
}

/**
 * `headingOffset` moves the text's headings down, so a document's `#` can sit under the page's own headings
 * (the minutes' `#` title inside a section whose heading is an h2 becomes an h3).
 */
export function MarkdownView({ text, headingOffset = 0, label }: { text: string; headingOffset?: number; label?: string }) {
  const tree = useMemo(() => treeOf(parser.parse(text, {})), [text]);
  return (
    <Box aria-label={label} style={{ overflowWrap: 'anywhere' }}>
      {render(tree, headingOffset)}
    </Box>
  );
}
