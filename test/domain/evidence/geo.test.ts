import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EARTH_MEAN_RADIUS_METERS, distanceMeters } from '../../../domain/evidence/geo.ts';
import { farFromHouseLocation, houseLocation, nearHouseLocation } from '../../support/evidence-fixtures.ts';

const latLon = fc.record({
  latitude: fc.double({ min: -90, max: 90, noNaN: true }),
  longitude: fc.double({ min: -180, max: 180, noNaN: true }),
});

describe('distanceMeters', () => {
  it('is zero from a point to itself', () => {
    expect(distanceMeters(houseLocation, houseLocation)).toBe(0);
  });

  it('measures one degree of latitude as R·π/180 (about 111.2 km)', () => {
    const d = distanceMeters({ latitude: 0, longitude: 128 }, { latitude: 1, longitude: 128 });
    expect(d).toBeCloseTo((EARTH_MEAN_RADIUS_METERS * Math.PI) / 180, 3);
    expect(d).toBeCloseTo(111_195, 0);
  });

  it('shrinks a degree of longitude by cos(latitude)', () => {
    const d = distanceMeters({ latitude: 60, longitude: 0 }, { latitude: 60, longitude: 1 });
    // Haversine along a parallel is the great circle, a hair shorter than R·cos(φ)·Δλ.
    expect(d).toBeCloseTo(55_597, 0);
  });

  it('gives the short way across the antimeridian', () => {
    const d = distanceMeters({ latitude: 0, longitude: 179.9 }, { latitude: 0, longitude: -179.9 });
    expect(d).toBeCloseTo(22_239, 0);
  });

  it('returns half the circumference for antipodes rather than NaN', () => {
    const d = distanceMeters({ latitude: 3.6954, longitude: -51.8186 }, { latitude: -3.6954, longitude: 128.1814 });
    expect(d).toBeCloseTo(Math.PI * EARTH_MEAN_RADIUS_METERS, 0);
  });

  it('puts the test fixtures at the distances their names promise', () => {
    expect(distanceMeters(houseLocation, nearHouseLocation)).toBeCloseTo(33.4, 0);
    const far = distanceMeters(houseLocation, farFromHouseLocation);
    expect(far).toBeGreaterThan(19_000);
    expect(far).toBeLessThan(21_000);
  });

  it('is symmetric, non-negative and never more than half the circumference', () => {
    fc.assert(
      fc.property(latLon, latLon, (a, b) => {
        const d = distanceMeters(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.PI * EARTH_MEAN_RADIUS_METERS + 1e-6);
        expect(distanceMeters(b, a)).toBeCloseTo(d, 6);
      }),
    );
  });
});
