import { describe, expect, it } from 'vitest';
import { renderDistinctHouse } from '../../../bench/support/distinct-houses.ts';
import { hammingDistance, perceptualHash } from '../../../domain/evidence/perceptual-hash.ts';
import { houseLocation, makeJpeg } from '../../support/evidence-fixtures.ts';

const photo = (seed: number, quality = 85) =>
  makeJpeg({ seed, width: 160, height: 120, quality, takenAt: new Date('2026-11-25T09:00:00Z'), gps: houseLocation, render: renderDistinctHouse });

describe('bench house photos', () => {
  const hashes = Array.from({ length: 300 }, (_, i) => perceptualHash(photo(100_000 + i), 'image/jpeg'));

  it('hash as far apart as independent random bits: half the bits differ, and no pair comes near the reuse threshold of 6', () => {
    const distances: number[] = [];
    for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) distances.push(hammingDistance(hashes[i]!, hashes[j]!));
    const mean = distances.reduce((sum, d) => sum + d, 0) / distances.length;
    expect(mean).toBeGreaterThan(31);
    expect(mean).toBeLessThan(33);
    // For 44,850 pairs of random 64-bit hashes, a pair within 12 bits has a chance of about 1 in 100.
    expect(Math.min(...distances)).toBeGreaterThan(12);
  });

  it('keep their hash through heavier JPEG compression, as a forwarded copy would', () => {
    for (const seed of [100_000, 100_001, 100_002, 100_003, 100_004]) {
      expect(hammingDistance(perceptualHash(photo(seed, 40), 'image/jpeg'), perceptualHash(photo(seed), 'image/jpeg'))).toBeLessThanOrEqual(1);
    }
  });

  it('repeat for the same seed, so a cached set is the set the bench would make', () => {
    expect(photo(123_456)).toEqual(photo(123_456));
  });
});
