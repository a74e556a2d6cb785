import { describe, expect, it } from 'vitest';
import { formBoundary, MultipartError, parseMultipartForm } from '../../../local/s3/multipart-form.ts';

/** Encodes a FormData exactly as fetch would send it. */
async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type') as string };
}

describe('formBoundary', () => {
  it('reads a plain or quoted boundary and rejects other content types', () => {
    expect(formBoundary('multipart/form-data; boundary=abc123')).toBe('abc123');
    expect(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a;b c"')).toBe('a;b c');
    expect(formBoundary('application/x-www-form-urlencoded')).toBeUndefined();
    expect(formBoundary('multipart/form-data')).toBeUndefined();
  });
});

describe('parseMultipartForm', () => {
  it('returns the fields and the file of a form encoded by fetch, in order, bytes intact', async () => {
    const file = Buffer.from([0, 13, 10, 45, 45, 255, 1, 2]); // CR LF -- inside the data
    const form = new FormData();
    form.append('key', 'proposals/ü/${filename}');
    form.append('Content-Type', 'image/jpeg');
    form.append('file', new Blob([file], { type: 'image/jpeg' }), 'foto rumah.jpg');
    form.append('after', 'ignored by S3 but still parsed');
    const { body, contentType } = await encode(form);
    const parts = parseMultipartForm(body, formBoundary(contentType) as string);
    expect(parts.map((p) => p.name)).toEqual(['key', 'Content-Type', 'file', 'after']);
    expect(parts[0]?.data.toString('utf8')).toBe('proposals/ü/${filename}');
    expect(parts[2]?.filename).toBe('foto rumah.jpg');
    expect(parts[2]?.contentType).toBe('image/jpeg');
    expect(parts[2]?.data.equals(file)).toBe(true);
  });

  it('ignores a preamble and decodes an RFC 5987 filename*', () => {
    const body = Buffer.from(
      'preamble text\r\n--XX\r\nContent-Disposition: form-data; name="file"; filename="fallback.jpg"; filename*=UTF-8\'\'b%C3%BCkti.jpg\r\n\r\nDATA\r\n--XX--\r\n',
    );
    const [part] = parseMultipartForm(body, 'XX');
    expect(part?.filename).toBe('bükti.jpg');
    expect(part?.data.toString()).toBe('DATA');
  });

  it('refuses a body whose last part is never closed', () => {
    const body = Buffer.from('--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue without end');
    expect(() => parseMultipartForm(body, 'XX')).toThrow(MultipartError);
  });

  it('refuses a part without a field name', () => {
    const body = Buffer.from('--XX\r\nContent-Type: text/plain\r\n\r\nx\r\n--XX--\r\n');
    expect(() => parseMultipartForm(body, 'XX')).toThrow(/no Content-Disposition name/);
  });

  it('refuses more parts than the limit', () => {
    const part = '--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n';
    const body = Buffer.from(part.repeat(5) + '--XX--\r\n');
    expect(() => parseMultipartForm(body, 'XX', { maxParts: 4 })).toThrow(/more than 4 parts/);
  });
});
