/**
 * Evidence rules for one uploaded document: is it what it claims to be, and
 * for house photos, is it recent, taken at the house, and readable. Pure: the
 * caller fetches the bytes and supplies the clock and the limits.
 */

import { readPhotoMetadata } from './exif.ts';
import { distanceMeters } from './geo.ts';
import { perceptualHash } from './perceptual-hash.ts';
import { sniffContentType } from './sniff.ts';

export type EvidenceProblemCode =
  | 'DOCUMENT_TYPE_NOT_ALLOWED'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_EMPTY'
  | 'PHOTO_UNREADABLE'
  | 'PHOTO_DATE_MISSING'
  | 'PHOTO_TOO_OLD'
  | 'PHOTO_DATE_IN_FUTURE'
  | 'PHOTO_TOO_FAR';

export interface EvidenceProblem {
  /** Document kind the problem belongs to, e.g. "house-front". */
  kind: string;
  code: EvidenceProblemCode;
  detail?: Record<string, string | number>;
}

export interface AssessDocumentInput {
  kind: string;
  /** Photos additionally get date, location and readability checks and a perceptual hash. */
  photo: boolean;
  contentTypes: string[];
  maxBytes: number;
  bytes: Uint8Array;
  declaredLocation: { latitude: number; longitude: number };
  now: Date;
  maxAgeDays: number;
  maxDistanceMeters: number;
  /** UTC offset for photo times without an offset tag; default WIB (+07:00). */
  defaultUtcOffset?: string;
}

export interface PhotoFindings {
  takenAt?: string;
  /** Whole metres from the declared location; present whenever the photo has GPS. */
  distanceMeters?: number;
  hash?: string;
}

export interface DocumentAssessment {
  /** Type sniffed from the bytes; null when empty or unrecognised. */
  contentType: string | null;
  problems: EvidenceProblem[];
  /** Present for photos whose type and size passed, even if the checks below found problems. */
  photo?: PhotoFindings;
}

/** Camera clocks drift and time zones get mis-set; a day ahead is tolerated. */
export const FUTURE_SKEW_DAYS = 1;
const DAY_MS = 86_400_000;

export function assessDocument(input: AssessDocumentInput): DocumentAssessment {
  const { kind, bytes } = input;
  const problems: EvidenceProblem[] = [];
  const report = (code: EvidenceProblemCode, detail?: Record<string, string | number>): void => {
    problems.push(detail ? { kind, code, detail } : { kind, code });
  };

  if (bytes.length === 0) {
    report('DOCUMENT_EMPTY');
    return { contentType: null, problems };
  }

  const contentType = sniffContentType(bytes);
  if (contentType === null || !input.contentTypes.includes(contentType)) {
    report('DOCUMENT_TYPE_NOT_ALLOWED', {
      detectedType: contentType ?? 'unknown',
      allowedTypes: input.contentTypes.join(', '),
    });
  }
  if (bytes.length > input.maxBytes) {
    report('DOCUMENT_TOO_LARGE', { bytes: bytes.length, maxBytes: input.maxBytes });
  }
  // Decoding an oversized or wrong-typed file is wasted work (and the size
  // limit is what bounds decoding cost), so photo checks stop here.
  if (problems.length > 0 || !input.photo) return { contentType, problems };

  const photo: PhotoFindings = {};
  try {
    photo.hash = perceptualHash(bytes, contentType ?? '');
  } catch (error) {
    // A PDF allowed for a photo kind lands here too: it cannot show a house.
    report('PHOTO_UNREADABLE', { reason: error instanceof Error ? error.message : String(error) });
    return { contentType, problems, photo };
  }

  const metadata = readPhotoMetadata(
    bytes,
    input.defaultUtcOffset === undefined ? {} : { defaultUtcOffset: input.defaultUtcOffset },
  );

  // A photo without a capture date cannot show it is recent; field apps always write one.
  if (metadata.takenAt === undefined) {
    report('PHOTO_DATE_MISSING');
  } else {
    photo.takenAt = metadata.takenAt;
    const ageMs = input.now.getTime() - Date.parse(metadata.takenAt);
    if (-ageMs > FUTURE_SKEW_DAYS * DAY_MS) {
      report('PHOTO_DATE_IN_FUTURE', { takenAt: metadata.takenAt, allowedSkewDays: FUTURE_SKEW_DAYS });
    } else {
      // Whole days, so the reported age never equals the limit it broke.
      const ageDays = Math.floor(ageMs / DAY_MS);
      if (ageDays > input.maxAgeDays) {
        report('PHOTO_TOO_OLD', { takenAt: metadata.takenAt, ageDays, maxAgeDays: input.maxAgeDays });
      }
    }
  }

  // Only where GPS is present: many cheap phones and all messenger copies strip it.
  if (metadata.gps !== undefined) {
    const distance = Math.round(distanceMeters(metadata.gps, input.declaredLocation));
    photo.distanceMeters = distance;
    if (distance > input.maxDistanceMeters) {
      report('PHOTO_TOO_FAR', { distanceMeters: distance, maxDistanceMeters: input.maxDistanceMeters });
    }
  }

  return { contentType, problems, photo };
}

/** Upload keys name the proposal version they were issued for: `<kind>/v<version>-<ulid>.<ext>`. */
export function documentVersion(key: string): number {
  const match = /\/v(\d+)-[^/]*$/.exec(key);
  return match ? Number(match[1]) : 0;
}

/**
 * The documents that count for a proposal version. Per kind, only those uploaded for the newest version
 * (up to this one) that has any: a revision that replaces a rejected photo leaves the old one behind, while
 * a kind the revision did not touch keeps counting its earlier files.
 */
export function currentDocuments<T extends { kind: string; key: string }>(documents: readonly T[], version: number): T[] {
  const newest = new Map<string, number>();
  for (const document of documents) {
    const v = documentVersion(document.key);
    if (v <= version && v >= (newest.get(document.kind) ?? 0)) newest.set(document.kind, v);
  }
  return documents.filter((document) => documentVersion(document.key) === newest.get(document.kind));
}
