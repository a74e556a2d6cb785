/**
 * A stage's throttling as API Gateway applies it: a token bucket per route, holding at most the burst limit
 * and refilled at the rate limit (requests per second). An empty bucket answers 429.
 */
import type { Throttle } from './model.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly rate: number;

  constructor(throttle: Throttle, now = Date.now()) {
    const rate = throttle.rateLimit ?? Number.POSITIVE_INFINITY;
    this.capacity = throttle.burstLimit ?? Math.max(1, Math.ceil(rate));
    this.rate = rate;
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes a token if there is one. */
  take(now = Date.now()): boolean {
    if (this.rate === Number.POSITIVE_INFINITY) this.tokens = this.capacity;
    else this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export function isThrottled(throttle: Throttle): boolean {
  return throttle.burstLimit !== undefined || throttle.rateLimit !== undefined;
}
