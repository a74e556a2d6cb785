import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BANDS,
  KEYS_PER_HASH,
  MAX_GUARANTEED_DISTANCE,
  hashBandKeys,
  isNearDuplicate,
} from '../../../domain/evidence/hash-index.ts';
import { hammingDistance, perceptualHash } from '../../../domain/evidence/perceptual-hash.ts';
import { makeJpeg } from '../../support/evidence-fixtures.ts';

const hexHash = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => n.toString(16).padStart(16, '0'));
const flip = (hash: string, bits: number[]): string =>
  (BigInt(`0x${hash}`) ^ bits.reduce((mask, bit) => mask | (1n << BigInt(bit)), 0n)).toString(16).padStart(16, '0');
const shareAKey = (a: string, b: string): boolean => {
  const keys = new Set(hashBandKeys(a));
  return hashBandKeys(b).some((key) => keys.has(key));
};

describe('hashBandKeys', () => {
  it('gives one key per pair of 8-bit bands, naming both band positions', () => {
    const keys = hashBandKeys('0123456789abcdef');
    expect(keys).toHaveLength(KEYS_PER_HASH);
    expect(new Set(keys).size).toBe(KEYS_PER_HASH);
    expect(keys).toContain('b01:0123');
    expect(keys).toContain('b07:01ef');
    expect(keys).toContain('b67:cdef');
    for (const key of keys) expect(key).toMatch(/^b[0-7][0-7]:[0-9a-f]{4}$/);
  });

  it('does not match equal band values at different positions', () => {
    // Same bytes, rotated by one band: no key may coincide.
    expect(shareAKey('0011223344556677', '1122334455667700')).toBe(false);
  });

  it('ignores letter case', () => {
    expect(hashBandKeys('ABCDEF0123456789')).toEqual(hashBandKeys('abcdef0123456789'));
  });

  it('rejects anything that is not a 64-bit hex hash', () => {
    expect(() => hashBandKeys('abcd')).toThrow(RangeError);
    expect(() => hashBandKeys('0123456789abcdeg')).toThrow(RangeError);
  });

  it('guarantees the configured near-duplicate distance of 6', () => {
    expect(MAX_GUARANTEED_DISTANCE).toBe(6);
  });

  it('always shares a key between hashes at most MAX_GUARANTEED_DISTANCE bits apart', () => {
    fc.assert(
      fc.property(
        hexHash,
        fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: MAX_GUARANTEED_DISTANCE }),
        (hash, bits) => {
          const other = flip(hash, bits);
          expect(hammingDistance(hash, other)).toBe(bits.length);
          expect(shareAKey(hash, other)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('guarantees no more: one flipped bit in each of 7 bands shares no key', () => {
    fc.assert(
      fc.property(hexHash, fc.integer({ min: 0, max: BANDS - 1 }), (hash, untouched) => {
        const bits = Array.from({ length: BANDS }, (_, band) => band * 8).filter((_, band) => band !== untouched);
        expect(bits).toHaveLength(MAX_GUARANTEED_DISTANCE + 1);
        expect(shareAKey(hash, flip(hash, bits))).toBe(false);
      }),
    );
  });

  it('finds a re-encoded, resized copy of a real photo through a shared key', () => {
    const original = perceptualHash(makeJpeg({ seed: 11, quality: 90 }), 'image/jpeg');
    const copy = perceptualHash(makeJpeg({ seed: 11, quality: 50, width: 200, height: 150 }), 'image/jpeg');
    expect(shareAKey(original, copy)).toBe(true);
    expect(isNearDuplicate(original, copy, MAX_GUARANTEED_DISTANCE)).toBe(true);
  });
});

describe('isNearDuplicate', () => {
  it('accepts distances up to and including the limit, and nothing beyond', () => {
    expect(isNearDuplicate('0000000000000000', '000000000000003f', 6)).toBe(true);
    expect(isNearDuplicate('0000000000000000', '000000000000007f', 6)).toBe(false);
    expect(isNearDuplicate('0123456789abcdef', '0123456789abcdef', 0)).toBe(true);
  });
});
