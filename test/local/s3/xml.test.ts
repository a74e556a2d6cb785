import { describe, expect, it } from 'vitest';
import { elementTexts, escapeXml, hasRootElement, unescapeXml, xmlDocument } from '../../../local/s3/xml.ts';

describe('xml', () => {
  it('escapes markup and control characters and reads them back', () => {
    const text = 'a<b>&c "q" \u0001 ü';
    expect(escapeXml(text)).toBe('a&lt;b&gt;&amp;c "q" &#x1; ü');
    expect(unescapeXml(escapeXml(text))).toBe(text);
  });

  it('renders nested elements and repeated lists, leaving out undefined', () => {
    expect(xmlDocument('R', { A: 'x', B: [{ C: 1 }, { C: 2 }], D: undefined, E: true }, false)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<R><A>x</A><B><C>1</C></B><B><C>2</C></B><E>true</E></R>',
    );
  });

  it('reads element texts and recognises the root element', () => {
    const doc = '<?xml version="1.0"?><Delete xmlns="x"><Object><Key>a&amp;b</Key></Object><Object><Key><![CDATA[<c>]]></Key></Object></Delete>';
    expect(hasRootElement(doc, 'Delete')).toBe(true);
    expect(hasRootElement(doc, 'Object')).toBe(false);
    expect(elementTexts(doc, 'Key')).toEqual(['a&b', '<c>']);
  });
});
