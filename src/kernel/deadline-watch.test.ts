import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settleBy, unwatchDeadline, watchDeadline } from './deadline-watch.js';

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

  it('settles by the deadline: with the work when it comes first, with the expiry failure when not, or lets the work run on', async () => {
    const now = Date.now();
    await expect(settleBy(Promise.resolve('done'), now + 10, () => new Error('late'))).resolves.toBe('done');

    const never = new Promise<string>(() => undefined);
    const expired = settleBy(never, now + 10, () => new Error('late'));
    vi.advanceTimersByTime(10);
    await expect(expired).rejects.toThrow('late');

    let finish: (value: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => (finish = resolve));
    const ranOn = settleBy(slow, now + 10, () => undefined);
    vi.advanceTimersByTime(10);
    finish('after the deadline');
    await expect(ranOn).resolves.toBe('after the deadline');
  });
});
