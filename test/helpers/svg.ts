// A small strict XML reader for the SVG files the plot tests write: it builds the element tree and throws on any
// malformed markup (unclosed or mismatched tags, bad attributes), so "parses" means well-formed. Queries count
// vega's marks (`<g class="mark-rect role-mark ...">` holds one child element per mark) and collect text.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, code: string) => {
    if (code[0] === '#')
      return String.fromCodePoint(
        code[1] === 'x' || code[1] === 'X' ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1)),
      );
    const known = ENTITIES[code];
    if (known === undefined) throw new Error(`unknown XML entity ${whole}`);
    return known;
  });
}

/** Parses an XML document; throws with the position of the first error. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag =
    /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g;
  let at = 0;
  for (let m = tag.exec(source); m !== null; m = tag.exec(source)) {
    const between = source.slice(at, m.index);
    if (between.includes('<'))
      throw new Error(
        `malformed markup near offset ${at + between.indexOf('<')}: ${between.slice(between.indexOf('<'), between.indexOf('<') + 40)}`,
      );
    stack[stack.length - 1]!.text += decode(between);
    at = tag.lastIndex;
    if (m[2] === undefined) continue;
    const [, closing, name, attributeText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> at offset ${m.index} closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of attributeText.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1]! in attributes) throw new Error(`attribute ${a[1]} repeated on <${name}>`);
      attributes[a[1]!] = decode(a[2] ?? a[3] ?? '');
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    stack[stack.length - 1]!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (source.slice(at).includes('<')) throw new Error(`malformed markup at offset ${at}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const svg = root.children[0];
  if (root.children.length !== 1 || !svg) throw new Error('expected one root element');
  return svg;
}

export function walk(element: XmlElement, visit: (e: XmlElement) => void): void {
  visit(element);
  for (const child of element.children) walk(child, visit);
}

export function findAll(element: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = [];
  walk(element, (e) => {
    if (test(e)) found.push(e);
  });
  return found;
}

/** Every text node's content, in document order (tspans included). */
export function texts(element: XmlElement): string[] {
  return findAll(element, (e) => e.name === 'text' || e.name === 'tspan')
    .map((e) => e.text.trim())
    .filter((t) => t.length > 0);
}

/** Vega marks of one type ('rect', 'line', 'symbol', 'text', 'rule'...): children of their role-mark groups. */
export function vegaMarks(svg: XmlElement, type: string, role?: string): XmlElement[] {
  const groups = findAll(svg, (e) => {
    const classes = (e.attributes.class ?? '').split(/\s+/);
    return (
      e.name === 'g' &&
      classes.includes(`mark-${type}`) &&
      (role === undefined ? classes.includes('role-mark') : classes.includes(role))
    );
  });
  return groups.flatMap((g) => g.children);
}
