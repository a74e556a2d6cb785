/**
 * 64-bit difference hash (dHash) for spotting the same house photo submitted
 * twice, even after re-compression or resizing (e.g. forwarded via WhatsApp).
 *
 * Bit layout matches the Python `imagehash.dhash`: row-major over an 8×8
 * grid of comparisons, most significant bit first, bit = 1 when the
 * right-hand cell is brighter than its left neighbour.
 */

import { inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readPhotoMetadata } from './exif.ts';

/** Decoding limits for untrusted uploads: far above any phone camera, far below Lambda memory. */
export const MAX_DECODE_MEGAPIXELS = 50;
export const MAX_DECODE_MEMORY_MB = 512;

const GRID_WIDTH = 9;
const GRID_HEIGHT = 8;
// Cells of a flat area must compare equal despite floating-point rounding of fractional weights.
const TIE_TOLERANCE = 1e-6;

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function readPngHeader(bytes: Uint8Array): { width: number; height: number; interlaced: boolean } {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width, height, depth, colour, compression, filter, interlace.
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new Error('PNG without IHDR');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20), interlaced: bytes[28] === 1 };
}

/** Upper bound of the inflated size of an Adam7-interlaced image, filter bytes included. */
function interlacedDataSize(width: number, height: number, bitsPerPixel: number): number {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes as [number, number, number, number][]) {
    const columns = Math.ceil(Math.max(0, width - x0) / dx);
    const rows = Math.ceil(Math.max(0, height - y0) / dy);
    if (columns > 0) total += rows * (1 + Math.ceil((columns * bitsPerPixel) / 8));
  }
  return total;
}

/**
 * pngjs bounds inflation for non-interlaced images only; an interlaced
 * "zip bomb" of a few MB could expand to gigabytes and kill the Lambda.
 * So inflate those once here with a cap before handing them over.
 */
function guardPng(bytes: Uint8Array): void {
  const { width, height, interlaced } = readPngHeader(bytes);
  if (width * height > MAX_DECODE_MEGAPIXELS * 1_000_000) {
    throw new Error(`PNG of ${width}×${height} exceeds ${MAX_DECODE_MEGAPIXELS} MP`);
  }
  if (!interlaced) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  try {
    // 64 bits per pixel (16-bit RGBA) is the widest PNG pixel.
    inflateSync(Buffer.concat(parts), { maxOutputLength: Math.max(1, interlacedDataSize(width, height, 64)) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`PNG data inflates beyond its ${width}×${height} size`);
    }
    throw error;
  }
}

function decode(bytes: Uint8Array, contentType: string): Rgba {
  if (contentType === 'image/jpeg') {
    return jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: true,
      maxResolutionInMP: MAX_DECODE_MEGAPIXELS,
      maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
    });
  }
  if (contentType === 'image/png') {
    guardPng(bytes);
    // pngjs normalises every colour type and bit depth to 8-bit RGBA.
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  }
  throw new Error(`cannot hash content type ${contentType}`);
}

/**
 * For each source index, the target cells it overlaps and by how much:
 * exact area averaging, so the result does not depend on the source size.
 */
function axisWeights(sourceSize: number, targetSize: number): { start: Int32Array; cell: Int32Array; weight: Float64Array } {
  const start = new Int32Array(sourceSize + 1);
  const cells: number[] = [];
  const weights: number[] = [];
  const scale = targetSize / sourceSize;
  for (let s = 0; s < sourceSize; s++) {
    start[s] = cells.length;
    const from = s * scale;
    const to = (s + 1) * scale;
    for (let t = Math.floor(from); t < Math.min(targetSize, Math.ceil(to)); t++) {
      const overlap = Math.min(to, t + 1) - Math.max(from, t);
      if (overlap > 0) {
        cells.push(t);
        weights.push(overlap);
      }
    }
  }
  start[sourceSize] = cells.length;
  return { start, cell: Int32Array.from(cells), weight: Float64Array.from(weights) };
}

/**
 * Mean luminance per grid cell, transparent pixels composited over white.
 * Weights are in cell units, so each cell's weights sum to 1: no normalising.
 */
function gridLuminance(image: Rgba, gridWidth: number, gridHeight: number): Float64Array {
  const { width, height, data } = image;
  const xs = axisWeights(width, gridWidth);
  const ys = axisWeights(height, gridHeight);
  const grid = new Float64Array(gridWidth * gridHeight);
  const row = new Float64Array(gridWidth);
  for (let y = 0; y < height; y++) {
    row.fill(0);
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const alpha = data[p + 3]! / 255;
      // ITU-R BT.601 luma, as JPEG's Y and PIL's "L" mode use.
      const luma = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
      const gray = luma * alpha + 255 * (1 - alpha);
      for (let k = xs.start[x]!; k < xs.start[x + 1]!; k++) row[xs.cell[k]!]! += gray * xs.weight[k]!;
    }
    for (let k = ys.start[y]!; k < ys.start[y + 1]!; k++) {
      const base = ys.cell[k]! * gridWidth;
      const w = ys.weight[k]!;
      for (let t = 0; t < gridWidth; t++) grid[base + t]! += row[t]! * w;
    }
  }
  return grid;
}

/**
 * Stored-grid coordinates of displayed cell (x, y) for an EXIF orientation.
 * Hashing what a person sees means a phone original (sideways pixels plus an
 * Orientation tag) matches the upright copy a messenger app re-encodes.
 */
function storedCell(orientation: number, x: number, y: number, gw: number, gh: number): number {
  switch (orientation) {
    case 2: return y * gw + (gw - 1 - x);
    case 3: return (gh - 1 - y) * gw + (gw - 1 - x);
    case 4: return (gh - 1 - y) * gw + x;
    case 5: return x * gw + y;
    case 6: return (gh - 1 - x) * gw + y;
    case 7: return (gh - 1 - x) * gw + (gw - 1 - y);
    case 8: return x * gw + (gw - 1 - y);
    default: return y * gw + x;
  }
}

/**
 * dHash of a JPEG or PNG as 16 lowercase hex characters. Throws when the
 * image cannot be decoded or exceeds the decoding limits; callers turn that
 * into PHOTO_UNREADABLE.
 */
export function perceptualHash(bytes: Uint8Array, contentType: string): string {
  const image = decode(bytes, contentType);
  if (image.width < 1 || image.height < 1) throw new Error('image has no pixels');
  const orientation = readPhotoMetadata(bytes).orientation ?? 1;
  const transposed = orientation >= 5;
  const gw = transposed ? GRID_HEIGHT : GRID_WIDTH;
  const gh = transposed ? GRID_WIDTH : GRID_HEIGHT;
  const grid = gridLuminance(image, gw, gh);

  let hex = '';
  let nibble = 0;
  let bits = 0;
  for (let y = 0; y < GRID_HEIGHT; y++) {
    for (let x = 0; x < GRID_WIDTH - 1; x++) {
      const left = grid[storedCell(orientation, x, y, gw, gh)]!;
      const right = grid[storedCell(orientation, x + 1, y, gw, gh)]!;
      nibble = (nibble << 1) | (right - left > TIE_TOLERANCE ? 1 : 0);
      if (++bits % 4 === 0) {
        hex += nibble.toString(16);
        nibble = 0;
      }
    }
  }
  return hex;
}

const HASH_PATTERN = /^[0-9a-f]{16}$/i;

/** Number of differing bits between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  if (!HASH_PATTERN.test(a) || !HASH_PATTERN.test(b)) {
    throw new RangeError(`not a 64-bit hex hash: ${HASH_PATTERN.test(a) ? b : a}`);
  }
  let distance = 0;
  for (let i = 0; i < 16; i++) {
    let x = parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16);
    for (; x; x &= x - 1) distance++;
  }
  return distance;
}
