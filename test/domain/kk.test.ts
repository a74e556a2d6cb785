import { describe, expect, it } from 'vitest';
import { validateKk } from '../../domain/kk.ts';
import { nationalRegions as regions } from './support/proposal-fixture.ts';

const codes = (kk: string) => validateKk(kk, regions, 'household.kk').map((i) => i.code);

describe('validateKk', () => {
  it('accepts a KK issued in a current district', () => {
    expect(codes('8103050101230001')).toEqual([]);
  });

  it('accepts a KK issued under a district code from before a split', () => {
    expect(codes('9101010101150001')).toEqual([]);
  });

  it.each(['', '810305010123000', '8103050101230001 ', 'abcdefghijklmnop'])('rejects %j as malformed', (kk) => {
    expect(codes(kk)).toEqual(['KK_FORMAT']);
  });

  it('rejects a KK whose first six digits are no district', () => {
    expect(validateKk('8103990101230001', regions, 'household.kk')).toEqual([
      expect.objectContaining({ path: 'household.kk', code: 'KK_DISTRICT_UNKNOWN' }),
    ]);
    expect(codes('0000000101230001')).toEqual(['KK_DISTRICT_UNKNOWN']);
  });

  it('does not repeat the KK in the message', () => {
    const kk = '8103990101230001';
    expect(JSON.stringify(validateKk(kk, regions, 'household.kk'))).not.toContain(kk);
  });
});
