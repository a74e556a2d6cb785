/** Node fires a setTimeout longer than this after 1 ms (TimeoutOverflowWarning), so longer sleeps are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may ever await a deferred that gets rejected (e.g. a cancelled wait); that is not an error.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Resolves once `Date.now()` reaches `deadline` (epoch ms), however far away: each timer is at most
 * MAX_TIMER_MS and the wait re-arms until the deadline. Rejects with the signal's reason on abort.
 * Reads the global setTimeout on each call so test fake timers drive it.
 */
export function sleepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal?.reason);
    };
    const arm = () => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepUntil(Date.now() + Math.max(0, ms), signal);
}

// Captured at load so a test that fakes setImmediate cannot stall event draining.
const realSetImmediate = globalThis.setImmediate;

/**
 * Resolves after every queued microtask has run. The ASL library delivers its event log through
 * promise chains only, so after this every event it dispatched before the call has been consumed.
 */
export function afterMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => realSetImmediate(resolve));
}
