import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPhotoMetadata, readTiffMetadata } from '../../../domain/evidence/exif.ts';
import {
  encodeTiff,
  houseLocation,
  makeExifTiff,
  makeJpeg,
  makePdf,
  makePng,
  pngChunk,
  withJpegExif,
  withPngChunk,
  type ByteOrder,
  type TiffEntry,
} from '../../support/evidence-fixtures.ts';

const BYTE_ORDERS: ByteOrder[] = ['MM', 'II'];
// One small picture reused with different EXIF blocks: decoding is not under test here.
const plainJpeg = makeJpeg({ width: 32, height: 24 });
const jpegWith = (tiff: Uint8Array): Uint8Array => withJpegExif(plainJpeg, tiff);

const DATE_TIME_ORIGINAL = 0x9003;
const OFFSET_TIME_ORIGINAL = 0x9011;
const OFFSET_TIME = 0x9010;
const ascii = (tag: number, value: string): TiffEntry => ({ tag, type: 'ascii', value });
const gpsEntries = (latRef: string, lat: Array<[number, number]>, lonRef: string, lon: Array<[number, number]>): TiffEntry[] => [
  ascii(0x0001, latRef),
  { tag: 0x0002, type: 'rational', value: lat },
  ascii(0x0003, lonRef),
  { tag: 0x0004, type: 'rational', value: lon },
];

describe('readPhotoMetadata: capture time', () => {
  it.each(BYTE_ORDERS)('reads DateTimeOriginal in %s byte order as WIB (UTC+7) by default', (byteOrder) => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:03:01 10:00:00', byteOrder });
    expect(readPhotoMetadata(photo).takenAt).toBe('2024-03-01T03:00:00.000Z');
  });

  it('honours OffsetTimeOriginal over the default offset', () => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:03:01 10:00:00', offsetTime: '+09:00' });
    expect(readPhotoMetadata(photo).takenAt).toBe('2024-03-01T01:00:00.000Z');
  });

  it('honours a negative OffsetTimeOriginal across midnight', () => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:12:31 22:30:00', offsetTime: '-03:30' });
    expect(readPhotoMetadata(photo).takenAt).toBe('2025-01-01T02:00:00.000Z');
  });

  it('uses the caller’s default offset when the photo has none', () => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:03:01 10:00:00' });
    expect(readPhotoMetadata(photo, { defaultUtcOffset: '+09:00' }).takenAt).toBe('2024-03-01T01:00:00.000Z');
  });

  it('round-trips a Date written by the fixture, whatever the default offset', () => {
    const takenAt = new Date('2024-06-15T04:05:06.000Z');
    const photo = makeJpeg({ width: 32, height: 24, takenAt });
    expect(readPhotoMetadata(photo, { defaultUtcOffset: '+09:00' }).takenAt).toBe(takenAt.toISOString());
  });

  it('falls back to IFD0 DateTime when there is no DateTimeOriginal', () => {
    const photo = makeJpeg({ width: 32, height: 24, dateTime: '2023:11:20 07:15:00' });
    expect(readPhotoMetadata(photo).takenAt).toBe('2023-11-20T00:15:00.000Z');
  });

  it('applies OffsetTime, not OffsetTimeOriginal, to the DateTime fallback', () => {
    const tiff = encodeTiff({
      ifd0: [ascii(0x0132, '2023:11:20 07:15:00')],
      exif: [ascii(OFFSET_TIME, '+08:00')],
    });
    expect(readPhotoMetadata(jpegWith(tiff)).takenAt).toBe('2023-11-19T23:15:00.000Z');
  });

  it('prefers DateTimeOriginal (when taken) over DateTime (when last saved)', () => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:01:02 08:00:00', dateTime: '2024:09:09 09:09:09' });
    expect(readPhotoMetadata(photo).takenAt).toBe('2024-01-02T01:00:00.000Z');
  });

  it.each([
    ['unset by the camera', '0000:00:00 00:00:00'],
    ['blank', '    :  :     :  :  '],
    ['an impossible day', '2024:02:30 10:00:00'],
    ['an impossible hour', '2024:02:10 25:00:00'],
    ['not a date', 'yesterday'],
  ])('treats a DateTimeOriginal that is %s as no date', (_, text) => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: text });
    expect(readPhotoMetadata(photo).takenAt).toBeUndefined();
  });

  it('accepts the dash-separated dates some apps write', () => {
    const tiff = encodeTiff({ exif: [ascii(DATE_TIME_ORIGINAL, '2024-03-01 10:00:00')] });
    expect(readPhotoMetadata(jpegWith(tiff)).takenAt).toBe('2024-03-01T03:00:00.000Z');
  });

  it('ignores a malformed offset and falls back to the default', () => {
    const tiff = encodeTiff({
      exif: [ascii(DATE_TIME_ORIGINAL, '2024:03:01 10:00:00'), ascii(OFFSET_TIME_ORIGINAL, '+7')],
    });
    expect(readPhotoMetadata(jpegWith(tiff)).takenAt).toBe('2024-03-01T03:00:00.000Z');
  });
});

describe('readPhotoMetadata: GPS', () => {
  it.each(BYTE_ORDERS)('reads a southern, eastern position in %s byte order', (byteOrder) => {
    const { gps } = readPhotoMetadata(makeJpeg({ width: 32, height: 24, gps: houseLocation, byteOrder }));
    expect(gps?.latitude).toBeCloseTo(houseLocation.latitude, 6);
    expect(gps?.longitude).toBeCloseTo(houseLocation.longitude, 6);
  });

  it('reads northern and western hemispheres with the right signs', () => {
    const location = { latitude: 1.4748, longitude: -124.8421 };
    const { gps } = readPhotoMetadata(makeJpeg({ width: 32, height: 24, gps: location }));
    expect(gps?.latitude).toBeCloseTo(1.4748, 6);
    expect(gps?.longitude).toBeCloseTo(-124.8421, 6);
  });

  it('accepts degrees and decimal minutes with no seconds component', () => {
    const tiff = encodeTiff({ gps: gpsEntries('S', [[3, 1], [417_240, 10_000]], 'E', [[128, 1], [1_088_400, 100_000]]) });
    const { gps } = readPhotoMetadata(jpegWith(tiff));
    expect(gps?.latitude).toBeCloseTo(-3.6954, 6);
    expect(gps?.longitude).toBeCloseTo(128.1814, 6);
  });

  it('gives no position when a hemisphere reference is missing, since the sign would be a guess', () => {
    const tiff = encodeTiff({
      gps: [{ tag: 0x0002, type: 'rational', value: [[3, 1], [41, 1], [43, 1]] }, ...gpsEntries('S', [[3, 1]], 'E', [[128, 1]]).slice(2)],
    });
    expect(readPhotoMetadata(jpegWith(tiff)).gps).toBeUndefined();
  });

  it('gives no position when a rational has a zero denominator', () => {
    const tiff = encodeTiff({ gps: gpsEntries('S', [[3, 1], [41, 0], [0, 1]], 'E', [[128, 1], [10, 1], [0, 1]]) });
    expect(readPhotoMetadata(jpegWith(tiff)).gps).toBeUndefined();
  });

  it('treats exactly 0°,0° as the placeholder of a phone without a fix', () => {
    const tiff = encodeTiff({ gps: gpsEntries('N', [[0, 1], [0, 1], [0, 1]], 'E', [[0, 1], [0, 1], [0, 1]]) });
    expect(readPhotoMetadata(jpegWith(tiff)).gps).toBeUndefined();
  });

  it('rejects latitudes beyond the pole', () => {
    const tiff = encodeTiff({ gps: gpsEntries('S', [[91, 1], [0, 1], [0, 1]], 'E', [[128, 1], [0, 1], [0, 1]]) });
    expect(readPhotoMetadata(jpegWith(tiff)).gps).toBeUndefined();
  });
});

describe('readPhotoMetadata: containers', () => {
  it('reads orientation from IFD0', () => {
    expect(readPhotoMetadata(makeJpeg({ width: 32, height: 24, orientation: 6 })).orientation).toBe(6);
  });

  it('finds the EXIF segment after a JFIF APP0 and a non-EXIF APP1 (XMP)', () => {
    const app0Length = (plainJpeg[4]! << 8) | plainJpeg[5]!;
    const afterApp0 = 4 + app0Length;
    const xmpBody = Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>', 'latin1');
    const xmp = Uint8Array.from([0xff, 0xe1, (xmpBody.length + 2) >> 8, (xmpBody.length + 2) & 0xff, ...xmpBody]);
    const exif = withJpegExif(new Uint8Array([0xff, 0xd8]), makeExifTiff({ takenAt: '2024:03:01 10:00:00' })).subarray(2);
    const jpeg = Uint8Array.from([...plainJpeg.subarray(0, afterApp0), ...xmp, ...exif, ...plainJpeg.subarray(afterApp0)]);
    expect(readPhotoMetadata(jpeg).takenAt).toBe('2024-03-01T03:00:00.000Z');
  });

  it('does not look for EXIF inside the compressed image data', () => {
    // An "Exif" APP1 after start-of-scan is image data, not metadata.
    const sos = plainJpeg.findIndex((b, i) => b === 0xff && plainJpeg[i + 1] === 0xda);
    const exif = withJpegExif(new Uint8Array([0xff, 0xd8]), makeExifTiff({ takenAt: '2024:03:01 10:00:00' })).subarray(2);
    const jpeg = Uint8Array.from([...plainJpeg.subarray(0, sos), 0xff, 0xda, 0, 2, ...exif]);
    expect(readPhotoMetadata(jpeg)).toEqual({});
  });

  it.each(BYTE_ORDERS)('reads a PNG eXIf chunk in %s byte order', (byteOrder) => {
    const png = makePng({ width: 32, height: 24, takenAt: '2024:03:01 10:00:00', gps: houseLocation, byteOrder });
    const metadata = readPhotoMetadata(png);
    expect(metadata.takenAt).toBe('2024-03-01T03:00:00.000Z');
    expect(metadata.gps?.latitude).toBeCloseTo(houseLocation.latitude, 6);
  });

  it('reads a PNG eXIf chunk that wrongly keeps the "Exif\\0\\0" prefix', () => {
    const tiff = makeExifTiff({ takenAt: '2024:03:01 10:00:00' });
    const png = withPngChunk(makePng({ width: 8, height: 8 }), pngChunk('eXIf', Uint8Array.from([...Buffer.from('Exif\0\0', 'latin1'), ...tiff])));
    expect(readPhotoMetadata(png).takenAt).toBe('2024-03-01T03:00:00.000Z');
  });

  it('returns nothing for photos without EXIF and for non-images', () => {
    expect(readPhotoMetadata(plainJpeg)).toEqual({});
    expect(readPhotoMetadata(makePng({ width: 8, height: 8 }))).toEqual({});
    expect(readPhotoMetadata(makePdf())).toEqual({});
    expect(readPhotoMetadata(new Uint8Array())).toEqual({});
  });

  it('works on a view into a larger buffer (Node pools small Buffers)', () => {
    const photo = makeJpeg({ width: 32, height: 24, takenAt: '2024:03:01 10:00:00', gps: houseLocation });
    const pool = new Uint8Array(photo.length + 13);
    pool.set(photo, 13);
    expect(readPhotoMetadata(pool.subarray(13))).toEqual(readPhotoMetadata(photo));
  });
});

describe('readPhotoMetadata: malformed data', () => {
  it('still reads the date when the GPS pointer leads outside the block', () => {
    const tiff = encodeTiff({
      ifd0: [{ tag: 0x8825, type: 'raw', typeCode: 4, count: 1, valueField: 0xffff_ff00 }],
      exif: [ascii(DATE_TIME_ORIGINAL, '2024:03:01 10:00:00')],
    });
    const metadata = readPhotoMetadata(jpegWith(tiff));
    expect(metadata.takenAt).toBe('2024-03-01T03:00:00.000Z');
    expect(metadata.gps).toBeUndefined();
  });

  it('ignores a date whose value offset points past the end', () => {
    const tiff = encodeTiff({
      exif: [{ tag: DATE_TIME_ORIGINAL, type: 'raw', typeCode: 2, count: 20, valueField: 0x7fff_0000 }],
    });
    expect(readPhotoMetadata(jpegWith(tiff)).takenAt).toBeUndefined();
  });

  it('reads the entries that survive when an IFD claims more than the block holds', () => {
    const tiff = makeExifTiff({ orientation: 3 });
    const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
    view.setUint16(8, 0xffff); // IFD0 entry count
    expect(readTiffMetadata(tiff).orientation).toBe(3);
  });

  it('ignores an orientation outside 1..8', () => {
    expect(readPhotoMetadata(makeJpeg({ width: 32, height: 24, orientation: 9 })).orientation).toBeUndefined();
  });

  it('rejects a TIFF header with the wrong magic number', () => {
    const tiff = makeExifTiff({ takenAt: '2024:03:01 10:00:00' });
    tiff[3] = 43; // BigTIFF, never used for EXIF
    expect(readTiffMetadata(tiff)).toEqual({});
  });
});

describe('readPhotoMetadata: never throws', () => {
  const full = makeJpeg({ width: 32, height: 24, takenAt: new Date('2024-06-15T04:05:06Z'), gps: houseLocation, orientation: 6 });
  const fullLittle = makeJpeg({ width: 32, height: 24, takenAt: '2024:06:15 11:05:06', gps: houseLocation, byteOrder: 'II' });
  const fullPng = makePng({ width: 8, height: 8, takenAt: '2024:06:15 11:05:06', gps: houseLocation });
  const exifEnd = 2 + 4 + ((full[4]! << 8) | full[5]!);

  const wellFormed = (metadata: ReturnType<typeof readPhotoMetadata>): void => {
    if (metadata.takenAt !== undefined) expect(Number.isNaN(Date.parse(metadata.takenAt))).toBe(false);
    if (metadata.gps !== undefined) {
      expect(Math.abs(metadata.gps.latitude)).toBeLessThanOrEqual(90);
      expect(Math.abs(metadata.gps.longitude)).toBeLessThanOrEqual(180);
    }
  };

  it('on random bytes, bare or behind a JPEG/PNG signature and EXIF header', () => {
    const prefixes = [
      [],
      [0xff, 0xd8, 0xff],
      [0xff, 0xd8, 0xff, 0xe1, 0x01, 0x00, 0x45, 0x78, 0x69, 0x66, 0, 0],
      [0xff, 0xd8, 0xff, 0xe1, 0x01, 0x00, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 42],
      [0xff, 0xd8, 0xff, 0xe1, 0x01, 0x00, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49, 42, 0],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 1, 0, 0x65, 0x58, 0x49, 0x66, 0x4d, 0x4d, 0, 42],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 512 }), (prefix, tail) => {
        wellFormed(readPhotoMetadata(Uint8Array.from([...prefix, ...tail])));
      }),
      { numRuns: 2000 },
    );
  });

  it('on every truncation of a real photo’s metadata', () => {
    for (const photo of [full, fullLittle, fullPng]) {
      for (let length = 0; length <= Math.min(photo.length, exifEnd + 64); length++) {
        wellFormed(readPhotoMetadata(photo.subarray(0, length)));
      }
    }
  });

  it('returns everything once the EXIF segment is complete, even if the image is cut off', () => {
    const metadata = readPhotoMetadata(full.subarray(0, exifEnd));
    expect(metadata.takenAt).toBe('2024-06-15T04:05:06.000Z');
    expect(metadata.gps?.latitude).toBeCloseTo(houseLocation.latitude, 6);
    expect(metadata.orientation).toBe(6);
  });

  it('on real photos with random bytes overwritten in the metadata', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(full, fullLittle, fullPng),
        fc.array(fc.tuple(fc.nat({ max: exifEnd + 32 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (photo, edits) => {
          const mutated = photo.slice();
          for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
          wellFormed(readPhotoMetadata(mutated));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
