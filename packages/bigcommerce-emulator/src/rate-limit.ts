/** State of one store's quota window after a request was counted. */
export interface RateLimitState {
  quota: number;
  windowMs: number;
  left: number;
  resetMs: number;
  /** True when this request went over the quota. */
  exceeded: boolean;
}

interface Bucket {
  windowStart: number;
  used: number;
}

/** Fixed-window request quota per key (store), driven by an injected clock. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly quota: number,
    readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Counts one request for `key` and returns the window state. */
  hit(key: string): RateLimitState {
    const now = this.clock();
    let bucket = this.#buckets.get(key);
    if (!bucket || now >= bucket.windowStart + this.windowMs || now < bucket.windowStart) {
      bucket = { windowStart: now, used: 0 };
      this.#buckets.set(key, bucket);
    }
    bucket.used += 1;
    return {
      quota: this.quota,
      windowMs: this.windowMs,
      left: Math.max(0, this.quota - bucket.used),
      resetMs: Math.max(0, bucket.windowStart + this.windowMs - now),
      exceeded: bucket.used > this.quota,
    };
  }

  reset(): void {
    this.#buckets.clear();
  }
}
