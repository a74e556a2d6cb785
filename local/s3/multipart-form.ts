/**
 * multipart/form-data (RFC 7578) parsing for browser POST uploads.
 *
 * The server reads the body under a hard byte limit first and parses the
 * complete buffer here, searching for boundaries with Buffer.indexOf, so how
 * the bytes were split into network packets cannot matter. Part bodies are
 * views into that buffer, not copies.
 */

export interface FormPart {
  /** The field name as sent (S3 compares field names case-insensitively). */
  name: string;
  /** Present for file parts. */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

export interface MultipartLimits {
  maxParts: number;
  maxHeaderBytes: number;
}

const DEFAULT_LIMITS: MultipartLimits = { maxParts: 1000, maxHeaderBytes: 16 * 1024 };

/** The boundary parameter of a multipart/form-data Content-Type, or undefined when it is not one. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type = '', ...params] = splitParams(contentType);
  if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const boundary = unquote(param.slice(eq + 1).trim());
    return boundary.length >= 1 && boundary.length <= 70 ? boundary : undefined;
  }
  return undefined;
}

/** Splits `a; b="x;y"; c` on semicolons outside quoted strings. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += c + (value[i + 1] as string);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function parseContentDisposition(value: string): { name?: string; filename?: string } {
  const [type = '', ...params] = splitParams(value);
  if (type.trim().toLowerCase() !== 'form-data') throw new MultipartError(`part has Content-Disposition '${type.trim()}', expected form-data`);
  const out: { name?: string; filename?: string } = {};
  let extendedFilename: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    const raw = param.slice(eq + 1).trim();
    if (key === 'name') out.name = unquote(raw);
    else if (key === 'filename') out.filename = unquote(raw);
    else if (key === 'filename*') {
      // RFC 5987: charset'language'percent-encoded
      const m = /^([^']*)'[^']*'(.*)$/.exec(raw);
      if (m) {
        try {
          extendedFilename = decodeURIComponent(m[2] ?? '');
        } catch {
          throw new MultipartError('filename* is not valid percent-encoding');
        }
      }
    }
  }
  if (extendedFilename !== undefined) out.filename = extendedFilename;
  return out;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function parseMultipartForm(body: Buffer, boundary: string, limits: Partial<MultipartLimits> = {}): FormPart[] {
  const { maxParts, maxHeaderBytes } = { ...DEFAULT_LIMITS, ...limits };
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const partDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: FormPart[] = [];

  // The first delimiter may be preceded by a preamble, which is ignored.
  let offset: number;
  if (body.subarray(0, delimiter.length).equals(delimiter)) offset = delimiter.length;
  else {
    const first = body.indexOf(partDelimiter);
    if (first === -1) throw new MultipartError('the body contains no boundary');
    offset = first + partDelimiter.length;
  }

  for (;;) {
    // After a delimiter: "--" ends the form, otherwise CRLF starts a part.
    if (body[offset] === 0x2d && body[offset + 1] === 0x2d) return parts;
    // Transport padding (spaces/tabs) is allowed before the CRLF.
    while (body[offset] === 0x20 || body[offset] === 0x09) offset++;
    if (!body.subarray(offset, offset + 2).equals(CRLF)) throw new MultipartError('a boundary is not followed by CRLF');
    offset += 2;
    if (parts.length >= maxParts) throw new MultipartError(`the form has more than ${maxParts} parts`);

    const headerEnd = body.indexOf(HEADER_END, offset);
    const emptyHeaders = body.subarray(offset, offset + 2).equals(CRLF);
    let headersText: string;
    let dataStart: number;
    if (emptyHeaders) {
      headersText = '';
      dataStart = offset + 2;
    } else {
      if (headerEnd === -1) throw new MultipartError('a part header block is not terminated');
      if (headerEnd - offset > maxHeaderBytes) throw new MultipartError('a part header block is too large');
      headersText = body.subarray(offset, headerEnd).toString('utf8');
      dataStart = headerEnd + 4;
    }

    const next = body.indexOf(partDelimiter, dataStart);
    if (next === -1) throw new MultipartError('the last part is not closed by a boundary');

    let disposition: { name?: string; filename?: string } | undefined;
    let contentType: string | undefined;
    for (const line of headersText.split('\r\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon === -1) throw new MultipartError(`malformed part header '${line.slice(0, 60)}'`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = parseContentDisposition(value);
      else if (name === 'content-type') contentType = value;
    }
    if (!disposition?.name) throw new MultipartError('a part has no Content-Disposition name');

    const part: FormPart = { name: disposition.name, data: body.subarray(dataStart, next) };
    if (disposition.filename !== undefined) part.filename = disposition.filename;
    if (contentType !== undefined) part.contentType = contentType;
    parts.push(part);
    offset = next + partDelimiter.length;
  }
}
