/**
 * Exact-key index for near-duplicate photo hashes, so "is this a near-copy of
 * any of millions of stored photos?" is a handful of key lookups, not a scan.
 *
 * Why not plain bands: split the 64-bit hash into B bands and store one key
 * per band; by pigeonhole, hashes within distance B-1 share a band. The
 * configured near-duplicate distance is 6, which needs B >= 7, i.e. bands of
 * only 8-9 bits. Expected random candidates per query are B·N/2^(64/B):
 *
 *   scheme                          keys  guarantees  candidates at N = 5 M
 *   4 bands × 16 bits                  4       ≤ 3      ~305   (misses 42% of pairs at distance 6)
 *   7 bands × 9-10 bits                7       ≤ 6   ~64,000
 *   8 bands × 8 bits                   8       ≤ 7  ~156,000  (and hot keys: 0x00/0xff bands of flat skies)
 *   8 bands, keys = pairs of bands    28       ≤ 6    ~2,100   <- chosen
 *
 * Chosen scheme: 8 bands of 8 bits, one key per *pair* of bands (C(8,2) = 28,
 * each 16 bits wide). Two hashes within distance 6 differ in at most 6 bands,
 * so at least 2 bands are identical and the key of that pair matches. Each key
 * is as selective as a 16-bit band, and the same keys serve storing and
 * querying. Cost: 28 index items per photo and 28 lookups per query, which
 * BatchWrite/parallel Query handle cheaply; far less than reading ~10^5
 * candidates. Candidates must still be confirmed with isNearDuplicate.
 */

import { hammingDistance } from './perceptual-hash.ts';

/** Number of 8-bit bands the 64-bit hash is cut into. */
export const BANDS = 8;
/** Bands combined into one key. */
export const BANDS_PER_KEY = 2;
/** Keys per hash: C(BANDS, BANDS_PER_KEY). */
export const KEYS_PER_HASH = 28;
/** Any two hashes at most this many bits apart share at least one key. */
export const MAX_GUARANTEED_DISTANCE = BANDS - BANDS_PER_KEY;

const HASH_PATTERN = /^[0-9a-f]{16}$/;

/**
 * Index keys of a hash: `b<i><j>:<band i><band j>` for every pair of bands
 * i < j, e.g. `b07:ab12`. The band positions are part of the key because equal
 * bits in different places are no evidence of similarity.
 */
export function hashBandKeys(hash: string): string[] {
  const normalised = hash.toLowerCase();
  if (!HASH_PATTERN.test(normalised)) throw new RangeError(`not a 64-bit hex hash: ${hash}`);
  const bands = Array.from({ length: BANDS }, (_, i) => normalised.slice(i * 2, i * 2 + 2));
  const keys: string[] = [];
  for (let i = 0; i < BANDS; i++) {
    for (let j = i + 1; j < BANDS; j++) keys.push(`b${i}${j}:${bands[i]}${bands[j]}`);
  }
  return keys;
}

/** Confirms a candidate found through the index. */
export function isNearDuplicate(a: string, b: string, maxDistance: number): boolean {
  return hammingDistance(a, b) <= maxDistance;
}
