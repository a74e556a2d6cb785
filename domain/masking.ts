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

/** A household member as officials see them: everything but the NIK, which is masked. */
export function maskedMember(member: {
  nik: string;
  fullName: string;
  sex: string;
  birthDate: string;
  relationship: string;
  disability?: string | undefined;
  occupation?: string | undefined;
}) {
  return {
    nikMasked: maskNik(member.nik),
    fullName: member.fullName,
    sex: member.sex,
    birthDate: member.birthDate,
    relationship: member.relationship,
    ...(member.disability ? { disability: member.disability } : {}),
    ...(member.occupation ? { occupation: member.occupation } : {}),
  };
}
