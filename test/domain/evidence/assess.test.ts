import { describe, expect, it } from 'vitest';
import { assessDocument, currentDocuments, type AssessDocumentInput } from '../../../domain/evidence/assess.ts';
import {
  farFromHouseLocation,
  houseLocation,
  makeJpeg,
  makePdf,
  makePng,
  nearHouseLocation,
} from '../../support/evidence-fixtures.ts';

const NOW = new Date('2025-03-10T03:00:00.000Z');
const DAY = 86_400_000;
const daysBefore = (days: number): Date => new Date(NOW.getTime() - days * DAY);

const photoInput = (bytes: Uint8Array, overrides: Partial<AssessDocumentInput> = {}): AssessDocumentInput => ({
  kind: 'house-front',
  photo: true,
  contentTypes: ['image/jpeg', 'image/png'],
  maxBytes: 5_000_000,
  bytes,
  declaredLocation: houseLocation,
  now: NOW,
  maxAgeDays: 30,
  maxDistanceMeters: 500,
  ...overrides,
});

const codes = (input: AssessDocumentInput): string[] => assessDocument(input).problems.map((p) => p.code);

describe('assessDocument: any document', () => {
  it('accepts a recent photo taken at the house and reports its date, distance and hash', () => {
    const takenAt = daysBefore(3);
    const result = assessDocument(photoInput(makeJpeg({ seed: 2, takenAt, gps: nearHouseLocation })));
    expect(result.problems).toEqual([]);
    expect(result.contentType).toBe('image/jpeg');
    expect(result.photo?.takenAt).toBe(takenAt.toISOString());
    expect(result.photo?.distanceMeters).toBe(33);
    expect(result.photo?.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reports an empty upload as DOCUMENT_EMPTY and nothing else', () => {
    expect(assessDocument(photoInput(new Uint8Array()))).toEqual({
      contentType: null,
      problems: [{ kind: 'house-front', code: 'DOCUMENT_EMPTY' }],
    });
  });

  it('judges the type by the bytes: a PNG where only JPEG is allowed is refused', () => {
    const result = assessDocument(photoInput(makePng({ width: 16, height: 16 }), { contentTypes: ['image/jpeg'] }));
    expect(result.contentType).toBe('image/png');
    expect(result.problems).toEqual([
      {
        kind: 'house-front',
        code: 'DOCUMENT_TYPE_NOT_ALLOWED',
        detail: { detectedType: 'image/png', allowedTypes: 'image/jpeg' },
      },
    ]);
    expect(result.photo).toBeUndefined();
  });

  it('refuses bytes of no recognised type', () => {
    const text = new Uint8Array(Buffer.from('<html>not a photo</html>'));
    const result = assessDocument(photoInput(text));
    expect(result.contentType).toBeNull();
    expect(result.problems[0]?.detail?.detectedType).toBe('unknown');
    expect(result.problems.map((p) => p.code)).toEqual(['DOCUMENT_TYPE_NOT_ALLOWED']);
  });

  it('refuses a document over the size limit without decoding it', () => {
    const jpeg = makeJpeg({ width: 64, height: 48 });
    const result = assessDocument(photoInput(jpeg, { maxBytes: jpeg.length - 1 }));
    expect(result.problems).toEqual([
      { kind: 'house-front', code: 'DOCUMENT_TOO_LARGE', detail: { bytes: jpeg.length, maxBytes: jpeg.length - 1 } },
    ]);
    expect(result.photo).toBeUndefined();
  });

  it('accepts a document exactly at the size limit', () => {
    const pdf = makePdf();
    expect(codes({ ...photoInput(pdf), photo: false, contentTypes: ['application/pdf'], maxBytes: pdf.length })).toEqual([]);
  });

  it('reports a wrong type and an excess size together, so the village fixes both at once', () => {
    const pdf = makePdf();
    expect(codes(photoInput(pdf, { maxBytes: 10 }))).toEqual(['DOCUMENT_TYPE_NOT_ALLOWED', 'DOCUMENT_TOO_LARGE']);
  });

  it('runs no photo checks on a non-photo document such as the berita acara', () => {
    const result = assessDocument({
      ...photoInput(makePdf('Berita Acara Musyawarah Desa Hative Besar')),
      kind: 'berita-acara',
      photo: false,
      contentTypes: ['application/pdf'],
    });
    expect(result).toEqual({ contentType: 'application/pdf', problems: [] });
  });
});

describe('assessDocument: photos', () => {
  it('reports a photo whose pixels cannot be decoded as PHOTO_UNREADABLE', () => {
    const broken = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0x00, 9, 9, 9]);
    const result = assessDocument(photoInput(broken));
    expect(result.problems.map((p) => p.code)).toEqual(['PHOTO_UNREADABLE']);
    expect(result.problems[0]?.detail?.reason).toEqual(expect.any(String));
    expect(result.photo?.hash).toBeUndefined();
  });

  it('reports a PDF uploaded for a photo kind that allows PDFs as PHOTO_UNREADABLE', () => {
    expect(codes(photoInput(makePdf(), { contentTypes: ['image/jpeg', 'application/pdf'] }))).toEqual(['PHOTO_UNREADABLE']);
  });

  it('treats a photo without a capture date as PHOTO_DATE_MISSING, but still hashes it', () => {
    const result = assessDocument(photoInput(makeJpeg({ seed: 4, gps: houseLocation })));
    expect(result.problems).toEqual([{ kind: 'house-front', code: 'PHOTO_DATE_MISSING' }]);
    expect(result.photo?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(result.photo?.distanceMeters).toBe(0);
  });

  it('reports a photo older than the limit with its age in whole days', () => {
    const takenAt = daysBefore(31.2);
    const result = assessDocument(photoInput(makeJpeg({ takenAt })));
    expect(result.problems).toEqual([
      {
        kind: 'house-front',
        code: 'PHOTO_TOO_OLD',
        detail: { takenAt: takenAt.toISOString(), ageDays: 31, maxAgeDays: 30 },
      },
    ]);
  });

  it('accepts a photo up to the last hour of its final allowed day', () => {
    expect(codes(photoInput(makeJpeg({ takenAt: daysBefore(30.95) })))).toEqual([]);
    expect(codes(photoInput(makeJpeg({ takenAt: daysBefore(31) })))).toEqual(['PHOTO_TOO_OLD']);
  });

  it('tolerates a camera clock up to one day fast', () => {
    expect(codes(photoInput(makeJpeg({ takenAt: daysBefore(-0.95) })))).toEqual([]);
  });

  it('reports a capture date more than a day in the future', () => {
    const takenAt = daysBefore(-1.1);
    const result = assessDocument(photoInput(makeJpeg({ takenAt })));
    expect(result.problems).toEqual([
      {
        kind: 'house-front',
        code: 'PHOTO_DATE_IN_FUTURE',
        detail: { takenAt: takenAt.toISOString(), allowedSkewDays: 1 },
      },
    ]);
  });

  it('reads a capture time without offset as WIB unless told the province’s zone', () => {
    // 10:30 on 10 March: 03:30Z in WIB (half an hour ahead of NOW, fine), 01:30Z in WIT.
    const photo = makeJpeg({ takenAt: '2025:03:10 10:30:00' });
    expect(assessDocument(photoInput(photo)).photo?.takenAt).toBe('2025-03-10T03:30:00.000Z');
    expect(assessDocument(photoInput(photo, { defaultUtcOffset: '+09:00' })).photo?.takenAt).toBe('2025-03-10T01:30:00.000Z');
  });

  it('reports a photo taken too far from the declared house with distance and limit', () => {
    const result = assessDocument(photoInput(makeJpeg({ takenAt: daysBefore(1), gps: farFromHouseLocation })));
    expect(result.problems).toEqual([
      {
        kind: 'house-front',
        code: 'PHOTO_TOO_FAR',
        detail: { distanceMeters: result.photo?.distanceMeters ?? -1, maxDistanceMeters: 500 },
      },
    ]);
    expect(result.photo?.distanceMeters).toBeGreaterThan(20_000);
  });

  it('accepts a photo exactly at the distance limit', () => {
    const photo = makeJpeg({ takenAt: daysBefore(1), gps: nearHouseLocation });
    expect(codes(photoInput(photo, { maxDistanceMeters: 33 }))).toEqual([]);
    expect(codes(photoInput(photo, { maxDistanceMeters: 32 }))).toEqual(['PHOTO_TOO_FAR']);
  });

  it('raises no distance problem, and reports no distance, for a photo without GPS', () => {
    const result = assessDocument(photoInput(makeJpeg({ takenAt: daysBefore(1) })));
    expect(result.problems).toEqual([]);
    expect(result.photo).not.toHaveProperty('distanceMeters');
  });

  it('reports every photo problem at once, each tagged with the document kind', () => {
    const result = assessDocument(
      photoInput(makeJpeg({ takenAt: daysBefore(400), gps: farFromHouseLocation }), { kind: 'house-interior' }),
    );
    expect(result.problems.map((p) => [p.kind, p.code])).toEqual([
      ['house-interior', 'PHOTO_TOO_OLD'],
      ['house-interior', 'PHOTO_TOO_FAR'],
    ]);
  });

  it('checks PNG photos the same way, reading their eXIf chunk', () => {
    const result = assessDocument(photoInput(makePng({ takenAt: daysBefore(2), gps: farFromHouseLocation })));
    expect(result.contentType).toBe('image/png');
    expect(result.problems.map((p) => p.code)).toEqual(['PHOTO_TOO_FAR']);
  });
});

describe('currentDocuments', () => {
  const doc = (kind: string, file: string) => ({ kind, key: `proposals/P/${kind}/${file}` });

  it("keeps, per kind, only the files uploaded for the newest version that has any", () => {
    const documents = [
      doc('house-front', 'v1-01A.jpg'),
      doc('house-front', 'v2-01B.jpg'),
      doc('house-front', 'v2-01C.jpg'),
      doc('berita-acara', 'v1-01D.pdf'),
      doc('id-scan', 'scan.jpg'),
    ];
    expect(currentDocuments(documents, 2).map((d) => d.key.split('/').pop())).toEqual([
      'v2-01B.jpg',
      'v2-01C.jpg',
      'v1-01D.pdf',
      'scan.jpg',
    ]);
  });

  it('ignores files uploaded for a later version than the one being checked', () => {
    expect(currentDocuments([doc('house-front', 'v1-01A.jpg'), doc('house-front', 'v3-01B.jpg')], 2)).toEqual([
      doc('house-front', 'v1-01A.jpg'),
    ]);
  });
});
