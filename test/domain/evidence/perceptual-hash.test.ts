import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { hammingDistance, perceptualHash } from '../../../domain/evidence/perceptual-hash.ts';
import { makeJpeg, makePdf, makePng, pngChunk, renderPicture } from '../../support/evidence-fixtures.ts';

const NEAR = 6; // the configured near-duplicate distance
const jpegHash = (bytes: Uint8Array): string => perceptualHash(bytes, 'image/jpeg');
const pngHash = (bytes: Uint8Array): string => perceptualHash(bytes, 'image/png');

function pngOf(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** pngjs cannot write Adam7, so assemble an interlaced RGBA PNG by hand. */
function interlacedPng(width: number, height: number, rgba: Uint8Array, idat?: Uint8Array): Uint8Array {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;
  const raw: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= width) continue;
    for (let y = y0; y < height; y += dy) {
      raw.push(0); // filter type None
      for (let x = x0; x < width; x += dx) raw.push(...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
    }
  }
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 1], 8); // 8-bit RGBA, Adam7
  return Uint8Array.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', idat ?? deflateSync(Uint8Array.from(raw))),
    ...pngChunk('IEND', new Uint8Array()),
  ]);
}

/** The JPEG without its EXIF APP1 segment, as a messenger app would strip it. */
function stripExif(jpeg: Uint8Array): Uint8Array {
  expect(jpeg[3]).toBe(0xe1);
  const length = (jpeg[4]! << 8) | jpeg[5]!;
  return Uint8Array.from([0xff, 0xd8, ...jpeg.subarray(4 + length)]);
}

describe('perceptualHash', () => {
  it('is 16 lowercase hex characters and the same every time for the same file', () => {
    const photo = makeJpeg({ seed: 3 });
    const hash = jpegHash(photo);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(jpegHash(photo)).toBe(hash);
    expect(jpegHash(makeJpeg({ seed: 3 }))).toBe(hash);
  });

  it.each([1, 2, 3, 4])('barely moves when picture %i is re-encoded at another quality or resized', (seed) => {
    const original = jpegHash(makeJpeg({ seed, quality: 90 }));
    expect(hammingDistance(original, jpegHash(makeJpeg({ seed, quality: 60 })))).toBeLessThanOrEqual(NEAR);
    expect(hammingDistance(original, jpegHash(makeJpeg({ seed, width: 160, height: 120 })))).toBeLessThanOrEqual(NEAR);
  });

  it('gives the same picture as PNG and as JPEG nearly the same hash', () => {
    expect(hammingDistance(pngHash(makePng({ seed: 5 })), jpegHash(makeJpeg({ seed: 5, quality: 70 })))).toBeLessThanOrEqual(NEAR);
  });

  it('tells different pictures apart by far more than the near-duplicate distance', () => {
    const hashes = [1, 2, 3, 4, 5, 6].map((seed) => jpegHash(makeJpeg({ seed })));
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++) expect(hammingDistance(hashes[i]!, hashes[j]!)).toBeGreaterThan(2 * NEAR);
    }
  });

  it.each([2, 3, 4, 5, 6, 7, 8])('hashes what is displayed: stored sideways with Orientation %i matches the upright copy', (orientation) => {
    const upright = jpegHash(makeJpeg({ seed: 7 }));
    expect(hammingDistance(upright, jpegHash(makeJpeg({ seed: 7, orientation })))).toBeLessThanOrEqual(NEAR);
  });

  it('would miss the sideways original if it ignored the Orientation tag', () => {
    const upright = jpegHash(makeJpeg({ seed: 7 }));
    const sidewaysWithoutTag = jpegHash(stripExif(makeJpeg({ seed: 7, orientation: 6 })));
    expect(hammingDistance(upright, sidewaysWithoutTag)).toBeGreaterThan(2 * NEAR);
  });

  it('sets a bit where the right-hand cell is brighter than the left', () => {
    expect(pngHash(pngOf(90, 80, (x) => [x * 2, x * 2, x * 2, 255]))).toBe('ffffffffffffffff');
    expect(pngHash(pngOf(90, 80, (x) => [255 - x * 2, 255 - x * 2, 255 - x * 2, 255]))).toBe('0000000000000000');
  });

  it('lets flat areas compare equal (no bits from rounding noise)', () => {
    expect(pngHash(pngOf(97, 61, () => [200, 120, 40, 255]))).toBe('0000000000000000');
  });

  it('composites transparency over white', () => {
    // Transparent black on the left, opaque gray on the right: left must read as white, i.e. brighter.
    const hash = pngHash(pngOf(90, 80, (x) => (x < 45 ? [0, 0, 0, 0] : [128, 128, 128, 255])));
    expect(hash).toBe('0000000000000000');
    const opaqueBlackLeft = pngHash(pngOf(90, 80, (x) => (x < 45 ? [0, 0, 0, 255] : [128, 128, 128, 255])));
    expect(opaqueBlackLeft).not.toBe('0000000000000000');
  });

  it('hashes images smaller than the 9×8 grid', () => {
    expect(pngHash(pngOf(1, 1, () => [10, 20, 30, 255]))).toBe('0000000000000000');
    expect(pngHash(pngOf(3, 2, (x) => [x * 100, x * 100, x * 100, 255]))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('decodes interlaced PNGs to the same hash as non-interlaced ones', () => {
    const pixels = renderPicture(9, 64, 48);
    expect(pngHash(interlacedPng(64, 48, pixels))).toBe(pngHash(makePng({ seed: 9, width: 64, height: 48 })));
  });

  it('refuses an interlaced PNG whose data inflates far beyond its size (zip bomb)', () => {
    const bomb = interlacedPng(16, 16, new Uint8Array(16 * 16 * 4), deflateSync(new Uint8Array(64 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => pngHash(bomb)).toThrow(/inflates beyond/);
  });

  it('refuses a PNG above the megapixel limit before decoding it', () => {
    const png = makePng({ width: 8, height: 8 });
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    view.setUint32(16, 10_000);
    view.setUint32(20, 6_000);
    expect(() => pngHash(png)).toThrow(/exceeds 50 MP/);
  });

  it('refuses a JPEG above the megapixel limit', () => {
    const jpeg = makeJpeg({ width: 16, height: 16 });
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
    view.setUint16(sof + 5, 6_000);
    view.setUint16(sof + 7, 10_000);
    expect(() => jpegHash(jpeg)).toThrow(/maxResolutionInMP/);
  });

  it('throws on bytes that do not decode, and on types it cannot hash', () => {
    expect(() => jpegHash(Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3, 4]))).toThrow();
    expect(() => pngHash(makePng().subarray(0, 60))).toThrow();
    expect(() => perceptualHash(makePdf(), 'application/pdf')).toThrow(/application\/pdf/);
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0123456789abcdef', '0123456789abcdef')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('0000000000000000', '000000000000000f')).toBe(4);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
  });

  it('ignores letter case', () => {
    expect(hammingDistance('ABCDEF0123456789', 'abcdef0123456789')).toBe(0);
  });

  it('rejects anything that is not 16 hex digits', () => {
    expect(() => hammingDistance('abc', '0000000000000000')).toThrow(RangeError);
    expect(() => hammingDistance('0000000000000000', 'zzzzzzzzzzzzzzzz')).toThrow(RangeError);
  });
});
