export interface LatLon {
  latitude: number;
  longitude: number;
}

/** IUGG mean Earth radius R1 for WGS84, in metres. */
export const EARTH_MEAN_RADIUS_METERS = 6_371_008.8;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/**
 * Great-circle distance by the haversine formula. Accurate to ~0.5% against
 * the ellipsoid, far better than phone GPS, so no Vincenty needed.
 */
export function distanceMeters(a: LatLon, b: LatLon): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLon = toRadians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  // Clamp: rounding can push h a hair above 1 for antipodal points, and asin(>1) is NaN.
  return 2 * EARTH_MEAN_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
}
