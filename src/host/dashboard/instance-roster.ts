/**
 * @module The instances of each service that discovery lists now or listed lately, for the
 * dashboard's instances page.
 *
 * Discovery forgets an instance as soon as it drops out (a killed process's registry key
 * expires), which on a status page would look like nothing happened. The roster samples
 * discovery every second and keeps an instance it no longer lists for a while, marked gone,
 * so an operator sees a replica die rather than silently vanish.
 */
import type { Discovery } from '../../transport/discovery/discovery.js';

export interface RosterEntry {
  /** Discovery's id for it. */
  readonly id: string;
  readonly url: string;
  /** Whether discovery lists it now. */
  readonly listed: boolean;
  /** When discovery last listed it (epoch ms). */
  readonly lastSeenMs: number;
}

export interface RosterOptions {
  /** How long an instance discovery stopped listing is still shown (default one minute). */
  readonly keepGoneMs?: number;
  /** How often discovery is sampled between page views (default every second). */
  readonly sampleEveryMs?: number;
  readonly now?: () => number;
}

export interface InstanceRoster {
  /** `service`'s instances by URL, so a row stays where it was when its instance goes. */
  entries(service: string): RosterEntry[];
  stop(): void;
}

export const instanceRoster = (discovery: Discovery, services: readonly string[], options: RosterOptions = {}): InstanceRoster => {
  const keepGoneMs = options.keepGoneMs ?? 60_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, Map<string, { url: string; lastSeenMs: number }>>(services.map((service) => [service, new Map()]));
  const sample = (): void => {
    const at = now();
    for (const [service, known] of seen) {
      for (const instance of discovery.instances(service)) known.set(instance.id, { url: instance.url, lastSeenMs: at });
      for (const [id, entry] of known) if (at - entry.lastSeenMs > keepGoneMs) known.delete(id);
    }
  };
  sample();
  const timer = setInterval(sample, options.sampleEveryMs ?? 1000);
  timer.unref();
  return {
    entries(service) {
      sample();
      const listed = new Set(discovery.instances(service).map((instance) => instance.id));
      return [...(seen.get(service) ?? [])]
        .map(([id, entry]) => ({ id, url: entry.url, listed: listed.has(id), lastSeenMs: entry.lastSeenMs }))
        .sort((one, other) => one.url.localeCompare(other.url) || one.id.localeCompare(other.id));
    },
    stop: () => clearInterval(timer),
  };
};
