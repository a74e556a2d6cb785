/** Digits 1–6 are the issuing district, which is not personal; the rest is. */
const VISIBLE_DIGITS = 6;
const IDENTITY_NUMBER_LENGTH = 16;

/**
 * `8103054506900001` → `810305**********`. Whatever the input, nothing past
 * the sixth character is ever shown and the result is always 16 characters.
 */
function maskIdentityNumber(value: string): string {
  return value.slice(0, VISIBLE_DIGITS).padEnd(IDENTITY_NUMBER_LENGTH, '*');
}

export const maskNik: (nik: string) => string = maskIdentityNumber;
export const maskKk: (kk: string) => string = maskIdentityNumber;
