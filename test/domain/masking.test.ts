import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskKk, maskNik } from '../../domain/masking.ts';

describe.each([
  ['maskNik', maskNik],
  ['maskKk', maskKk],
])('%s', (_name, mask) => {
  it('shows the issuing district and hides the rest', () => {
    expect(mask('8103051204800001')).toBe('810305**********');
  });

  it('never reveals digits 7–16 of any 16-digit number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{16}$/), (value) => {
        const masked = mask(value);
        expect(masked).toHaveLength(16);
        expect(masked.slice(0, 6)).toBe(value.slice(0, 6));
        expect(masked.slice(6)).toBe('**********');
      }),
    );
  });

  it('shows at most six characters of any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const masked = mask(value);
        expect(masked).toHaveLength(16);
        expect(masked.slice(6)).toMatch(/^\*+$/);
      }),
    );
  });
});
