import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, sleep, sleepUntil } from '../../../local/stepfunctions/timers.ts';

describe('sleepUntil', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits past the longest single Node timer by chaining timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let done = false;
    void sleepUntil(Date.now() + MAX_TIMER_MS * 2 + 5).then(() => {
      done = true;
    });

    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS * 2);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(5);
    expect(done).toBe(true);
  });

  it('resolves at once for a deadline already passed', async () => {
    await expect(sleepUntil(Date.now() - 1000)).resolves.toBeUndefined();
  });

  it('rejects with the abort reason and stops its timer', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));

    await expect(waiting).rejects.toThrow('cancelled');
  });
});
