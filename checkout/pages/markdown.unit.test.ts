/**
 * The organiser's message in Markdown (static/brand/markdown.js), parsed as the browser parses it:
 * only a few tags come out (p, h3, h4, ul, ol, li, strong, em, code, a), HTML in the message stays
 * text, and links go only to http(s), mailto or a path on the site. The page builds DOM nodes from
 * this tree with createElement/textContent (phone-screen.e2e.test.ts renders it in Chromium).
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

type Node = string | { tag: string; href?: string; children?: Node[] };
const ctx: { window: { UsherMarkdown?: { parse(md: string): Node[] } } } = { window: {} };
runInNewContext(readFileSync(new URL('./static/brand/markdown.js', import.meta.url), 'utf8'), ctx);
const parse = ctx.window.UsherMarkdown!.parse;

const ALLOWED = new Set(['p', 'h3', 'h4', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'a']);
function tags(nodes: Node[], out: string[] = []): string[] {
  for (const n of nodes) if (typeof n !== 'string') { out.push(n.tag); tags(n.children ?? [], out); }
  return out;
}
function text(nodes: Node[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : text(n.children ?? []))).join('');
}

describe('the safe Markdown subset', () => {
  it('renders paragraphs, headings, lists, emphasis, code and links', () => {
    const tree = parse('# Doors\nOpen at **7pm**, *sharp*.\n\n- Bring ID\n- No bags over _A4_\n\n1. Queue\n2. Scan `QR`\n\nSee [the FAQ](https://example.com/faq) or [help](/help).');
    expect(tree.map((b) => (typeof b === 'string' ? 'text' : b.tag))).toEqual(['h3', 'p', 'ul', 'ol', 'p']);
    expect(tags(tree)).toEqual(['h3', 'p', 'strong', 'em', 'ul', 'li', 'li', 'em', 'ol', 'li', 'li', 'code', 'p', 'a', 'a']);
    expect(tags(tree).every((t) => ALLOWED.has(t))).toBe(true);
    const links = JSON.stringify(tree);
    expect(links).toContain('"href":"https://example.com/faq"');
    expect(links).toContain('"href":"/help"');
  });

  it('keeps HTML as the characters it is, and makes no element of it', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a> <b onmouseover=alert(4)>b</b>';
    const tree = parse(evil);
    expect(tags(tree)).toEqual(['p']);
    expect(text(tree)).toBe(evil);
  });

  it('refuses links that are not http(s), mailto or a site path: the text stays, no link', () => {
    for (const href of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:msgbox', '//evil.example.com/x', 'JaVaScRiPt:alert(1)']) {
      const tree = parse(`[click](${href})`);
      expect(tags(tree), href).toEqual(['p']);
      expect(text(tree)).toBe(`[click](${href})`);
    }
    expect(tags(parse('[mail](mailto:box@example.com)'))).toEqual(['p', 'a']);
  });

  it('leaves underscores inside words alone (snake_case, window.__ran)', () => {
    expect(tags(parse('use snake_case_names and window.__ran=1 here'))).toEqual(['p']);
    expect(tags(parse('an _italic_ word'))).toEqual(['p', 'em']);
  });

  it('never nests markup it did not parse: emphasis inside a link, text inside code', () => {
    const tree = parse('[**bold** link](https://example.com) and `**not bold**`');
    expect(tags(tree)).toEqual(['p', 'a', 'strong', 'code']);
    expect(text(tree)).toBe('bold link and **not bold**');
  });
});
