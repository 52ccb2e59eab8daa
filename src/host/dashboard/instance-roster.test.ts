import { describe, expect, it } from 'vitest';
import type { Discovery, ServiceInstance } from '../../transport/discovery/discovery.js';
import { instanceRoster } from './instance-roster.js';

/** Discovery whose listing the test changes, as a registry does when a key expires. */
const changing = (listed: Record<string, ServiceInstance[]>): Discovery => ({ instances: (service) => listed[service] ?? [], close: async () => undefined });

describe('instanceRoster', () => {
  it('keeps an instance discovery stopped listing for a while, marked gone, then forgets it', () => {
    let now = 1_000_000;
    const listed: Record<string, ServiceInstance[]> = {
      catalog: [
        { id: 'b', url: 'http://127.0.0.1:4002' },
        { id: 'a', url: 'http://127.0.0.1:4001' },
      ],
    };
    const roster = instanceRoster(changing(listed), ['catalog', 'orders'], { keepGoneMs: 60_000, now: () => now });
    try {
      expect(roster.entries('catalog').map((entry) => [entry.url, entry.listed])).toEqual([
        ['http://127.0.0.1:4001', true],
        ['http://127.0.0.1:4002', true],
      ]);
      listed['catalog'] = [{ id: 'a', url: 'http://127.0.0.1:4001' }];
      now += 30_000;
      expect(roster.entries('catalog')).toEqual([
        { id: 'a', url: 'http://127.0.0.1:4001', listed: true, lastSeenMs: now },
        { id: 'b', url: 'http://127.0.0.1:4002', listed: false, lastSeenMs: now - 30_000 },
      ]);
      now += 31_000;
      expect(roster.entries('catalog').map((entry) => entry.id)).toEqual(['a']);
      expect(roster.entries('orders')).toEqual([]);
    } finally {
      roster.stop();
    }
  });
});
