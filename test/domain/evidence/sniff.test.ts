import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffContentType } from '../../../domain/evidence/sniff.ts';
import { makeJpeg, makePdf, makePng } from '../../support/evidence-fixtures.ts';

const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

describe('sniffContentType', () => {
  it('recognises a JPEG, a PNG and a PDF by their leading bytes', () => {
    expect(sniffContentType(makeJpeg())).toBe('image/jpeg');
    expect(sniffContentType(makePng())).toBe('image/png');
    expect(sniffContentType(makePdf())).toBe('application/pdf');
  });

  it('recognises a JPEG that starts with an EXIF segment instead of JFIF', () => {
    expect(sniffContentType(makeJpeg({ takenAt: '2024:05:01 09:30:00' }))).toBe('image/jpeg');
  });

  it('returns null for nothing, text, and formats that are not accepted evidence', () => {
    expect(sniffContentType(new Uint8Array())).toBeNull();
    expect(sniffContentType(bytesOf('hello, this is not a photo'))).toBeNull();
    expect(sniffContentType(bytesOf('GIF89a\x01\x00\x01\x00'))).toBeNull();
    expect(sniffContentType(bytesOf('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00'))).toBeNull(); // iPhone HEIC
    expect(sniffContentType(bytesOf('PK\x03\x04'))).toBeNull(); // .docx / .zip
  });

  it('returns null for signatures cut short', () => {
    expect(sniffContentType(makeJpeg().subarray(0, 2))).toBeNull();
    expect(sniffContentType(makePng().subarray(0, 7))).toBeNull();
    expect(sniffContentType(makePdf().subarray(0, 4))).toBeNull();
  });

  it('does not accept a PDF header that is not at the very start', () => {
    expect(sniffContentType(bytesOf('\n%PDF-1.4\n'))).toBeNull();
    expect(sniffContentType(bytesOf('<html>%PDF-1.4'))).toBeNull();
  });

  it('requires the whole PNG signature, not just "PNG"', () => {
    const png = makePng().slice(0, 16);
    png[4] = 0x0a; // CRLF line-ending damage from a text-mode transfer
    expect(sniffContentType(png)).toBeNull();
  });

  it('works on a view into a larger buffer', () => {
    const jpeg = makeJpeg();
    const padded = new Uint8Array(jpeg.length + 10);
    padded.set(jpeg, 10);
    expect(sniffContentType(padded.subarray(10))).toBe('image/jpeg');
  });

  it('never throws and only ever returns an accepted type or null', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect([null, 'image/jpeg', 'image/png', 'application/pdf']).toContain(sniffContentType(bytes));
      }),
    );
  });
});
