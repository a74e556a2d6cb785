/**
 * A deliberately small EXIF reader: only the tags evidence checks need
 * (capture time, its UTC offset, GPS position, orientation), from JPEG APP1
 * and PNG eXIf. Input is untrusted upload bytes, so every read is bounds-checked
 * and a malformed or truncated file yields whatever could be read, never a throw.
 */

import type { LatLon } from './geo.ts';
import { sniffContentType } from './sniff.ts';

export interface PhotoMetadata {
  /** Capture instant as an ISO-8601 UTC string (Date#toISOString). */
  takenAt?: string;
  gps?: LatLon;
  /** EXIF Orientation 1..8; how stored pixels must be turned for display. */
  orientation?: number;
}

export interface ReadPhotoMetadataOptions {
  /**
   * UTC offset ('+HH:MM') of camera wall-clock times that carry no offset tag.
   * Defaults to WIB (+07:00). Central Indonesia is WITA (+08:00) and Maluku and
   * Papua are WIT (+09:00), so a province stack may pass its own.
   */
  defaultUtcOffset?: string;
}

export const DEFAULT_UTC_OFFSET = '+07:00';

const TAG_ORIENTATION = 0x0112;
const TAG_DATE_TIME = 0x0132;
const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
const TAG_DATE_TIME_ORIGINAL = 0x9003;
const TAG_OFFSET_TIME = 0x9010;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const TAG_GPS_LATITUDE_REF = 0x0001;
const TAG_GPS_LATITUDE = 0x0002;
const TAG_GPS_LONGITUDE_REF = 0x0003;
const TAG_GPS_LONGITUDE = 0x0004;

const TYPE_BYTE = 1;
const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;
const TYPE_UNDEFINED = 7;
const TYPE_SRATIONAL = 10;
const TYPE_IFD = 13;

// Bytes per component for the TIFF field types; unknown types are skipped.
const TYPE_SIZES: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
};

// Strings we read are dates and offsets; anything longer is not one of them.
const MAX_ASCII_LENGTH = 64;

interface IfdEntry {
  type: number;
  count: number;
  /** Absolute offset of the value inside the TIFF block (inline or pointed to). */
  valueOffset: number;
}

/** Bounds-checked TIFF accessor: every read returns undefined outside the block. */
class Tiff {
  private readonly bytes: Uint8Array;
  private readonly little: boolean;
  private readonly view: DataView;

  // Plain fields, not parameter properties: keeps the file runnable by Node's type stripping.
  constructor(bytes: Uint8Array, little: boolean) {
    this.bytes = bytes;
    this.little = little;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  static open(bytes: Uint8Array): Tiff | undefined {
    if (bytes.length < 8) return undefined;
    const order = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
    if (order !== 'II' && order !== 'MM') return undefined;
    const tiff = new Tiff(bytes, order === 'II');
    return tiff.u16(2) === 42 ? tiff : undefined;
  }

  private fits(offset: number, size: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && offset + size <= this.bytes.length;
  }

  u8(offset: number): number | undefined {
    return this.fits(offset, 1) ? this.view.getUint8(offset) : undefined;
  }

  u16(offset: number): number | undefined {
    return this.fits(offset, 2) ? this.view.getUint16(offset, this.little) : undefined;
  }

  u32(offset: number): number | undefined {
    return this.fits(offset, 4) ? this.view.getUint32(offset, this.little) : undefined;
  }

  i32(offset: number): number | undefined {
    return this.fits(offset, 4) ? this.view.getInt32(offset, this.little) : undefined;
  }

  /** First occurrence of each tag; entries cut off by truncation are dropped. */
  readIfd(offset: number | undefined): Map<number, IfdEntry> {
    const entries = new Map<number, IfdEntry>();
    if (offset === undefined) return entries;
    const count = this.u16(offset);
    if (count === undefined) return entries;
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      if (!this.fits(at, 12)) break;
      const tag = this.u16(at)!;
      const type = this.u16(at + 2)!;
      const componentCount = this.u32(at + 4)!;
      const size = TYPE_SIZES[type];
      if (size === undefined || entries.has(tag)) continue;
      const inline = size * componentCount <= 4;
      entries.set(tag, {
        type,
        count: componentCount,
        valueOffset: inline ? at + 8 : this.u32(at + 8)!,
      });
    }
    return entries;
  }

  /** Text up to the first NUL; BYTE/UNDEFINED accepted as some writers use them. */
  ascii(entry: IfdEntry | undefined): string | undefined {
    if (!entry || ![TYPE_ASCII, TYPE_BYTE, TYPE_UNDEFINED].includes(entry.type)) return undefined;
    let text = '';
    const length = Math.min(entry.count, MAX_ASCII_LENGTH);
    for (let i = 0; i < length; i++) {
      const c = this.u8(entry.valueOffset + i);
      if (c === undefined || c === 0) break;
      text += String.fromCharCode(c);
    }
    return text;
  }

  uint(entry: IfdEntry | undefined, index = 0): number | undefined {
    if (!entry || index >= entry.count) return undefined;
    switch (entry.type) {
      case TYPE_BYTE:
        return this.u8(entry.valueOffset + index);
      case TYPE_SHORT:
        return this.u16(entry.valueOffset + index * 2);
      case TYPE_LONG:
      case TYPE_IFD:
        return this.u32(entry.valueOffset + index * 4);
      default:
        return undefined;
    }
  }

  /** Undefined for a zero denominator: 0/0 is how some phones write "no fix". */
  rational(entry: IfdEntry | undefined, index: number): number | undefined {
    if (!entry || index >= entry.count) return undefined;
    const at = entry.valueOffset + index * 8;
    const [numerator, denominator] =
      entry.type === TYPE_RATIONAL
        ? [this.u32(at), this.u32(at + 4)]
        : entry.type === TYPE_SRATIONAL
          ? [this.i32(at), this.i32(at + 4)]
          : [undefined, undefined];
    if (numerator === undefined || denominator === undefined || denominator === 0) return undefined;
    return numerator / denominator;
  }
}

/** The TIFF block of the first "Exif" APP1 segment, searched up to start of scan. */
function findJpegTiff(bytes: Uint8Array): Uint8Array | undefined {
  let at = 2; // after SOI
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined; // lost sync: not a marker where one must be
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length field
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // entropy-coded data or end: no EXIF
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2) return undefined;
    const start = at + 4;
    const end = Math.min(at + 2 + length, bytes.length); // truncated file: read what is there
    if (marker === 0xe1 && isExifHeader(bytes, start)) return bytes.subarray(start + 6, end);
    at += 2 + length;
  }
  return undefined;
}

// "Exif\0" then a pad byte that is usually 0 but not always.
function isExifHeader(bytes: Uint8Array, at: number): boolean {
  return (
    at + 6 <= bytes.length &&
    bytes[at] === 0x45 &&
    bytes[at + 1] === 0x78 &&
    bytes[at + 2] === 0x69 &&
    bytes[at + 3] === 0x66 &&
    bytes[at + 4] === 0x00
  );
}

/** Data of the first eXIf chunk. Chunk CRCs are not checked: a bad CRC is no reason to ignore a date. */
function findPngTiff(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8; // after the signature
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    const start = at + 8;
    if (type === 'eXIf') {
      const data = bytes.subarray(start, Math.min(start + length, bytes.length));
      // Some encoders wrongly keep the JPEG "Exif\0\0" prefix inside the chunk.
      return isExifHeader(data, 0) ? data.subarray(6) : data;
    }
    if (type === 'IEND') return undefined;
    at = start + length + 4;
  }
  return undefined;
}

const DATE_PATTERN = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET_PATTERN = /^([+-])(\d{2}):(\d{2})$/;

/** Minutes east of UTC, or undefined for a blank or malformed offset. */
export function parseUtcOffset(text: string | undefined): number | undefined {
  const match = text === undefined ? null : OFFSET_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * EXIF wall-clock time plus its UTC offset to an instant. Cameras write
 * "0000:00:00 00:00:00" or blanks when unset; those, and impossible dates
 * such as 31 February, read as no date at all.
 */
function parseExifDate(text: string | undefined, offsetMinutes: number): string | undefined {
  const match = text === undefined ? null : DATE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (year < 1900 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const wallClock = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (wallClock.getUTCDate() !== day) return undefined; // rolled over: no such day in that month
  return new Date(wallClock.getTime() - offsetMinutes * 60_000).toISOString();
}

function readCoordinate(
  tiff: Tiff,
  ref: string | undefined,
  value: IfdEntry | undefined,
  positive: string,
  negative: string,
  limit: number,
): number | undefined {
  // Without the hemisphere the sign is a guess, and Indonesia straddles the equator.
  const sign = ref === positive ? 1 : ref === negative ? -1 : undefined;
  if (sign === undefined || !value || value.count < 1) return undefined;
  let degrees = 0;
  for (const [index, divisor] of [[0, 1], [1, 60], [2, 3600]] as const) {
    if (index >= value.count) break; // writers may omit seconds; absent parts are zero
    const part = tiff.rational(value, index);
    if (part === undefined || part < 0) return undefined;
    degrees += part / divisor;
  }
  return Number.isFinite(degrees) && degrees <= limit ? sign * degrees : undefined;
}

function readGps(tiff: Tiff, gpsIfd: Map<number, IfdEntry>): LatLon | undefined {
  const latitude = readCoordinate(
    tiff, tiff.ascii(gpsIfd.get(TAG_GPS_LATITUDE_REF))?.trim().toUpperCase(),
    gpsIfd.get(TAG_GPS_LATITUDE), 'N', 'S', 90,
  );
  const longitude = readCoordinate(
    tiff, tiff.ascii(gpsIfd.get(TAG_GPS_LONGITUDE_REF))?.trim().toUpperCase(),
    gpsIfd.get(TAG_GPS_LONGITUDE), 'E', 'W', 180,
  );
  if (latitude === undefined || longitude === undefined) return undefined;
  // Exactly 0,0 is a placeholder written without a fix, not a position in the Gulf of Guinea.
  if (latitude === 0 && longitude === 0) return undefined;
  return { latitude, longitude };
}

/** Reads metadata from a TIFF/EXIF block (the payload of APP1 or eXIf). */
export function readTiffMetadata(bytes: Uint8Array, options: ReadPhotoMetadataOptions = {}): PhotoMetadata {
  const tiff = Tiff.open(bytes);
  if (!tiff) return {};
  const ifd0 = tiff.readIfd(tiff.u32(4));
  const exifIfd = tiff.readIfd(tiff.uint(ifd0.get(TAG_EXIF_IFD)));
  const gpsIfd = tiff.readIfd(tiff.uint(ifd0.get(TAG_GPS_IFD)));

  const defaultOffset = parseUtcOffset(options.defaultUtcOffset ?? DEFAULT_UTC_OFFSET) ?? 7 * 60;
  const offsetOriginal = parseUtcOffset(tiff.ascii(exifIfd.get(TAG_OFFSET_TIME_ORIGINAL)));
  const offsetModified = parseUtcOffset(tiff.ascii(exifIfd.get(TAG_OFFSET_TIME)));
  // DateTime (0x0132) is when the file was last written: only a fallback, with its own offset tag.
  const takenAt =
    parseExifDate(
      tiff.ascii(exifIfd.get(TAG_DATE_TIME_ORIGINAL)),
      offsetOriginal ?? offsetModified ?? defaultOffset,
    ) ??
    parseExifDate(tiff.ascii(ifd0.get(TAG_DATE_TIME)), offsetModified ?? offsetOriginal ?? defaultOffset);

  const gps = readGps(tiff, gpsIfd);
  const orientation = tiff.uint(ifd0.get(TAG_ORIENTATION));

  const metadata: PhotoMetadata = {};
  if (takenAt !== undefined) metadata.takenAt = takenAt;
  if (gps !== undefined) metadata.gps = gps;
  if (orientation !== undefined && orientation >= 1 && orientation <= 8) metadata.orientation = orientation;
  return metadata;
}

/**
 * Capture time, GPS position and orientation of a JPEG or PNG photo; an empty
 * object for other formats or when there is no (readable) EXIF. Never throws.
 */
export function readPhotoMetadata(bytes: Uint8Array, options: ReadPhotoMetadataOptions = {}): PhotoMetadata {
  const type = sniffContentType(bytes);
  const tiff = type === 'image/jpeg' ? findJpegTiff(bytes) : type === 'image/png' ? findPngTiff(bytes) : undefined;
  return tiff ? readTiffMetadata(tiff, options) : {};
}
