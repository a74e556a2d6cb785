/**
 * Deterministic evidence files for tests and the local demo data: JPEG/PNG
 * photos with the EXIF a field phone writes (capture time, GPS, orientation),
 * and a minimal PDF. Tests import them through test/support/evidence-fixtures.ts.
 * Pictures are drawn in normalised coordinates, so the same seed at another
 * size is the "same photo" resized, while different seeds differ clearly.
 */

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface LatLon {
  latitude: number;
  longitude: number;
}

/** Kota Ambon, Maluku: the declared location of the test household. */
export const houseLocation: LatLon = { latitude: -3.6954, longitude: 128.1814 };
/** About 33 m south of the house: a photo taken in the yard. */
export const nearHouseLocation: LatLon = { latitude: -3.6957, longitude: 128.1814 };
/** Tulehu, about 20 km north-east across Ambon island: clearly not at the house. */
export const farFromHouseLocation: LatLon = { latitude: -3.588, longitude: 128.33 };

export type ByteOrder = 'II' | 'MM';

export interface ExifOptions {
  /** Written as DateTimeOriginal: a Date (as wall clock in `offsetTime`) or raw 'YYYY:MM:DD HH:MM:SS'. */
  takenAt?: Date | string;
  /**
   * OffsetTimeOriginal. For a Date `takenAt` it defaults to '+07:00' (so the
   * instant round-trips); null omits the tag. For a string it is only written when given.
   */
  offsetTime?: string | null;
  /** IFD0 DateTime (file modification time), raw 'YYYY:MM:DD HH:MM:SS'. */
  dateTime?: string;
  gps?: LatLon;
  /** EXIF Orientation 1..8. */
  orientation?: number;
  /** TIFF byte order; default big-endian 'MM' like most phone cameras. */
  byteOrder?: ByteOrder;
}

/** RGBA pixels of picture `seed` as displayed, `width` × `height`. */
export type RenderPicture = (seed: number, width: number, height: number) => Uint8Array;

export interface PictureOptions {
  seed?: number;
  width?: number;
  height?: number;
  /** Draws the picture; default {@link renderPicture}. */
  render?: RenderPicture;
}

export interface JpegOptions extends PictureOptions, ExifOptions {
  /** jpeg-js quality 1..100; default 85. */
  quality?: number;
}

export type PngOptions = PictureOptions & ExifOptions;

// ---------------------------------------------------------------------------
// Pictures

/** mulberry32: a tiny seeded PRNG of 32-bit integers, so pictures (and benchmark hashes) repeat on every run. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same sequence as fractions in [0, 1). */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

interface Shape {
  ellipse: boolean;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  color: [number, number, number];
}

/**
 * RGBA pixels of picture `seed` as it should be *displayed*: a smooth random
 * landscape of a few low-frequency waves (so neighbouring hash cells rarely
 * tie and the layout differs per seed) under translucent rectangles and
 * ellipses. Coordinates are normalised, so size changes only the resolution.
 */
export function renderPicture(seed: number, width: number, height: number): Uint8Array {
  const next = seededRandom(seed * 7919 + 17);
  const color = (): [number, number, number] => [next() * 255, next() * 255, next() * 255];
  const waves = Array.from({ length: 4 }, () => ({
    fx: (next() - 0.5) * 5,
    fy: (next() - 0.5) * 5,
    phase: next() * 2 * Math.PI,
    amplitude: 20 + next() * 30,
  }));
  const tint = color();
  const shapes: Shape[] = Array.from({ length: 3 + Math.floor(next() * 3) }, () => ({
    ellipse: next() < 0.5,
    cx: 0.1 + next() * 0.8,
    cy: 0.1 + next() * 0.8,
    rx: 0.08 + next() * 0.25,
    ry: 0.08 + next() * 0.25,
    color: color(),
  }));

  const data = new Uint8Array(width * height * 4);
  const rgb: [number, number, number] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width;
      let level = 128;
      for (const w of waves) level += w.amplitude * Math.sin(2 * Math.PI * (w.fx * u + w.fy * v) + w.phase);
      for (let i = 0; i < 3; i++) rgb[i] = level * 0.8 + tint[i]! * 0.2;
      for (const s of shapes) {
        const nx = (u - s.cx) / s.rx;
        const ny = (v - s.cy) / s.ry;
        const inside = s.ellipse ? nx * nx + ny * ny <= 1 : Math.abs(nx) <= 1 && Math.abs(ny) <= 1;
        if (inside) for (let i = 0; i < 3; i++) rgb[i] = rgb[i]! * 0.4 + s.color[i]! * 0.6;
      }
      const p = (y * width + x) * 4;
      data[p] = rgb[0];
      data[p + 1] = rgb[1];
      data[p + 2] = rgb[2];
      data[p + 3] = 255;
    }
  }
  return data;
}

/**
 * Stored pixels for an EXIF orientation: the inverse of what a viewer
 * applies, so the displayed picture is the same for every orientation.
 */
function toStoredOrientation(
  display: Uint8Array,
  width: number,
  height: number,
  orientation: number,
): { data: Uint8Array; width: number; height: number } {
  const transposed = orientation >= 5 && orientation <= 8;
  const sw = transposed ? height : width;
  const sh = transposed ? width : height;
  const data = new Uint8Array(display.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Stored position of displayed pixel (x, y), per the EXIF orientation table.
      const [sx, sy] = (
        {
          2: [sw - 1 - x, y],
          3: [sw - 1 - x, sh - 1 - y],
          4: [x, sh - 1 - y],
          5: [y, x],
          6: [y, sh - 1 - x],
          7: [sw - 1 - y, sh - 1 - x],
          8: [sw - 1 - y, x],
        } as Record<number, [number, number]>
      )[orientation] ?? [x, y];
      data.set(display.subarray((y * width + x) * 4, (y * width + x) * 4 + 4), (sy * sw + sx) * 4);
    }
  }
  return { data, width: sw, height: sh };
}

// ---------------------------------------------------------------------------
// EXIF / TIFF

export type TiffEntry =
  | { tag: number; type: 'ascii'; value: string }
  | { tag: number; type: 'byte' | 'short' | 'long'; value: number[] }
  | { tag: number; type: 'rational'; value: Array<[number, number]> }
  /** Raw entry for malformed-data tests: exact type code, count and 4-byte value field. */
  | { tag: number; type: 'raw'; typeCode: number; count: number; valueField: number };

const TYPE_CODES = { byte: 1, ascii: 2, short: 3, long: 4, rational: 5 } as const;

function entryData(entry: TiffEntry, little: boolean): { typeCode: number; count: number; bytes: Uint8Array } {
  const w = new Writer(little);
  switch (entry.type) {
    case 'ascii':
      for (const c of entry.value) w.u8(c.charCodeAt(0));
      w.u8(0);
      return { typeCode: TYPE_CODES.ascii, count: entry.value.length + 1, bytes: w.bytes() };
    case 'byte':
    case 'short':
    case 'long':
      for (const v of entry.value) (entry.type === 'byte' ? w.u8 : entry.type === 'short' ? w.u16 : w.u32).call(w, v);
      return { typeCode: TYPE_CODES[entry.type], count: entry.value.length, bytes: w.bytes() };
    case 'rational':
      for (const [n, d] of entry.value) {
        w.u32(n);
        w.u32(d);
      }
      return { typeCode: TYPE_CODES.rational, count: entry.value.length, bytes: w.bytes() };
    case 'raw':
      w.u32(entry.valueField);
      return { typeCode: entry.typeCode, count: entry.count, bytes: w.bytes() };
  }
}

class Writer {
  private readonly out: number[] = [];
  private readonly little: boolean;
  constructor(little: boolean) {
    this.little = little;
  }
  u8(v: number): void {
    this.out.push(v & 0xff);
  }
  u16(v: number): void {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    this.out.push(...(this.little ? b.reverse() : b));
  }
  u32(v: number): void {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.out.push(...(this.little ? b.reverse() : b));
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/**
 * A TIFF block (the payload of an EXIF APP1 segment or PNG eXIf chunk) with
 * IFD0 and optional Exif and GPS sub-IFDs; pointer tags are added for them.
 */
export function encodeTiff(
  ifds: { ifd0?: TiffEntry[]; exif?: TiffEntry[]; gps?: TiffEntry[] },
  byteOrder: ByteOrder = 'MM',
): Uint8Array {
  const little = byteOrder === 'II';
  const exif = ifds.exif ?? [];
  const gps = ifds.gps ?? [];
  const ifd0 = [...(ifds.ifd0 ?? [])];
  // Placeholders; sizes do not depend on the pointer values.
  if (exif.length) ifd0.push({ tag: 0x8769, type: 'long', value: [0] });
  if (gps.length) ifd0.push({ tag: 0x8825, type: 'long', value: [0] });

  const encoded = [ifd0, exif, gps].map((entries) =>
    [...entries].sort((a, b) => a.tag - b.tag).map((e) => ({ tag: e.tag, ...entryData(e, little) })),
  );
  const sizeOf = (entries: Array<{ bytes: Uint8Array }>): number =>
    2 + entries.length * 12 + 4 + entries.reduce((n, e) => n + (e.bytes.length > 4 ? e.bytes.length + (e.bytes.length % 2) : 0), 0);
  const offsets = [8];
  offsets.push(offsets[0]! + sizeOf(encoded[0]!));
  offsets.push(offsets[1]! + (exif.length ? sizeOf(encoded[1]!) : 0));

  const pointer = (n: number): Uint8Array => entryData({ tag: 0, type: 'long', value: [n] }, little).bytes;
  for (const e of encoded[0]!) {
    // Only the pointers added above: a caller's own (raw) pointer entry is left as written.
    if (e.tag === 0x8769 && exif.length) e.bytes = pointer(offsets[1]!);
    if (e.tag === 0x8825 && gps.length) e.bytes = pointer(offsets[2]!);
  }

  const w = new Writer(little);
  w.u8(byteOrder.charCodeAt(0));
  w.u8(byteOrder.charCodeAt(1));
  w.u16(42);
  w.u32(8);
  encoded.forEach((entries, index) => {
    if (index > 0 && entries.length === 0) return;
    const start = offsets[index]!;
    let dataAt = start + 2 + entries.length * 12 + 4;
    const data: number[] = [];
    w.u16(entries.length);
    for (const e of entries) {
      w.u16(e.tag);
      w.u16(e.typeCode);
      w.u32(e.count);
      if (e.bytes.length <= 4) {
        for (let i = 0; i < 4; i++) w.u8(e.bytes[i] ?? 0);
      } else {
        w.u32(dataAt);
        data.push(...e.bytes);
        if (e.bytes.length % 2) data.push(0); // TIFF values start on word boundaries
        dataAt += e.bytes.length + (e.bytes.length % 2);
      }
    }
    w.u32(0); // no next IFD
    for (const b of data) w.u8(b);
  });
  return w.bytes();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** 'YYYY:MM:DD HH:MM:SS' wall clock of an instant at a UTC offset like '+07:00'. */
export function exifDateTime(date: Date, offset = '+07:00'): string {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) throw new RangeError(`bad UTC offset ${offset}`);
  const minutes = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  const d = new Date(date.getTime() + minutes * 60_000);
  return (
    `${d.getUTCFullYear()}:${pad2(d.getUTCMonth() + 1)}:${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Degrees to the EXIF degrees/minutes/seconds rationals, to 1/1000 of a second. */
function dms(degrees: number): Array<[number, number]> {
  const abs = Math.abs(degrees);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 1000);
  return [[d, 1], [m, 1], [s, 1000]];
}

/** The TIFF/EXIF block a phone camera would write for these options. */
export function makeExifTiff(options: ExifOptions): Uint8Array {
  const ifd0: TiffEntry[] = [{ tag: 0x010f, type: 'ascii', value: 'Verval test camera' }];
  const exif: TiffEntry[] = [];
  const gps: TiffEntry[] = [];
  if (options.orientation !== undefined) ifd0.push({ tag: 0x0112, type: 'short', value: [options.orientation] });
  if (options.dateTime !== undefined) ifd0.push({ tag: 0x0132, type: 'ascii', value: options.dateTime });
  if (options.takenAt !== undefined) {
    const isDate = options.takenAt instanceof Date;
    const offset = options.offsetTime === undefined ? (isDate ? '+07:00' : null) : options.offsetTime;
    const text = options.takenAt instanceof Date ? exifDateTime(options.takenAt, offset ?? '+07:00') : options.takenAt;
    exif.push({ tag: 0x9003, type: 'ascii', value: text });
    if (offset !== null) exif.push({ tag: 0x9011, type: 'ascii', value: offset });
  }
  if (options.gps !== undefined) {
    gps.push(
      { tag: 0x0000, type: 'byte', value: [2, 3, 0, 0] },
      { tag: 0x0001, type: 'ascii', value: options.gps.latitude < 0 ? 'S' : 'N' },
      { tag: 0x0002, type: 'rational', value: dms(options.gps.latitude) },
      { tag: 0x0003, type: 'ascii', value: options.gps.longitude < 0 ? 'W' : 'E' },
      { tag: 0x0004, type: 'rational', value: dms(options.gps.longitude) },
    );
  }
  return encodeTiff({ ifd0, exif, gps }, options.byteOrder);
}

function hasExif(options: ExifOptions): boolean {
  return options.takenAt !== undefined || options.gps !== undefined || options.orientation !== undefined || options.dateTime !== undefined;
}

// ---------------------------------------------------------------------------
// Files

/** Inserts a TIFF block as an "Exif" APP1 segment right after SOI. */
export function withJpegExif(jpegBytes: Uint8Array, tiff: Uint8Array): Uint8Array {
  const length = 2 + 6 + tiff.length;
  if (length > 0xffff) throw new RangeError('EXIF block too large for one APP1 segment');
  const header = [0xff, 0xe1, length >> 8, length & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0];
  const out = new Uint8Array(jpegBytes.length + header.length + tiff.length);
  out.set(jpegBytes.subarray(0, 2), 0);
  out.set(header, 2);
  out.set(tiff, 2 + header.length);
  out.set(jpegBytes.subarray(2), 2 + header.length + tiff.length);
  return out;
}

/**
 * A deterministic JPEG photo (default 320×240, quality 85). EXIF is written
 * only for the options given: no `takenAt` means no capture date.
 */
export function makeJpeg(options: JpegOptions = {}): Uint8Array {
  const { seed = 1, width = 320, height = 240, quality = 85, orientation = 1, render = renderPicture } = options;
  const stored = toStoredOrientation(render(seed, width, height), width, height, orientation);
  const encoded = new Uint8Array(jpeg.encode(stored, quality).data);
  return hasExif(options) ? withJpegExif(encoded, makeExifTiff(options)) : encoded;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG chunk with length and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Inserts a chunk right after IHDR (signature 8 + IHDR chunk 25 bytes). */
export function withPngChunk(pngBytes: Uint8Array, chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(pngBytes.length + chunk.length);
  out.set(pngBytes.subarray(0, 33), 0);
  out.set(chunk, 33);
  out.set(pngBytes.subarray(33), 33 + chunk.length);
  return out;
}

/** A deterministic PNG (default 320×240); EXIF, if asked for, goes in an eXIf chunk. */
export function makePng(options: PngOptions = {}): Uint8Array {
  const { seed = 1, width = 320, height = 240, orientation = 1, render = renderPicture } = options;
  const stored = toStoredOrientation(render(seed, width, height), width, height, orientation);
  const png = new PNG({ width: stored.width, height: stored.height });
  png.data = Buffer.from(stored.data);
  const encoded = new Uint8Array(PNG.sync.write(png));
  return hasExif(options) ? withPngChunk(encoded, pngChunk('eXIf', makeExifTiff(options))) : encoded;
}

/**
 * A minimal valid single-page PDF (correct xref offsets) showing `text`,
 * standing in for a scanned berita acara. Text must be Latin-1.
 */
export function makePdf(text = 'Berita Acara Musyawarah Desa'): Uint8Array {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 12 Tf 72 720 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
