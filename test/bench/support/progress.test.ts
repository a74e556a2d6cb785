import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleProgress, timeLeft } from '../../../bench/support/progress.ts';

describe('bench progress', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('says how long the rest takes in seconds, minutes or hours, as suits its size', () => {
    expect(timeLeft(40.2)).toBe('~41 s');
    expect(timeLeft(12 * 60)).toBe('~12 min');
    expect(timeLeft(2.44 * 3600)).toBe('~2.4 h');
  });

  it('reports a counter no sooner than every few seconds, with its rate and the time left at that rate, and no time left once done', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const counter = consoleProgress('photo-lookup', 0).counter('index items', 1000, 5000);
    vi.setSystemTime(1_000);
    counter.add(10); // too soon: a first batch's rate says little
    vi.setSystemTime(10_000);
    counter.add(90); // 10/s: 900 to go take 90 s
    vi.setSystemTime(100_000);
    counter.add(900);
    counter.finish();
    expect(lines).toEqual([
      '[   10 s] photo-lookup: index items 100/1000 (10.0/s, ~2 min left)\n',
      '[  100 s] photo-lookup: index items 1000/1000 (10.0/s)\n',
      '[  100 s] photo-lookup: index items 1000/1000 (10.0/s)\n',
    ]);
  });
});
