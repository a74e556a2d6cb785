/**
 * Just enough XML for the S3 REST API: writing responses, and reading the two
 * small request documents the supported operations take (Delete and
 * CreateBucketConfiguration). Not a general XML parser.
 */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(value: string): string {
  // Only element text is written, where quotes need no escaping.
  return value.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      default:
        // S3 writes control characters as numeric references; SDKs decode them.
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

export function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    switch (entity) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10),
        );
    }
  });
}

export type XmlNode = string | number | boolean | undefined | null | XmlElement | readonly XmlNode[];
export interface XmlElement {
  readonly [name: string]: XmlNode;
}

/** { A: 'x', B: [{ C: 1 }, { C: 2 }] } → <A>x</A><B><C>1</C></B><B><C>2</C></B>; undefined/null are left out. */
export function toXml(element: XmlElement): string {
  let out = '';
  for (const [name, node] of Object.entries(element)) out += renderNode(name, node);
  return out;
}

function renderNode(name: string, node: XmlNode): string {
  if (node === undefined || node === null) return '';
  if (Array.isArray(node)) return (node as readonly XmlNode[]).map((n) => renderNode(name, n)).join('');
  if (typeof node === 'object') return `<${name}>${toXml(node as XmlElement)}</${name}>`;
  return `<${name}>${escapeXml(String(node))}</${name}>`;
}

export function xmlDocument(root: string, body: XmlElement, namespace = true): string {
  const attrs = namespace ? ` xmlns="${S3_NAMESPACE}"` : '';
  return `${XML_DECLARATION}\n<${root}${attrs}>${toXml(body)}</${root}>`;
}

/** Text of each <name>…</name> directly found in the fragment, entity-decoded. */
export function elementTexts(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g');
  const out: string[] = [];
  for (const m of xml.matchAll(re)) out.push(unescapeXml(stripCdata(m[1] ?? '')));
  return out;
}

/** Raw inner XML of each <name>…</name>. */
export function elementBlocks(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

export function hasRootElement(xml: string, name: string): boolean {
  const body = xml.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>)?\s*/, '');
  return new RegExp(`^<${name}(\\s[^>]*)?>[\\s\\S]*</${name}>\\s*$`).test(body) || new RegExp(`^<${name}(\\s[^>]*)?/>\\s*$`).test(body);
}

function stripCdata(value: string): string {
  return value.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, inner: string) => inner.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')));
}
