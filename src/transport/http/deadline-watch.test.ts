import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unwatchDeadline, watchDeadline } from './deadline-watch.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('deadline watch', () => {
  it('expires a call at its deadline, and not one unwatched before', () => {
    const expired: string[] = [];
    const now = Date.now();
    const kept = watchDeadline(now + 100, () => expired.push('kept'));
    const done = watchDeadline(now + 50, () => expired.push('done'));
    unwatchDeadline(done);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['kept']);
    unwatchDeadline(kept); // already expired: harmless
  });

  it('fires for an earlier deadline added after a later one, then for the later one', () => {
    const expired: string[] = [];
    const now = Date.now();
    watchDeadline(now + 1000, () => expired.push('late'));
    watchDeadline(now + 10, () => expired.push('early'));
    vi.advanceTimersByTime(10);
    expect(expired).toEqual(['early']);
    vi.advanceTimersByTime(990);
    expect(expired).toEqual(['early', 'late']);
  });

  it('keeps watching calls added while others expire', () => {
    const expired: number[] = [];
    const now = Date.now();
    for (let index = 1; index <= 5; index += 1) watchDeadline(now + index * 10, () => expired.push(index));
    const cancelled = watchDeadline(now + 25, () => expired.push(-1));
    vi.advanceTimersByTime(20);
    unwatchDeadline(cancelled);
    watchDeadline(Date.now() + 5, () => expired.push(6));
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([1, 2, 6, 3, 4, 5]);
  });
});
