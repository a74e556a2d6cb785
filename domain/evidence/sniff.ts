/**
 * Content-type detection from the leading bytes only. The declared
 * Content-Type and the file name come from the uploader and prove nothing.
 */

export type SniffedContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
// "%PDF-"
const PDF_SIGNATURE = [0x25, 0x50, 0x44, 0x46, 0x2d] as const;
// SOI followed by the first marker's 0xFF: a bare FF D8 is too weak a signal.
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff] as const;

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  if (bytes.length < signature.length) return false;
  return signature.every((b, i) => bytes[i] === b);
}

/**
 * Returns the type the bytes actually are, or null when they are none of the
 * accepted evidence formats. PDF must start at byte 0: readers that tolerate
 * leading junk make polyglot files possible, and real scanners never emit it.
 */
export function sniffContentType(bytes: Uint8Array): SniffedContentType | null {
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, PDF_SIGNATURE)) return 'application/pdf';
  return null;
}
