/**
 * Pictures for the throughput bench, one per house, whose perceptual hashes are independent random 64-bit
 * values. The fixtures' landscapes vary far less than their seeds: among 20,000 of them, 524 pairs fall within
 * the reuse threshold, so the evidence check rightly returned 322 bench proposals as reused photos. Ten
 * thousand distinct households need pictures that are as distinct as their houses.
 *
 * The dHash compares each of 9 × 8 grid cells with its left neighbour, so each picture draws its 64 bits
 * first and then a grid row that makes them: a walk that steps up for a 1 and down for a 0, by at least
 * MIN_STEP, rescaled into a mid-grey range. Pixels are the level of their cell, tinted, with texture noise
 * small enough that JPEG compression does not flip a comparison.
 */
import { seededRandom } from '../../local/evidence-fixtures.ts';

const GRID_WIDTH = 9;
const GRID_HEIGHT = 8;
const MIN_STEP = 15;
const MAX_STEP = 40;
const LOW = 30;
const HIGH = 225;
const NOISE = 8;

export function renderDistinctHouse(seed: number, width: number, height: number): Uint8Array {
  const next = seededRandom(seed * 104_729 + 7);
  const levels: number[][] = [];
  for (let row = 0; row < GRID_HEIGHT; row++) {
    const walk = [0];
    for (let column = 1; column < GRID_WIDTH; column++) {
      const step = MIN_STEP + next() * (MAX_STEP - MIN_STEP);
      walk.push(walk[column - 1]! + (next() < 0.5 ? step : -step));
    }
    const min = Math.min(...walk);
    const span = Math.max(...walk) - min;
    // Only a walk wider than the grey range is squeezed; a narrow one is placed at random within it.
    const scale = Math.min(1, (HIGH - LOW) / span);
    const offset = LOW + next() * (HIGH - LOW - span * scale);
    levels.push(walk.map((level) => offset + (level - min) * scale));
  }
  const tint = [next() * 255, next() * 255, next() * 255];

  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = levels[Math.floor(((y + 0.5) / height) * GRID_HEIGHT)]!;
    for (let x = 0; x < width; x++) {
      const level = row[Math.floor(((x + 0.5) / width) * GRID_WIDTH)]! + (next() - 0.5) * 2 * NOISE;
      const p = (y * width + x) * 4;
      // A tint shifts every cell's luma by the same amount, so it keeps each comparison.
      for (let i = 0; i < 3; i++) data[p + i] = Math.max(0, Math.min(255, level * 0.8 + tint[i]! * 0.2));
      data[p + 3] = 255;
    }
  }
  return data;
}
