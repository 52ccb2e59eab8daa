/**
 * @module Service discovery: where the instances of a service are, behind one interface.
 *
 * `instances()` is synchronous and cheap because it runs on every remote call; sources that
 * must ask the network (DNS, a Redis registry) refresh a cache in the background.
 */

export interface ServiceInstance {
  /** Stable for the instance's life; used for ejection and least-outstanding counts. */
  readonly id: string;
  /** `http://host:port`. */
  readonly url: string;
}

export interface Discovery {
  /** The instances of `service` known now; empty when none is. */
  instances(service: string): readonly ServiceInstance[];
  /** Stops background refreshing. */
  close(): Promise<void>;
}

/** Discovery from a fixed map, e.g. a topology or `SEAM_SERVICES`: service → base URLs. */
export const staticDiscovery = (services: Readonly<Record<string, readonly string[]>>): Discovery => {
  const table = new Map(Object.entries(services).map(([service, urls]) => [service, urls.map((url) => ({ id: url, url }))]));
  return {
    instances: (service) => table.get(service) ?? [],
    close: async () => undefined,
  };
};
